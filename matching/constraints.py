"""Hard constraints between a need and an offer.

An offer that breaks a hard constraint is not a match, however similar the
texts (DATA_FORMAT.md, "Hard constraints"). The rules are exactly those of
``eval/validate.py``:

* ``language``: the two ``working_languages`` lists must intersect (the
  language the text is written in does not matter);
* ``not_eligible``: a non-empty ``eligible_countries`` must list the State;
* ``excluded``: ``excluded_countries`` must not list it;
* ``outside_regions``: a non-empty ``regions`` must contain the State's UN
  M49 continental region;
* ``delivery``: when both ``delivery`` lists are non-empty they must
  intersect (empty means either mode);
* ``window``: when both sides give a window (a start or an end), the windows
  must overlap; months are inclusive and a missing bound is open-ended.

:func:`violations` checks one pair and explains itself; :class:`FeasibilityIndex`
precomputes per-offer arrays once so that a need can be checked against
100,000 offers with a few vectorised numpy operations.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse

from matching.records import COUNTRY_REGION, DELIVERY_MODES, MONTH_RE, REGIONS

__all__ = [
    "CONSTRAINT_CODES",
    "FeasibilityIndex",
    "Violation",
    "is_feasible",
    "violations",
]

CONSTRAINT_CODES = ("language", "not_eligible", "excluded", "outside_regions",
                    "delivery", "window")

_OPEN_START = -(2**31)
_OPEN_END = 2**31 - 1
_REGION_BITS = {code: 1 << i for i, code in enumerate(REGIONS)}
_DELIVERY_BITS = {code: 1 << i for i, code in enumerate(DELIVERY_MODES)}


@dataclass(frozen=True)
class Violation:
    """A broken hard constraint.

    Attributes
    ----------
    code : str
        One of :data:`CONSTRAINT_CODES`; stable, for translation.
    params : dict
        The values the message is built from.
    text : str
        English message naming the constraint and the values that break it.
    """

    code: str
    params: dict = field(default_factory=dict, compare=False)
    text: str = ""


def _codes(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _month(value: Any) -> int | None:
    """``YYYY-MM`` as a month number, or None when absent or malformed."""
    if not (isinstance(value, str) and MONTH_RE.match(value)):
        return None
    return int(value[:4]) * 12 + int(value[5:7]) - 1


def window(record: Mapping[str, Any]) -> tuple[str, str] | None:
    """The record's window as inclusive ``(start, end)`` month strings.

    None when the record gives no window (no start and no end) or an inverted
    one; a missing bound is open-ended (``0000-01`` / ``9999-12``).
    """
    start, end = record.get("start"), record.get("end")
    start = start if isinstance(start, str) and MONTH_RE.match(start) else None
    end = end if isinstance(end, str) and MONTH_RE.match(end) else None
    if start is None and end is None:
        return None
    if start and end and start > end:
        return None
    return (start or "0000-01", end or "9999-12")


def _labels(codes: Sequence[str], table: Mapping[str, Any]) -> str:
    return ", ".join(table[c].label.lower() if c in table else c for c in codes)


def violations(need: Mapping[str, Any], offer: Mapping[str, Any]) -> list[Violation]:
    """Return every hard constraint that the pair breaks, in a fixed order.

    An empty list means the pair is admissible; it says nothing about
    relevance.
    """
    found: list[Violation] = []
    need_langs, offer_langs = _codes(need.get("working_languages")), _codes(
        offer.get("working_languages"))
    if not set(need_langs) & set(offer_langs):
        found.append(Violation(
            "language", {"need": need_langs, "offer": offer_langs},
            f"no shared working language (need: {', '.join(need_langs) or 'none'}; "
            f"offer: {', '.join(offer_langs) or 'none'})"))

    country = need.get("country") if isinstance(need.get("country"), str) else None
    eligible = _codes(offer.get("eligible_countries"))
    if eligible and country not in eligible:
        found.append(Violation(
            "not_eligible", {"country": country, "eligible": eligible},
            f"{country} is not among the offer's eligible countries "
            f"({', '.join(eligible)})"))
    if country in _codes(offer.get("excluded_countries")):
        found.append(Violation(
            "excluded", {"country": country},
            f"{country} is in the offer's excluded countries"))
    regions = _codes(offer.get("regions"))
    region = COUNTRY_REGION.get(country) if country else None
    if regions and region not in regions:
        found.append(Violation(
            "outside_regions", {"country": country, "region": region, "regions": regions},
            f"{country} ({region or 'no region'}) is outside the offer's regions "
            f"({', '.join(regions)})"))

    need_modes, offer_modes = _codes(need.get("delivery")), _codes(offer.get("delivery"))
    if need_modes and offer_modes and not set(need_modes) & set(offer_modes):
        found.append(Violation(
            "delivery", {"need": need_modes, "offer": offer_modes},
            f"delivery modes do not match (need: {_labels(need_modes, DELIVERY_MODES)}; "
            f"offer: {_labels(offer_modes, DELIVERY_MODES)})"))

    need_win, offer_win = window(need), window(offer)
    if need_win and offer_win and (need_win[0] > offer_win[1] or offer_win[0] > need_win[1]):
        found.append(Violation(
            "window", {"need": list(need_win), "offer": list(offer_win)},
            f"availability windows do not overlap (need: {_show(need_win)}; "
            f"offer: {_show(offer_win)})"))
    return found


def _show(win: tuple[str, str]) -> str:
    start = "open" if win[0] == "0000-01" else win[0]
    end = "open" if win[1] == "9999-12" else win[1]
    return f"{start} to {end}"


def is_feasible(need: Mapping[str, Any], offer: Mapping[str, Any]) -> bool:
    """True when the pair breaks no hard constraint."""
    return not violations(need, offer)


def _window_bounds(record: Mapping[str, Any]) -> tuple[bool, int, int]:
    win = window(record)
    if win is None:
        return False, _OPEN_START, _OPEN_END
    start = _month(win[0]) if win[0] != "0000-01" else _OPEN_START
    end = _month(win[1]) if win[1] != "9999-12" else _OPEN_END
    return True, start, end


class FeasibilityIndex:
    """Per-offer arrays for vectorised hard-constraint checks.

    Languages are columns of a dense boolean matrix (checked as bitsets),
    countries of sparse ones (binary-searched), regions and delivery modes
    bitsets, windows month numbers; :meth:`mask` answers "which of these
    offers can serve this need", and :meth:`mask_pairs` the same for the
    candidates of many needs at once, without a Python loop over offers.
    Rows follow the order of the offers given to :meth:`fit` and
    :meth:`append`; :meth:`keep` drops rows.
    """

    def __init__(self) -> None:
        self.languages_: dict[str, int] = {}
        self.countries_: dict[str, int] = {c: i for i, c in enumerate(sorted(COUNTRY_REGION))}
        self.n_ = 0

    def fit(self, offers: Sequence[Mapping[str, Any]]) -> FeasibilityIndex:
        """Precompute the arrays of ``offers``."""
        self.n_ = 0
        self._lang = np.zeros((0, 0), dtype=bool)
        self._eligible = sparse.csc_matrix((0, len(self.countries_)), dtype=bool)
        self._excluded = sparse.csc_matrix((0, len(self.countries_)), dtype=bool)
        self._has_eligible = np.zeros(0, dtype=bool)
        self._regions = np.zeros(0, dtype=np.uint8)
        self._delivery = np.zeros(0, dtype=np.uint8)
        self._has_window = np.zeros(0, dtype=bool)
        self._start = np.zeros(0, dtype=np.int64)
        self._end = np.zeros(0, dtype=np.int64)
        return self.append(offers)

    def append(self, offers: Sequence[Mapping[str, Any]]) -> FeasibilityIndex:
        """Add rows for ``offers`` after the existing ones."""
        for offer in offers:
            for lang in _codes(offer.get("working_languages")):
                self.languages_.setdefault(lang, len(self.languages_))
        n_new = len(offers)
        # Languages are few (tens at most): a dense boolean matrix is small and fast.
        lang = np.zeros((n_new, len(self.languages_)), dtype=bool)
        for i, offer in enumerate(offers):
            lang[i, [self.languages_[x] for x in _codes(offer.get("working_languages"))]] = True
        elig = _bool_rows([[self.countries_[c] for c in _codes(o.get("eligible_countries"))
                            if c in self.countries_] for o in offers], len(self.countries_))
        excl = _bool_rows([[self.countries_[c] for c in _codes(o.get("excluded_countries"))
                            if c in self.countries_] for o in offers], len(self.countries_))
        old_lang = np.zeros((self._lang.shape[0], len(self.languages_)), dtype=bool)
        old_lang[:, :self._lang.shape[1]] = self._lang
        self._lang = np.vstack([old_lang, lang])
        self._eligible = sparse.vstack([self._eligible, elig], format="csc")
        self._excluded = sparse.vstack([self._excluded, excl], format="csc")
        for matrix in (self._eligible, self._excluded):
            matrix.sort_indices()
        self._has_eligible = np.concatenate(
            [self._has_eligible, np.array([bool(_codes(o.get("eligible_countries")))
                                           for o in offers], dtype=bool)])
        self._regions = np.concatenate([self._regions, np.array(
            [_bits(o.get("regions"), _REGION_BITS) for o in offers], dtype=np.uint8)])
        self._delivery = np.concatenate([self._delivery, np.array(
            [_bits(o.get("delivery"), _DELIVERY_BITS) for o in offers], dtype=np.uint8)])
        bounds = np.array([_window_bounds(o) for o in offers], dtype=np.int64).reshape(n_new, 3)
        self._has_window = np.concatenate([self._has_window, bounds[:, 0].astype(bool)])
        self._start = np.concatenate([self._start, bounds[:, 1]])
        self._end = np.concatenate([self._end, bounds[:, 2]])
        self.n_ += n_new
        self._pack()
        return self

    def keep(self, rows: np.ndarray) -> FeasibilityIndex:
        """Keep only ``rows`` (a boolean mask or index array), in that order."""
        rows = np.flatnonzero(rows) if rows.dtype == bool else rows
        self._lang = self._lang[rows]
        self._eligible = self._eligible.tocsr()[rows].tocsc()
        self._excluded = self._excluded.tocsr()[rows].tocsc()
        for matrix in (self._eligible, self._excluded):
            matrix.sort_indices()
        for name in ("_has_eligible", "_regions", "_delivery", "_has_window", "_start", "_end"):
            setattr(self, name, getattr(self, name)[rows])
        self.n_ = len(rows)
        self._pack()
        return self

    def _pack(self) -> None:
        """Derive the compact forms :meth:`mask_pairs` reads.

        Languages become bitsets (one 64-bit word holds 64 languages), so a
        pair is checked with one AND; country lists become sorted keys, so
        that many pairs are checked with one binary search.
        """
        self._lang_bits = _pack_bits(self._lang)
        self._eligible_keys = _sorted_keys(self._eligible)
        self._excluded_keys = _sorted_keys(self._excluded)
        self._has_excluded = np.bincount(self._excluded.indices, minlength=self.n_) > 0

    def mask(self, need: Mapping[str, Any], rows: np.ndarray | None = None) -> np.ndarray:
        """Boolean array: which offers (all, or ``rows``) the need may receive.

        Parameters
        ----------
        need : dict
            A need record.
        rows : array of int, optional
            Offer rows to check; all offers when None.
        """
        idx = np.arange(self.n_) if rows is None else np.asarray(rows, dtype=np.intp)
        return self.mask_pairs([need], np.zeros(len(idx), dtype=np.intp), idx)

    def mask_pairs(self, needs: Sequence[Mapping[str, Any]], owner: np.ndarray,
                   rows: np.ndarray) -> np.ndarray:
        """Boolean array: which pairs ``(needs[owner[p]], offer rows[p])`` are admissible.

        One set of numpy operations checks the pairs of many needs at once:
        ranking a batch of needs asks about a few hundred candidates per need,
        and a call per need would cost more in overhead than in checking.

        Parameters
        ----------
        needs : list of dict
            Need records.
        owner : array of int
            For each pair, the position of its need in ``needs``.
        rows : array of int
            For each pair, the offer row.
        """
        owner = np.asarray(owner, dtype=np.intp)
        rows = np.asarray(rows, dtype=np.intp)
        side = _need_arrays(needs, self.languages_, self.countries_)
        ok = ((self._lang_bits[rows] & side["languages"][owner]) != 0).any(axis=1)
        regions = self._regions[rows]
        ok &= (regions == 0) | ((regions & side["region"][owner]) != 0)
        modes, need_modes = self._delivery[rows], side["delivery"][owner]
        ok &= (need_modes == 0) | (modes == 0) | ((modes & need_modes) != 0)
        has_window = side["has_window"][owner] & self._has_window[rows]
        ok &= ~has_window | ((self._start[rows] <= side["end"][owner])
                             & (side["start"][owner] <= self._end[rows]))
        # Country lists are rare: look up only the pairs whose offer has one.
        col = side["country"][owner]
        listed = np.flatnonzero(self._has_eligible[rows])
        ok[listed] &= _pairs_in(self._eligible_keys, self.n_, rows[listed], col[listed])
        listed = np.flatnonzero(self._has_excluded[rows])
        ok[listed] &= ~_pairs_in(self._excluded_keys, self.n_, rows[listed], col[listed])
        return ok


def _need_arrays(needs: Sequence[Mapping[str, Any]], languages: Mapping[str, int],
                 countries: Mapping[str, int]) -> dict[str, np.ndarray]:
    """The needs' side of the constraints as arrays, one entry per need.

    A need without a known country gets column -1 and region bit 0 (so that it
    passes no region rule and no eligibility list, as :func:`violations` says).
    """
    n = len(needs)
    langs = np.zeros((n, max(len(languages), 1)), dtype=bool)
    country = np.full(n, -1, dtype=np.intp)
    region = np.zeros(n, dtype=np.uint8)
    delivery = np.zeros(n, dtype=np.uint8)
    bounds = np.empty((n, 3), dtype=np.int64)
    for i, need in enumerate(needs):
        langs[i, [languages[x] for x in _codes(need.get("working_languages"))
                  if x in languages]] = True
        code = need.get("country")
        if isinstance(code, str):
            country[i] = countries.get(code, -1)
            region[i] = _REGION_BITS.get(COUNTRY_REGION.get(code) or "", 0)
        delivery[i] = _bits(need.get("delivery"), _DELIVERY_BITS)
        bounds[i] = _window_bounds(need)
    return {"languages": _pack_bits(langs), "country": country, "region": region,
            "delivery": delivery, "has_window": bounds[:, 0].astype(bool),
            "start": bounds[:, 1], "end": bounds[:, 2]}


def _bits(value: Any, table: Mapping[str, int]) -> int:
    out = 0
    for code in _codes(value):
        out |= table.get(code, 0)
    return out


def _bool_rows(rows: list[list[int]], n_cols: int) -> sparse.csr_matrix:
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(r) for r in rows])
    indices = np.array([c for r in rows for c in r], dtype=np.int64)
    data = np.ones(len(indices), dtype=bool)
    return sparse.csr_matrix((data, indices, indptr), shape=(len(rows), n_cols))


def _pack_bits(flags: np.ndarray) -> np.ndarray:
    """Rows of a boolean matrix as bitsets: an (n, ceil(columns / 64)) uint64 array."""
    n_words = max(1, -(-flags.shape[1] // 64))
    out = np.zeros((flags.shape[0], n_words), dtype=np.uint64)
    for j in range(flags.shape[1]):
        out[flags[:, j], j // 64] |= np.uint64(1 << (j % 64))
    return out


def _sorted_keys(matrix: sparse.csc_matrix) -> np.ndarray:
    """The set entries of a CSC matrix with sorted indices as sorted keys
    ``column * n_rows + row``."""
    return (np.repeat(np.arange(matrix.shape[1], dtype=np.int64), np.diff(matrix.indptr))
            * np.int64(matrix.shape[0]) + matrix.indices)


def _pairs_in(keys: np.ndarray, n_rows: int, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Whether entry ``(rows[p], cols[p])`` is among the sorted ``keys``
    (see :func:`_sorted_keys`), for each pair ``p``; negative ``cols`` never are.

    One binary search for all pairs: the cost grows with the pairs asked
    about and the (few) set entries, not with the size of the collection.
    """
    if len(keys) == 0 or len(rows) == 0:
        return np.zeros(len(rows), dtype=bool)
    asked = np.asarray(cols, dtype=np.int64) * n_rows + np.asarray(rows, dtype=np.int64)
    pos = np.minimum(np.searchsorted(keys, asked), len(keys) - 1)
    return (keys[pos] == asked) & (np.asarray(cols) >= 0)
