"""Start and kill a production gunicorn of the platform for the load and crash tests.

The server runs as in production (``CAPACITY_MATCH_ENV=production``, a random
``SECRET_KEY``, gthread workers), bound to the loopback only, in a process
group of its own so that ``kill -9`` reaches the master and every worker.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


@dataclass
class Server:
    database_url: str
    port: int
    workers: int = 2
    threads: int = 4
    secret_key: str = field(default_factory=lambda: secrets.token_hex(32))
    log: Path | None = None
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        return [GUNICORN, "-w", str(self.workers), "-k", "gthread", "--threads", str(self.threads),
                "-b", f"127.0.0.1:{self.port}", "--timeout", "120", "--keep-alive", "5",
                "--no-control-socket", "wsgi:app"]

    def start(self, timeout: float = 240) -> Server:
        # Production refuses per-process limits: counters go to the local Redis,
        # under a prefix of this run's own.
        env = dict(os.environ, CAPACITY_MATCH_ENV="production", SECRET_KEY=self.secret_key,
                   DATABASE_URL=self.database_url,
                   REDIS_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"),
                   RATELIMIT_KEY_PREFIX=f"bench-{secrets.token_hex(6)}")
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL  # noqa: SIM115
        try:
            self.process = subprocess.Popen(self.command(), cwd=ROOT, env=env, stdout=out,  # noqa: S603
                                            stderr=subprocess.STDOUT, start_new_session=True)
        finally:
            if self.log:
                out.close()  # the server writes through its own copy
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        self.kill()
        raise RuntimeError(f"gunicorn did not answer within {timeout} s")

    def kill(self) -> None:
        """kill -9 the whole process group: master and workers, no clean shutdown."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=30)
        self.process = None

    def stop(self) -> None:
        """A clean stop (SIGTERM to the master), or kill after 20 s."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()
        except ProcessLookupError:
            pass
        self.process = None
