"""The load benchmark's simulated users (locust), run by tests/benchmarks/test_load.py.

Three kinds of user, each with an account of its own and a think time of 1 to
3 seconds between actions:

- a requesting State's focal point: its needs list (with filters), one of its
  needs, the new-need form (a real POST with the CSRF and single-use tokens
  read from the form page) and the edit form;
- a donor's focal point: its offers list, the needs shared with donors, one of
  them, the new-offer form (POST, saved as a draft: see ``new_offer``);
- a coordinator (password, then TOTP code): the review queue (random pages and
  filters), a need's review page with its candidates, the matches list and
  the needs list.

Every user also asks for ``/healthz`` now and then: the trivial route the
pages are compared with, served by the same processes in the same run.

Each user connects from its own loopback address (127.0.0.10, .11, ...), as
users on separate machines would, so that the per-address login limit is not
a limit of the benchmark; the platform's limits are unchanged. The production
session cookie is ``Secure`` (``__Host-``): the client sends it over the
loopback's plain HTTP as the TLS-terminating proxy would (see
:func:`send_secure_cookies_over_http`).

Environment: ``LOAD_ACCOUNTS`` (JSON file written by test_load.py: the e-mails
by kind, the password and the TOTP secret).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import sys
import threading
from pathlib import Path

import gevent.event
from locust import HttpUser, between, events, task
from locust.exception import StopUser

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.benchmarks.client import (  # noqa: E402
    THEMES,
    SourceAddressAdapter,
    form_fields,
    login,
    record_fields,
    send_secure_cookies_over_http,
)

ACCOUNTS = json.loads(Path(os.environ["LOAD_ACCOUNTS"]).read_text(encoding="utf-8"))
_lock = threading.Lock()
_addresses = itertools.count(10)
_pools = {kind: iter(ACCOUNTS[kind]) for kind in ("states", "donors", "coordinators")}
def server_cpu_seconds() -> float:
    """CPU time used so far by the gunicorn master and workers (their process group)."""
    group, total = int(os.environ.get("GUNICORN_PGID", "0")), 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group:  # pgrp; utime and stime follow at 11 and 12
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


_cpu_at_start: list[float] = []


@events.test_stop.add_listener
def _write_cpu(environment, **kwargs):
    """The server's CPU time per request over the measured window (load-independent)."""
    if _cpu_at_start and os.environ.get("LOAD_CPU_FILE"):
        requests_ = environment.runner.stats.total.num_requests
        Path(os.environ["LOAD_CPU_FILE"]).write_text(json.dumps({
            "cpu_seconds": server_cpu_seconds() - _cpu_at_start[0], "requests": requests_}))


#: Set once every user has logged in: the measured window starts then.
_everyone_in = gevent.event.Event()
_logged_in = itertools.count(1)
NEED_LINK = re.compile(r'href="/needs/(\d+)"')
REVIEW_LINK = re.compile(r'href="/review/needs/(\d+)"')


