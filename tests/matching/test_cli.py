"""Files, command line and the library's import boundary."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from matching import InputError, read_needs, read_offers
from matching.__main__ import main
from tests.matching.conftest import REPO_ROOT


@pytest.fixture
def files(tmp_path, corpus, make_need):
    needs = [make_need(id="N-RANSOM", title="Ransomware",
                       description="Police need ransomware investigation skills."),
             make_need(id="N-ES", working_languages=["es"], title="Ransomware",
                       description="ransomware")]
    gold = {"N-RANSOM": {"O-RANSOM": 2, "O-LAB": 1}}
    (tmp_path / "requests.json").write_text(json.dumps(needs), "utf-8")
    (tmp_path / "offers.json").write_text(json.dumps(corpus), "utf-8")
    (tmp_path / "gold.json").write_text(json.dumps(gold), "utf-8")
    return tmp_path


def test_read_records_names_file_record_and_field(tmp_path, make_offer):
    path = tmp_path / "offers.json"
    path.write_text(json.dumps([make_offer(id="A"), make_offer(id="B", regions=["mars"])]))
    with pytest.raises(InputError) as info:
        read_offers(path)
    message = str(info.value)
    assert str(path) in message and "'B'" in message and "'regions'" in message


def test_read_records_bad_json(tmp_path):
    path = tmp_path / "requests.json"
    path.write_text("[{", "utf-8")
    with pytest.raises(InputError, match="invalid JSON at line 1"):
        read_needs(path)


def test_cli_rank(files, capsys):
    code = main(["rank", "--requests", str(files / "requests.json"),
                 "--offers", str(files / "offers.json"), "--top-k", "2"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["N-RANSOM"][0]["offer"] == "O-RANSOM"
    assert len(out["N-RANSOM"]) <= 2
    assert isinstance(out["N-RANSOM"][0]["score"], float)
    assert all(isinstance(r, str) for r in out["N-RANSOM"][0]["reasons"])
    assert out["N-ES"] == []  # no offer works in Spanish


def test_cli_rank_text_only(files, capsys):
    assert main(["rank", "--requests", str(files / "requests.json"), "--offers",
                 str(files / "offers.json"), "--text-only"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["N-ES"][0]["offer"] == "O-RANSOM"  # constraints are not applied


def test_cli_evaluate_json(files, capsys):
    assert main(["evaluate", str(files), "--baseline", "--json"]) == 0
    reports = json.loads(capsys.readouterr().out)
    assert set(reports) == {"engine", "tfidf_cosine", "tfidf_cosine_filtered"}
    engine = reports["engine"]
    assert engine["overall"]["needs"] == 1 and engine["needs_without_gold"] == 1
    assert engine["overall"]["p@1"] == 1.0
    assert engine["violations"] == 0
    assert reports["tfidf_cosine"]["violations"] > 0  # the unfiltered baseline breaks them


def test_cli_evaluate_text(files, capsys):
    assert main(["evaluate", str(files)]) == 0
    out = capsys.readouterr().out
    assert "ndcg@10" in out and "worst tenth" in out and "violations in top 10: 0" in out


def test_cli_bad_record_exit_2(files, capsys):
    offers = json.loads((files / "offers.json").read_text())
    offers[1]["budget_usd"] = "a lot"
    (files / "offers.json").write_text(json.dumps(offers))
    code = main(["rank", "--requests", str(files / "requests.json"),
                 "--offers", str(files / "offers.json")])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1
    assert "offers.json" in err and "'O-CSAM'" in err and "'budget_usd'" in err


def test_cli_missing_directory(tmp_path, capsys):
    assert main(["evaluate", str(tmp_path / "nowhere")]) == 2
    assert "not a directory" in capsys.readouterr().err


def test_cli_subprocess(files):
    proc = subprocess.run(
        [sys.executable, "-m", "matching", "rank", "--requests", str(files / "requests.json"),
         "--offers", str(files / "offers.json")],
        capture_output=True, text=True, cwd=REPO_ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["N-RANSOM"][0]["offer"] == "O-RANSOM"


def test_import_never_pulls_flask_or_portal():
    code = ("import sys, matching, matching.__main__; "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
            "('flask', 'portal', 'werkzeug', 'sqlalchemy')); print(bad)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=REPO_ROOT, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
