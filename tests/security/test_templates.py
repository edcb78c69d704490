"""The templates stay compatible with the Content-Security-Policy and never bypass escaping."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import portal

TEMPLATES = Path(portal.__file__).parent / "templates"
HTML_TEMPLATES = sorted(p for p in TEMPLATES.rglob("*") if p.is_file() and p.suffix in {".html", ".htm", ".j2", ".jinja"})
ALL_TEMPLATES = sorted(p for p in TEMPLATES.rglob("*") if p.is_file())

# What script-src 'self' / style-src 'self' (without 'unsafe-inline') would block, or
# what would need it: inline script blocks, style blocks and attributes, event
# handlers, javascript: URLs.
CSP_VIOLATIONS = {
    "inline <script> block": re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.IGNORECASE),
    "<style> block": re.compile(r"<style\b", re.IGNORECASE),
    "style= attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "on*= event handler": re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE | re.DOTALL),
    "javascript: URL": re.compile(r"javascript\s*:", re.IGNORECASE),
}
# Ways to switch off autoescaping for a value.
ESCAPE_BYPASSES = {
    "|safe filter": re.compile(r"\|\s*safe\b"),
    "Markup": re.compile(r"\bMarkup\b"),
    "autoescape false": re.compile(r"autoescape\s+false", re.IGNORECASE),
}


def _relative(path: Path) -> str:
    return str(path.relative_to(TEMPLATES))


def test_templates_are_found():
    assert len(HTML_TEMPLATES) >= 10
    assert (TEMPLATES / "base.html") in HTML_TEMPLATES


@pytest.mark.parametrize("template", HTML_TEMPLATES, ids=_relative)
def test_no_inline_script_style_or_handler(template):
    text = template.read_text(encoding="utf-8")
    found = [f"{what} at line {text[:m.start()].count(chr(10)) + 1}"
             for what, pattern in CSP_VIOLATIONS.items() for m in pattern.finditer(text)]
    assert not found, f"{_relative(template)} breaks the Content-Security-Policy: {found}"


@pytest.mark.parametrize("template", ALL_TEMPLATES, ids=_relative)
def test_no_escaping_bypass(template):
    text = template.read_text(encoding="utf-8")
    found = [what for what, pattern in ESCAPE_BYPASSES.items() if pattern.search(text)]
    assert not found, f"{_relative(template)} turns off escaping: {found}"


def test_the_scanner_catches_violations():
    samples = ['<div style="color:red">', "<script>alert(1)</script>", '<a onclick="x()">',
               '<a href="javascript:void(0)">', "<style>p{}</style>"]
    for sample in samples:
        assert any(p.search(sample) for p in CSP_VIOLATIONS.values()), sample
    assert not any(p.search('<script src="/static/app.js"></script>') for p in CSP_VIOLATIONS.values())
    assert ESCAPE_BYPASSES["|safe filter"].search("{{ need.title | safe }}")


def test_rendered_pages_have_no_inline_code(client, login, state_user):
    login(state_user)
    for url in ("/", "/needs/", "/needs/new", "/offers/", "/matches/", "/inbox/"):
        html = client.get(url).get_data(as_text=True)
        for what, pattern in CSP_VIOLATIONS.items():
            assert not pattern.search(html), f"{url}: {what}"
