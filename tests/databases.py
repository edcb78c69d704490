"""Throw-away PostgreSQL databases beside the suite's own (TEST_DATABASE_URL).

The end-to-end, two-instance and backup tests run the real migrations and
real server processes, which the suite's ``app`` fixture (create_all and
drop_all on one database) cannot share: each gets a database of its own,
named after the suite's with a suffix, created before and dropped after.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.engine import make_url


def suite_database_url() -> str | None:
    return os.environ.get("TEST_DATABASE_URL") or None


def _server_engine(url: str) -> sa.Engine:
    # CREATE/DROP DATABASE cannot run in a transaction; the maintenance database always exists.
    return sa.create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT",
                            poolclass=sa.pool.NullPool)


def drop_database(url: str) -> None:
    name = make_url(url).database
    engine = _server_engine(url)
    with engine.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@contextmanager
def scratch_database(suffix: str, base_url: str | None = None) -> Iterator[str]:
    """Yield the URL of a new, empty database ``<suite database>_<suffix>``; drop it after."""
    base_url = base_url or suite_database_url()
    if not base_url:
        raise RuntimeError("TEST_DATABASE_URL is not set")
    url = make_url(base_url)
    scratch = url.set(database=f"{url.database}_{suffix}")
    rendered = scratch.render_as_string(hide_password=False)
    drop_database(rendered)
    engine = _server_engine(base_url)
    with engine.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{scratch.database}"'))
    engine.dispose()
    try:
        yield rendered
    finally:
        drop_database(rendered)
