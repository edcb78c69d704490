"""Fuzzing every form and the interchange import with hypothesis.

Each form is posted, as the user it is meant for, with valid data whose
fields are dropped or replaced by arbitrary text, unicode, numbers, lists and
huge values. Whatever comes in:

- the answer is never a 5xx;
- nothing is half-written: after the request (and the rollback that ends
  every request) the form's table has the same rows or exactly one more, and
  a new or changed record passes the platform's own checks; a refused form
  changes no table at all.

``flask data import DIR`` is fed arbitrary JSON and mutated valid records: it
exits with 0, or with 1 and a message, never with a traceback, and writes
nothing when it reports an error.

Examples are kept few (``FUZZ``) so that tests/security stays well under a
minute and a half per database; run with ``--hypothesis-seed=N`` to replay.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pyotp
import pytest
import sqlalchemy as sa
from flask import current_app, g
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from matching import COUNTRY_REGION
from matching.records import validate_need, validate_offer, validate_records
from portal import choices
from portal.auth.models import Invitation, Organisation, OrganisationKind, Role, User
from portal.extensions import db
from portal.interchange.services import export_records, need_to_record, offer_to_record
from portal.matches import workflow
from portal.matches.models import REJECTION_REASONS, Decision, Match, MatchStatus, Rejection
from portal.needs.forms import NeedForm
from portal.needs.models import Need
from portal.offers.forms import OfferForm
from portal.offers.models import Offer
from portal.records import Status
from tests.fixtures.portal import PASSWORD, TOTP_SECRET
from tests.security.records import NEED, OFFER, make_invitation, make_need, make_offer

FUZZ = settings(
    max_examples=30, deadline=None, database=None,
    # The app fixture is set up once per test and deliberately shared by its
    # examples: the invariants below are checked against its state each time.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large, HealthCheck.large_base_example],
)

# --- Values ----------------------------------------------------------------------------

TRICKY = [
    "", " ", "\t", "\n", "0", "-1", "1e309", "-0", "nan", "NaN", "inf", "-Infinity", "0x1F",
    "1_000", "١٢٣", "²", "99999999999999999999999", "-99999999999999999999999", "2026-13",
    "0000-00", "9999-12", "2026-02-30", "' OR '1'='1' --", "1; DROP TABLE need; --",
    "<script>alert(1)</script>", "{{ 7*7 }}", "${7*7}", "../../etc/passwd", "%00", "\u202e",
    "\ufeff", "𝕏" * 30, "a@b", "x" * 257, "null", "true", "[]", "{}",
]
plain_text = st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=80)
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
numbers = st.one_of(
    st.integers(-(2**70), 2**70), st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
).map(str)
huge = st.sampled_from(["A", "é", "𝕏", "'", "<"]).map(lambda c: c * 70_000)
scalars = st.one_of(plain_text, any_text, numbers, st.sampled_from(TRICKY), huge)


def field_values(codes: list[str] | tuple = ()) -> st.SearchStrategy:
    """One value or a list of values (posted as the field repeated)."""
    single = st.one_of(scalars, st.sampled_from(list(codes))) if codes else scalars
    return st.one_of(single, st.lists(single, max_size=4))


@st.composite
def mutated(draw, valid: dict, codes: dict[str, list[str]] | None = None) -> dict:
    """``valid`` with some fields dropped or replaced, and perhaps an unexpected one."""
    codes = codes or {}
    data = dict(valid)
    names = [*valid, "unexpected_field"]
    for name in draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names))):
        if name in data and draw(st.booleans()):
            del data[name]
        else:
            data[name] = draw(field_values(codes.get(name, ())))
    return data


def form_data(valid: dict, codes: dict[str, list[str]] | None = None) -> st.SearchStrategy:
    random_fields = st.dictionaries(st.sampled_from([*valid, "unexpected_field"]), field_values(),
                                    max_size=len(valid) + 1)
    return st.one_of(mutated(valid, codes), random_fields)


# --- Invariants ------------------------------------------------------------------------


def new_request_globals() -> None:
    """Empty ``g`` as a new request would.

    The ``app`` fixture keeps one application context for the whole test and
    Flask reuses it for every request, so ``g`` (Flask-Login's cached user,
    Flask-WTF's token) would outlive each request, and its user the session
    that loaded it.
    """
    for name in list(vars(g)):
        delattr(g, name)


def table_counts() -> dict[str, int]:
    return {table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


@pytest.fixture
def people(make_user) -> dict[str, int]:
    """The ids of one user per role.

    Ids, not objects: every example ends with ``session.remove()``, and
    hypothesis prints its arguments when an example fails.
    """
    users = {
        "state": make_user(Role.FOCAL_POINT, kind=OrganisationKind.REQUESTING_STATE, country="KEN"),
        "donor": make_user(Role.FOCAL_POINT, kind=OrganisationKind.DONOR_STATE),
        "coordinator": make_user(Role.COORDINATOR),
        "admin": make_user(Role.ADMIN),
    }
    return {role: user.id for role, user in users.items()}


def user(people: dict[str, int], role: str) -> User:
    return db.session.get(User, people[role])


def newest(model):
    return db.session.scalar(sa.select(model).order_by(model.id.desc()).limit(1))


def post_and_check(
    client, url: str, data: dict, *, primary, check: Callable | None = None,
    must_not_change: set[str] | None = None,
):
    """Post ``data``; assert no 5xx and no half-written record; return the response.

    ``primary`` is the form's table: unchanged, or one more row that passes
    ``check``. A refused form (any answer but a redirect) must leave every
    table in ``must_not_change`` (all tables by default) as it was.
    """
    before = table_counts()
    new_request_globals()
    response = client.post(url, data=data)
    # What every request ends with in production: anything not committed is gone.
    db.session.remove()
    event(f"answer {response.status_code}")
    assert response.status_code < 500, f"{response.status_code} for {url} with {data!r:.500}"
    after = table_counts()
    table = primary.__tablename__
    assert after[table] - before[table] in (0, 1), f"{table}: {before[table]} -> {after[table]}"
    if after[table] > before[table] and check is not None:
        check(newest(primary))
    if response.status_code != 302:
        watched = must_not_change if must_not_change is not None else set(before)
        changed = {name: (before[name], after[name]) for name in watched if before[name] != after[name]}
        assert not changed, f"a refused form changed {changed} ({response.status_code}, {data!r:.300})"
    return response


def client_for(app, people: dict[str, int], role: str):
    client = app.test_client()
    email = user(people, role).email
    new_request_globals()
    response = client.post("/auth/login", data={"email": email, "password": PASSWORD})
    if response.headers.get("Location", "").endswith("/auth/login/code"):  # staff: second factor
        response = client.post("/auth/login/code", data={"code": pyotp.TOTP(TOTP_SECRET).now()})
    assert response.status_code == 302, "login failed"
    return client


def problems_of(record: dict, validate, status: Status) -> list:
    problems = validate(record)
    if status == Status.DRAFT:
        problems = [(f, m) for f, m in problems if m != "is required" or f == "title"]
    return problems


def check_need(need: Need) -> None:
    assert not problems_of(need_to_record(need), validate_need, need.status), need_to_record(need)


def check_offer(offer: Offer) -> None:
    assert not problems_of(offer_to_record(offer), validate_offer, offer.status), offer_to_record(offer)
    assert 0 <= offer.remaining_capacity <= offer.capacity


def check_organisation(organisation: Organisation) -> None:
    assert organisation.name.strip() and len(organisation.name) <= 200
    assert organisation.kind in set(OrganisationKind)
    if organisation.kind == OrganisationKind.REQUESTING_STATE:
        assert organisation.country in COUNTRY_REGION


def check_invitation(invitation: Invitation) -> None:
    assert invitation.name.strip() and len(invitation.name) <= 200
    assert "@" in invitation.email and len(invitation.email) <= 254
    assert invitation.role in set(Role)


def check_user(user: User) -> None:
    assert user.name.strip() and len(user.name) <= 200
    assert user.password_hash and PASSWORD not in user.password_hash


def check_match(match: Match) -> None:
    assert match.status == MatchStatus.PROPOSED
    assert match.note is None or len(match.note) <= 2000
    assert db.session.get(Need, match.need_id) and db.session.get(Offer, match.offer_id)


def check_rejection(rejection: Rejection) -> None:
    assert rejection.reason in REJECTION_REASONS
    assert rejection.note is None or len(rejection.note) <= 2000
    if rejection.reason == "other":
        assert rejection.note


# --- Valid starting points ----------------------------------------------------------------

LANGUAGES = [code for code, _ in choices.language_choices()][:20]
RECORD_CODES = {
    "language": [code for code, _ in choices.text_language_choices()],
    "working_languages": LANGUAGES,
    "themes": [code for code, _ in choices.THEME_CHOICES],
    "modalities": [code for code, _ in choices.MODALITY_CHOICES],
    "beneficiaries": [code for code, _ in choices.BENEFICIARY_CHOICES],
    "delivery": [code for code, _ in choices.DELIVERY_CHOICES],
    "regions": [code for code, _ in choices.REGION_CHOICES],
    "eligible_countries": sorted(COUNTRY_REGION)[:30],
    "excluded_countries": sorted(COUNTRY_REGION)[-30:],
}


def as_form(record: dict, button: str = "submit") -> dict:
    data = {name: value for name, value in record.items() if value not in (None, [])}
    data[button] = "1"
    return data


NEED_FORM = as_form(NEED)
OFFER_FORM = as_form(OFFER)
BUTTONS = {"submit": ["1", "Submit"], "save_draft": ["1", "Save as draft"]}


# --- Needs and offers ------------------------------------------------------------------------


def with_form_defaults(form_class, data: dict) -> dict:
    """``data`` plus the default of each choice field it lacks.

    The forms grow (a need's confidentiality, say): the valid starting point
    follows them, so the fuzz keeps reaching the success path.
    """
    with current_app.test_request_context():
        form = form_class(meta={"csrf": False}, formdata=None)
    data = dict(data)
    for field in form:
        if field.name not in data and field.type in ("RadioField", "SelectField") and field.data:
            data[field.name] = field.data
    return data


def record_form(draw, form_class, valid: dict) -> dict:
    return draw(form_data(with_form_defaults(form_class, valid), {**RECORD_CODES, **BUTTONS}))


@FUZZ
@given(data=st.data())
def test_need_form(app, people, data):
    client = client_for(app, people, "state")
    fields = record_form(data.draw, NeedForm, NEED_FORM)
    post_and_check(client, "/needs/new", fields, primary=Need, check=check_need)


@FUZZ
@given(data=st.data())
def test_offer_form(app, people, data):
    client = client_for(app, people, "donor")
    fields = record_form(data.draw, OfferForm, OFFER_FORM)
    post_and_check(client, "/offers/new", fields, primary=Offer, check=check_offer)


@FUZZ
@given(data=st.data())
def test_need_edit_form(app, people, data):
    client = client_for(app, people, "state")
    fields = record_form(data.draw, NeedForm, as_form(NEED, "save_draft"))
    state = user(people, "state")
    draft = db.session.scalar(sa.select(Need).where(
        Need.status == Status.DRAFT, Need.organisation_id == state.organisation_id).limit(1))
    need_id = (draft or make_need(state, submit=False)).id
    post_and_check(client, f"/needs/{need_id}/edit", fields, primary=Need, check=check_need,
                   must_not_change={"need", "offer", "match"})
    check_need(db.session.get(Need, need_id))


@FUZZ
@given(data=form_data({"reason": "No longer needed", "submit": "1"}))
def test_withdraw_confirmation(app, people, data):
    client = client_for(app, people, "state")
    state = user(people, "state")
    need = db.session.scalar(sa.select(Need).where(
        Need.status == Status.SUBMITTED, Need.organisation_id == state.organisation_id).limit(1))
    need = need or make_need(state)
    need_id = need.id
    response = post_and_check(client, f"/needs/{need_id}/withdraw", data, primary=Need)
    need = db.session.get(Need, need_id)
    assert need.status in (Status.SUBMITTED, Status.WITHDRAWN)
    assert (need.status == Status.WITHDRAWN) == (response.status_code == 302)


# --- Accounts -------------------------------------------------------------------------------


@FUZZ
@given(data=form_data({"email": "fuzz@example.org", "password": PASSWORD, "remember": "y"}))
def test_login_form(app, make_user, data):
    if db.session.scalar(sa.select(User).where(User.email == "fuzz@example.org")) is None:
        make_user(Role.FOCAL_POINT, email="fuzz@example.org")
    # A failed login may record the failure (a counter, an audit event): accounts may not change.
    post_and_check(app.test_client(), "/auth/login", data, primary=User,
                   must_not_change={"user", "organisation", "invitation", "need", "offer"})


@FUZZ
@given(data=form_data({"name": "New Person", "password": PASSWORD, "confirm": PASSWORD}),
       token=st.one_of(st.none(), plain_text.filter(lambda t: "/" not in t and t.strip())))
def test_invitation_acceptance(app, people, data, token):
    count = table_counts()["invitation"]
    if token is None:
        token = make_invitation(user(people, "state").organisation, user(people, "admin"),
                                f"invited{count}@example.org")
    post_and_check(app.test_client(), f"/auth/invitation/{token}", data, primary=User,
                   check=check_user)


# --- Administration ----------------------------------------------------------------------------


@FUZZ
@given(data=form_data({"name": "Ministry of Justice", "kind": "requesting_state", "country": "KEN"},
                      {"kind": [k.value for k in OrganisationKind], "country": sorted(COUNTRY_REGION)[:40]}))
def test_new_organisation_form(app, people, data):
    client = client_for(app, people, "admin")
    post_and_check(client, "/admin/organisations/new", data, primary=Organisation,
                   check=check_organisation)


@FUZZ
@given(data=form_data({"name": "Invited Person", "email": "someone@example.org", "role": "focal_point"},
                      {"role": [r.value for r in Role]}))
def test_invitation_form(app, people, data):
    client = client_for(app, people, "admin")
    organisation_id = user(people, "state").organisation_id
    post_and_check(client, f"/admin/organisations/{organisation_id}/invite", data,
                   primary=Invitation, check=check_invitation)


# --- Review and matches ------------------------------------------------------------------------


@pytest.fixture
def offer_id(people) -> int:
    return make_offer(user(people, "donor"), capacity=50).id


def open_need(people) -> int:
    """A submitted need without an open proposal (made when none is left)."""
    proposed = sa.select(Match.need_id).where(Match.status == MatchStatus.PROPOSED)
    need = db.session.scalar(sa.select(Need).where(
        Need.status == Status.SUBMITTED, Need.id.not_in(proposed)).limit(1))
    return (need or make_need(user(people, "state"))).id


def proposed_match(people, offer_id: int, side: str = "donor") -> int:
    """A proposed match waiting for ``side``'s answer (made when none is left).

    For the donor the State has said yes first: a restricted need's match is
    hidden from the donor until then.
    """
    waiting = ((Match.donor_decision.is_(None), Match.state_decision == Decision.ACCEPTED)
               if side == "donor" else (Match.state_decision.is_(None),))
    match = db.session.scalar(sa.select(Match).where(
        Match.status == MatchStatus.PROPOSED, *waiting).limit(1))
    if match is None:
        need = db.session.get(Need, open_need(people))
        match = workflow.propose(need, db.session.get(Offer, offer_id), user(people, "coordinator"))
        if side == "donor":
            workflow.decide(match, user(people, "state"), Decision.ACCEPTED)
        db.session.commit()
    return match.id


@FUZZ
@given(data=st.data())
def test_review_propose(app, people, offer_id, data):
    client = client_for(app, people, "coordinator")
    fields = data.draw(form_data({"offer_id": str(offer_id), "note": "Good fit"}))
    need_id = open_need(people)
    post_and_check(client, f"/review/needs/{need_id}/propose", fields, primary=Match, check=check_match)


@FUZZ
@given(data=st.data())
def test_review_reject(app, people, offer_id, data):
    client = client_for(app, people, "coordinator")
    fields = data.draw(form_data(
        {"offer_id": str(offer_id), "reason": "other", "note": "Wrong region"},
        {"reason": list(REJECTION_REASONS)},
    ))
    # A fresh need now and then: a candidate is rejected only once per need.
    need_id = make_need(user(people, "state")).id if data.draw(st.booleans()) else open_need(people)
    post_and_check(client, f"/review/needs/{need_id}/reject", fields, primary=Rejection,
                   check=check_rejection)


@FUZZ
@given(data=form_data({"decision": "declined", "reason": "No budget left"},
                      {"decision": [d.value for d in Decision]}),
       side=st.sampled_from(["state", "donor"]))
def test_match_decision(app, people, offer_id, data, side):
    client = client_for(app, people, side)
    match_id = proposed_match(people, offer_id, side)
    post_and_check(client, f"/matches/{match_id}/decide", data, primary=Match,
                   must_not_change={"match", "need", "offer", "rejection"})
    match = db.session.get(Match, match_id)
    decision, reason = ((match.donor_decision, match.donor_reason) if side == "donor"
                        else (match.state_decision, match.state_reason))
    if decision == Decision.DECLINED:
        assert (reason or "").strip()
    assert reason is None or len(reason) <= 2000


@FUZZ
@given(data=form_data({"reason": "Duplicate proposal"}))
def test_match_cancel(app, people, offer_id, data):
    client = client_for(app, people, "coordinator")
    match_id = proposed_match(people, offer_id)
    response = post_and_check(client, f"/matches/{match_id}/cancel", data, primary=Match)
    match = db.session.get(Match, match_id)
    assert (match.status == MatchStatus.CANCELLED) == (response.status_code == 302)
    if match.status == MatchStatus.CANCELLED:
        assert (match.closed_reason or "").strip() and len(match.closed_reason) <= 2000


# --- Lists: search and filter parameters ---------------------------------------------------------


@FUZZ
@given(params=st.dictionaries(
    st.sampled_from(["q", "status", "theme", "language", "country", "region", "page"]),
    st.one_of(plain_text, st.sampled_from(TRICKY)), max_size=5),
    url=st.sampled_from(["/needs/", "/offers/", "/matches/", "/review/", "/inbox/"]))
def test_list_filters(app, people, params, url):
    client = client_for(app, people, "coordinator")
    new_request_globals()
    response = client.get(url, query_string=params)
    assert response.status_code < 500, f"{url} {params!r}"


# --- flask data import -------------------------------------------------------------------------

JSON_LEAVES = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70),
                        st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20))
json_values = st.recursive(
    JSON_LEAVES,
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.text(max_size=12), children, max_size=4)),
    max_leaves=12,
)
GARBAGE = st.one_of(json_values, st.sampled_from([
    None, "", " ", "zz_unknown", "XXX", -1, 0, 10**30, 1e308, float("nan"), float("inf"), True,
    [], {}, ["zz_unknown"], [None], [1, 2], {"en": "x"}, "A" * 100_000, "2026-13", "0000-00",
]))
IMPORT_NEED = {"id": "FZ-N1", "country": "KEN", **{k: v for k, v in NEED.items() if v is not None}}
IMPORT_OFFER = {"id": "FZ-O1", **{k: v for k, v in OFFER.items() if v is not None}}


@st.composite
def mutated_record(draw, base: dict) -> dict:
    record = dict(base)
    record["id"] = draw(st.sampled_from([base["id"], base["id"] + "b", base["id"] + "c"]))
    keys = [*base, "unexpected"]
    for key in draw(st.lists(st.sampled_from(keys), unique=True, min_size=1, max_size=4)):
        if key in record and draw(st.booleans()):
            del record[key]
        else:
            record[key] = draw(GARBAGE)
    return record


def file_contents(base: dict) -> st.SearchStrategy:
    """None (no file), raw bytes, or JSON: mostly lists of mutated records."""
    records = st.lists(st.one_of(mutated_record(base), st.just(base), json_values), max_size=4)
    as_json = st.one_of(records, json_values).map(lambda value: json.dumps(value).encode())
    return st.one_of(st.none(), st.binary(max_size=40), as_json, as_json, as_json)


@FUZZ
@given(needs=file_contents(IMPORT_NEED), offers=file_contents(IMPORT_OFFER))
def test_data_import(app, runner, tmp_path, needs, offers):
    directory: Path = tmp_path / "import"
    directory.mkdir(exist_ok=True)
    for name, content in (("requests.json", needs), ("offers.json", offers)):
        path = directory / name
        path.unlink(missing_ok=True)
        if content is not None:
            path.write_bytes(content)
    if needs is None and offers is None:
        (directory / "requests.json").write_bytes(b"[]")
    before = table_counts()
    db.session.remove()
    result = runner.invoke(args=["data", "import", str(directory)])
    db.session.remove()
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"uncaught {result.exception!r}\n{result.output}"
    )
    event(f"exit code {result.exit_code}")
    assert "Traceback" not in result.output
    # 2 is click's usage error: a file holding only `null` reads as no file at all.
    assert result.exit_code in (0, 1, 2), result.output
    if result.exit_code:
        assert "Nothing was imported" in result.output or "Error:" in result.output
        assert table_counts() == before, "a refused import wrote something"
    else:
        exported_needs, exported_offers = export_records(include_drafts=True)
        validate_records(exported_needs, "need")
        validate_records(exported_offers, "offer")
