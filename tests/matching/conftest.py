"""Fixtures for the matching tests: record factories and a tiny lexicon."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED = REPO_ROOT.parent / "shared"

# A hand-made lexicon, so that behaviour tests do not depend on the packaged one.
TINY_LEXICON = {
    "version": 1,
    "concepts": {
        "mutual_legal_assistance": {
            "themes": ["international_cooperation"], "weight": 1.0,
            "terms": {"en": ["mutual legal assistance", "mla"],
                      "fr": ["entraide judiciaire"],
                      "es": ["asistencia judicial recíproca"],
                      "ar": ["المساعدة القانونية المتبادلة"],
                      "ru": ["взаимная правовая помощь"],
                      "zh": ["司法协助"], "pt": ["assistência jurídica mútua"]}},
        "csam": {
            "themes": ["child_protection"], "weight": 1.0,
            "terms": {"en": ["child sexual abuse material", "csam"],
                      "zh": ["儿童性虐待材料"], "es": ["material de abuso sexual infantil"]}},
        "ransomware": {
            "themes": ["cyber_dependent_crime"], "weight": 1.0,
            "terms": {"en": ["ransomware"], "fr": ["rançongiciel"], "ru": ["программы-вымогатели"]}},
        "bec": {
            "themes": ["online_fraud"], "weight": 1.0,
            "terms": {"en": ["business email compromise", "bec"]}},
        "forensics": {
            "themes": ["digital_forensics"], "weight": 1.0,
            "terms": {"en": ["digital forensics", "forensic laboratory"],
                      "zh": ["数字取证"]}},
        "awareness": {
            "themes": ["prevention"], "weight": 1.0,
            "terms": {"en": ["awareness campaign", "awareness"]}},
        "victims": {
            "themes": ["victims"], "weight": 1.0, "terms": {"en": ["victim support"]}},
        "strategy": {
            "themes": ["institutional_capacity"], "weight": 1.0,
            "terms": {"en": ["national strategy"]}},
    },
}


@pytest.fixture
def make_need():
    """Return a factory of valid need records; keyword arguments override fields."""
    def make(**fields):
        record = {
            "id": "N1", "country": "KEN", "title": "Need", "description": "A need.",
            "language": "en", "working_languages": ["en"], "themes": [], "modalities": [],
            "beneficiaries": [], "delivery": [],
        }
        record.update(fields)
        return record
    return make


@pytest.fixture
def make_offer():
    """Return a factory of valid offer records; keyword arguments override fields."""
    def make(**fields):
        record = {
            "id": "O1", "provider": "Donor", "title": "Offer", "description": "An offer.",
            "language": "en", "working_languages": ["en"], "themes": [], "modalities": [],
            "beneficiaries": [], "regions": [], "eligible_countries": [],
            "excluded_countries": [], "delivery": [],
        }
        record.update(fields)
        return record
    return make


@pytest.fixture
def corpus(make_offer):
    """A small English offer collection on distinct topics."""
    return [
        make_offer(id="O-MLA", title="Mutual legal assistance for central authorities",
                   description="Training central authorities to draft and execute mutual "
                               "legal assistance (MLA) requests for electronic evidence.",
                   themes=["international_cooperation"], modalities=["training"],
                   beneficiaries=["central_authority"], budget_usd=100000),
        make_offer(id="O-CSAM", title="Investigating child sexual abuse material",
                   description="Victim identification and CSAM investigation techniques "
                               "for police units; image hashing and triage.",
                   themes=["child_protection"], beneficiaries=["law_enforcement"]),
        make_offer(id="O-RANSOM", title="Ransomware response for police",
                   description="Course on ransomware investigations: tracing ransom "
                               "payments, malware analysis and incident handling.",
                   themes=["cyber_dependent_crime"]),
        make_offer(id="O-BEC", title="Countering business email compromise",
                   description="Help prosecutors handle BEC cases, invoice fraud and "
                               "payment diversion with banks.", themes=["online_fraud"]),
        make_offer(id="O-LAB", title="Digital forensics laboratory equipment",
                   description="Forensic laboratory workstations, write blockers and "
                               "training of examiners in digital forensics.",
                   themes=["digital_forensics"], modalities=["equipment"]),
        make_offer(id="O-AWARE", title="Awareness campaign design",
                   description="Designing a national awareness campaign about online "
                               "safety for schools and families.", themes=["prevention"]),
        make_offer(id="O-247", title="Setting up the 24/7 network point of contact",
                   description="Procedures, staffing and on-call rosters for the national "
                               "24/7 network contact point under Article 41.",
                   themes=["network_24_7"]),
    ]
