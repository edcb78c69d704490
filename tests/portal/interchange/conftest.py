"""A small hand-made data set in the interchange format, and helpers to write it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


def sample_needs() -> list[dict]:
    return [
        {
            "id": "T-N1", "country": "KEN", "title": "Electronic evidence training",
            "description": "Prosecutors need training on preservation orders.",
            "language": "en", "working_languages": ["en", "sw"],
            "themes": ["electronic_evidence"], "modalities": ["training"],
            "beneficiaries": ["prosecution"], "budget_usd": 40000,
            "start": "2026-01", "end": "2026-12", "delivery": ["in_person"],
        },
        {
            "id": "T-N2", "country": "SEN", "title": "Loi sur la cybercriminalité",
            "description": "Révision du code pénal : accès illégal, fraude informatique.",
            "language": "fr", "working_languages": ["fr"],
            "themes": [], "modalities": ["legislative_advice"], "beneficiaries": [],
            "budget_usd": 12500.5, "delivery": [],
        },
        {
            "id": "T-N3", "country": "KEN", "title": "24/7 point of contact",
            "description": "Setting up the 24/7 network contact point.",
            "language": "en", "working_languages": ["en"],
            "themes": ["network_24_7"], "modalities": [], "beneficiaries": ["law_enforcement"],
            "delivery": ["remote"],
        },
    ]


def sample_offers() -> list[dict]:
    return [
        {
            "id": "T-O1", "provider": "Harbour Forensics Ltd.", "title": "Forensic lab kit",
            "description": "Acquisition hardware and a week of training.",
            "language": "en", "working_languages": ["en", "fr"],
            "themes": ["digital_forensics"], "modalities": ["equipment", "training"],
            "beneficiaries": ["law_enforcement"], "regions": ["africa"],
            "eligible_countries": ["KEN", "SEN"], "excluded_countries": [],
            "budget_usd": 90000, "capacity": 2, "start": "2026-03", "end": "2027-02",
            "delivery": ["in_person"],
        },
        {
            "id": "T-O2", "provider": "Justicia Abierta", "title": "Cooperación judicial",
            "description": "Mentoría para autoridades centrales.",
            "language": "es", "working_languages": ["es", "pt"],
            "themes": ["international_cooperation"], "modalities": ["mentoring"],
            "beneficiaries": ["central_authority"], "regions": [],
            "eligible_countries": [], "excluded_countries": ["KEN"],
            "capacity": 1, "delivery": [],
        },
    ]


def write_records(directory: Path, needs: list | None = None, offers: list | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, records in (("requests.json", needs), ("offers.json", offers)):
        if records is not None:
            (directory / name).write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    return directory


def read_records(directory: Path) -> tuple[list, list]:
    return tuple(json.loads((directory / name).read_text(encoding="utf-8"))
                 for name in ("requests.json", "offers.json"))


@pytest.fixture
def sample_dir(tmp_path) -> Path:
    return write_records(tmp_path / "in", sample_needs(), sample_offers())


@pytest.fixture
def import_dir(runner):
    def run(directory: Path, *options: str):
        return runner.invoke(args=["data", "import", str(directory), *options])

    return run
