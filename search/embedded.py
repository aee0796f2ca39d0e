"""The embedded search backend: SQLite FTS5 in a file of its own, for small-scale mode.

It serves when ELASTICSEARCH_URL is not set (the `make run` default) and while Elasticsearch is
down. It keeps its own index file (SEARCH_INDEX_PATH), fed by the same outbox as Elasticsearch,
whatever database the marketplace itself runs on. Text goes through `search.text` (Indonesian
and English stems, synonyms, typo correction against the indexed words), so the everyday cases
behave as they do on Elasticsearch. Suited to tens of thousands of products on one machine.
"""
from __future__ import annotations

import difflib
import json
import logging
import math
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from search import text as t
from search.backend import SearchBackend
from search.facets import FacetLabels, price_bucket_label, price_bucket_value
from search.query import PRICE_BUCKETS, SearchQuery, SearchResult

log = logging.getLogger(__name__)

#: The index format and text analysis the file was built with, kept in SQLite's user_version.
#: Bump it when SCHEMA or `search.text`'s analysis changes: a file of another version is emptied
#: and laid anew on open (`flask search reindex --if-empty`, run at start, fills it again).
#: 2: Snowball stemmers and WHOLE_WORDS (1, or 0 for files from before: the hand-written stemmer).
INDEX_VERSION = 2

TABLES = ("docs", "doc_category", "doc_event", "words", "fts")

SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
  id INTEGER PRIMARY KEY, version INTEGER NOT NULL, body TEXT NOT NULL,
  store_slug TEXT, province TEXT, regency TEXT, scale TEXT,
  verified INTEGER, halal INTEGER, export_ready INTEGER, in_stock INTEGER,
  price INTEGER, sold INTEGER, created TEXT
);
CREATE TABLE IF NOT EXISTS doc_category (id INTEGER, slug TEXT, PRIMARY KEY (slug, id));
CREATE TABLE IF NOT EXISTS doc_event (id INTEGER, slug TEXT, PRIMARY KEY (slug, id));
CREATE TABLE IF NOT EXISTS words (word TEXT PRIMARY KEY);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(
  title, body, raw_title, tokenize = 'unicode61 remove_diacritics 2'
);
CREATE INDEX IF NOT EXISTS ix_docs_price ON docs (price);
CREATE INDEX IF NOT EXISTS ix_docs_created ON docs (created);
CREATE INDEX IF NOT EXISTS ix_doc_category_id ON doc_category (id);
"""

FACETS = ("category", "province", "regency", "store", "scale", "halal", "export_ready",
          "verified", "in_stock", "event")
_COLUMN = {"province": "province", "regency": "regency", "store": "store_slug", "scale": "scale",
           "halal": "halal", "export_ready": "export_ready", "verified": "verified",
           "in_stock": "in_stock"}


def iter_chunks(items: Iterable, size: int) -> Iterator[list]:
    """`items` in lists of at most `size`."""
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _stem_text(*parts: str) -> str:
    return " ".join(t.stems(" ".join(p for p in parts if p)))


class EmbeddedBackend(SearchBackend):
    name = "embedded"

    def __init__(self, path: str, app_config):
        self.path = path
        self.config = app_config
        self._local = threading.local()
        self._write_lock = threading.Lock()
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._lay_out(self._connect())

    def _lay_out(self, conn: sqlite3.Connection) -> None:
        """Create the tables; first drop them if the file was built with another INDEX_VERSION."""
        with self._write_lock:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version != INDEX_VERSION:
                stale = conn.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' "
                                     "AND name = 'docs'").fetchone()[0]
                if stale:
                    log.warning("search index %s has format %d, this code needs %d: emptied, "
                                "run `flask search reindex`", self.path, version, INDEX_VERSION)
                    with conn:
                        for table in TABLES:
                            conn.execute(f"DROP TABLE IF EXISTS {table}")
            conn.executescript(SCHEMA)
            conn.execute(f"PRAGMA user_version = {INDEX_VERSION}")
            conn.commit()

    @classmethod
    def from_config(cls, config) -> EmbeddedBackend:
        """The backend on the app's SEARCH_INDEX_PATH file."""
        return cls(config["SEARCH_INDEX_PATH"], config)

    # --- connections ----------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.create_function("ln1p", 1, lambda x: math.log1p(x or 0), deterministic=True)
            self._local.conn = conn
        return conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def healthy(self) -> bool:
        return True

    def document_count(self) -> int:
        return self._connect().execute("SELECT COUNT(*) FROM docs").fetchone()[0]

    # --- writing --------------------------------------------------------------------------

    def _write(self, conn: sqlite3.Connection, docs: list[dict], *, check_version: bool) -> None:
        ids = [d["id"] for d in docs]
        if check_version and ids:
            marks = ",".join("?" * len(ids))
            current = dict(conn.execute(f"SELECT id, version FROM docs WHERE id IN ({marks})", ids))
            docs = [d for d in docs if current.get(d["id"], -1) <= d["version"]]
            ids = [d["id"] for d in docs]
        if not ids:
            return
        self._remove(conn, ids)
        conn.executemany(
            "INSERT INTO docs VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [(d["id"], d["version"], json.dumps(d, ensure_ascii=False), d["store_slug"],
              d["province"], d["regency"], d["store_scale"], int(d["store_verified"]),
              int(d["halal"]), int(d["export_ready"]), int(d["in_stock"]), d["price_idr"],
              d["sold_count"], d["created_at"]) for d in docs])
        conn.executemany("INSERT OR IGNORE INTO doc_category VALUES (?, ?)",
                         [(d["id"], slug) for d in docs for slug in d["category_path"]])
        conn.executemany("INSERT OR IGNORE INTO doc_event VALUES (?, ?)",
                         [(d["id"], slug) for d in docs for slug in d.get("events") or []])
        conn.executemany(
            "INSERT INTO fts (rowid, title, body, raw_title) VALUES (?, ?, ?, ?)",
            [(d["id"], _stem_text(d["title"], d["title_en"]),
              _stem_text(d["description"], d["description_en"], d["category_name"],
                         d["category_name_en"], d["store_name"], d["regency_name"]),
              " ".join(t.tokens(d["title"] + " " + d["title_en"]))) for d in docs])
        words = {w for d in docs for w in t.tokens(" ".join(
            (d["title"], d["title_en"], d["category_name"], d["category_name_en"], d["store_name"])))
            if len(w) > 2 and not w.isdigit()}
        conn.executemany("INSERT OR IGNORE INTO words VALUES (?)", [(w,) for w in words])

    @staticmethod
    def _remove(conn: sqlite3.Connection, ids: list[int]) -> None:
        for chunk in iter_chunks(ids, 500):
            marks = ",".join("?" * len(chunk))
            for table in ("docs", "doc_category", "doc_event"):
                conn.execute(f"DELETE FROM {table} WHERE id IN ({marks})", chunk)
            conn.execute(f"DELETE FROM fts WHERE rowid IN ({marks})", chunk)

    def apply(self, upserts: list[dict], deletes: list[int], *, patient: bool = True) -> None:
        with self._write_lock:
            conn = self._connect()
            with conn:
                self._write(conn, upserts, check_version=True)
                if deletes:
                    self._remove(conn, deletes)

    def clear(self) -> None:
        with self._write_lock:
            conn = self._connect()
            with conn:
                for table in TABLES:
                    conn.execute(f"DELETE FROM {table}")

    def reindex(self, documents: Iterator[dict], total: int,
                progress: Callable[[int], None] | None = None) -> dict:
        """Rebuild in one transaction: readers (WAL) see the old index until it commits."""
        count = 0
        with self._write_lock:
            conn = self._connect()
            with conn:
                for table in TABLES:
                    conn.execute(f"DELETE FROM {table}")
                for chunk in iter_chunks(documents, 1000):
                    self._write(conn, chunk, check_version=False)
                    count += len(chunk)
                    if progress:
                        progress(len(chunk))
            conn.execute("INSERT INTO fts(fts) VALUES ('optimize')")
            conn.commit()
        return {"indexed": count}

    # --- reading --------------------------------------------------------------------------

    def _vocabulary(self, conn) -> list[str]:
        return [r[0] for r in conn.execute("SELECT word FROM words")]

    def _known(self, conn, word: str) -> bool:
        return conn.execute("SELECT 1 FROM words WHERE word = ?", (word,)).fetchone() is not None

    def _term_group(self, conn, token: str, groups, vocab_cache: list) -> tuple[str, set[str]]:
        """An FTS5 OR-group for one query word: its stems, its synonyms, and near spellings."""
        alternatives = {token}
        for group in groups:
            if token in group:
                alternatives.update(group)
        if len(token) > 3 and not any(self._known(conn, alt) for alt in alternatives):
            # an unknown word with no known synonym: try near spellings that start alike
            if not vocab_cache:
                vocab_cache.extend(self._vocabulary(conn))
            close = [w for w in difflib.get_close_matches(token, vocab_cache, n=5, cutoff=0.8)
                     if w[0] == token[0]][:3]
            for word in close:
                alternatives.add(word)
                for group in groups:
                    if word in group:
                        alternatives.update(group)
        clauses, terms = [], set()
        for alt in sorted(alternatives):
            stems = [s for s in t.stems(alt)]
            if not stems:
                continue
            terms.update(stems)
            if " " in alt:
                clauses.append('"' + " ".join(t.stem_id(w) for w in t.tokens(alt)) + '"')
            else:
                clauses.extend(f'"{s}"' for s in dict.fromkeys(stems))
        return "(" + " OR ".join(dict.fromkeys(clauses)) + ")" if clauses else "", terms

    def _match(self, conn, q: str) -> tuple[str | None, set[str]]:
        groups = t.synonym_groups(self.config)
        words = [w for w in t.tokens(q) if w not in t.STOPWORDS]
        if not words:
            return None, set()
        # multi-word synonyms ("kayu manis") are matched as a unit when typed together
        joined = " ".join(words)
        clauses, terms, vocab_cache = [], set(), []
        skip = set()
        for group in groups:
            for phrase in group:
                if " " in phrase and phrase in joined:
                    clause, found = self._term_group(conn, phrase, groups, vocab_cache)
                    clauses.append(clause)
                    terms |= found
                    skip.update(phrase.split())
        for word in words:
            if word in skip:
                continue
            clause, found = self._term_group(conn, word, groups, vocab_cache)
            if clause:
                clauses.append(clause)
                terms |= found
        return (" AND ".join(clauses) if clauses else None), terms

    def _filter_sql(self, query: SearchQuery, skip: str | None = None) -> tuple[list[str], list]:
        where, params = [], []
        for name, value in query.filters().items():
            if name == skip:
                continue
            if name == "category":
                where.append("d.id IN (SELECT id FROM doc_category WHERE slug = ?)")
                params.append(value)
            elif name == "event":
                where.append("d.id IN (SELECT id FROM doc_event WHERE slug = ?)")
                params.append(value)
            elif name == "price":
                low, high = value
                if low is not None:
                    where.append("d.price >= ?")
                    params.append(low)
                if high is not None:
                    where.append("d.price <= ?")
                    params.append(high)
            elif isinstance(value, bool):
                where.append(f"d.{_COLUMN[name]} = ?")
                params.append(int(value))
            else:
                where.append(f"d.{_COLUMN[name]} = ?")
                params.append(value)
        return where, params

    def search(self, query: SearchQuery, labels: FacetLabels) -> SearchResult:
        conn = self._connect()
        match, terms = self._match(conn, query.q) if query.q else (None, set())
        if query.q and match is None:
            return SearchResult([], 0, query.page, query.per_page, {}, self.name)
        base_from = "docs d"
        base_where, base_params = [], []
        if match:
            base_from = "docs d JOIN fts ON fts.rowid = d.id"
            base_where.append("fts MATCH ?")
            base_params.append(match)
        where, params = self._filter_sql(query)
        all_where = base_where + where
        sql_where = (" WHERE " + " AND ".join(all_where)) if all_where else ""
        total = conn.execute(f"SELECT COUNT(*) FROM {base_from}{sql_where}",
                             base_params + params).fetchone()[0]
        boost = "(1 + 0.5 * d.in_stock) * (1 + 0.2 * d.verified) * (1 + 0.05 * ln1p(d.sold))"
        order = {
            "relevance": (f"(-bm25(fts, 4.0, 1.0, 2.0)) * {boost} DESC, d.id DESC" if match
                          else "d.in_stock DESC, d.verified DESC, d.sold DESC, d.id DESC"),
            "price_asc": "d.price ASC, d.id ASC",
            "price_desc": "d.price DESC, d.id DESC",
            "newest": "d.created DESC, d.id DESC",
            "best_selling": "d.sold DESC, d.id DESC",
        }[query.sort]
        rows = conn.execute(
            f"SELECT d.body FROM {base_from}{sql_where} ORDER BY {order} LIMIT ? OFFSET ?",
            base_params + params + [query.per_page, query.offset]).fetchall()
        items = []
        for (body,) in rows:
            doc = json.loads(body)
            doc["highlight"] = _highlights(doc, terms) if terms else {}
            items.append(doc)
        facets = self._facets(conn, query, base_from, base_where, base_params, labels)
        result = SearchResult(items, total, query.page, query.per_page, facets, self.name)
        if total == 0 and query.q:
            result.did_you_mean = self._did_you_mean(conn, query)
        return result

    def _facets(self, conn, query, base_from, base_where, base_params, labels) -> dict:
        facets: dict[str, list[dict]] = {}
        for facet in FACETS:
            where, params = self._filter_sql(query, skip=facet)
            conds = base_where + where
            sql_where = (" WHERE " + " AND ".join(conds)) if conds else ""
            if facet in ("category", "event"):
                table = "doc_category" if facet == "category" else "doc_event"
                sql = (f"SELECT x.slug, COUNT(*) FROM {base_from} JOIN {table} x ON x.id = d.id"
                       f"{sql_where} GROUP BY x.slug ORDER BY COUNT(*) DESC, x.slug LIMIT 50")
            else:
                col = _COLUMN[facet]
                sql = (f"SELECT d.{col}, COUNT(*) FROM {base_from}{sql_where} "
                       f"GROUP BY d.{col} ORDER BY COUNT(*) DESC, d.{col} LIMIT 50")
            buckets = []
            for value, count in conn.execute(sql, base_params + params):
                if value is None:
                    continue
                if facet in ("halal", "export_ready", "verified", "in_stock"):
                    value = bool(value)
                    label = labels.label(facet, value)
                    value = "true" if value else "false"
                elif facet == "store":
                    label = self._store_name(conn, value)
                else:
                    label = labels.label(facet, value)
                buckets.append({"value": value, "label": label, "count": count})
            facets[facet] = buckets
        where, params = self._filter_sql(query, skip="price")
        conds = base_where + where
        sql_where = (" WHERE " + " AND ".join(conds)) if conds else ""
        cases = " ".join(
            f"WHEN d.price >= {low} {'AND d.price < ' + str(high) if high else ''} THEN {i}"
            for i, (low, high) in enumerate(PRICE_BUCKETS))
        counts = dict(conn.execute(
            f"SELECT CASE {cases} END AS b, COUNT(*) FROM {base_from}{sql_where} GROUP BY b",
            base_params + params).fetchall())
        facets["price"] = [
            {"value": price_bucket_value(low, high), "label": price_bucket_label(low, high),
             "count": counts.get(i, 0)}
            for i, (low, high) in enumerate(PRICE_BUCKETS) if counts.get(i, 0)]
        return facets

    @staticmethod
    def _store_name(conn, slug: str) -> str:
        row = conn.execute("SELECT json_extract(body, '$.store_name') FROM docs "
                           "WHERE store_slug = ? LIMIT 1", (slug,)).fetchone()
        return row[0] if row else slug

    def _did_you_mean(self, conn, query: SearchQuery) -> str | None:
        vocab = self._vocabulary(conn)
        words = t.tokens(query.q)
        corrected, changed = [], False
        for word in words:
            if self._known(conn, word) or word in t.STOPWORDS:
                corrected.append(word)
                continue
            close = difflib.get_close_matches(word, vocab, n=1, cutoff=0.6)
            if close:
                corrected.append(close[0])
                changed = True
            else:
                corrected.append(word)
        if not changed:
            return None
        suggestion = " ".join(corrected)
        match, _terms = self._match(conn, suggestion)
        if match is None:
            return None
        hit = conn.execute("SELECT 1 FROM fts WHERE fts MATCH ? LIMIT 1", (match,)).fetchone()
        return suggestion if hit else None

    def suggest(self, text: str, limit: int = 6) -> list[dict]:
        conn = self._connect()
        words = t.tokens(text)
        if not words:
            return []
        *head, last = words
        parts = [f'"{w}"' for w in head] + [f'"{last}" *']
        expr = "raw_title : (" + " AND ".join(parts) + ")"
        rows = conn.execute(
            "SELECT d.body FROM fts JOIN docs d ON d.id = fts.rowid WHERE fts MATCH ? "
            "ORDER BY d.in_stock DESC, d.sold DESC, rank LIMIT ?", (expr, limit)).fetchall()
        return [json.loads(body) for (body,) in rows]


def _highlights(doc: dict, terms: set[str]) -> dict:
    out = {}
    for field, limit in (("title", None), ("title_en", None), ("description", 180),
                         ("description_en", 180)):
        marked = t.highlight(doc.get(field) or "", terms, limit)
        if marked:
            out[field] = [marked]
    return out
