"""Crashes: kill -9 the whole gunicorn while users submit needs; nothing acknowledged is lost.

On demand: ``pytest tests/benchmarks -m benchmark -k crash -s``. For
PostgreSQL (``CRASH_DATABASE_URL``, default the ``load_crash`` database) and
SQLite in WAL mode (a file under the test's temporary folder):

1. seed a small platform (States, donors, offers to rank against);
2. start a production gunicorn; client threads, each a State's focal point,
   submit new needs through the real form (CSRF token and single-use
   submission token read from the form page) and record every need whose
   POST answered with the redirect to it; a POST that got no answer is sent
   again with the same tokens, as a browser's retry would;
3. ``kill -9`` the master and every worker (the process group) mid-load
   several times, restart with the same settings, and go on;
4. check that every acknowledged need is in the database exactly once, with
   every field as submitted, and that nothing is half-written: each need
   created in the run has exactly one creation event in the audit trail and
   its claimed form token, and no event or token points to a missing need.

The figures go to ``tests/benchmarks/results/crash-<backend>.md``.
"""

from __future__ import annotations

import os
import random
import re
import threading
import time
from dataclasses import dataclass, field

import pytest
import requests
import sqlalchemy as sa

from tests.benchmarks.client import (
    SourceAddressAdapter,
    form_fields,
    login,
    record_fields,
    send_secure_cookies_over_http,
)
from tests.benchmarks.seed import PASSWORD, seed
from tests.benchmarks.server import Server
from tests.benchmarks.test_load import RESULTS, recreate_database

pytestmark = pytest.mark.benchmark

THREADS = int(os.environ.get("CRASH_THREADS", "6"))
KILLS = int(os.environ.get("CRASH_KILLS", "4"))
#: Seconds of load between two kills (drawn in this range).
BETWEEN_KILLS = (4.0, 8.0)
TITLE_PREFIX = "Crash test"
NEED_LOCATION = re.compile(r"/needs/(\d+)$")
CODED = ("working_languages", "themes", "modalities", "beneficiaries", "delivery")


@dataclass
class Tally:
    acknowledged: dict[int, dict] = field(default_factory=dict)  # need id -> fields sent
    attempts: int = 0
    retries: int = 0
    unanswered: int = 0  # forms given up without an answer (may or may not exist)
    refused: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def submitter(base_url: str, email: str, address: str, index: int, tally: Tally,
              stop: threading.Event) -> None:
    session = requests.Session()
    send_secure_cookies_over_http(session)
    session.mount("http://", SourceAddressAdapter(address))
    rng = random.Random(index)
    logged_in = False
    number = 0
    while not stop.is_set():
        try:
            if not logged_in:
                logged_in = login(session, base_url, email, PASSWORD).status_code == 302
                continue
            page = session.get(f"{base_url}/needs/new", timeout=30, allow_redirects=False)
            if page.status_code != 200:
                logged_in = page.status_code != 302
                continue
        except requests.RequestException:
            time.sleep(0.3)  # the server is down: wait for the restart
            continue
        number += 1
        data = {**form_fields(page.text),
                **record_fields(rng, "need", title=f"{TITLE_PREFIX} {index}-{number}")}
        with tally.lock:
            tally.attempts += 1
        for attempt in range(40):  # the same form (same tokens) until it gets an answer
            try:
                response = session.post(f"{base_url}/needs/new", data=data, timeout=30,
                                        allow_redirects=False)
            except requests.RequestException:
                with tally.lock:
                    tally.retries += 1
                time.sleep(0.5)
                continue
            found = NEED_LOCATION.search(response.headers.get("Location", ""))
            with tally.lock:
                if response.status_code == 302 and found:
                    tally.acknowledged[int(found.group(1))] = data
                else:
                    tally.refused.append(f"{response.status_code} {data['title']} (try {attempt})")
            break
        else:
            with tally.lock:
                tally.unanswered += 1


