"""Keep every open need's ranking of candidate offers up to date.

The fitted engine is kept per process and refitted only when the offers it
was fitted on have changed (a cheap fingerprint query says so), so a process
never serves a ranking from stale offers, and several processes agree. The
fingerprint rests on what the database counts (offers, their ids and their
optimistic-locking versions), not only on timestamps: several servers' clocks
may disagree, and a change stamped earlier than the newest must still show.
Rankings themselves are stored in the database: pages read them, never
recompute them.
"""

from __future__ import annotations

import gc
import json
import threading
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from matching import Matcher
from portal.auth.models import Role, User
from portal.database import utcnow
from portal.extensions import db
from portal.interchange import mapping as interchange
from portal.matches import learning
from portal.matches.models import (
    OPEN_MATCH_STATUSES,
    Decision,
    Match,
    MatchStatus,
    RankedCandidate,
    Rejection,
)
from portal.needs.models import Confidentiality, Need
from portal.offers.models import Offer
from portal.records import MATCHABLE_OFFER_STATUSES, OPEN_NEED_STATUSES

#: How many candidates are kept for each need.
TOP_K = 10



@dataclass
class _FittedEngine:
    fingerprint: tuple
    matcher: Matcher | None
    # interchange id (ref) -> (database id, version, last change) of each fitted offer
    versions: dict[str, tuple[int, int, Any]]

    def offer_row(self, ref: str) -> int | None:
        version = self.versions.get(ref)
        return version[0] if version else None


class EngineCache:
    """This application's fitted engine; one per app, so tests never share one."""

    def __init__(self) -> None:
        self.engine: _FittedEngine | None = None
        self.lock = threading.Lock()


def init_app(app) -> None:
    app.extensions["matching_engine"] = EngineCache()


def _cache() -> EngineCache:
    return current_app.extensions["matching_engine"]

# Past this share of changed offers, fitting afresh beats patching the index.
_REFIT_SHARE = 0.5


def _matchable():
    # An offer with no engagement left stops appearing as a candidate.
    return sa.and_(Offer.status.in_(MATCHABLE_OFFER_STATUSES), Offer.remaining_capacity > 0)


def _offers_fingerprint() -> tuple:
    """Changes when any matchable offer does, or a new re-ranker is trained.

    Every change of an offer bumps its version (optimistic locking), so the
    sum of versions moves whichever process, on whichever clock, made it;
    the sum of ids tells one offer swapped for another.
    """
    count, newest, ids, versions = db.session.execute(
        sa.select(sa.func.count(Offer.id), sa.func.max(Offer.updated_at),
                  sa.func.sum(Offer.id), sa.func.sum(Offer.version))
        .where(_matchable())
    ).one()
    return (count, str(newest), ids, versions, learning.latest_model_id())


def _offers_by_ref(refs) -> list[Offer]:
    return list(db.session.scalars(sa.select(Offer).where(Offer.ref.in_(list(refs)))))


def _sync(engine: _FittedEngine | None, fingerprint: tuple) -> _FittedEngine:
    """Bring the fitted engine in line with the database's matchable offers.

    Offers changed since the engine last looked are patched in with
    ``update_offers``/``remove_offers``; only a first fit, or a collection
    that changed by more than half, is fitted from scratch.
    """
    versions = {
        ref: (row, version, str(changed))
        for ref, row, version, changed in db.session.execute(
            sa.select(Offer.ref, Offer.id, Offer.version, Offer.updated_at).where(_matchable()))
    }
    old = engine.versions if engine and engine.matcher is not None else {}
    changed = [ref for ref, version in versions.items() if old.get(ref) != version]
    gone = [ref for ref in old if ref not in versions]
    if not versions:
        return _FittedEngine(fingerprint, None, {})
    ranker_id = fingerprint[-1]
    new_ranker = engine is None or engine.fingerprint[-1] != ranker_id
    if not old or new_ranker or len(changed) + len(gone) > _REFIT_SHARE * len(versions):
        offers = _offers_by_ref(versions)
        matcher = Matcher(reranker=learning.load_reranker(ranker_id))
        matcher.fit([interchange.offer_to_record(offer) for offer in offers])
    else:
        matcher = engine.matcher
        if gone:
            matcher.remove_offers(gone)
        if changed:
            matcher.update_offers([interchange.offer_to_record(offer) for offer in _offers_by_ref(changed)])
    return _FittedEngine(fingerprint, matcher, versions)


