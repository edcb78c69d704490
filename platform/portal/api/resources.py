"""The JSON API: needs, offers, rankings and matches, with the pages' access rules.

Views are thin: they load with the same predicates as the pages
(``visibility.can_read``, ``auth.access.can_view``, ``matches.can_view_match``),
call the same services as the forms, and commit once. A record the user may
not read answers 404, exactly as its page does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa
from flask import request, url_for
from flask_smorest import Blueprint, abort
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from portal import lifecycle
from portal.api import errors, schemas
from portal.api.auth import api_user, limit_blueprint, require_token
from portal.auth.access import can_view, is_donor_focal_point, is_state_focal_point, owns
from portal.errors import ValidationError
from portal.exports import services as exports
from portal.extensions import db
from portal.matches import services as matches
from portal.matches.models import Match, Rejection
from portal.needs import services as needs
from portal.needs import visibility
from portal.needs.models import Need
from portal.offers import services as offers
from portal.offers.models import Offer

ERROR_DESCRIPTIONS = {
    400: "Malformed request (bad JSON, control characters in a parameter)",
    401: "No valid API token",
    403: "Your role does not allow this",
    404: "No such record, or not yours to see",
    409: "The record changed meanwhile, or its status no longer allows this",
    422: "Invalid fields: `errors` names each one",
    429: "Rate limit exceeded; see Retry-After",
}

needs_blp = Blueprint("api_needs", __name__, url_prefix="/api/v1/needs",
                      description="Needs: requests for assistance submitted by requesting States")
offers_blp = Blueprint("api_offers", __name__, url_prefix="/api/v1/offers",
                       description="Offers posted by donors")
matches_blp = Blueprint("api_matches", __name__, url_prefix="/api/v1/matches",
                        description="Matches proposed by the secretariat and what became of them")
BLUEPRINTS = (needs_blp, offers_blp, matches_blp)

for _blueprint in BLUEPRINTS:
    _blueprint.before_request(require_token)
    errors.register(_blueprint)
    limit_blueprint(_blueprint)


def fails_with(blueprint: Blueprint, *codes: int) -> Callable:
    """Document the error responses an operation can give (401, 429 and 400: all of them)."""
    def decorator(view):
        for code in sorted({400, 401, 429, *codes}, reverse=True):
            view = blueprint.alt_response(code, schema=schemas.ErrorSchema,
                                          description=ERROR_DESCRIPTIONS[code])(view)
        return view
    return decorator


# --- Helpers ----------------------------------------------------------------------------


def page_of(stmt: sa.Select, args: Mapping[str, Any], dump: Callable) -> tuple[dict, dict]:
    """One page of ``stmt`` with its navigation, and a Link header (RFC 8288)."""
    page = db.paginate(stmt, page=args["page"], per_page=args["per_page"], error_out=False,
                       max_per_page=schemas.MAX_PER_PAGE)

    def link(number: int) -> str:
        query = {**request.args.to_dict(), "page": number, "per_page": args["per_page"]}
        return url_for(request.endpoint, **(request.view_args or {}), **query)

    following = link(page.page + 1) if page.has_next else None
    previous = link(page.page - 1) if page.has_prev and page.page - 1 <= (page.pages or 1) else None
    body = {"items": [dump(item) for item in page.items], "page": page.page,
            "per_page": args["per_page"], "total": page.total or 0, "pages": page.pages,
            "next": following, "prev": previous}
    links = [f'<{url}>; rel="{rel}"' for url, rel in ((following, "next"), (previous, "prev")) if url]
    return body, ({"Link": ", ".join(links)} if links else {})


def filtered(stmt: sa.Select, model, args: Mapping[str, Any]) -> sa.Select:
    """The list pages' filters (status, theme, words of the title or the reference)."""
    if args.get("status"):
        stmt = stmt.where(model.status == args["status"])
    if args.get("theme"):
        stmt = stmt.where(sa.cast(model.themes, sa.Text).contains(f'"{args["theme"]}"'))
    if args.get("q"):
        pattern = f"%{args['q'].strip().lower()}%"
        stmt = stmt.where(sa.or_(sa.func.lower(model.title).like(pattern),
                                 sa.func.lower(model.ref).like(pattern)))
    return stmt


def commit_or_fail(step: Callable):
    """Run a service step and commit; its ValidationError is a 422 naming the field."""
    try:
        result = step()
        db.session.commit()
    except ValidationError as error:
        db.session.rollback()
        abort(422, errors={error.field: [error.message]})
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        abort(409)
    return result


