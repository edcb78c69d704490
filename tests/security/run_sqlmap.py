#!/usr/bin/env python3
"""Scan the running platform with sqlmap for SQL injection (loopback only, on demand).

Not part of ``make test`` (it needs the Debian package ``sqlmap`` and takes
minutes). Run it from the repository root:

    apt-get install -y sqlmap          # once
    .venv/bin/python tests/security/run_sqlmap.py            # or: make security

What it does:

1. Starts the application on 127.0.0.1 on a free port, on a fresh SQLite file
   in a temporary directory: ``flask db upgrade`` then ``flask demo load``.
   The scan configuration is the development one with three switches off,
   so that sqlmap's payloads reach the SQL instead of a guard in front of it:
   CSRF (sqlmap would need a fresh token per request), the login rate limit
   (it would answer 429 after 30 tries) and the staff second factor (the demo
   coordinator has no TOTP secret; with it on, the coordinator's pages are not
   reachable without enrolling one).
2. Logs in the demo coordinator, administrator, Kenya focal point and donor
   focal point to get their session cookies.
3. Runs ``sqlmap --batch --level 2 --risk 1 --flush-session --dbms SQLite``
   (bounded by ``--timeout``, ``--retries 1`` and a time limit per target)
   against the login form, the search and filter parameters of /needs/,
   /offers/, /review/ (queue and a need's offer search) and /matches/, and the
   POST forms (need, offer, propose, reject, decide, cancel, withdraw, admin
   organisation and invitation), each as the user it is meant for. Cookies are
   not tested (the session cookie is signed).
4. Parses sqlmap's output and prints one line per target.

Exit code: 0 when sqlmap found no injectable parameter and finished every
target; 1 when it reports any injectable parameter; 2 when a target did not
finish (time limit, server error) and no injection was found.
Options: ``--only NAME`` (repeatable) to run some targets, ``--time-limit S``,
``--jobs N`` (targets in parallel).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
ACCOUNTS = {
    "coordinator": ("coordinator@demo.example.org", "demo-coordinator-password"),
    "admin": ("admin@demo.example.org", "demo-admin-password"),
    "state": ("kenya@demo.example.org", "demo-kenya-password"),
    "donor": ("donor@demo.example.org", "demo-donor-password"),
}
SQLMAP_OPTIONS = [
    "--batch", "--level", "2", "--risk", "1", "--flush-session", "--dbms", "SQLite",
    "--timeout", "10", "--retries", "1", "--threads", "4", "--disable-coloring",
    "--skip", "session,remember_token,csrf_token,submit,save_draft",
]


# --- The application under test -------------------------------------------------------


def serve(port: int, database: Path) -> None:
    """Child process: migrate, load the demo, serve on 127.0.0.1:``port``."""
    sys.path.insert(0, str(REPO_ROOT / "platform"))
    from portal import create_app
    from portal.config import DevelopmentConfig

    class ScanConfig(DevelopmentConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{database}"
        SECRET_KEY = secrets.token_hex(32)
        WTF_CSRF_ENABLED = False
        RATELIMIT_ENABLED = False
        REQUIRE_TOTP_FOR_STAFF = False
        MAIL_SUPPRESS_SEND = True

    app = create_app(ScanConfig)
    runner = app.test_cli_runner()
    for args in (["db", "upgrade"], ["demo", "load"]):
        result = runner.invoke(args=args)
        if result.exit_code:
            sys.exit(f"flask {' '.join(args)} failed:\n{result.output}")
    print("ready", flush=True)
    app.run(host=HOST, port=port, threaded=True, debug=False, use_reloader=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def wait_for(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the application did not start on {HOST}:{port}")


def log_in(base: str, email: str, password: str) -> str:
    """The Cookie header of a logged-in session."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    data = urllib.parse.urlencode({"email": email, "password": password}).encode()
    with opener.open(f"{base}/auth/login", data=data, timeout=30) as response:
        final = response.geturl()
    if "/auth/login" in final or "/auth/totp" in final or "/auth/login/code" in final:
        raise SystemExit(f"login of {email} did not complete (ended on {final})")
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


# --- Targets --------------------------------------------------------------------------


@dataclass
class Target:
    name: str
    path: str
    user: str | None
    data: dict[str, str] | None = None   # POST body; None for GET
    result: str = "not run"
    tested: list[str] = field(default_factory=list)
    injectable: list[str] = field(default_factory=list)
    seconds: float = 0.0


