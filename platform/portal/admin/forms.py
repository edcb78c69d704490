"""Forms of the administration pages: field-local checks only, rules are in auth.services."""

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, ValidationError

from portal.auth.models import ORGANISATION_KIND_LABELS, ROLE_LABELS, OrganisationKind
from portal.auth.services import MAX_NAME_LENGTH
from portal.choices import country_choices
from portal.forms import LongSelect, select_choices


class OrganisationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=MAX_NAME_LENGTH)])
    kind = SelectField(
        # Translators: the kind of organisation (requesting State, donor State, company...).
        _l("Kind"), choices=select_choices((k.value, label) for k, label in ORGANISATION_KIND_LABELS.items()),
        validators=[DataRequired()],
    )
    country = SelectField(
        _l("Country"), description=_l("Required for a requesting State."), default="",
        widget=LongSelect(),
    )
    submit = SubmitField(_l("Create the organisation"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = select_choices([("", "—"), *country_choices()])

    def validate_country(self, field) -> None:
        if self.kind.data == OrganisationKind.REQUESTING_STATE and not field.data:
            raise ValidationError(gettext("Choose the country of the requesting State."))


class InvitationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=MAX_NAME_LENGTH)])
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField(
        _l("Role"), choices=select_choices((r.value, label) for r, label in ROLE_LABELS.items()),
        validators=[DataRequired()],
    )
    submit = SubmitField(_l("Send the invitation"))
