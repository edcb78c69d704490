from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from portal.api.services import MAX_NAME_LENGTH


class NewTokenForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(message=_l("Give the token a name.")),
                                               Length(max=MAX_NAME_LENGTH)],
                       description=_l("What will use it, e.g. “Grants database sync”."))
    submit = SubmitField(_l("Create a token"))


class RevokeTokenForm(FlaskForm):
    submit = SubmitField(_l("Revoke"))