def _spare_from_garbage_collection() -> None:
    """Leave the objects alive now (the application and its fitted engine:
    several hundred thousand records, lists and strings) out of Python's full
    garbage collections.

    A full collection walks every tracked object while holding the
    interpreter: about 0.2 s at 10,000 offers, during which every request of
    the worker waits. Called once, before the process serves anyone: frozen
    objects are never collected, so a freeze during a request would keep
    that request's reference cycles for the life of the process. An engine
    fitted later is walked again, but little of it: the matcher keeps its
    offers as tuples and untracked dicts (matching.matcher._kept).
    """
    gc.collect()
    gc.freeze()


def current_engine() -> _FittedEngine:
    """The engine in line with today's matchable offers (its matcher is None while there are none)."""
    cache = _cache()
    fingerprint = _offers_fingerprint()
    with cache.lock:
        if cache.engine is None or cache.engine.fingerprint != fingerprint:
            cache.engine = _sync(cache.engine, fingerprint)
        return cache.engine


def warm_up(app) -> None:
    """Fit this process's engine before it serves anyone.

    Called when a server process starts (gunicorn's ``post_worker_init``), so
    that the first need submitted to each worker does not wait for a fit of
    every matchable offer (seconds at 10,000 offers); later requests only
    patch the fitted engine with the offers changed since. A database
    without the schema yet (first deployment) just leaves it for later.
    """
    from sqlalchemy.exc import SQLAlchemyError

    with app.app_context():
        try:
            current_engine()
        except SQLAlchemyError:
            app.logger.warning("matching engine not warmed up: database not ready")
        finally:
            db.session.remove()
            db.engine.dispose()  # no connection opened here outlives the warm-up
        # What is alive now (the application, the fitted engine) lives as
        # long as the process, and no request is running yet.
        _spare_from_garbage_collection()


def forget_engine() -> None:
    """Drop this process's fitted engine, so the next use fits afresh."""
    cache = _cache()
    with cache.lock:
        cache.engine = None


def _plain(value: Any) -> Any:
    """JSON-safe copy (numpy numbers and tuples become plain JSON)."""
    return json.loads(json.dumps(value, default=lambda v: v.item() if hasattr(v, "item") else str(v)))


#: Ids per ``IN (...)``: well under the bound parameters a statement may carry
#: (32,766 in SQLite since 3.32, 999 before; 65,535 with psycopg).
_IDS_PER_STATEMENT = 900


def _in_chunks(ids: list[int]):
    for start in range(0, len(ids), _IDS_PER_STATEMENT):
        yield ids[start:start + _IDS_PER_STATEMENT]


def _forget_candidates_of(need_ids: list[int]) -> None:
    for chunk in _in_chunks(need_ids):
        db.session.execute(sa.delete(RankedCandidate).where(RankedCandidate.need_id.in_(chunk)))


def _store(needs: list[Need], rankings: dict, engine: _FittedEngine) -> None:
    """Replace the stored candidates of ``needs`` with their new rankings.

    A few DELETEs and one bulk INSERT whatever the number of needs: a
    statement per need, each checked by the ORM against every object of the
    session, made publishing an offer that entered 2,000 rankings take 33 s.
    """
    _forget_candidates_of([need.id for need in needs])
    computed_at = utcnow()
    rows = []
    for need in needs:
        position = 0
        for candidate in rankings.get(need.ref, []):
            offer_id = engine.offer_row(candidate.offer_id)
            if offer_id is None:
                continue
            position += 1
            rows.append({
                "need_id": need.id, "offer_id": offer_id, "rank": position,
                "score": float(candidate.score), "computed_at": computed_at,
                "reasons": _plain([{"code": r.code, "params": r.params, "text": r.text}
                                   for r in candidate.reasons]),
                "features": _plain(candidate.features),
            })
    if rows:
        db.session.execute(sa.insert(RankedCandidate), rows)


