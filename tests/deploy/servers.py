"""Production servers for the deployment tests: gunicorn processes and a cookie-keeping client."""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path

import pyotp

from tests.fixtures.portal import PASSWORD, TOTP_SECRET

REPO_ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
REDIS_URL = "redis://127.0.0.1:6379/0"
#: The ports the deployment tests may use.
PORTS = range(5200, 5300)


def redis_available() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except Exception:
        return False


def production_environment(database_url: str, **extra: str) -> dict[str, str]:
    """What a production deployment sets (see the README), for a throw-away database."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("FLASK_", "CAPACITY_MATCH_", "GUNICORN_"))}
    env.update({
        "CAPACITY_MATCH_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        # Counters of this run only: Redis is shared with other runs.
        "RATELIMIT_KEY_PREFIX": f"test-{secrets.token_hex(6)}",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "4",
        "GUNICORN_GRACEFUL_TIMEOUT": "5",
    })
    env.update(extra)
    return env


def flask(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """Run the `flask --app wsgi ...` command of the README."""
    return subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=300, check=True)


def _wait_until_serving(process: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + 120
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped: {log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url + "/auth/login", timeout=30):
                return
        except OSError:  # refused while binding, or a timeout while the worker boots
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer: {log.read_text()[-3000:]}") from None
            time.sleep(0.3)


@contextmanager
def gunicorns(env: dict[str, str], logs: Path, count: int = 2) -> Iterator[list[str]]:
    """``count`` instances of `gunicorn wsgi:app` with the repository's gunicorn.conf.py,
    each on a port of its own, booted side by side; yield their addresses."""
    processes: list[tuple[subprocess.Popen, str, Path]] = []
    try:
        for index in range(count):
            port = free_port_after(processes)
            log = logs / f"gunicorn-{index}.log"
            with log.open("w") as output:
                process = subprocess.Popen(
                    [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"], cwd=REPO_ROOT,
                    env=dict(env, GUNICORN_BIND=f"127.0.0.1:{port}"), stdout=output,
                    stderr=subprocess.STDOUT)
            processes.append((process, f"http://127.0.0.1:{port}", log))
        for process, url, log in processes:
            _wait_until_serving(process, url, log)
        yield [url for _, url, _ in processes]
    finally:
        for process, _, _ in processes:
            process.terminate()  # SIGTERM: gunicorn's graceful stop
        for process, _, _ in processes:
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def free_port_after(started: list) -> int:
    """A free port in PORTS that none of the processes just started is binding."""
    taken = {int(url.rsplit(":", 1)[1]) for _, url, _ in started}
    for port in PORTS:
        if port in taken:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    """One browser: its cookies go to whichever instance it talks to.

    The session cookie is ``__Host-`` and Secure, which a cookie jar would
    keep for https only; the deployment's proxy speaks https, these
    instances plain http on the loopback, so the cookies are carried by hand.
    """

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}
        self.opener = urllib.request.build_opener(_NoRedirect())

    def request(self, url: str, data: dict | None = None) -> tuple[int, str, dict]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(url, data=body)
        if self.cookies:
            request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            response = self.opener.open(request, timeout=60)
        except urllib.error.HTTPError as error:  # 3xx (not followed), 4xx, 5xx
            response = error
        with response:
            for header in response.headers.get_all("Set-Cookie") or []:
                cookie = SimpleCookie()
                cookie.load(header)
                for name, morsel in cookie.items():
                    self.cookies[name] = morsel.value
            return response.status, response.read().decode(), dict(response.headers)

    def get(self, url: str) -> tuple[int, str]:
        status, text, _ = self.request(url)
        return status, text

    def post_form(self, page_url: str, action_url: str, fields: dict) -> tuple[int, str, dict]:
        """Load the page holding the form (for its CSRF and single-use tokens), then post it."""
        status, page = self.get(page_url)
        assert status == 200, f"{page_url} answered {status}"
        tokens = {name: value for name, value in re.findall(
            r'name="(csrf_token|submission_token)" type="hidden" value="([^"]+)"', page)}
        if "csrf_token" not in tokens:  # the hand-written forms put the value last too
            tokens["csrf_token"] = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        return self.request(action_url, dict(tokens, **fields))

    def log_in(self, base_url: str, email: str, staff: bool = False) -> None:
        status, _, headers = self.post_form(base_url + "/auth/login", base_url + "/auth/login",
                                            {"email": email, "password": PASSWORD})
        assert status == 302, f"the login of {email} failed with {status}"
        if staff:
            assert headers["Location"].endswith("/auth/login/code")
            status, _, _ = self.post_form(base_url + "/auth/login/code", base_url + "/auth/login/code",
                                          {"code": pyotp.TOTP(TOTP_SECRET).now()})
            assert status == 302, f"the second factor of {email} failed with {status}"
