"""Two SQL expressions that SQLite and PostgreSQL spell differently.

Dates are compared and bucketed by the database, so that a dashboard over
tens of thousands of records never loads them into Python.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class year_month(FunctionElement):  # noqa: N801  (reads like the SQL function it stands for)
    """``YYYY-MM`` of a timestamp: the month bucket of the trends."""

    type = sa.String()
    inherit_cache = True
    name = "year_month"


@compiles(year_month)
def _year_month_sqlite(element, compiler, **kw):
    (value,) = list(element.clauses)
    return "strftime('%Y-%m', " + compiler.process(value, **kw) + ")"


@compiles(year_month, "postgresql")
def _year_month_postgresql(element, compiler, **kw):
    (value,) = list(element.clauses)
    return "to_char(" + compiler.process(value, **kw) + ", 'YYYY-MM')"


class days_between(FunctionElement):  # noqa: N801
    """Days (with fractions) from the first timestamp to the second."""

    type = sa.Float()
    inherit_cache = True
    name = "days_between"


@compiles(days_between)
def _days_between_sqlite(element, compiler, **kw):
    start, end = (compiler.process(value, **kw) for value in element.clauses)
    return f"(julianday({end}) - julianday({start}))"


@compiles(days_between, "postgresql")
def _days_between_postgresql(element, compiler, **kw):
    start, end = (compiler.process(value, **kw) for value in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({end} - {start})) / 86400.0)"


def has_code(column, code: str):
    """A JSON code list contains ``code``: its text form holds it quoted, on SQLite
    and PostgreSQL alike (the same test as the lists' filters)."""
    return sa.cast(column, sa.Text).contains(f'"{code}"')