def rank_needs(needs: list[Need]) -> None:
    """Rank these needs now; a need that is not open loses its candidates."""
    needs = list({need.id: need for need in needs}.values())  # each need's rows replaced once
    open_needs = [need for need in needs if need.status in OPEN_NEED_STATUSES]
    _forget_candidates_of([need.id for need in needs if need.status not in OPEN_NEED_STATUSES])
    if not open_needs:
        db.session.flush()
        return
    engine = current_engine()
    if engine.matcher is None:
        _forget_candidates_of([need.id for need in open_needs])
        db.session.flush()
        return
    rankings = engine.matcher.rank([interchange.need_to_record(need) for need in open_needs], top_k=TOP_K)
    _store(open_needs, rankings, engine)
    db.session.flush()


def rank_need(need: Need) -> None:
    rank_needs([need])


def open_needs() -> list[Need]:
    return list(db.session.scalars(sa.select(Need).where(Need.status.in_(OPEN_NEED_STATUSES))))


def refresh_offer(offer: Offer) -> None:
    """An offer was created, edited or withdrawn: update the rankings it can change.

    Only the needs the offer could enter or leave are re-ranked; the others
    keep their stored ranking.
    """
    db.session.flush()
    engine = current_engine()  # patched with this offer's change
    if engine.matcher is None:
        db.session.execute(sa.delete(RankedCandidate).where(RankedCandidate.offer_id == offer.id))
        db.session.flush()
        return
    affected = set(db.session.scalars(
        sa.select(RankedCandidate.need_id).where(RankedCandidate.offer_id == offer.id)))
    if (offer.status in MATCHABLE_OFFER_STATUSES and offer.remaining_capacity > 0
            and offer.ref in engine.matcher.row_of_):
        # Per need: how many candidates it keeps, and the weakest one's score.
        kept = {need_id: (count, worst) for need_id, count, worst in db.session.execute(
            sa.select(RankedCandidate.need_id, sa.func.count(), sa.func.min(RankedCandidate.score))
            .group_by(RankedCandidate.need_id))}
        # One vectorised scoring of the offer against every open need (an
        # explain() per need took minutes at 10,000 needs).
        needs = open_needs()
        eligible, scores = engine.matcher.score_offer(
            [interchange.need_to_record(need) for need in needs], offer.ref)
        for need, may_receive, score in zip(needs, eligible.tolist(), scores.tolist(), strict=True):
            count, worst = kept.get(need.id, (0, 0.0))
            if may_receive and (count < TOP_K or score > worst):
                affected.add(need.id)
    if affected:
        rank_needs([need for chunk in _in_chunks(sorted(affected))
                    for need in db.session.scalars(sa.select(Need).where(Need.id.in_(chunk)))])


def rebuild() -> int:
    """Refit the engine on every matchable offer and rank every open need again."""
    forget_engine()
    needs = open_needs()
    db.session.execute(sa.delete(RankedCandidate))
    rank_needs(needs)
    return len(needs)


def candidates_for(need: Need) -> list[RankedCandidate]:
    return list(db.session.scalars(
        sa.select(RankedCandidate).where(RankedCandidate.need_id == need.id)
        .options(selectinload(RankedCandidate.offer)).order_by(RankedCandidate.rank)
    ))


def _waiting_query(user: User) -> sa.Select:
    return (
        sa.select(Match).join(Match.need).join(Match.offer)
        .where(Match.status == MatchStatus.PROPOSED)
        .where(sa.or_(
            sa.and_(Offer.organisation_id == user.organisation_id, Match.donor_decision.is_(None),
                    sa.not_(_hidden_from_donor())),
            sa.and_(Need.organisation_id == user.organisation_id, Match.state_decision.is_(None)),
        ))
    )


