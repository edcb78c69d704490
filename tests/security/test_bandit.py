"""bandit over the application code: every finding is fixed or reviewed.

Runs ``bandit -c pyproject.toml -r platform matching`` (the configuration is
the ``[tool.bandit]`` table) and fails on a finding, of any severity, that is
not in ``bandit_reviewed.toml`` with its reason.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
REVIEWED_FILE = Path(__file__).with_name("bandit_reviewed.toml")
TARGETS = ["platform", "matching"]


def finding_key(test_id: str, file: str, issue: str) -> tuple[str, str, str]:
    return test_id, file.removeprefix("./"), issue


@pytest.fixture(scope="module")
def reviewed() -> dict[tuple[str, str, str], str]:
    entries = tomllib.loads(REVIEWED_FILE.read_text(encoding="utf-8")).get("finding", [])
    return {finding_key(e["test_id"], e["file"], e["issue"]): e["reason"] for e in entries}


@pytest.fixture(scope="module")
def findings() -> list[dict]:
    pytest.importorskip("bandit", reason="bandit is in the test extras: pip install -e '.[test]'")
    result = subprocess.run(  # noqa: S603  (fixed argument list, no shell)
        [sys.executable, "-m", "bandit", "-c", "pyproject.toml", "-r", *TARGETS, "-f", "json", "-q"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    # bandit exits 1 when it finds something, other codes mean it could not run.
    assert result.returncode in (0, 1), result.stderr
    report = json.loads(result.stdout)
    assert not report["errors"], f"bandit could not scan: {report['errors']}"
    assert report["metrics"]["_totals"]["loc"] > 1000, "bandit scanned (almost) nothing"
    return report["results"]


def test_reviewed_findings_have_reasons(reviewed):
    assert all(reason.strip() for reason in reviewed.values())


def test_every_bandit_finding_is_reviewed(findings, reviewed):
    unreviewed = [
        f"{f['filename']}:{f['line_number']} {f['test_id']} ({f['issue_severity']}/"
        f"{f['issue_confidence']}) {f['issue_text']}\n    {f['code'].strip()}"
        for f in findings
        if finding_key(f["test_id"], f["filename"], f["issue_text"]) not in reviewed
    ]
    assert not unreviewed, (
        "bandit findings to fix, or to review in tests/security/bandit_reviewed.toml:\n"
        + "\n".join(unreviewed)
    )


def test_no_stale_reviews(findings, reviewed):
    found = {finding_key(f["test_id"], f["filename"], f["issue_text"]) for f in findings}
    stale = [key for key in reviewed if key not in found]
    assert not stale, f"reviewed findings bandit no longer reports (remove them): {stale}"


def test_configuration_excludes_tests_and_venv():
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    excluded = config["tool"]["bandit"]["exclude_dirs"]
    assert "tests" in excluded and ".venv" in excluded
