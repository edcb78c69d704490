from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from matching import COUNTRY_REGION
from matching.records import MAX_CAPACITY
from portal import choices
from portal.forms import AssistanceForm, LongSelect, MultiCheckboxField, select_choices


class OfferForm(AssistanceForm):
    provider = StringField(
        _l("Provider"), validators=[DataRequired(message=_l("Say who provides it.")), Length(max=200)],
        description=_l("As requesting States will see it; usually your organisation's name."),
    )
    regions = MultiCheckboxField(
        _l("Regions where it can be delivered"), choices=[],
        description=_l("Leave all unticked if it can be delivered anywhere."),
    )
    eligible_countries = SelectMultipleField(
        _l("Only these States may receive it"), choices=[], widget=LongSelect(multiple=True),
        description=_l("Leave empty if any State may."), render_kw={"size": 6},
    )
    excluded_countries = SelectMultipleField(
        _l("States it cannot serve"), choices=[], render_kw={"size": 6},
        widget=LongSelect(multiple=True),
    )
    capacity = IntegerField(
        _l("Number of engagements"), default=1,
        validators=[InputRequired(message=_l("Say how many engagements it can take on.")),
                    NumberRange(min=1, max=MAX_CAPACITY,
                                message=_l("Between 1 and %(max)s engagements.", max=MAX_CAPACITY))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.regions.choices = select_choices(choices.code_choices("region"))
        self.eligible_countries.choices = select_choices(choices.country_choices())
        self.excluded_countries.choices = select_choices(choices.country_choices())

    def validate_regions(self, field):
        if not field.data:
            return
        outside = [c for c in self.eligible_countries.data or []
                   if COUNTRY_REGION.get(c) not in field.data]
        if outside:
            names = ", ".join(choices.country_name(c) for c in outside)
            raise ValidationError(gettext("These regions leave out eligible States: %(names)s.", names=names))

    def validate_excluded_countries(self, field):
        both = set(field.data or []) & set(self.eligible_countries.data or [])
        if both:
            names = ", ".join(sorted(choices.country_name(c) for c in both))
            raise ValidationError(gettext("A State cannot be both eligible and excluded: %(names)s.", names=names))

    def record_field_names(self) -> list[str]:
        return super().record_field_names() + [
            "provider", "regions", "eligible_countries", "excluded_countries", "capacity",
        ]
