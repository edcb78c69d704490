"""The interface's languages: the six official languages of the United Nations.

Strings are marked with ``gettext``/``lazy_gettext`` (``_`` in templates) and
translated through the gettext catalogues in ``portal/translations``.
"""

from __future__ import annotations

from flask import Flask, request

from portal.extensions import babel

LANGUAGES = ("ar", "zh", "en", "fr", "ru", "es")
DEFAULT_LANGUAGE = "en"
RIGHT_TO_LEFT = frozenset({"ar"})


def select_locale() -> str:
    """The browser's preference among the six languages, English otherwise."""
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    babel.init_app(app, locale_selector=select_locale)
