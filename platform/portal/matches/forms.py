from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.forms import select_choices
from portal.matches.models import REJECTION_REASONS

NOTE_LIMIT = 2000


class ProposeForm(FlaskForm):
    offer_id = HiddenField(validators=[DataRequired()])
    note = TextAreaField(_l("Note to both sides"), validators=[Optional(), Length(max=NOTE_LIMIT)],
                         render_kw={"rows": 2})
    submit = SubmitField(_l("Propose to both sides"))


class RejectForm(FlaskForm):
    offer_id = HiddenField(validators=[DataRequired()])
    reason = SelectField(_l("Reason"), choices=select_choices(REJECTION_REASONS.items()),
                         validators=[DataRequired()])
    note = TextAreaField(_l("Details"), validators=[Optional(), Length(max=NOTE_LIMIT)],
                         render_kw={"rows": 2})
    submit = SubmitField(_l("Reject"))


class DecisionForm(FlaskForm):
    decision = RadioField(_l("Your answer"), choices=select_choices(
        [("accepted", _l("Yes, we agree")), ("declined", _l("No, we decline"))]),
        validators=[DataRequired(message=_l("Choose yes or no."))])
    reason = TextAreaField(_l("Reason (required to decline)"),
                           validators=[Optional(), Length(max=NOTE_LIMIT)], render_kw={"rows": 3})
    submit = SubmitField(_l("Send the answer"))


class CancelForm(FlaskForm):
    reason = TextAreaField(_l("Why is it cancelled?"),
                           validators=[DataRequired(message=_l("Say why.")), Length(max=NOTE_LIMIT)],
                           render_kw={"rows": 2})
    submit = SubmitField(_l("Cancel the match"))
