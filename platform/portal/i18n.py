"""The interface's languages: the six official languages of the United Nations.

Strings are marked with ``gettext``/``lazy_gettext`` (``_`` in templates) and
translated through the gettext catalogues in ``portal/translations``: the
``.po`` files are the source, kept in the repository; their compiled ``.mo``
files are built here at start-up (into the instance folder) whenever one is
missing or older than its ``.po``, so a fresh clone needs no extra step and no
binary is ever committed.

The language of a request is, in order: the user's profile, the visitor's
choice kept in the session, the browser's Accept-Language, English.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from babel.messages import mofile, pofile
from flask import Blueprint, Flask, has_request_context, redirect, request, session, url_for
from flask_babel import get_locale, refresh
from flask_login import current_user

from portal.extensions import babel, db

LANGUAGES = ("ar", "zh", "en", "fr", "ru", "es")
DEFAULT_LANGUAGE = "en"
RIGHT_TO_LEFT = frozenset({"ar"})
SESSION_KEY = "locale"
TRANSLATIONS = Path(__file__).parent / "translations"
DOMAIN = "messages"

# Each language named in itself, for the switcher (a reader who cannot read
# the current language must still find their own).
AUTONYMS = {
    "ar": "العربية",
    "zh": "中文",
    "en": "English",
    "fr": "Français",
    "ru": "Русский",
    "es": "Español",
}

bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    """Profile, then the session's choice, then the browser, then English."""
    if not has_request_context():
        return DEFAULT_LANGUAGE  # command line, mail outside a request: English
    if current_user and current_user.is_authenticated and current_user.locale in LANGUAGES:
        return current_user.locale
    chosen = session.get(SESSION_KEY)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def current_language() -> str:
    return str(get_locale() or DEFAULT_LANGUAGE)


def text_direction(language: str | None = None) -> str:
    return "rtl" if (language or current_language()) in RIGHT_TO_LEFT else "ltr"


def compile_catalogues(source: Path, target: Path) -> list[Path]:
    """Compile every ``<lang>/LC_MESSAGES/messages.po`` under ``source`` into
    the same layout under ``target``, skipping .mo files newer than their .po.
    Returns the .mo files written."""
    written = []
    for po_path in sorted(source.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo_path = target / po_path.relative_to(source).with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with po_path.open("rb") as po:
            catalogue = pofile.read_po(po, locale=po_path.parts[-3], domain=DOMAIN)
        # Write then rename: a concurrent worker never reads half a file.
        handle, temporary = tempfile.mkstemp(dir=mo_path.parent, suffix=".mo.tmp")
        with os.fdopen(handle, "wb") as mo:
            mofile.write_mo(mo, catalogue, use_fuzzy=False)
        os.replace(temporary, mo_path)
        written.append(mo_path)
    return written


@bp.post("/language")
def switch_language():
    """The language switcher: kept in the profile of a logged-in user, in the
    session of a visitor; then back to the page it was used on."""
    language = request.form.get("language", "")
    if language in LANGUAGES:
        session[SESSION_KEY] = language
        if current_user.is_authenticated:
            current_user.locale = language
            db.session.commit()
    return redirect(_same_site(request.form.get("next")) or url_for("main.index"))


def _same_site(target: str | None) -> str | None:
    """Only a local path: the switcher must not become an open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "UTC")
    # WTForms' own messages ("Not a valid choice", ...) in the user's language.
    app.config.setdefault("WTF_I18N_ENABLED", True)
    compiled = Path(app.config.get("BABEL_COMPILED_DIR") or Path(app.instance_path) / "translations")
    try:
        compile_catalogues(TRANSLATIONS, compiled)
    except OSError:
        # A read-only instance folder (some deployments): compile into a cache folder.
        compiled = Path(tempfile.gettempdir()) / f"capacity-match-translations-{os.getuid()}"
        compile_catalogues(TRANSLATIONS, compiled)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(compiled)
    babel.init_app(app, locale_selector=select_locale)
    app.register_blueprint(bp)
    # Flask-Babel caches the locale on the app context, which outlives one
    # request when a context is pushed around several (tests, CLI): choose afresh.
    app.before_request(refresh)

    @app.context_processor
    def language_context():
        language = current_language()
        return {
            "page_lang": language,
            "page_dir": text_direction(language),
            "LANGUAGES": [(code, AUTONYMS[code]) for code in LANGUAGES],
        }
