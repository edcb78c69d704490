"""The append-only audit trail: who did what, when, with before and after."""
