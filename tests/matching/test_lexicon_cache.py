"""The packaged lexicon is read and parsed once per process."""

from __future__ import annotations

from matching import Lexicon, Matcher, _lexicon


def test_packaged_lexicon_is_loaded_once():
    first = Lexicon.load()
    assert Lexicon.load() is first
    assert Lexicon.load(None) is first


def test_fitting_twice_does_not_reload(monkeypatch, corpus):
    Lexicon.load()  # warm the cache
    calls = []
    original = Lexicon.from_dict.__func__

    def counting(cls, data):
        calls.append(1)
        return original(cls, data)

    monkeypatch.setattr(_lexicon.Lexicon, "from_dict", classmethod(counting))
    first = Matcher().fit(corpus)
    second = Matcher().fit(corpus)
    assert calls == []
    assert first.lexicon_ is second.lexicon_


def test_explicit_path_is_not_cached(tmp_path):
    import json

    path = tmp_path / "lexicon.json"
    path.write_text(json.dumps({"version": 1, "concepts": {
        "csam": {"themes": ["child_protection"], "terms": {"en": ["csam"]}}}}), "utf-8")
    one, two = Lexicon.load(path), Lexicon.load(path)
    assert one is not two
    assert one.concepts == two.concepts
    assert one is not Lexicon.load()
