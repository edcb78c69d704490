"""The filters of the dashboards and the report: a GET form, so links can be shared."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import Optional, Regexp, ValidationError

from matching.records import MONTH_RE
from portal import choices
from portal.forms import select_choices
from portal.insight.services import MAX_TREND_MONTHS, Filters


class PeriodMonthField(StringField):
    """A YYYY-MM month; browsers show a month picker, others a text box."""

    def __init__(self, label=None, **kwargs):
        validators = [Optional(), Regexp(MONTH_RE, message=_l("Enter a month as YYYY-MM, for example 2026-03."))]
        kwargs.setdefault("render_kw", {}).update(type="month", placeholder="YYYY-MM")
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.data = (self.data or "").strip()[:20] or None


class InsightFilterForm(FlaskForm):
    """Period, region and theme. Read from the query string; no CSRF for a GET."""

    class Meta:
        csrf = False

    start = PeriodMonthField(_l("From (month)"), name="from")
    end = PeriodMonthField(_l("To (month)"), name="to")
    region = SelectField(_l("Region"), validators=[Optional()], validate_choice=True)
    theme = SelectField(_l("Theme"), validators=[Optional()], validate_choice=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        any_choice = [("", str(_l("Any")))]
        self.region.choices = select_choices(any_choice + choices.code_choices("region"))
        self.theme.choices = select_choices(any_choice + choices.code_choices("theme"))

    def validate_end(self, field):
        start = self.start.data
        if not (start and field.data and MONTH_RE.match(start) and MONTH_RE.match(field.data)):
            return
        if field.data < start:
            raise ValidationError(_l("The last month comes before the first: swap them."))
        months = (int(field.data[:4]) - int(start[:4])) * 12 + int(field.data[5:7]) - int(start[5:7]) + 1
        if months > MAX_TREND_MONTHS:
            raise ValidationError(_l("Choose a period of at most %(count)s months.", count=MAX_TREND_MONTHS))

    def filters(self) -> Filters:
        """The filters that passed validation (a field in error is left out)."""
        def clean(field):
            return None if field.errors else (field.data or None)

        return Filters(start=clean(self.start), end=clean(self.end),
                       region=clean(self.region), theme=clean(self.theme))
