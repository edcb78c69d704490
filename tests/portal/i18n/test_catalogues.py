"""The gettext catalogues: complete for the six languages, placeholders intact."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages import pofile

from portal import i18n

TRANSLATED = ("ar", "zh", "fr", "ru", "es")  # English reads the msgids themselves
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")


def _read(path: Path):
    with path.open("rb") as handle:
        return pofile.read_po(handle)


def _po(language: str) -> Path:
    return i18n.TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"


def _placeholders(text: str) -> list[str]:
    return sorted(a or b for a, b in PLACEHOLDER.findall(text))


def _ids(message) -> tuple[str, ...]:
    return message.id if isinstance(message.id, tuple) else (message.id,)


def _strings(message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


TEMPLATE = _read(i18n.TRANSLATIONS / "messages.pot")
TEMPLATE_IDS = {_ids(m)[0] for m in TEMPLATE if m.id}


def test_there_is_a_catalogue_for_each_language():
    assert set(i18n.LANGUAGES) == {p.parent.parent.name for p in i18n.TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")}
    assert len(TEMPLATE_IDS) > 300


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_catalogue_has_every_message_of_the_template(language):
    ids = {_ids(m)[0] for m in _read(_po(language)) if m.id}
    assert TEMPLATE_IDS - ids == set(), "run `make translations`"


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated(language):
    missing = [m.id for m in _read(_po(language))
               if m.id and (m.fuzzy or not all(s.strip() for s in _strings(m)))]
    assert missing == [], f"{len(missing)} messages untranslated or fuzzy in {language}: {missing[:5]}"


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_translations_keep_the_placeholders(language):
    wrong = []
    for message in _read(_po(language)):
        if not message.id:
            continue
        expected = _placeholders(_ids(message)[-1])
        for string in _strings(message):
            # A plural form for "one" may drop %(num)s ("un jour"): only names present must be known.
            found = _placeholders(string)
            if string and (found != expected and not (set(found) <= set(expected) and len(_strings(message)) > 1)):
                wrong.append((message.id, string))
    assert wrong == []


def test_the_placeholder_check_sees_a_difference():
    assert _placeholders("Hello %(name)s, {count}") == ["count", "name"]
    assert _placeholders("Bonjour %(nom)s") != _placeholders("Hello %(name)s")


def test_compiled_catalogues_are_built_from_the_po_files(tmp_path):
    written = i18n.compile_catalogues(i18n.TRANSLATIONS, tmp_path)
    assert {p.parent.parent.name for p in written} == set(i18n.LANGUAGES)
    assert i18n.compile_catalogues(i18n.TRANSLATIONS, tmp_path) == []  # up to date: nothing rebuilt


def test_no_compiled_catalogue_is_committed():
    assert list(i18n.TRANSLATIONS.rglob("*.mo")) == []