def _clean(body: Mapping[str, Any]) -> dict[str, Any]:
    fields = {name: value for name, value in body.items() if name != "submit"}
    for name in ("title", "description", "provider"):
        if isinstance(fields.get(name), str):
            fields[name] = fields[name].strip()
    return fields


COMMON_DEFAULTS: dict[str, Any] = {
    "title": "", "description": "", "working_languages": [], "themes": [], "modalities": [],
    "beneficiaries": [], "delivery": [], "budget_usd": None, "start": None, "end": None,
}
NEED_FIELDS = [*COMMON_DEFAULTS, "language", "confidentiality"]
OFFER_FIELDS = [*COMMON_DEFAULTS, "language", "provider", "regions", "eligible_countries",
                "excluded_countries", "capacity"]


def current_fields(record, names: list[str]) -> dict[str, Any]:
    """The record's editable fields as the services take them (what a PATCH starts from)."""
    fields = {}
    for name in names:
        value = getattr(record, name)
        fields[name] = list(value) if isinstance(value, list) else getattr(value, "value", value)
    return fields


# --- Needs --------------------------------------------------------------------------------


def readable_need_or_404(need_id: int) -> Need:
    need = db.session.get(Need, need_id)
    if need is None or not visibility.can_read(api_user(), need):
        abort(404)
    return need


def _need_out(need: Need) -> dict:
    return exports.need_data(need, api_user())


@needs_blp.route("", methods=["GET"])
@needs_blp.arguments(schemas.RecordListArgs, location="query", as_kwargs=False)
@needs_blp.response(200, schemas.NeedPage)
@fails_with(needs_blp, 422)
def list_needs(args):
    """Needs you may read

    Your organisation's needs (drafts included), and other States' needs whose
    confidentiality lets you read them. Newest change first.
    """
    return page_of(filtered(visibility.readable_by(api_user()), Need, args), args, _need_out)


@needs_blp.route("", methods=["POST"])
@needs_blp.arguments(schemas.NeedCreate)
@needs_blp.response(201, schemas.NeedOut)
@fails_with(needs_blp, 403, 409, 422)
def create_need(body):
    """Create a need (requesting States' focal points)

    Saved as a draft unless `submit` is true; a submitted need must pass every
    check of the form and of the interchange format.
    """
    user = api_user()
    if not is_state_focal_point(user):
        abort(403, message="Only a requesting State's focal point submits needs.")
    fields = {**COMMON_DEFAULTS, "confidentiality": "restricted", **_clean(body)}
    need = commit_or_fail(lambda: needs.create_need(fields, user, submit=body["submit"]))
    return _need_out(need), {"Location": url_for("api_needs.read_need", need_id=need.id)}


@needs_blp.route("/<int:need_id>", methods=["GET"])
@needs_blp.response(200, schemas.NeedOut)
@fails_with(needs_blp, 404)
def read_need(need_id: int):
    """Read a need"""
    return _need_out(readable_need_or_404(need_id))


@needs_blp.route("/<int:need_id>", methods=["PATCH"])
@needs_blp.arguments(schemas.NeedIn)
@needs_blp.response(200, schemas.NeedOut)
@fails_with(needs_blp, 403, 404, 409, 422)
def update_need(body, need_id: int):
    """Change a need (its State's focal points, while it is a draft, submitted or under review)

    Fields left out keep their value. `submit: true` submits a draft.
    """
    user = api_user()
    need = readable_need_or_404(need_id)
    if not owns(user, need):
        abort(403, message="Only the State that owns this need may change it.")
    if not need.is_editable:
        abort(409, message=f"A need that is {need.status.value.replace('_', ' ')} can no longer be changed.")
    fields = {**current_fields(need, NEED_FIELDS), **_clean(body)}
    commit_or_fail(lambda: needs.update_need(need, fields, user, submit=body["submit"]))
    return _need_out(need)


@needs_blp.route("/<int:need_id>/ranking", methods=["GET"])
@needs_blp.response(200, schemas.Ranking)
@fails_with(needs_blp, 403, 404)
def read_ranking(need_id: int):
    """The engine's ranked candidate offers for a need (the secretariat)

    The stored ranking, best first, with the engine's reasons; candidates a
    coordinator ruled out are flagged `rejected`.
    """
    user = api_user()
    need = readable_need_or_404(need_id)
    if not user.is_coordinator:
        abort(403, message="Rankings are for the secretariat.")
    rejected = set(db.session.scalars(sa.select(Rejection.offer_id).where(Rejection.need_id == need.id)))
    return {
        "need": {"id": need.id, "ref": need.ref, "title": need.title, "country": need.country},
        "candidates": [{
            "rank": candidate.rank, "score": candidate.score,
            "offer": {"id": candidate.offer.id, "ref": candidate.offer.ref,
                      "title": candidate.offer.title, "provider": candidate.offer.provider},
            "reasons": [{"code": str(reason.get("code", "")), "text": str(reason.get("text", ""))}
                        for reason in candidate.reasons or []],
            "rejected": candidate.offer_id in rejected,
        } for candidate in matches.candidates_for(need)],
    }


