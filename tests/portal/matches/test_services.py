"""Stored rankings follow needs and offers as they change."""

from __future__ import annotations

import sqlalchemy as sa

from portal.matches import services as matches
from portal.matches.models import RankedCandidate
from portal.needs import services as needs
from portal.offers import services as offers
from tests.factories import NEED, offer_fields


def ranked_titles(db, need) -> list[str]:
    return [candidate.offer.title for candidate in matches.candidates_for(need)]


def test_submitted_need_is_ranked_at_once_without_violations(db, state_user, donor):
    good = offers.create_offer(offer_fields(), donor, submit=True)
    offers.create_offer(offer_fields(title="Mentorat en entraide judiciaire", working_languages=["fr"]),
                        donor, submit=True)
    offers.create_offer(offer_fields(title="Forensic laboratory equipment", description=(
        "Forensic workstations and imaging tools for a digital forensic laboratory."),
        themes=["digital_forensics"], modalities=["equipment"]), donor, submit=True)
    need = needs.create_need(NEED, state_user, submit=True)
    db.session.commit()
    titles = ranked_titles(db, need)
    assert titles[0] == good.title
    assert "Mentorat en entraide judiciaire" not in titles  # no shared working language
    first = matches.candidates_for(need)[0]
    assert first.rank == 1 and first.score > 0
    assert any(reason["text"] for reason in first.reasons)
    assert first.features  # kept for training a re-ranker


def test_draft_need_is_not_ranked(db, state_user, donor):
    offers.create_offer(offer_fields(), donor, submit=True)
    need = needs.create_need(NEED, state_user, submit=False)
    db.session.commit()
    assert matches.candidates_for(need) == []


def test_new_offer_enters_rankings_without_rebuild(db, state_user, donor):
    offers.create_offer(offer_fields(title="Generic awareness campaign", description=(
        "Public awareness campaigns about online safety for schools."),
        themes=["prevention"], modalities=["training"], beneficiaries=["civil_society"]),
        donor, submit=True)
    need = needs.create_need(NEED, state_user, submit=True)
    db.session.commit()
    fitted = matches.current_engine().matcher
    new = offers.create_offer(offer_fields(), donor, submit=True)
    db.session.commit()
    assert ranked_titles(db, need)[0] == new.title
    # The fitted engine was patched, not refitted.
    assert matches.current_engine().matcher is fitted


def test_withdrawn_offer_leaves_rankings(db, state_user, donor):
    offer = offers.create_offer(offer_fields(), donor, submit=True)
    need = needs.create_need(NEED, state_user, submit=True)
    db.session.commit()
    assert ranked_titles(db, need) == [offer.title]
    offers.withdraw_offer(offer, donor)
    db.session.commit()
    assert ranked_titles(db, need) == []


def test_edited_offer_that_breaks_a_constraint_leaves_rankings(db, state_user, donor):
    offer = offers.create_offer(offer_fields(), donor, submit=True)
    need = needs.create_need(NEED, state_user, submit=True)
    db.session.commit()
    offers.update_offer(offer, offer_fields(excluded_countries=["KEN"]), donor)
    db.session.commit()
    assert ranked_titles(db, need) == []


def test_withdrawn_need_loses_its_candidates(db, state_user, donor):
    offers.create_offer(offer_fields(), donor, submit=True)
    need = needs.create_need(NEED, state_user, submit=True)
    needs.withdraw_need(need, state_user)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RankedCandidate)) == 0


def test_rebuild_command_ranks_every_open_need(db, runner, state_user, donor):
    offers.create_offer(offer_fields(), donor, submit=True)
    need = needs.create_need(NEED, state_user, submit=True)
    db.session.execute(sa.delete(RankedCandidate))
    db.session.commit()
    result = runner.invoke(args=["matching", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "Ranked 1 open need" in result.output
    assert len(matches.candidates_for(need)) == 1


def test_coordinator_sees_candidates_with_reasons_but_the_state_does_not(
        db, client, auth, login, state_user, donor, coordinator):
    offer = offers.create_offer(offer_fields(), donor, submit=True)
    need = needs.create_need(NEED, state_user, submit=True)
    db.session.commit()
    reason = matches.candidates_for(need)[0].reasons[0]["text"]
    login(coordinator)
    page = client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert "Candidate offers" in page and offer.title in page
    assert reason in page.replace("&#39;", "'").replace("&amp;", "&")
    auth.logout()
    login(state_user)
    page = client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert "Candidate offers" not in page and offer.title not in page
