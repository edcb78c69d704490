"""`flask data import|export`: all or nothing, round trip, upsert."""

from __future__ import annotations

import sqlalchemy as sa

from matching import validate_need, validate_offer
from portal.auth.models import Organisation, OrganisationKind
from portal.interchange.services import need_to_record, offer_to_record
from portal.needs.models import Need
from portal.offers.models import Offer
from portal.records import Status
from tests.fixtures.portal import count_rows
from tests.portal.interchange.conftest import (
    read_records,
    sample_needs,
    sample_offers,
    write_records,
)


def counts() -> tuple[int, int, int]:
    return count_rows(Need), count_rows(Offer), count_rows(Organisation)


def need(ref: str) -> Need:
    from portal.extensions import db
    return db.session.scalar(sa.select(Need).where(Need.ref == ref))


def offer(ref: str) -> Offer:
    from portal.extensions import db
    return db.session.scalar(sa.select(Offer).where(Offer.ref == ref))


def test_import_then_export_gives_back_the_same_records(sample_dir, import_dir, runner, tmp_path):
    assert import_dir(sample_dir).exit_code == 0
    result = runner.invoke(args=["data", "export", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert read_records(tmp_path / "out") == (sample_needs(), sample_offers())


def test_absent_optional_lists_are_exported_as_empty_lists(tmp_path, import_dir, runner):
    bare = {key: value for key, value in sample_needs()[0].items()
            if key not in ("themes", "modalities", "beneficiaries", "delivery")}
    import_dir(write_records(tmp_path / "in", [bare]))
    runner.invoke(args=["data", "export", str(tmp_path / "out")])
    exported = read_records(tmp_path / "out")[0][0]
    assert [exported[k] for k in ("themes", "modalities", "beneficiaries", "delivery")] == [[]] * 4


def test_importing_twice_changes_nothing(sample_dir, import_dir):
    import_dir(sample_dir)
    before = counts()
    result = import_dir(sample_dir)
    assert result.exit_code == 0, result.output
    assert counts() == before == (3, 2, 4)
    assert "Needs: 0 created, 0 updated, 3 unchanged." in result.output


def test_an_existing_id_is_updated_in_place(sample_dir, import_dir, tmp_path):
    import_dir(sample_dir)
    needs = sample_needs()
    needs[0]["title"] = "Electronic evidence training, second edition"
    del needs[0]["budget_usd"]
    result = import_dir(write_records(tmp_path / "again", needs))
    assert "Needs: 0 created, 1 updated, 2 unchanged." in result.output
    assert count_rows(Need) == 3
    assert need("T-N1").title == "Electronic evidence training, second edition"
    assert need("T-N1").budget_usd is None


def test_two_bad_records_among_good_ones_write_nothing(tmp_path, import_dir):
    needs, offers = sample_needs(), sample_offers()
    needs[1]["country"] = "XXX"
    offers[0]["themes"] = ["hacking_back"]
    result = import_dir(write_records(tmp_path / "bad", needs, offers))
    assert result.exit_code == 1
    assert counts() == (0, 0, 0)
    assert "requests.json: record 'T-N2', field 'country'" in result.output
    assert "offers.json: record 'T-O1', field 'themes'" in result.output
    assert "T-N1" not in result.output


def test_a_bad_file_leaves_existing_records_untouched(sample_dir, import_dir, tmp_path):
    import_dir(sample_dir)
    before = counts()
    needs = sample_needs()
    needs[0]["title"] = "Changed"
    needs[2]["language"] = "xx"
    assert import_dir(write_records(tmp_path / "bad", needs)).exit_code == 1
    assert counts() == before
    assert need("T-N1").title == "Electronic evidence training"


def test_an_id_used_by_an_offer_on_the_platform_is_refused(sample_dir, import_dir, tmp_path):
    import_dir(sample_dir)
    needs = [{**sample_needs()[0], "id": "T-O1"}]
    result = import_dir(write_records(tmp_path / "clash", needs))
    assert result.exit_code == 1
    assert "record 'T-O1', field 'id': is already used by an offer on the platform" in result.output
    assert count_rows(Need) == 3


def test_an_id_in_both_files_is_refused(tmp_path, import_dir):
    offers = [{**sample_offers()[0], "id": "T-N1"}]
    result = import_dir(write_records(tmp_path / "clash", sample_needs(), offers))
    assert result.exit_code == 1
    assert "offers.json: record 'T-N1', field 'id': is also the id of a record in requests.json" in result.output
    assert counts() == (0, 0, 0)


def test_a_provider_naming_a_requesting_state_is_refused(tmp_path, import_dir, make_organisation):
    make_organisation(OrganisationKind.REQUESTING_STATE, name="Harbour Forensics Ltd.", country="KEN")
    result = import_dir(write_records(tmp_path / "in", offers=sample_offers()))
    assert result.exit_code == 1
    assert "record 'T-O1', field 'provider'" in result.output
    assert count_rows(Offer) == 0


def test_needs_join_the_existing_state_organisation(sample_dir, import_dir, make_organisation):
    kenya = make_organisation(OrganisationKind.REQUESTING_STATE, name="Republic of Kenya",
                              country="KEN")
    import_dir(sample_dir)
    assert need("T-N1").organisation_id == need("T-N3").organisation_id == kenya.id


def test_a_missing_state_is_created_under_its_country_name(sample_dir, import_dir):
    import_dir(sample_dir)
    senegal = need("T-N2").organisation
    assert (senegal.name, senegal.kind, senegal.country) == (
        "Senegal", OrganisationKind.REQUESTING_STATE, "SEN")


def test_offers_join_the_organisation_named_by_their_provider(sample_dir, import_dir,
                                                              make_organisation):
    harbour = make_organisation(OrganisationKind.COMPANY, name="Harbour Forensics Ltd.")
    import_dir(sample_dir)
    assert offer("T-O1").organisation_id == harbour.id


def test_new_providers_get_the_donor_kind_asked_for(sample_dir, import_dir):
    import_dir(sample_dir, "--donor-kind", "ngo")
    assert offer("T-O2").organisation.kind == OrganisationKind.NGO


def test_new_providers_default_to_international_organisations(sample_dir, import_dir):
    import_dir(sample_dir)
    assert offer("T-O2").organisation.kind == OrganisationKind.INTERNATIONAL_ORGANISATION


def test_imported_records_are_submitted(sample_dir, import_dir):
    import_dir(sample_dir)
    assert {need(ref).status for ref in ("T-N1", "T-N2", "T-N3")} == {Status.SUBMITTED}


def test_status_option_sets_the_status_of_new_records(sample_dir, import_dir):
    import_dir(sample_dir, "--status", "draft")
    assert offer("T-O1").status == Status.DRAFT


def test_reimport_keeps_the_status_a_record_has_reached(sample_dir, import_dir, db):
    import_dir(sample_dir)
    need("T-N1").status = Status.MATCHED
    db.session.commit()
    import_dir(sample_dir)
    assert need("T-N1").status == Status.MATCHED


def test_export_leaves_drafts_out_unless_asked(sample_dir, import_dir, runner, tmp_path, db):
    import_dir(sample_dir)
    need("T-N2").status = Status.DRAFT
    db.session.commit()
    runner.invoke(args=["data", "export", str(tmp_path / "public")])
    runner.invoke(args=["data", "export", str(tmp_path / "all"), "--include-drafts"])
    assert [r["id"] for r in read_records(tmp_path / "public")[0]] == ["T-N1", "T-N3"]
    assert [r["id"] for r in read_records(tmp_path / "all")[0]] == ["T-N1", "T-N2", "T-N3"]


def test_dry_run_checks_but_writes_nothing(sample_dir, import_dir):
    result = import_dir(sample_dir, "--dry-run")
    assert result.exit_code == 0
    assert "All 5 records can be imported" in result.output
    assert counts() == (0, 0, 0)


def test_a_directory_without_data_files_is_refused(tmp_path, import_dir):
    (tmp_path / "empty").mkdir()
    result = import_dir(tmp_path / "empty")
    assert result.exit_code != 0
    assert "neither requests.json nor offers.json" in result.output


def test_a_file_that_is_not_json_is_named(tmp_path, import_dir):
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "offers.json").write_text("[{", encoding="utf-8")
    result = import_dir(tmp_path / "broken")
    assert result.exit_code == 1
    assert "offers.json" in result.output and "not valid UTF-8 JSON" in result.output


def test_model_records_are_valid_engine_input(sample_dir, import_dir):
    import_dir(sample_dir)
    assert validate_need(need_to_record(need("T-N2"))) == []
    assert validate_offer(offer_to_record(offer("T-O1"))) == []
