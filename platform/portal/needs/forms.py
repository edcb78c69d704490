from portal.forms import AssistanceForm


class NeedForm(AssistanceForm):
    """A requesting State's need. The State is the user's organisation, never a field."""
