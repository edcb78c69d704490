"""Multilingual concept lexicon and the matcher that finds concepts in text.

The lexicon (``matching/data/lexicon.json``) maps concept ids of the
Convention's domain to surface forms in seven languages and to zero or more
theme codes. It is the engine's cross-lingual bridge: an Arabic need and an
English offer that share no word can share the concept
``mutual_legal_assistance``.

Matching is done on normalised tokens (see :mod:`matching._text`). A term
matches when its token sequence appears verbatim, or when its sequence of
stems (stemmed in the term's own language) appears in the text's stems, so
inflections match without listing them all. Chinese terms are matched as
substrings, since Chinese has no spaces.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from matching._text import is_cjk, normalize, script_language, stem, words
from matching.records import THEMES

DEFAULT_LEXICON = "lexicon.json"


@dataclass(frozen=True)
class Concept:
    """One concept: id, English label, themes and weight."""

    id: str
    label: str
    themes: tuple[str, ...]
    weight: float = 1.0
    codes: tuple[str, ...] = ()


@dataclass
class Lexicon:
    """A loaded lexicon with the indexes used to find its terms in text."""

    concepts: dict[str, Concept]
    version: int = 1
    _raw: dict[tuple[str, ...], list[tuple[str, str]]] = field(default_factory=dict, repr=False)
    _stemmed: dict[tuple[str, ...], set[str]] = field(default_factory=dict, repr=False)
    _zh: dict[str, list[tuple[str, set[str]]]] = field(default_factory=dict, repr=False)
    _len_raw: dict[str, tuple[int, ...]] = field(default_factory=dict, repr=False)
    _len_stem: dict[str, tuple[int, ...]] = field(default_factory=dict, repr=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Lexicon:
        """Build a lexicon from the parsed JSON document.

        Raises
        ------
        ValueError
            If the document is not in the lexicon format or names an unknown
            theme code.
        """
        if not isinstance(data, Mapping) or not isinstance(data.get("concepts"), Mapping):
            raise ValueError("lexicon must be an object with a 'concepts' object")
        lex = cls(concepts={}, version=int(data.get("version", 1)))
        for cid, entry in data["concepts"].items():
            themes = tuple(entry.get("themes", []) or [])
            unknown = [t for t in themes if t not in THEMES]
            if unknown:
                raise ValueError(f"lexicon concept {cid!r} has unknown theme(s) {unknown}")
            terms = entry.get("terms", {}) or {}
            english = [t for t in terms.get("en", []) if t]
            label = english[0] if english else cid.replace("_", " ")
            codes = tuple(c for c in entry.get("codes", []) or [] if isinstance(c, str))
            lex.concepts[cid] = Concept(cid, label, themes, float(entry.get("weight", 1.0)),
                                        codes)
            for lang, forms in terms.items():
                for form in forms or []:
                    lex._add_term(cid, str(form), lang)
        return lex

    @classmethod
    def load(cls, path: str | Path | None = None) -> Lexicon:
        """Load ``path``, or the packaged lexicon when ``path`` is None.

        The packaged lexicon is read and parsed once per process and the same
        object is returned afterwards: a loaded lexicon is never modified
        (only :meth:`from_dict` fills its indexes), so it is safe to share.
        """
        if path is not None:
            return cls.from_dict(json.loads(Path(path).read_text("utf-8")))
        if cls is Lexicon:
            return _packaged_lexicon()
        packaged = resources.files("matching").joinpath("data", DEFAULT_LEXICON)
        return cls.from_dict(json.loads(packaged.read_text("utf-8")))

    def _add_term(self, cid: str, form: str, lang: str) -> None:
        norm = normalize(form)
        if any(is_cjk(ch) for ch in norm):
            compact = "".join(norm.split())
            if compact:
                entries = self._zh.setdefault(compact[0], [])
                for term, cids in entries:
                    if term == compact:
                        cids.add(cid)
                        break
                else:
                    entries.append((compact, {cid}))
                    entries.sort(key=lambda e: -len(e[0]))
            return
        toks = words(norm)
        if not toks:
            return
        stems = tuple(stem(t, lang) for t in toks)
        # Stems are only comparable within one language (French "effectifs" and
        # English "effects" share a stem), so the stemmed index is keyed by the
        # language whose stemmer made them: the script's for Arabic and Cyrillic.
        stem_lang = script_language(toks[0]) or lang
        self._raw.setdefault(tuple(toks), []).append((cid, lang))
        self._stemmed.setdefault((stem_lang,) + stems, set()).add(cid)
        # Term lengths by first token, longest first: only those sizes are tried.
        for index, key in ((self._len_raw, toks[0]), (self._len_stem, (stem_lang, stems[0]))):
            index[key] = tuple(sorted(set(index.get(key, ())) | {len(toks)}, reverse=True))

    def find(self, tokens: list[str], token_stems: list[str],
             language: str = "en") -> dict[str, int]:
        """Count concept occurrences in a tokenised text.

        A term matches verbatim, or by its stems when the text is in the
        term's language. A verbatim single word of another language only
        counts if it is English (acronyms and loan words such as "ransomware"
        travel in every language), so that French "formation" does not match
        English "formation".

        Parameters
        ----------
        tokens, token_stems : list of str
            Normalised tokens of the text and their stems, stop words included
            (terms such as "chain of custody" contain them).
        language : str
            Language of the text (ISO 639-1).

        Returns
        -------
        counts : dict
            Concept id -> number of (longest, non-overlapping) matches.
        """
        counts: dict[str, int] = {}
        raw, stemmed, len_raw, len_stem = self._raw, self._stemmed, self._len_raw, self._len_stem
        i, n = 0, len(tokens)
        while i < n:
            step = 1
            slang = script_language(tokens[i]) or language
            lr, ls = len_raw.get(tokens[i], ()), len_stem.get((slang, token_stems[i]), ())
            if lr or ls:
                sizes = lr if not ls else ls if not lr else sorted(set(lr) | set(ls), reverse=True)
                for size in sizes:
                    if i + size > n:
                        continue
                    hit = None
                    if size in lr:
                        entries = raw.get(tuple(tokens[i:i + size]), ())
                        hit = {cid for cid, lang in entries
                               if size > 1 or lang == language or lang == "en"
                               or lang == slang} or None
                    if hit is None and size in ls:
                        hit = stemmed.get((slang,) + tuple(token_stems[i:i + size]))
                    if hit:
                        for cid in hit:
                            counts[cid] = counts.get(cid, 0) + 1
                        step = size
                        break
            i += step
        if self._zh:
            for run in tokens:
                if is_cjk(run):
                    self._find_chinese(run, counts)
        return counts

    def _find_chinese(self, run: str, counts: dict[str, int]) -> None:
        """Longest, non-overlapping Chinese terms in a run of Chinese characters."""
        i = 0
        while i < len(run):
            step = 1
            for term, cids in self._zh.get(run[i], ()):  # longest first
                if run.startswith(term, i):
                    for cid in cids:
                        counts[cid] = counts.get(cid, 0) + 1
                    step = len(term)
                    break
            i += step

    def infer_themes(self, counts: Mapping[str, int]) -> dict[str, float]:
        """Theme evidence of a text from its concept counts.

        Each concept spreads ``weight * (1 + log(count))`` evenly over its
        themes; the result is scaled so that the strongest theme is 1.
        """
        mass: dict[str, float] = {}
        for cid, count in counts.items():
            concept = self.concepts.get(cid)
            if concept is None or not concept.themes:
                continue
            share = concept.weight * (1.0 + math.log(count)) / len(concept.themes)
            for theme in concept.themes:
                mass[theme] = mass.get(theme, 0.0) + share
        top = max(mass.values(), default=0.0)
        return {t: m / top for t, m in mass.items()} if top > 0 else {}

    def infer_codes(self, counts: Mapping[str, int]) -> set[str]:
        """Modality and beneficiary codes that the text's concepts point to
        (the lexicon's optional ``codes`` of each concept)."""
        return {code for cid in counts for code in getattr(self.concepts.get(cid), "codes", ())}

    def concept_ids(self) -> list[str]:
        """Concept ids in a stable (sorted) order."""
        return sorted(self.concepts)

    def labels(self, ids: Iterable[str]) -> list[str]:
        """English labels of concept ids (unknown ids are skipped)."""
        return [self.concepts[c].label for c in ids if c in self.concepts]


@functools.lru_cache(maxsize=1)
def _packaged_lexicon() -> Lexicon:
    """The packaged lexicon, read and parsed once per process."""
    packaged = resources.files("matching").joinpath("data", DEFAULT_LEXICON)
    return Lexicon.from_dict(json.loads(packaged.read_text("utf-8")))
