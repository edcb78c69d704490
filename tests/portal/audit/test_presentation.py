"""The audit trail reads in the reader's language: coded values are translated, free text is not."""

from __future__ import annotations

from portal.audit.presentation import readable_value


def test_coded_values_read_in_the_pages_language_and_free_text_as_recorded(app):
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert readable_value("themes", ["digital_forensics", "legislation"]) == (
            "Criminalistique numérique, Législation")
        assert readable_value("status", "submitted") == "Soumis"
        assert readable_value("status", "agreed") == "Conclu"  # a match's status
        assert readable_value("working_languages", ["en", "fr"]) == "anglais, français"
        assert readable_value("title", "Mentoring our central authority") == (
            "Mentoring our central authority")
        # A code no longer in the lists is shown as recorded, not an error.
        assert readable_value("themes", ["retired_code"]) == "retired_code"