def check(url: str, tally: Tally) -> dict[str, int]:
    """Compare the acknowledged submissions with the database; the counts of problems."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            needs = {row.id: row for row in conn.execute(sa.text(
                "SELECT * FROM need WHERE title LIKE :p"), {"p": f"{TITLE_PREFIX} %"})}
            events = dict(conn.execute(sa.text(
                "SELECT subject_id, count(*) FROM audit_event WHERE subject_type = 'need' "
                "AND action = 'need.created' GROUP BY subject_id")).all())
            all_events = dict(conn.execute(sa.text(
                "SELECT subject_id, count(*) FROM audit_event WHERE subject_type = 'need' "
                "GROUP BY subject_id")).all())
            orphan_events = conn.execute(sa.text(
                "SELECT count(*) FROM audit_event WHERE subject_type = 'need' "
                "AND subject_id NOT IN (SELECT id FROM need)")).scalar_one()
            tokens = [row[0] for row in conn.execute(sa.text(
                "SELECT result_url FROM form_submission"))]
    finally:
        engine.dispose()
    by_title: dict[str, int] = {}
    for row in needs.values():
        by_title[row.title] = by_title.get(row.title, 0) + 1
    lost = [i for i in tally.acknowledged if i not in needs]
    duplicates = [t for t, n in by_title.items() if n > 1]
    wrong = []
    for need_id, sent in tally.acknowledged.items():
        row = needs.get(need_id)
        if row is None:
            continue
        stored = {
            "title": row.title, "description": row.description, "language": row.language,
            "budget_usd": str(int(row.budget_usd)), "start": row.start, "end": row.end,
            "confidentiality": row.confidentiality, "status": row.status,
            **{name: sorted(_codes(getattr(row, name))) for name in CODED},
        }
        expected = {name: sent[name] for name in ("title", "description", "language", "budget_usd",
                                                   "start", "end", "confidentiality")}
        expected |= {"status": "submitted"} | {name: sorted(sent[name]) for name in CODED}
        if stored != expected:
            wrong.append(need_id)
    token_ids = [int(m.group(1)) for m in map(NEED_LOCATION.search, tokens) if m]
    half_written = [i for i in needs if events.get(i) != 1 or all_events.get(i) != 1
                    or token_ids.count(i) != 1]
    dangling_tokens = [i for i in token_ids if i not in needs]
    return {"lost": len(lost), "duplicates": len(duplicates), "wrong fields": len(wrong),
            "half-written": len(half_written), "orphan audit events": orphan_events,
            "dangling tokens": len(dangling_tokens), "in database": len(needs)}


def _codes(value) -> list[str]:
    import json

    return json.loads(value) if isinstance(value, str) else list(value or [])


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_kill_nine_loses_nothing_acknowledged(backend, tmp_path):
    RESULTS.mkdir(exist_ok=True)
    if backend == "postgresql":
        url = os.environ.get("CRASH_DATABASE_URL",
                             "postgresql+psycopg://postgres@127.0.0.1:5432/load_crash")
        try:
            recreate_database(url)
        except sa.exc.OperationalError as error:
            pytest.skip(f"no PostgreSQL for the crash test: {error}")
    else:
        url = f"sqlite:///{tmp_path / 'crash.sqlite'}"
    accounts = seed(url, n_needs=300, n_offers=300, n_candidates=1_000, n_states=THREADS,
                    n_donors=3, n_coordinators=1)
    port = int(os.environ.get("CRASH_PORT", "5320")) + (backend == "sqlite")
    server = Server(url, port, workers=2, threads=4,
                    log=RESULTS / f"gunicorn-crash-{backend}.log").start()
    tally, stop = Tally(), threading.Event()
    threads = [threading.Thread(target=submitter, daemon=True,
                                args=(server.url, email, f"127.0.1.{10 + i}", i, tally, stop))
               for i, email in enumerate(accounts.states)]
    rng = random.Random(0)
    acknowledged_at_kill = []
    try:
        for thread in threads:
            thread.start()
        for _ in range(KILLS):
            time.sleep(rng.uniform(*BETWEEN_KILLS))
            server.kill()
            acknowledged_at_kill.append(len(tally.acknowledged))
            time.sleep(0.5)
            server.start()
        time.sleep(rng.uniform(*BETWEEN_KILLS))
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        server.stop()
    problems = check(url, tally)
    report = (f"## {backend}\n\n{len(threads)} client threads, gunicorn -w 2 -k gthread --threads 4, "
              f"{KILLS} kill -9 of the process group (acknowledged so far at each kill: "
              f"{acknowledged_at_kill})\n\n"
              f"| acknowledged | attempts | retried POSTs | unanswered | refused | "
              + " | ".join(problems) + " |\n|" + "---|" * (5 + len(problems)) + "\n"
              f"| {len(tally.acknowledged)} | {tally.attempts} | {tally.retries} | "
              f"{tally.unanswered} | {len(tally.refused)} | "
              + " | ".join(str(v) for v in problems.values()) + " |\n")
    (RESULTS / f"crash-{backend}.md").write_text(report)
    print("\n" + report)
    assert len(tally.acknowledged) > 0
    assert {k: v for k, v in problems.items() if k != "in database" and v} == {}
    assert not tally.refused, tally.refused[:5]
