"""Text helpers for search: tokens, Indonesian and English stems, synonyms and highlighting.

Elasticsearch does this with its own analyzers; the embedded backend uses these (Snowball's
Indonesian and English stemmers, the same algorithms as Elasticsearch's), at indexing and at
query time alike, so both backends agree on the everyday cases ("minuman" finds "minum",
"coffee" finds "kopi", "meja" does not find "kemeja").
"""
from __future__ import annotations

import functools
import html
import re
import threading
import unicodedata
from pathlib import Path

import snowballstemmer

_WORD = re.compile(r"[0-9a-z]+")

STOPWORDS = frozenset(
    "dan atau yang di ke dari untuk dengan ini itu the and or of for with a an in to".split()
)


def fold(text: str) -> str:
    """Lower-case and strip accents."""
    text = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def tokens(text: str) -> list[str]:
    """The folded words and numbers of `text`."""
    return _WORD.findall(fold(text))


#: Indonesian words kept whole: their ke-/pe-/te-/me- or -an/-i is part of the root, and
#: stemming would turn them into other words ("kemeja" shirt -> "meja" table, "kelapa" ->
#: "lapa", "durian" -> "duri" thorn, "terasi" -> "asi"). Elasticsearch gets the same list as a
#: keyword_marker filter before its Indonesian stemmer, so both backends agree.
WHOLE_WORDS = frozenset("""
belacan durian kebaya kecapi kecombrang kedelai kedondong kelambu kelapa kelengkeng kemangi
kemeja kemenyan kenari kepiting kerajinan keramik kerbau keripik kerudung kerupuk kesemek
ketela lemari mentega merica pelita pepaya selai terasi
""".split())

_stemmers = threading.local()


def _stemmer(language: str):
    # Snowball stemmer objects keep state between calls: one per thread.
    found = getattr(_stemmers, language, None)
    if found is None:
        found = snowballstemmer.stemmer(language)
        setattr(_stemmers, language, found)
    return found


@functools.lru_cache(maxsize=100_000)
def stem_id(word: str) -> str:
    """The Indonesian stem of a folded word (Snowball's Indonesian stemmer, the Tala (2003)
    algorithm that Elasticsearch's `indonesian` stemmer also follows), except WHOLE_WORDS."""
    if not word.isalpha() or word in WHOLE_WORDS:
        return word
    return _stemmer("indonesian").stemWord(word)


@functools.lru_cache(maxsize=100_000)
def stem_en(word: str) -> str:
    """The English stem of a folded word (Snowball's English stemmer, Porter2, as Elasticsearch's
    `english` stemmer)."""
    if not word.isalpha():
        return word
    return _stemmer("english").stemWord(word)


def stems(text: str) -> list[str]:
    """Index/search terms for bilingual text: each token's Indonesian and English stem."""
    out = []
    for tok in tokens(text):
        if tok in STOPWORDS:
            continue
        out.append(stem_id(tok))
        en = stem_en(tok)
        if en != out[-1]:
            out.append(en)
    return out


def synonyms_file(app_config) -> Path:
    """The synonyms file: SEARCH_SYNONYMS_FILE, else the one shipped beside this module."""
    configured = app_config["SEARCH_SYNONYMS_FILE"]
    return Path(configured) if configured else Path(__file__).with_name("synonyms.txt")


@functools.lru_cache(maxsize=8)
def _load_groups(path: str, mtime: float) -> tuple[tuple[str, ...], ...]:
    groups = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        words = tuple(w.strip().lower() for w in line.split(",") if w.strip())
        if len(words) > 1:
            groups.append(words)
    return tuple(groups)


def synonym_groups(app_config) -> tuple[tuple[str, ...], ...]:
    """The synonym groups from the configured file (re-read when the file changes)."""
    path = synonyms_file(app_config)
    return _load_groups(str(path), path.stat().st_mtime)


def es_synonym_rules(app_config) -> list[str]:
    """The groups in Solr synonym syntax, for Elasticsearch's synonym_graph filter."""
    return [", ".join(group) for group in synonym_groups(app_config)]


def highlight(text: str, terms: set[str], limit: int | None = None) -> str | None:
    """HTML-escaped `text` with words whose stem is in `terms` wrapped in <em>, or None."""
    if not text:
        return None
    if limit and len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + "…"
    found = False
    parts = []
    for piece in re.split(r"(\W+)", text):
        key = fold(piece)
        if key and (stem_id(key) in terms or stem_en(key) in terms or key in terms):
            parts.append(f"<em>{html.escape(piece)}</em>")
            found = True
        else:
            parts.append(html.escape(piece))
    return "".join(parts) if found else None
