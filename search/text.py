"""Text helpers for search: tokens, Indonesian and English stems, synonyms and highlighting.

Elasticsearch does this with its own analyzers; the embedded backend uses these (Snowball's
Indonesian and English stemmers, the same algorithms as Elasticsearch's), at indexing and at
query time alike, so both backends agree on the everyday cases ("minuman" finds "minum",
"coffee" finds "kopi", "meja" does not find "kemeja").
"""
from __future__ import annotations

import functools
import html
import itertools
import re
import threading
import unicodedata
from pathlib import Path

import snowballstemmer
from markupsafe import Markup, escape

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


def _matches(piece: str, terms: set[str]) -> bool:
    key = fold(piece)
    return bool(key) and (stem_id(key) in terms or stem_en(key) in terms or key in terms)


def _window(text: str, around: int, limit: int) -> tuple[int, int]:
    """About `limit` characters of `text` holding position `around` (a third of the way in),
    both ends moved to word boundaries."""
    start = max(0, around - limit // 3)
    if start:
        space = text.find(" ", start, around + 1)
        start = space + 1 if space >= 0 else start
    end = min(len(text), start + limit)
    if end < len(text):
        space = text.rfind(" ", start + limit // 2, end + 1)
        end = space if space > 0 else end
    return start, end


def highlight(text: str, terms: set[str], limit: int | None = None) -> str | None:
    """HTML-escaped `text` with words whose stem is in `terms` wrapped in <em>, or None.

    With `limit`, a longer text is cut to about that many characters around its first match,
    as Elasticsearch's highlighter makes a fragment (and, like it, with no "…" added).
    """
    if not text:
        return None
    pieces = re.split(r"(\W+)", text)
    first = next((i for i, piece in enumerate(pieces) if _matches(piece, terms)), None)
    if first is None:
        return None
    if limit and len(text) > limit:
        start, end = _window(text, sum(len(p) for p in pieces[:first]), limit)
        pieces = re.split(r"(\W+)", text[start:end].strip())
    return "".join(f"<em>{html.escape(piece)}</em>" if _matches(piece, terms)
                   else html.escape(piece) for piece in pieces)


#: visible characters of a result card's snippet (two lines of a phone's card, with room)
SNIPPET_CHARS = 140
_MARK = re.compile(r"(</?em>)")
_SPACES = re.compile(r"\s+")


def _runs(fragment: str) -> list[tuple[str, bool]]:
    """A highlighter's HTML fragment as (text, marked) runs. `<em>` and `</em>` are the only
    markup read; everything else is text (unescaped here, escaped again by `marked`)."""
    runs, marked = [], False
    for piece in _MARK.split(fragment):
        if piece in ("<em>", "</em>"):
            marked = piece == "<em>"
        elif piece:
            runs.append((html.unescape(piece), marked))
    return runs


def marked(fragment: str | None, plain: str, limit: int | None = None) -> Markup:
    """Safe HTML for a result card: the highlighted `fragment` of a field (from either backend)
    or, without one, the field's `plain` text; whitespace collapsed.

    Whatever the fragment holds, the output's only tags are `<em>`: its text is escaped anew.
    With `limit` it is cut to at most that many characters on a word boundary, keeping the
    first match in view, and "…" marks a cut (also when the fragment starts inside the field).
    """
    plain = _SPACES.sub(" ", plain or "").strip()
    runs = _runs(fragment) if fragment else [(plain[:(limit or len(plain)) * 2], False)]
    text, flags = "", []
    for run_text, is_marked in runs:
        run_text = _SPACES.sub(" ", run_text)
        if text.endswith(" ") and run_text.startswith(" "):
            run_text = run_text[1:]
        text += run_text
        flags += [is_marked] * len(run_text)
    start, end = len(text) - len(text.lstrip()), len(text.rstrip())
    # a fragment from inside the field is marked as such
    prefix = "…" if fragment and not plain.startswith(text[start:end][:40]) else ""
    suffix = "…" if len(plain) > end - start and not plain.endswith(text[start:end][-40:]) else ""
    if limit and end - start > limit:
        first = flags.index(True, start) if True in flags[start:end] else start
        if first - start > limit - 40:  # the first match would sit at the very end, or past it
            window_start, _end = _window(text, first, limit)
            start, prefix = max(start, window_start), "…"
        cut = text.rfind(" ", start + limit // 2, start + limit + 1)
        if start + limit < end:
            end, suffix = (cut if cut > 0 else start + limit), "…"
    while end > start and text[end - 1] in " ,;:-":
        end -= 1
    out = []
    for is_marked, group in itertools.groupby(range(start, end), key=flags.__getitem__):
        indices = list(group)
        piece = str(escape(text[indices[0]:indices[-1] + 1]))
        out.append(f"<em>{piece}</em>" if is_marked else piece)
    return Markup(prefix + "".join(out) + suffix)