def demo_ids(database: Path) -> dict[str, int]:
    """Ids of demo records for the addresses: Kenya's needs, candidates, an organisation."""
    with sqlite3.connect(database) as connection:
        def one(sql: str) -> int:
            row = connection.execute(sql).fetchone()
            if row is None:
                raise SystemExit(f"the demo data has no row for: {sql}")
            return row[0]

        kenya = "SELECT id FROM organisation WHERE country = 'KEN' AND kind = 'requesting_state'"
        ids = {
            "kenya_need": one(f"SELECT id FROM need WHERE status = 'submitted' "
                              f"AND organisation_id IN ({kenya}) ORDER BY id LIMIT 1"),
            "kenya_draft": one(f"SELECT id FROM need WHERE status = 'draft' "
                               f"AND organisation_id IN ({kenya}) ORDER BY id LIMIT 1"),
            "organisation": one(f"{kenya} LIMIT 1"),
        }
        other = connection.execute(
            "SELECT id FROM need WHERE status = 'submitted' AND id != ? ORDER BY id LIMIT 2",
            (ids["kenya_need"],)).fetchall()
        ids["need"], ids["need2"] = other[0][0], other[1][0]
        for key in ("kenya_need", "need", "need2"):
            ids[f"{key}_offer"] = one(f"SELECT offer_id FROM candidate "
                                      f"WHERE need_id = {ids[key]} ORDER BY rank LIMIT 1")
        return ids


def propose(base: str, cookie: str, need: int, offer: int, database: Path) -> int:
    """Propose ``offer`` for ``need`` through the form; return the match's id."""
    request = urllib.request.Request(
        f"{base}/review/needs/{need}/propose", headers={"Cookie": cookie},
        data=urllib.parse.urlencode({"offer_id": offer, "note": "before the scan"}).encode())
    urllib.request.urlopen(request, timeout=60).close()  # noqa: S310  (our own http://127.0.0.1)
    with sqlite3.connect(database) as connection:
        row = connection.execute("SELECT id FROM match WHERE need_id = ? AND offer_id = ?",
                                 (need, offer)).fetchone()
    if row is None:
        raise SystemExit(f"could not propose offer {offer} for need {need} before the scan")
    return row[0]


RECORD = {
    "title": "Digital forensics training", "description": "Training for investigators.",
    "language": "en", "working_languages": "en", "themes": "digital_forensics",
    "modalities": "training", "beneficiaries": "law_enforcement", "budget_usd": "50000",
    "start": "2027-01", "end": "2027-12", "save_draft": "1",
}


def targets(ids: dict[str, int]) -> list[Target]:
    return [
        Target("login", "/auth/login", None,
               {"email": "kenya@demo.example.org", "password": "wrong-password"}),
        Target("needs-list", "/needs/?q=forensics&status=submitted&theme=digital_forensics"
               "&language=en&country=KEN&page=1", "coordinator"),
        Target("offers-list", "/offers/?q=training&status=submitted&theme=digital_forensics"
               "&language=en&country=KEN&page=1", "coordinator"),
        Target("review-queue", "/review/?region=africa&theme=digital_forensics&status=submitted&page=1",
               "coordinator"),
        Target("review-search", f"/review/needs/{ids['need']}?q=forensics", "coordinator"),
        Target("matches-list", "/matches/?status=proposed&page=1", "coordinator"),
        Target("need-form", "/needs/new", "state", {**RECORD, "confidentiality": "restricted"}),
        Target("need-edit", f"/needs/{ids['kenya_draft']}/edit", "state",
               {**RECORD, "confidentiality": "restricted"}),
        Target("offer-form", "/offers/new", "donor",
               {**RECORD, "provider": "Demo donor", "capacity": "2", "regions": "africa"}),
        Target("review-propose", f"/review/needs/{ids['need2']}/propose", "coordinator",
               {"offer_id": str(ids["need2_offer"]), "note": "a good fit"}),
        Target("review-reject", f"/review/needs/{ids['need2']}/reject", "coordinator",
               {"offer_id": str(ids["need2_offer"]), "reason": "other", "note": "not a fit"}),
        Target("match-decide", f"/matches/{ids['decide_match']}/decide", "state",
               {"decision": "declined", "reason": "no longer needed"}),
        Target("match-cancel", f"/matches/{ids['cancel_match']}/cancel", "coordinator",
               {"reason": "duplicate"}),
        Target("admin-organisation", "/admin/organisations/new", "admin",
               {"name": "Scan Ministry", "kind": "requesting_state", "country": "KEN"}),
        Target("admin-invite", f"/admin/organisations/{ids['organisation']}/invite", "admin",
               {"name": "Scan Person", "email": "scan@example.org", "role": "focal_point"}),
        Target("need-withdraw", f"/needs/{ids['kenya_need']}/withdraw", "state", {"reason": "scan"}),
    ]


# --- sqlmap ---------------------------------------------------------------------------

INJECTABLE = re.compile(r"(?:GET|POST|URI|Cookie|\w+) parameter '([^']+)' (?:is|appears to be) "
                        r"'[^']+' injectable|Parameter: ([^\s]+) \((?:GET|POST|URI)\)")
