"""Capacity Match's matching engine: ranks donor offers for each need.

A pure library on numpy, scipy and scikit-learn; it never imports Flask or
the web platform.
"""

from matching._lexicon import Lexicon
from matching._version import __version__
from matching.constraints import FeasibilityIndex, Violation, is_feasible, violations
from matching.features import FEATURE_NAMES
from matching.io import InputError, read_gold, read_needs, read_offers, write_json
from matching.matcher import (
    DEFAULT_WEIGHTS,
    Candidate,
    Explanation,
    Matcher,
    ModelVersionError,
    Reason,
)
from matching.records import (
    BENEFICIARIES,
    COUNTRY_REGION,
    DELIVERY_MODES,
    MODALITIES,
    REGIONS,
    TEXT_LANGUAGES,
    THEMES,
    Code,
    RecordError,
    validate_need,
    validate_offer,
    validate_records,
)
from matching.rerank import DecisionReranker, TooFewDecisions

__all__ = [
    "BENEFICIARIES",
    "COUNTRY_REGION",
    "DEFAULT_WEIGHTS",
    "DELIVERY_MODES",
    "FEATURE_NAMES",
    "MODALITIES",
    "REGIONS",
    "TEXT_LANGUAGES",
    "THEMES",
    "TooFewDecisions",
    "Candidate",
    "Code",
    "DecisionReranker",
    "Explanation",
    "FeasibilityIndex",
    "InputError",
    "Lexicon",
    "Matcher",
    "ModelVersionError",
    "Reason",
    "RecordError",
    "Violation",
    "__version__",
    "is_feasible",
    "read_gold",
    "read_needs",
    "read_offers",
    "validate_need",
    "validate_offer",
    "validate_records",
    "violations",
    "write_json",
]
