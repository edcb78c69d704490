"""Fields and the form base shared by the need and offer forms."""

from __future__ import annotations

from flask_babel import format_decimal, gettext
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from markupsafe import escape
from wtforms import (
    DecimalField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget, Select

from matching.records import MAX_BUDGET_USD, MAX_DESCRIPTION_LENGTH, MAX_TITLE_LENGTH, MONTH_RE
from portal import choices
from portal.idempotency import SubmissionTokenField


def select_choices(pairs) -> list[SelectChoice]:
    """WTForms options from ``(code, label)`` pairs."""
    return [SelectChoice(code, label) for code, label in pairs]


def finite_number(form, field):
    """Decimal accepts "NaN" and "sNaN", which no range check can compare."""
    if field.data is not None and not field.data.is_finite():
        raise StopValidation(gettext("Enter the budget as a number."))


class LongSelect(Select):
    """A ``<select>`` whose plain options are written with one f-string each.

    The offer form lists every State twice and the need and offer forms every
    language: about 700 options a page. WTForms builds each option through
    its generic attribute writer, which made those lists most of the form
    pages' time; the output is the same.
    """

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw or isinstance(choice.value, bool):
            return super().render_option(choice, **kwargs)
        selected = "selected " if choice.selected else ""  # html_params sorts: selected, value
        label = choice.label or choice.value
        return f'<option {selected}value="{escape(choice.value)}">{escape(label)}</option>'


class MultiCheckboxField(SelectMultipleField):
    """Several codes picked with checkboxes: readable, and works without JavaScript."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class MonthField(StringField):
    """A YYYY-MM month; browsers show a month picker, others a text box."""

    def __init__(self, label=None, validators=None, **kwargs):
        validators = [Optional(), Regexp(MONTH_RE, message=_l("Enter a month as YYYY-MM, for example 2026-03."))] + list(validators or [])
        kwargs.setdefault("render_kw", {}).update(type="month", placeholder="YYYY-MM")
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.data = (self.data or "").strip() or None


class AssistanceForm(FlaskForm):
    """The interchange format's common fields of a need or an offer."""

    title = StringField(
        _l("Title"), validators=[DataRequired(message=_l("A title is required.")), Length(max=MAX_TITLE_LENGTH)],
        description=_l("One line that says what it is about."),
    )
    description = TextAreaField(
        _l("Description"),
        validators=[DataRequired(message=_l("A description is required.")), Length(max=MAX_DESCRIPTION_LENGTH)],
    )
    language = SelectField(
        _l("Language of the title and description"),
        choices=[],  # filled in the page's language by __init__
        widget=LongSelect(),
        validators=[DataRequired()],
    )
    working_languages = SelectMultipleField(
        _l("Working languages"),
        choices=[], widget=LongSelect(multiple=True),
        validators=[DataRequired(message=_l("Choose at least one working language."))],
        render_kw={"size": 8},
    )
    themes = MultiCheckboxField(_l("Themes"), choices=[])
    modalities = MultiCheckboxField(_l("Kinds of assistance"), choices=[])
    beneficiaries = MultiCheckboxField(_l("Beneficiary institutions"), choices=[])
    delivery = MultiCheckboxField(
        _l("Delivery"), choices=[],
        description=_l("Leave both unticked if either is acceptable."),
    )
    budget_usd = DecimalField(
        _l("Budget (USD)"),
        places=0,
        validators=[
            Optional(),
            finite_number,
            NumberRange(min=0, message=_l("The budget cannot be negative.")),
            NumberRange(max=MAX_BUDGET_USD, message=_l("The budget cannot exceed USD %(max)s.", max=LazyString(lambda: format_decimal(MAX_BUDGET_USD)))),
        ],
        render_kw={"inputmode": "numeric", "min": 0, "step": 1000},
    )
    # Translators: first month of the period in which the assistance is wanted or available.
    start = MonthField(_l("From"))
    # Translators: last month of that period.
    end = MonthField(_l("Until"))
    save_draft = SubmitField(_l("Save as draft"))
    # Translators: button that sends a need or an offer to the secretariat.
    submit = SubmitField(_l("Submit"))
    submission_token = SubmissionTokenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Names of languages and codes in the page's language, built per form.
        self.language.choices = select_choices(choices.text_language_choices())
        self.working_languages.choices = select_choices(choices.language_choices())
        self.themes.choices = select_choices(choices.code_choices("theme"))
        self.modalities.choices = select_choices(choices.code_choices("modality"))
        self.beneficiaries.choices = select_choices(choices.code_choices("beneficiary"))
        self.delivery.choices = select_choices(choices.code_choices("delivery"))

    def validate_end(self, field):
        start = self.start.data
        if field.data and start and MONTH_RE.match(start) and MONTH_RE.match(field.data) and field.data < start:
            raise ValidationError(gettext("The end of the window is before its start."))

    @property
    def wants_submission(self) -> bool:
        return bool(self.submit.data)

    def validate(self, extra_validators=None) -> bool:
        if self.save_draft.data:
            # A draft may be half-written: only its title is required until it
            # is submitted; formats and limits are still checked.
            for name in self.record_field_names():
                if name != "title":
                    field = self[name]
                    field.validators = [v for v in field.validators
                                        if not isinstance(v, (DataRequired, InputRequired))]
                    field.flags.required = False
        return super().validate(extra_validators)

    def record_fields(self) -> dict:
        """The fields of the interchange record this form edits, as plain data."""
        data = {name: self[name].data for name in self.record_field_names()}
        for name in ("title", "description", "provider"):
            if name in data:
                data[name] = (data[name] or "").strip()
        if data.get("budget_usd") is not None:
            data["budget_usd"] = float(data["budget_usd"])
        return data

    def record_field_names(self) -> list[str]:
        return [
            "title", "description", "language", "working_languages", "themes", "modalities",
            "beneficiaries", "delivery", "budget_usd", "start", "end",
        ]


class WithdrawForm(FlaskForm):
    """Withdrawing cannot be undone and calls off open proposals: ask first, and why."""

    reason = TextAreaField(_l("Why is it withdrawn? (optional; shared with the secretariat and, "
                           "if a proposal is called off, with the other side)"),
                           validators=[Optional(), Length(max=2000)], render_kw={"rows": 3})
    submit = SubmitField(_l("Withdraw"))
