"""Text normalisation, tokenisation and stemming shared by every text layer.

One function turns any text into comparable tokens, whatever its script, so
that the TF-IDF layers, the lexicon matcher and the vocabulary-level typo
repair all agree on what a "term" is:

* lowercase and NFKC; accents stripped from Latin letters only (so that
  Cyrillic ``й`` survives); Cyrillic ``ё`` becomes ``е``; Arabic diacritics,
  tatweel and hamza-carrying alef forms are folded, ``ة`` becomes ``ه`` and
  ``ى`` becomes ``ي``;
* words are runs of letters and digits; a run of Chinese characters is kept
  whole for substring matching and cut into character bigrams for TF-IDF,
  because Chinese has no spaces;
* stems come from the Snowball stemmer of the word's script or of the text's
  language (falling back to a light suffix trimmer when ``snowballstemmer`` is
  not installed). Stems are cached per (language, word).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

try:  # pragma: no cover - exercised implicitly
    import snowballstemmer as _snowball
except ImportError:  # pragma: no cover
    _snowball = None

_LATIN_MARKS = re.compile(r"([A-Za-z\u00c0-\u024f])[\u0300-\u036f]+")
_ARABIC_DIACRITICS = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي",
                              "ؤ": "و", "ئ": "ي"})
_CJK_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(f"[{_CJK_CHARS}]+|[^\\W_{_CJK_CHARS}]+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_ARABIC_PREFIXES = ("وال", "بال", "كال", "فال", "لل", "ال")

SNOWBALL_NAMES = {
    "en": "english", "fr": "french", "es": "spanish", "pt": "portuguese",
    "ru": "russian", "ar": "arabic",
}

# Short function-word lists for the languages of the texts. scikit-learn only
# ships English; these lists are deliberately small (pronouns, articles,
# prepositions, auxiliaries, and words every request or offer uses).
STOP_WORDS: frozenset[str] = frozenset(
    """
    a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    few for from further had has have having he her here hers him his how i if in into is
    it its itself just me more most my no nor not of off on once only or other our ours
    out over own same she should so some such than that the their theirs them then there
    these they this those through to too under until up very was we were what when where
    which while who whom why will with would you your yours us per via may must within
    well shall upon also including include includes etc based one two three new use
    le la les un une des du de et ou en au aux dans par pour sur avec sans sous est sont
    ce cet cette ces qui que quoi dont leur leurs nous vous ils elles il elle son sa ses
    notre nos votre vos ne pas plus ainsi afin entre comme tout tous toute toutes
    el los las unos unas del al y o en por para con sin sobre es son este esta estos
    estas ese esa que cual cuyo su sus nuestro nuestra nuestros nuestras como mas muy
    se lo le les entre desde hasta tambien todo todos toda todas
    os um uma uns umas do da dos das no na nos nas e ou em por para com sem sobre sao
    este esta isto esse essa que qual seu sua seus suas nosso nossa como mais muito
    и в во на с со по к ко о об от до из за для не но а или что как это эти этот эта
    его ее их мы вы они он она при также так же все всех быть был была были который
    которые которая которых
    في من على الى عن مع هذا هذه ذلك تلك التي الذي الذين او و ثم كما قد لا ما هو هي هم
    نحن كان كانت ان بين عند كل بعض غير لدى حتى
    的 和 与 及 在 了 是 为 对 等 或
    """.split()
)


def normalize(text: str) -> str:
    """Return ``text`` folded for matching (see the module docstring)."""
    text = unicodedata.normalize("NFKC", text).lower().replace("ё", "е")
    decomposed = unicodedata.normalize("NFD", text)
    text = unicodedata.normalize("NFC", _LATIN_MARKS.sub(r"\1", decomposed))
    if _ARABIC.search(text):
        text = _ARABIC_DIACRITICS.sub("", text).translate(_ARABIC_FOLD)
    return text


def words(text: str) -> list[str]:
    """Split already-normalised text into word tokens (Chinese runs kept whole)."""
    return _TOKEN.findall(text)


def is_cjk(token: str) -> bool:
    """True if the token is (starts with) a Chinese character."""
    if not token:
        return False
    c = token[0]
    return "\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff"


@lru_cache(maxsize=200_000)
def script_language(token: str) -> str | None:
    """``"ar"`` or ``"ru"`` for Arabic or Cyrillic words (whose stemmer the script
    decides), None otherwise."""
    if _ARABIC.match(token):
        return "ar"
    if _CYRILLIC.match(token):
        return "ru"
    return None


def cjk_bigrams(run: str) -> list[str]:
    """Character bigrams of a Chinese run (a single character yields itself)."""
    if len(run) < 2:
        return [run]
    return [run[i:i + 2] for i in range(len(run) - 1)]


def _light_stem(word: str) -> str:
    """Suffix trimmer used only when Snowball is not available."""
    for suffix in ("ations", "ation", "ings", "ing", "ies", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word[:8]


_LOCAL = threading.local()


def _stemmer(name: str):
    """A Snowball stemmer for this thread (stemmer objects keep state while working)."""
    if _snowball is None:
        return None
    cache = getattr(_LOCAL, "stemmers", None)
    if cache is None:
        cache = _LOCAL.stemmers = {}
    if name not in cache:
        cache[name] = _snowball.stemmer(name)
    return cache[name]


@lru_cache(maxsize=500_000)
def stem(word: str, language: str = "en") -> str:
    """Stem one normalised word.

    The script decides for Arabic and Cyrillic words; Latin words use the
    text's ``language`` (English when the text is in a non-Latin language, as
    Latin words inside Arabic or Chinese text are usually English acronyms or
    loan words). Digits and Chinese runs are returned unchanged.
    """
    if word.isdigit() or is_cjk(word):
        return word
    if _ARABIC.match(word):
        for prefix in _ARABIC_PREFIXES:
            if word.startswith(prefix) and len(word) - len(prefix) >= 3:
                word = word[len(prefix):]
                break
        name = "arabic"
    elif _CYRILLIC.match(word):
        name = "russian"
    else:
        name = SNOWBALL_NAMES.get(language, "english")
        if name in ("russian", "arabic"):
            name = "english"
    if len(word) <= 3:
        return word
    stemmer = _stemmer(name)
    if stemmer is None:
        return _light_stem(word)
    return stemmer.stemWord(word)


def stems(text: str, language: str = "en", *, stop_words: bool = True) -> list[str]:
    """Normalise, tokenise and stem ``text``; Chinese runs become bigrams."""
    out: list[str] = []
    for token in words(normalize(text)):
        if is_cjk(token):
            out.extend(cjk_bigrams(token))
        elif not (stop_words and token in STOP_WORDS):
            out.append(stem(token, language))
    return out
