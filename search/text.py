"""Text helpers for search: tokens, a light Indonesian stemmer, synonyms and highlighting.

Elasticsearch does this with its own analyzers; the embedded backend uses these, so both
backends agree on the everyday cases ("minuman" finds "minum", "coffee" finds "kopi").
"""
from __future__ import annotations

import functools
import html
import re
import unicodedata
from pathlib import Path

_WORD = re.compile(r"[0-9a-z]+")

STOPWORDS = frozenset(
    "dan atau yang di ke dari untuk dengan ini itu the and or of for with a an in to".split()
)


def fold(text: str) -> str:
    """Lower-case and strip accents."""
    text = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def tokens(text: str) -> list[str]:
    return _WORD.findall(fold(text))


_PARTICLES = ("lah", "kah", "tah", "pun")
_POSSESSIVES = ("nya", "ku", "mu")
_VOWELS = set("aiueo")


def _syllables(word: str) -> int:
    return sum(1 for c in word if c in _VOWELS)


def stem_id(word: str) -> str:
    """Stem an Indonesian word by removing particles, possessives, prefixes and suffixes.

    A rule-based stemmer in the style of Tala (2003), the algorithm Elasticsearch's `indonesian`
    analyzer also follows, applied only while at least two syllables remain.
    """
    if len(word) < 4 or not word.isalpha():
        return word
    for p in _PARTICLES:
        if word.endswith(p) and _syllables(word[: -len(p)]) >= 2:
            word = word[: -len(p)]
            break
    for p in _POSSESSIVES:
        if word.endswith(p) and _syllables(word[: -len(p)]) >= 2:
            word = word[: -len(p)]
            break
    prefix_removed = False
    for prefix, replacement in (("meng", ""), ("meny", "s"), ("men", ""), ("mem", ""), ("me", ""),
                                ("peng", ""), ("peny", "s"), ("pen", ""), ("pem", ""),
                                ("di", ""), ("ter", ""), ("ke", "")):
        if word.startswith(prefix):
            rest = replacement + word[len(prefix):]
            if prefix == "mem" and rest[:1] in _VOWELS:
                rest = "p" + rest
            if _syllables(rest) >= 2:
                word, prefix_removed = rest, True
            break
    for prefix in ("ber", "be", "per", "pe"):
        if word.startswith(prefix):
            rest = word[len(prefix):]
            if _syllables(rest) >= 2 and not (prefix == "be" and not rest.startswith("r") and prefix_removed):
                word = rest
            break
    for suffix in ("kan", "an", "i"):
        if word.endswith(suffix) and _syllables(word[: -len(suffix)]) >= 2:
            if suffix == "i" and not prefix_removed:
                # "-i" is a suffix only after a verb prefix; keeps nouns such as "kopi", "kari".
                continue
            word = word[: -len(suffix)]
            break
    return word


def stem_en(word: str) -> str:
    """A very light English stemmer: plural and common verb endings."""
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith("ss"):
                return word
            return word[: -len(suffix)] + repl
    return word


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
    configured = app_config.get("SEARCH_SYNONYMS_FILE")
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
