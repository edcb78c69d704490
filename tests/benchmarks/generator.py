"""Realistic synthetic needs and offers at any scale.

Texts are assembled from sentences of the dev set when the shared folder is
present (so vocabulary, length and style are realistic), else from lexicon
terms and code labels. Every record is valid interchange data: themes,
modalities, beneficiaries, languages, regions, eligibility, delivery, budget
and windows are drawn from the code lists with plausible frequencies.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from matching import BENEFICIARIES, COUNTRY_REGION, MODALITIES, REGIONS, THEMES

SHARED_DEV = Path(__file__).resolve().parents[2].parent / "shared" / "eval" / "dev"
LANGS = ["en"] * 8 + ["fr", "es", "ar", "ru", "pt", "zh"]


def _sentences_by_theme() -> dict[str, list[str]]:
    """Dev-set sentences grouped by the themes of their record (empty if absent)."""
    pools: dict[str, list[str]] = {t: [] for t in THEMES}
    for name in ("requests.json", "offers.json"):
        path = SHARED_DEV / name
        if not path.is_file():
            return {}
        for record in json.loads(path.read_text("utf-8")):
            if record.get("language") != "en":
                continue
            for sentence in re.split(r"(?<=[.;:])\s+", record["description"]):
                for theme in record.get("themes") or []:
                    pools[theme].append(sentence)
    return {t: s for t, s in pools.items() if s}


def _lexicon_terms() -> dict[str, list[str]]:
    """Lexicon surface forms (all languages) grouped by theme."""
    path = Path(__file__).resolve().parents[2] / "matching" / "data" / "lexicon.json"
    raw = json.loads(path.read_text("utf-8"))
    pools: dict[str, list[str]] = {t: [] for t in THEMES}
    for entry in raw["concepts"].values():
        for theme in entry.get("themes", []):
            for terms in entry["terms"].values():
                pools[theme].extend(terms)
    return {t: v for t, v in pools.items() if v}


def generate(n_needs: int, n_offers: int, seed: int = 0) -> tuple[list[dict], list[dict]]:
    """Return ``(needs, offers)`` of the requested sizes, deterministic in ``seed``."""
    rng = np.random.default_rng(seed)
    sentences = _sentences_by_theme()
    terms = _lexicon_terms()
    themes = sorted(sentences or terms)
    countries = sorted(c for c, r in COUNTRY_REGION.items() if r)
    modalities, beneficiaries, regions = list(MODALITIES), list(BENEFICIARIES), list(REGIONS)

    def text(chosen: list[str]) -> str:
        parts = []
        for _ in range(rng.integers(4, 8)):
            theme = chosen[rng.integers(len(chosen))]
            if sentences and rng.random() < 0.8:
                pool = sentences[theme]
                parts.append(pool[rng.integers(len(pool))])
            else:
                pool = terms.get(theme) or ["cybercrime"]
                parts.append(" ".join(pool[rng.integers(len(pool))] for _ in range(3)) + ".")
        return " ".join(parts)[:4900]

    def pick(values: list[str], low: int, high: int) -> list[str]:
        k = int(rng.integers(low, high + 1))
        return sorted(rng.choice(values, size=min(k, len(values)), replace=False).tolist())

    def common(i: int, prefix: str) -> dict:
        chosen = pick(themes, 1, 3)
        year = int(rng.integers(2025, 2028))
        record = {
            "id": f"{prefix}{i:06d}",
            "title": f"{THEMES[chosen[0]].label} support",
            "description": text(chosen),
            "language": LANGS[rng.integers(len(LANGS))],
            "working_languages": pick(["en", "fr", "es", "ar", "ru", "pt", "zh"], 1, 3),
            "themes": chosen if rng.random() < 0.7 else [],
            "modalities": pick(modalities, 0, 3),
            "beneficiaries": pick(beneficiaries, 0, 3),
            "delivery": pick(["in_person", "remote"], 0, 2),
            "budget_usd": int(rng.integers(8, 500)) * 1000,
        }
        if rng.random() < 0.8:
            record["start"] = f"{year}-{int(rng.integers(1, 13)):02d}"
            record["end"] = f"{year + 1}-{int(rng.integers(1, 13)):02d}"
        return record

    needs = []
    for i in range(n_needs):
        need = common(i, "N")
        need["country"] = countries[rng.integers(len(countries))]
        needs.append(need)
    offers = []
    for i in range(n_offers):
        offer = common(i, "O")
        offer["provider"] = f"Provider {i % 997}"
        offer["regions"] = pick(regions, 0, 2) if rng.random() < 0.3 else []
        offer["excluded_countries"] = pick(countries, 0, 2) if rng.random() < 0.2 else []
        offer["capacity"] = int(rng.integers(1, 6))
        offers.append(offer)
    return needs, offers
