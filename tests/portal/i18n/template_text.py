"""Find text in Jinja templates that is not marked for translation.

The template is parsed (``env.parse``); its literal parts (``TemplateData``
nodes) are joined in source order with a marker standing for every Jinja
expression or tag, and the result is read as HTML: any text node, or any
user-visible attribute, that still contains a letter was typed as is
instead of going through ``_()`` / ``{% trans %}``.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from jinja2 import Environment, nodes

MARK = "\x00"
# Not words for a reader: scripts, styles, and <code> (file names, commands,
# identifiers, the same in every language).
UNTRANSLATED_ELEMENTS = ("script", "style", "code")
VISIBLE_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt", "value"}
LETTER = re.compile(r"[^\W\d_]")

# Text that is the same in every language, with the reason.
ALLOWED = {
    "Capacity Match",  # the platform's name, a brand, is not translated
    "UTC",  # the time zone's international abbreviation
    "YYYY-MM",  # the ISO 8601 pattern shown as a format hint
}


def _visible(text: str) -> str:
    text = text.replace(MARK, " ")
    for allowed in ALLOWED:
        text = text.replace(allowed, " ")
    return text


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in UNTRANSLATED_ELEMENTS:
            self._skip += 1
        for name, value in attrs:
            # type="hidden" inputs and buttons carry data, not words.
            if name in VISIBLE_ATTRIBUTES and value and LETTER.search(_visible(value)):
                if name == "value" and tag != "input" or dict(attrs).get("type") == "hidden":
                    continue
                self.found.append(f'{name}="{value.replace(MARK, "…")}"')

    def handle_endtag(self, tag):
        if tag in UNTRANSLATED_ELEMENTS:
            self._skip = max(0, self._skip - 1)

    def handle_data(self, data):
        if not self._skip and LETTER.search(_visible(data)):
            self.found.append(data.replace(MARK, "…").strip())


def unmarked_text(env: Environment, path: Path, name: str) -> list[str]:
    """The pieces of literal, unmarked text in one template."""
    source = path.read_text(encoding="utf-8")
    tree = env.parse(source, name=name)
    skeleton = MARK.join(node.data for node in tree.find_all(nodes.TemplateData))
    if path.suffix != ".html":  # plain-text mail: every literal word is visible
        return [piece.strip() for piece in skeleton.split(MARK) if LETTER.search(_visible(piece))]
    collector = _Collector()
    collector.feed(skeleton)
    collector.close()
    return collector.found