NOT_INJECTABLE = re.compile(r"(?:GET|POST|URI) parameter '([^']+)' does not seem to be injectable")


def run_sqlmap(target: Target, base: str, cookies: dict[str, str], workdir: Path,
               time_limit: int) -> Target:
    command = ["sqlmap", "-u", base + target.path, *SQLMAP_OPTIONS,
               "--output-dir", str(workdir / target.name)]
    if target.data is not None:
        command += ["--data", urllib.parse.urlencode(target.data), "--method", "POST"]
    if target.user:
        command += ["--cookie", cookies[target.user]]
    started = time.monotonic()
    try:
        completed = subprocess.run(command, capture_output=True, text=True,  # noqa: S603
                                   timeout=time_limit, check=False, stdin=subprocess.DEVNULL)
        output, finished = completed.stdout + completed.stderr, True
    except subprocess.TimeoutExpired as expired:
        output = (expired.stdout or b"").decode("utf-8", "replace") if isinstance(
            expired.stdout, bytes) else (expired.stdout or "")
        finished = False
    target.seconds = time.monotonic() - started
    (workdir / f"{target.name}.log").write_text(output, encoding="utf-8")
    target.tested = sorted(set(NOT_INJECTABLE.findall(output)))
    target.injectable = sorted({a or b for a, b in INJECTABLE.findall(output)})
    if target.injectable or "identified the following injection point" in output:
        target.result = "INJECTABLE"
    elif "all tested parameters do not appear to be injectable" in output:
        target.result = "not injectable"
    elif not finished:
        target.result = f"time limit ({time_limit}s)"
    else:
        last = [line for line in output.splitlines() if "[CRITICAL]" in line or "[ERROR]" in line]
        target.result = "incomplete: " + (last[-1].split("]", 2)[-1].strip() if last else "see log")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", nargs=2, metavar=("PORT", "DATABASE"), help=argparse.SUPPRESS)
    parser.add_argument("--only", action="append", default=[], help="run only this target")
    parser.add_argument("--time-limit", type=int, default=300, help="seconds per target")
    parser.add_argument("--jobs", type=int, default=4, help="targets scanned in parallel")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args(argv)
    if args.serve:
        serve(int(args.serve[0]), Path(args.serve[1]))
        return 0
    if shutil.which("sqlmap") is None:
        print("sqlmap is not installed: apt-get install -y sqlmap", file=sys.stderr)
        return 2

    workdir = Path(tempfile.mkdtemp(prefix="capacity-match-sqlmap-"))
    port = free_port()
    base = f"http://{HOST}:{port}"
    database = workdir / "scan.sqlite"
    env = {**os.environ, "CAPACITY_MATCH_ENV": "development", "FLASK_DEBUG": "0"}
    server_log = (workdir / "server.log").open("w")
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, __file__, "--serve", str(port), str(database)],
        cwd=REPO_ROOT, env=env, stdout=server_log, stderr=subprocess.STDOUT,
    )
    try:
        wait_for(port, 120)
        cookies = {role: log_in(base, *account) for role, account in ACCOUNTS.items()}
        ids = demo_ids(database)
        ids["decide_match"] = propose(base, cookies["coordinator"], ids["kenya_need"],
                                      ids["kenya_need_offer"], database)
        ids["cancel_match"] = propose(base, cookies["coordinator"], ids["need"],
                                      ids["need_offer"], database)
        chosen = [t for t in targets(ids) if not args.only or t.name in args.only]
        print(f"sqlmap {SQLMAP_OPTIONS[:9]} against {base}: {len(chosen)} targets, "
              f"{args.jobs} at a time, {args.time_limit}s each at most (logs in {workdir})")
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            done = list(pool.map(lambda t: run_sqlmap(t, base, cookies, workdir, args.time_limit),
                                 chosen))
    finally:
        server.terminate()
        server.wait(timeout=10)
        server_log.close()

    print(f"\n{'target':<20} {'user':<12} {'time':>6}  result; parameters found not injectable")
    for target in done:
        print(f"{target.name:<20} {target.user or '-':<12} {target.seconds:>5.0f}s  {target.result}; "
              f"{', '.join(target.tested) or '-'}"
              + (f"; INJECTABLE: {', '.join(target.injectable)}" if target.injectable else ""))
    if not args.keep and not any(t.result != "not injectable" for t in done):
        shutil.rmtree(workdir, ignore_errors=True)
    if any(t.result == "INJECTABLE" for t in done):
        print(f"\nFAIL: sqlmap reports an injectable parameter (logs kept in {workdir})")
        return 1
    if any(t.result != "not injectable" for t in done):
        print(f"\nINCOMPLETE: some targets did not finish (logs in {workdir})")
        return 2
    print("\nOK: no injectable parameter in any target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
