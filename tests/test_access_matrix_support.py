"""Helpers shared by the access and leak tests."""

from __future__ import annotations

from itertools import product

from flask import url_for


def every_get_url(app, ids: dict[str, list[int]]) -> list[str]:
    """Every GET route of the application, once per combination of record ids."""
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint == "static":
                continue
            arguments = sorted(rule.arguments)
            if any(name not in ids for name in arguments):
                continue
            for combination in product(*(ids[name] for name in arguments)):
                urls.append(url_for(rule.endpoint, **dict(zip(arguments, combination, strict=True))))
    return urls
