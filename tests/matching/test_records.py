"""Record validation: problems are reported field by field, never raised."""

from __future__ import annotations

from matching.records import validate_offer
from tests.factories import offer_fields


def offer(**changes):
    record = {"id": "O1", **offer_fields(), **changes}
    return record


def test_a_country_list_holding_lists_is_reported_not_raised():
    # Found by the fuzzer: a nested list made the consistency check crash on set().
    problems = validate_offer(offer(eligible_countries=[[]], excluded_countries=[["KEN"]]))
    fields = {field for field, _ in problems}
    assert {"eligible_countries", "excluded_countries"} <= fields


def test_a_country_both_eligible_and_excluded_is_named():
    problems = validate_offer(offer(eligible_countries=["KEN", "NGA"], excluded_countries=["KEN"],
                                    regions=[]))
    assert ("excluded_countries", "lists countries that are also eligible: KEN") in problems