# --- Offers ---------------------------------------------------------------------------------


def visible_offer_or_404(offer_id: int) -> Offer:
    offer = db.session.get(Offer, offer_id)
    if offer is None or not can_view(api_user(), offer):
        abort(404)
    return offer


@offers_blp.route("", methods=["GET"])
@offers_blp.arguments(schemas.RecordListArgs, location="query", as_kwargs=False)
@offers_blp.response(200, schemas.OfferPage)
@fails_with(offers_blp, 422)
def list_offers(args):
    """Offers you may read

    A donor's focal points: their organisation's offers, drafts included; the
    secretariat: every submitted offer. Newest change first.
    """
    stmt = lifecycle.visible_records(Offer, api_user(), lifecycle.ListFilters())
    return page_of(filtered(stmt, Offer, args), args, exports.offer_data)


@offers_blp.route("", methods=["POST"])
@offers_blp.arguments(schemas.OfferCreate)
@offers_blp.response(201, schemas.OfferOut)
@fails_with(offers_blp, 403, 409, 422)
def create_offer(body):
    """Create an offer (donors' focal points)

    Saved as a draft unless `submit` is true.
    """
    user = api_user()
    if not is_donor_focal_point(user):
        abort(403, message="Only a donor's focal point posts offers.")
    fields = {**COMMON_DEFAULTS, "provider": "", "regions": [], "eligible_countries": [],
              "excluded_countries": [], "capacity": None, **_clean(body)}
    offer = commit_or_fail(lambda: offers.create_offer(fields, user, submit=body["submit"]))
    return exports.offer_data(offer), {"Location": url_for("api_offers.read_offer", offer_id=offer.id)}


@offers_blp.route("/<int:offer_id>", methods=["GET"])
@offers_blp.response(200, schemas.OfferOut)
@fails_with(offers_blp, 404)
def read_offer(offer_id: int):
    """Read an offer"""
    return exports.offer_data(visible_offer_or_404(offer_id))


@offers_blp.route("/<int:offer_id>", methods=["PATCH"])
@offers_blp.arguments(schemas.OfferIn)
@offers_blp.response(200, schemas.OfferOut)
@fails_with(offers_blp, 403, 404, 409, 422)
def update_offer(body, offer_id: int):
    """Change an offer (its donor's focal points, while it is a draft, submitted or under review)

    Fields left out keep their value. `submit: true` publishes a draft.
    """
    user = api_user()
    offer = visible_offer_or_404(offer_id)
    if not owns(user, offer):
        abort(403, message="Only the organisation that owns this offer may change it.")
    if not offer.is_editable:
        abort(409, message=f"An offer that is {offer.status.value.replace('_', ' ')} can no longer be changed.")
    fields = {**current_fields(offer, OFFER_FIELDS), **_clean(body)}
    commit_or_fail(lambda: offers.update_offer(offer, fields, user, submit=body["submit"]))
    return exports.offer_data(offer)


# --- Matches ---------------------------------------------------------------------------------


def _match_out(match: Match) -> dict:
    return exports.match_data(match, api_user())


@matches_blp.route("", methods=["GET"])
@matches_blp.arguments(schemas.MatchListArgs, location="query", as_kwargs=False)
@matches_blp.response(200, schemas.MatchPage)
@fails_with(matches_blp, 422)
def list_matches(args):
    """Matches you may see

    The secretariat: every match; a focal point: those of their organisation's
    needs or offers (a proposal for a restricted need reaches the donor only
    once the State has accepted it).
    """
    return page_of(matches.visible_matches(api_user(), args.get("status")), args, _match_out)


@matches_blp.route("/<int:match_id>", methods=["GET"])
@matches_blp.response(200, schemas.MatchOut)
@fails_with(matches_blp, 404)
def read_match(match_id: int):
    """Read a match"""
    match = db.session.get(Match, match_id)
    if match is None or not matches.can_view_match(api_user(), match):
        abort(404)
    return _match_out(match)