def waiting_for(user: User) -> list[Match]:
    """Proposals waiting for an answer from this user's organisation."""
    if user.role != Role.FOCAL_POINT:
        return []
    return list(db.session.scalars(
        _waiting_query(user).options(selectinload(Match.need), selectinload(Match.offer))
        .order_by(Match.proposed_at)
    ))


def count_waiting(user: User) -> int:
    """How many proposals wait for this user's organisation (one COUNT query)."""
    if user.role != Role.FOCAL_POINT:
        return 0
    return db.session.scalar(sa.select(sa.func.count()).select_from(_waiting_query(user).subquery()))


def visible_matches(user: User, status: str | None = None) -> sa.Select:
    """Coordinators see every match; a focal point those of its needs or offers."""
    stmt = sa.select(Match).join(Match.need).join(Match.offer).options(
        selectinload(Match.need), selectinload(Match.offer))
    if not user.is_coordinator:
        stmt = stmt.where(sa.or_(
            sa.and_(Offer.organisation_id == user.organisation_id, sa.not_(_hidden_from_donor())),
            Need.organisation_id == user.organisation_id))
    if status in {s.value for s in MatchStatus}:
        stmt = stmt.where(Match.status == status)
    return stmt.order_by(Match.proposed_at.desc(), Match.id.desc())


def _hidden_from_donor():
    """A restricted need's proposal stays hidden from the donor until the State agrees."""
    return sa.and_(Need.confidentiality == Confidentiality.RESTRICTED,
                   sa.or_(Match.state_decision.is_(None), Match.state_decision != Decision.ACCEPTED))


def can_view_match(user: User, match: Match) -> bool:
    if user.is_coordinator or user.organisation_id == match.need.organisation_id:
        return True
    if user.organisation_id != match.offer.organisation_id:
        return False
    return not (match.need.confidentiality == Confidentiality.RESTRICTED
                and match.state_decision != Decision.ACCEPTED)


def matches_of_need(need: Need) -> list[Match]:
    return list(db.session.scalars(
        sa.select(Match).where(Match.need_id == need.id)
        .options(selectinload(Match.offer)).order_by(Match.proposed_at.desc())))


def review_candidates(need: Need) -> list[RankedCandidate]:
    """The stored ranking less the candidates a coordinator rejected."""
    rejected = sa.select(Rejection.offer_id).where(Rejection.need_id == need.id)
    return list(db.session.scalars(
        sa.select(RankedCandidate)
        .where(RankedCandidate.need_id == need.id, RankedCandidate.offer_id.not_in(rejected))
        .options(selectinload(RankedCandidate.offer)).order_by(RankedCandidate.rank)))


def search_offers(query: str, *, limit: int = 20) -> list[Offer]:
    """Offers a coordinator may pick by hand, found by title, provider or reference."""
    pattern = f"%{query.strip().lower()[:100]}%"
    return list(db.session.scalars(
        sa.select(Offer)
        .where(Offer.status.in_(MATCHABLE_OFFER_STATUSES), Offer.remaining_capacity > 0)
        .where(sa.or_(sa.func.lower(Offer.title).like(pattern),
                      sa.func.lower(Offer.provider).like(pattern),
                      sa.func.lower(Offer.ref).like(pattern)))
        .order_by(Offer.title).limit(limit)))


def open_matches_of(record) -> list[Match]:
    """Open matches of a need or of an offer."""
    column = Match.need_id if isinstance(record, Need) else Match.offer_id
    return list(db.session.scalars(
        sa.select(Match).where(column == record.id, Match.status.in_(OPEN_MATCH_STATUSES))
        .options(selectinload(Match.need), selectinload(Match.offer))))


def matches_of_offer(offer: Offer, user: User) -> list[Match]:
    """The offer's matches that this user may see."""
    stmt = (sa.select(Match).join(Match.need).where(Match.offer_id == offer.id)
            .options(selectinload(Match.need)).order_by(Match.proposed_at.desc()))
    if not user.is_coordinator:
        stmt = stmt.where(sa.not_(_hidden_from_donor()))
    return list(db.session.scalars(stmt))
