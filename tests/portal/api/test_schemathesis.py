"""schemathesis against the API, from its own OpenAPI document.

Every operation gets generated requests, valid ones and invalid ones, with
the token of the role that can use it (a State's for needs, a donor's for
offers, a coordinator's for rankings and matches) and existing records in
the database; each response must be no server error, have a documented
status code, content type and headers, match its documented schema, and an
invalid request must be refused with a 4xx.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from portal.matches import workflow
from tests.portal.api.conftest import bearer

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance, negative_data_rejection]
#: Examples per operation and mode: enough to find the usual faults, quick enough for CI.
MAX_EXAMPLES = 25


@pytest.fixture
def tokens(app, db, make_token, state_user, donor_user, coordinator, make_need, make_offer):
    need = make_need(confidentiality="donors")
    offer = make_offer()
    workflow.propose(need, offer, coordinator)
    db.session.commit()
    return {"state": make_token(state_user), "donor": make_token(donor_user),
            "coordinator": make_token(coordinator)}


def role_for(operation) -> str:
    if operation.path.startswith("/api/v1/offers"):
        return "donor"
    if operation.path.startswith("/api/v1/needs") and not operation.path.endswith("/ranking"):
        return "state"
    return "coordinator"


def test_the_document_lists_every_operation(app, tokens):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    labels = {result.ok().label for result in schema.get_all_operations()}
    assert labels == {
        "GET /api/v1/needs", "POST /api/v1/needs", "GET /api/v1/needs/{need_id}",
        "PATCH /api/v1/needs/{need_id}", "GET /api/v1/needs/{need_id}/ranking",
        "GET /api/v1/offers", "POST /api/v1/offers", "GET /api/v1/offers/{offer_id}",
        "PATCH /api/v1/offers/{offer_id}", "GET /api/v1/matches", "GET /api/v1/matches/{match_id}",
    }


def fuzz(operation, mode: GenerationMode, headers: dict[str, str]) -> None:
    """Run the checks on generated requests to one operation; raise on the first failure."""

    @given(case=operation.as_strategy(generation_mode=mode, headers=headers))
    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case):
        case.call_and_validate(checks=CHECKS, headers=headers)

    check()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
def test_schemathesis_finds_no_failure(app, tokens, mode):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    for result in schema.get_all_operations():
        operation = result.ok()
        fuzz(operation, mode, bearer(tokens[role_for(operation)]))
