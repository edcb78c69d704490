from flask_babel import lazy_gettext as _l
from wtforms import RadioField
from wtforms.validators import InputRequired

from portal.forms import AssistanceForm, select_choices
from portal.needs.models import CONFIDENTIALITY_LABELS, Confidentiality


class NeedForm(AssistanceForm):
    """A requesting State's need. The State is the user's organisation, never a field."""

    confidentiality = RadioField(
        _l("Who may read this need"),
        choices=select_choices((level.value, label) for level, label in CONFIDENTIALITY_LABELS.items()),
        default=Confidentiality.RESTRICTED.value,
        validators=[InputRequired(message=_l("Choose who may read this need."))],
        description=_l("Whatever you choose, the secretariat reads it and the matching engine uses it. "
                    "If you withhold your name, leave it out of the title and description too."),
    )

    def record_field_names(self) -> list[str]:
        return super().record_field_names() + ["confidentiality"]
