"""Read, validate and write interchange files (DATA_FORMAT.md).

Errors name the file, the record and the field, so that the command line can
print one useful line and a person can fix the file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from matching.records import RecordError, validate_records

__all__ = ["InputError", "read_gold", "read_needs", "read_offers", "read_records",
           "write_json"]


class InputError(ValueError):
    """An input file cannot be used; the message names file, record and field."""


def _load(path: str | Path) -> Any:
    path = Path(path)
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read file ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: invalid JSON at line {exc.lineno}, column {exc.colno}: "
                         f"{exc.msg}") from exc


def read_records(path: str | Path, kind: str) -> list[dict]:
    """Read and validate a file of needs (``kind="need"``) or offers (``"offer"``).

    Raises
    ------
    InputError
        If the file cannot be read or parsed, or a record is invalid; the
        message names the file, the first bad record and its field, and how
        many more problems there are.
    """
    data = _load(path)
    try:
        validate_records(data, kind)
    except RecordError as exc:
        rid, field, message = exc.problems[0]
        more = len(exc.problems) - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        error = InputError(f"{path}: record {rid!r}, field {field!r}: {message}{suffix}")
        error.problems = exc.problems
        raise error from exc
    return data


def read_needs(path: str | Path) -> list[dict]:
    """Read and validate a ``requests.json`` file."""
    return read_records(path, "need")


def read_offers(path: str | Path) -> list[dict]:
    """Read and validate an ``offers.json`` file."""
    return read_records(path, "offer")


def read_gold(path: str | Path) -> dict[str, dict[str, int]]:
    """Read ``gold.json``: ``{need id: {offer id: grade}}`` with grades 0, 1 or 2."""
    data = _load(path)
    if not isinstance(data, dict):
        raise InputError(f"{path}: top level must be an object {{request id: {{offer id: grade}}}}")
    for rid, judged in data.items():
        if not isinstance(judged, dict):
            raise InputError(f"{path}: record {rid!r}: value must be an object {{offer id: grade}}")
        for oid, grade in judged.items():
            if isinstance(grade, bool) or grade not in (0, 1, 2):
                raise InputError(f"{path}: record {rid!r}, offer {oid!r}: grade must be 0, 1 "
                                 f"or 2, got {grade!r}")
    return data


def write_json(data: Any, path: str | Path | None = None) -> str:
    """Serialise ``data`` as UTF-8 JSON; write it to ``path`` if given, and return it."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if path is not None:
        Path(path).write_text(text + "\n", "utf-8")
    return text