class PlatformUser(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    kind = ""

    def on_start(self):
        with _lock:
            self.email = next(_pools[self.kind])
            address = f"127.0.0.{next(_addresses)}"
        self.rng = random.Random(self.email)
        send_secure_cookies_over_http(self.client)
        self.client.mount("http://", SourceAddressAdapter(address))
        self.login()
        # Logins (argon2id at production cost) are not what is measured: the
        # statistics restart when the last user is in, and nobody works before.
        if next(_logged_in) >= self.environment.runner.target_user_count:
            self.environment.runner.stats.reset_all()
            _cpu_at_start.append(server_cpu_seconds())
            _everyone_in.set()
        _everyone_in.wait()
        # Everyone was waiting for the same moment: without a think time
        # first, all 50 would fire their first request at once, a burst no
        # set of real users makes (it alone put 15 requests over 150 ms).
        gevent.sleep(self.wait_time())

    def login(self):
        response = login(self.client, "", self.email, ACCOUNTS["password"],
                         ACCOUNTS["totp_secret"], name="login")
        if response.status_code != 302:
            # A benchmark without its users means nothing: stop the whole run.
            self.environment.runner.quit()
            raise StopUser(f"login of {self.email} failed: {response.status_code}")

    def page(self, url: str, name: str, *, may_be_gone: bool = False) -> str:
        with self.client.get(url, name=name, catch_response=True, allow_redirects=False) as response:
            if may_be_gone and response.status_code == 404:
                # The page was listed earlier; its owner may have restricted it since
                # (States' users edit confidentiality in this run): 404 is then right.
                response.success()
                return ""
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
                return ""
            return response.text

    def post_form(self, form_url: str, form_name: str, post_name: str, data: dict,
                  expect: re.Pattern) -> str | None:
        html = self.page(form_url, form_name)
        if not html:
            return None
        with self.client.post(form_url, name=post_name, data={**form_fields(html), **data},
                              catch_response=True, allow_redirects=False) as response:
            location = response.headers.get("Location", "")
            if response.status_code != 302 or not expect.search(location):
                response.failure(f"status {response.status_code}, Location {location!r}")
                return None
            return location

    @task(1)
    def trivial(self):
        self.page("/healthz", "/healthz (trivial)")


class StateFocalPoint(PlatformUser):
    kind = "states"
    weight = 2

    @task(4)
    def needs_list(self):
        args = self.rng.choice(["", "?status=submitted", f"?theme={self.rng.choice(THEMES)}",
                                "?q=support", "?page=2"])
        html = self.page(f"/needs/{args}", "/needs/ (filters)")
        self.own = NEED_LINK.findall(html) or getattr(self, "own", [])

    @task(3)
    def need_page(self):
        if getattr(self, "own", None):
            self.page(f"/needs/{self.rng.choice(self.own)}", "/needs/[id]")

    @task(1)
    def new_need(self):
        self.post_form("/needs/new", "/needs/new (form)", "/needs/new (POST)",
                       record_fields(self.rng, "need"), re.compile(r"/needs/\d+$"))

    @task(1)
    def edit_need(self):
        html = self.page("/needs/?status=submitted", "/needs/ (filters)")
        ids = NEED_LINK.findall(html)
        if ids:
            need_id = self.rng.choice(ids)
            self.post_form(f"/needs/{need_id}/edit", "/needs/[id]/edit (form)",
                           "/needs/[id]/edit (POST)", record_fields(self.rng, "need"),
                           re.compile(rf"/needs/{need_id}$"))


class DonorFocalPoint(PlatformUser):
    kind = "donors"
    weight = 1

    @task(3)
    def offers_list(self):
        args = self.rng.choice(["", "?status=submitted", f"?theme={self.rng.choice(THEMES)}"])
        self.page(f"/offers/{args}", "/offers/ (filters)")

    @task(3)
    def browse_needs(self):
        html = self.page(f"/needs/browse?page={self.rng.randint(1, 50)}", "/needs/browse")
        self.shared = NEED_LINK.findall(html) or getattr(self, "shared", [])

    @task(2)
    def shared_need(self):
        if getattr(self, "shared", None):
            self.page(f"/needs/{self.rng.choice(self.shared)}", "/needs/[id]", may_be_gone=True)

    @task(1)
    def new_offer(self):
        # Saved as a draft: publishing an offer re-ranks every open need it
        # could enter inside the request (matches.services.refresh_offer), which
        # at 8,000 open needs takes minutes; see the README's load figures.
        self.post_form("/offers/new", "/offers/new (form)", "/offers/new (POST, draft)",
                       record_fields(self.rng, "offer", draft=True), re.compile(r"/offers/\d+$"))


class Coordinator(PlatformUser):
    kind = "coordinators"
    weight = 2

    @task(4)
    def review_queue(self):
        args = self.rng.choice(["", f"?theme={self.rng.choice(THEMES)}", "?status=submitted",
                                "?region=africa"])
        page = self.rng.randint(1, 100)
        sep = "&" if args else "?"
        html = self.page(f"/review/{args}{sep}page={page}", "/review/ (paged)")
        self.queued = REVIEW_LINK.findall(html) or getattr(self, "queued", [])

    @task(4)
    def review_need(self):
        if getattr(self, "queued", None):
            self.page(f"/review/needs/{self.rng.choice(self.queued)}", "/review/needs/[id]")

    @task(1)
    def need_page(self):
        if getattr(self, "queued", None):
            self.page(f"/needs/{self.rng.choice(self.queued)}", "/needs/[id]")

    @task(2)
    def matches_list(self):
        status = self.rng.choice(["", "?status=proposed", "?status=agreed"])
        self.page(f"/matches/{status}", "/matches/")

    @task(1)
    def needs_list(self):
        self.page(f"/needs/?page={self.rng.randint(1, 200)}", "/needs/ (filters)")
