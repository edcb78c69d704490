"""Coordinators' decisions train the re-ranker the engine then ranks with."""

from __future__ import annotations

import sqlalchemy as sa

from matching.constraints import violations
from portal.auth.models import OrganisationKind, Role
from portal.interchange.mapping import need_to_record, offer_to_record
from portal.matches import learning, workflow
from portal.matches import services as rankings
from portal.matches.models import RankedCandidate, RankerModel

TOPICS = [
    ("child_protection", "Online child sexual abuse material investigations",
     "Training investigators to identify victims in child sexual abuse material and grooming cases."),
    ("digital_forensics", "Digital forensic laboratory for seized phones",
     "Forensic workstations, imaging tools and training to examine seized phones and computers."),
    ("online_fraud", "Investigating online scams and business e-mail compromise",
     "Training on phishing, romance scams and business e-mail compromise investigations."),
]


def make_decisions(make_need, make_offer, make_user, coordinator, *, rounds: int) -> None:
    """For several needs, propose the on-topic offer and reject the others."""
    offers = {theme: make_offer(title=title, description=text, themes=[theme], capacity=50)
              for theme, title, text in TOPICS}
    for index in range(rounds):
        theme, title, text = TOPICS[index % len(TOPICS)]
        state = make_user(Role.FOCAL_POINT, kind=OrganisationKind.REQUESTING_STATE, country="GHA")
        need = make_need(user=state, title=f"{title} ({index})", description=text, themes=[theme])
        for other, offer in offers.items():
            if other == theme:
                workflow.propose(need, offer, coordinator)
            else:
                workflow.reject(need, offer, coordinator, reason="off_topic")


def test_too_few_decisions_keep_the_hand_weighted_score(runner, make_need, make_offer, make_user, coordinator, db):
    make_decisions(make_need, make_offer, make_user, coordinator, rounds=3)
    db.session.commit()
    result = runner.invoke(args=["matching", "train"])
    assert result.exit_code == 1
    assert "9 decision(s) recorded; at least 20 are needed" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RankerModel)) == 0
    assert rankings.current_engine().matcher.reranker is None


def test_trained_reranker_is_used_and_respects_hard_constraints(
        runner, make_need, make_offer, make_user, coordinator, state_user, db):
    make_decisions(make_need, make_offer, make_user, coordinator, rounds=9)
    # An on-topic offer the requesting State may not receive (excluded).
    excluded = make_offer(title="Child sexual abuse material investigations, excellent",
                          description=TOPICS[0][2], themes=["child_protection"],
                          excluded_countries=["KEN"])
    db.session.commit()
    X, y, needs = learning.decision_examples()
    assert (len(y), int(y.sum()), len(set(needs))) == (27, 9, 9)
    result = runner.invoke(args=["matching", "train"])
    assert result.exit_code == 0, result.output
    assert "Trained on 27 decisions (9 positive)" in result.output
    assert rankings.current_engine().matcher.reranker is not None
    need = make_need(title=TOPICS[0][1], description=TOPICS[0][2], themes=["child_protection"])
    ranked = rankings.candidates_for(need)
    assert ranked and ranked[0].offer.themes == ["child_protection"]
    assert excluded.id not in {c.offer_id for c in ranked}
    for candidate in db.session.scalars(sa.select(RankedCandidate)):
        assert not violations(need_to_record(candidate.need), offer_to_record(candidate.offer))
