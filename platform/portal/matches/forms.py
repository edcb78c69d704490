from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.forms import select_choices
from portal.matches.models import REJECTION_REASONS

NOTE_LIMIT = 2000


class ProposeForm(FlaskForm):
    offer_id = HiddenField(validators=[DataRequired()])
    note = TextAreaField("Note to both sides", validators=[Optional(), Length(max=NOTE_LIMIT)],
                         render_kw={"rows": 2})
    submit = SubmitField("Propose to both sides")


class RejectForm(FlaskForm):
    offer_id = HiddenField(validators=[DataRequired()])
    reason = SelectField("Reason", choices=select_choices(REJECTION_REASONS.items()),
                         validators=[DataRequired()])
    note = TextAreaField("Details", validators=[Optional(), Length(max=NOTE_LIMIT)],
                         render_kw={"rows": 2})
    submit = SubmitField("Reject")


class DecisionForm(FlaskForm):
    decision = RadioField("Your answer", choices=select_choices(
        [("accepted", "Yes, we agree"), ("declined", "No, we decline")]),
        validators=[DataRequired(message="Choose yes or no.")])
    reason = TextAreaField("Reason (required to decline)",
                           validators=[Optional(), Length(max=NOTE_LIMIT)], render_kw={"rows": 3})
    submit = SubmitField("Send the answer")


class CancelForm(FlaskForm):
    reason = TextAreaField("Why is it cancelled?",
                           validators=[DataRequired(message="Say why."), Length(max=NOTE_LIMIT)],
                           render_kw={"rows": 2})
    submit = SubmitField("Cancel the match")
