from wtforms import IntegerField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from matching import COUNTRY_REGION
from matching.records import MAX_CAPACITY
from portal import choices
from portal.forms import AssistanceForm, MultiCheckboxField, select_choices


class OfferForm(AssistanceForm):
    provider = StringField(
        "Provider", validators=[DataRequired(message="Say who provides it."), Length(max=200)],
        description="As requesting States will see it; usually your organisation's name.",
    )
    regions = MultiCheckboxField(
        "Regions where it can be delivered", choices=select_choices(choices.REGION_CHOICES),
        description="Leave all unticked if it can be delivered anywhere.",
    )
    eligible_countries = SelectMultipleField(
        "Only these States may receive it", choices=select_choices(choices.country_choices()),
        description="Leave empty if any State may.", render_kw={"size": 6},
    )
    excluded_countries = SelectMultipleField(
        "States it cannot serve", choices=select_choices(choices.country_choices()), render_kw={"size": 6},
    )
    capacity = IntegerField(
        "Number of engagements", default=1,
        validators=[InputRequired(message="Say how many engagements it can take on."),
                    NumberRange(min=1, max=MAX_CAPACITY,
                                message=f"Between 1 and {MAX_CAPACITY} engagements.")],
    )

    def validate_regions(self, field):
        if not field.data:
            return
        outside = [c for c in self.eligible_countries.data or []
                   if COUNTRY_REGION.get(c) not in field.data]
        if outside:
            names = ", ".join(choices.country_name(c) for c in outside)
            raise ValidationError(f"These regions leave out eligible States: {names}.")

    def validate_excluded_countries(self, field):
        both = set(field.data or []) & set(self.eligible_countries.data or [])
        if both:
            names = ", ".join(sorted(choices.country_name(c) for c in both))
            raise ValidationError(f"A State cannot be both eligible and excluded: {names}.")

    def record_field_names(self) -> list[str]:
        return super().record_field_names() + [
            "provider", "regions", "eligible_countries", "excluded_countries", "capacity",
        ]
