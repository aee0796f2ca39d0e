"""The Elasticsearch backend: the only module that imports the `elasticsearch` client.

Index layout: versioned indices `<prefix>-v<timestamp>` behind the alias `<prefix>`; while a
reindex builds a new index it also carries the alias `<prefix>-building`, and live changes are
written to both, so nothing made during a reindex is lost when the alias swaps. Documents carry
an external version (their last change, in microseconds), so an older write never overwrites a
newer one, whatever order they arrive in.

Timeouts and retries: searches get SEARCH_TIMEOUT_SECONDS and one try (the engine falls back
to the embedded backend). Bulk writes of a reindex and of the outbox dispatcher outside a
request get SEARCH_BULK_TIMEOUT_SECONDS, and a chunk that fails transiently (timeout, connection
error, HTTP 429/502/503/504, or items rejected with 429) is sent again after an exponential
backoff, up to SEARCH_BULK_RETRIES times; only the rejected items are sent again. The client's
own transport never retries (max_retries=0): every retry is one of ours, with its backoff.

The mapping and queries stay within what Elasticsearch 7.10 through 8.x accept (the tested
server is 7.10.2, see scripts/elasticsearch/README.md).
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice

from elasticsearch import Elasticsearch, helpers
from elasticsearch import exceptions as es_exc

from search import text as t
from search.backend import BackendUnavailable, SearchBackend
from search.facets import FacetLabels, price_bucket_label, price_bucket_value
from search.query import PRICE_BUCKETS, SearchQuery, SearchResult

log = logging.getLogger(__name__)

_UNAVAILABLE = (es_exc.ConnectionError, es_exc.ConnectionTimeout)
#: HTTP answers worth sending a bulk request (or item) again after a pause
RETRY_STATUSES = frozenset({429, 502, 503, 504})
MAX_BACKOFF_SECONDS = 30.0
CHUNK_SIZE = 1000


@dataclass(frozen=True)
class WritePolicy:
    """How long a bulk request may take and how often a failed one is sent again."""

    timeout: float
    retries: int
    backoff: float

    def delay(self, attempt: int) -> float:
        """Pause before retry number `attempt` + 1: doubling from `backoff`, capped."""
        return min(self.backoff * 2 ** attempt, MAX_BACKOFF_SECONDS)


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _ignorable(status: int) -> bool:
    """An item answer that is not a failure: an older version (409), nothing there (404)."""
    return status in (404, 409)

TEXT_FIELDS = ["title^4", "title.en^3", "title_en^4", "title_en.id^3", "category_name^2",
               "category_name_en^2", "store_name^1.5", "regency_name", "description",
               "description.en", "description_en", "description_en.id"]
FUZZY_FIELDS = ["title.plain^3", "title_en.plain^3", "category_name.plain", "store_name.plain",
                "description.plain^0.5"]
TERM_FACETS = {"category": "category_path", "province": "province", "regency": "regency",
               "store": "store_facet", "scale": "store_scale", "event": "events",
               "halal": "halal", "export_ready": "export_ready", "verified": "store_verified",
               "in_stock": "in_stock"}
SORTS = {
    "relevance": [{"_score": "desc"}, {"id": "desc"}],
    "price_asc": [{"price_idr": "asc"}, {"id": "asc"}],
    "price_desc": [{"price_idr": "desc"}, {"id": "desc"}],
    "newest": [{"created_at": "desc"}, {"id": "desc"}],
    "best_selling": [{"sold_count": "desc"}, {"id": "desc"}],
}


def index_settings(synonyms: list[str]) -> dict:
    """Analysis settings: Indonesian and English chains, with bilingual synonyms at search time."""
    return {
        "number_of_shards": 1,
        "number_of_replicas": 0,
        "max_result_window": 10_000,
        "analysis": {
            "filter": {
                "id_stop": {"type": "stop", "stopwords": "_indonesian_"},
                "id_keep": {"type": "keyword_marker", "keywords": sorted(t.WHOLE_WORDS)},
                "id_stem": {"type": "stemmer", "language": "indonesian"},
                "en_stop": {"type": "stop", "stopwords": "_english_"},
                "en_stem": {"type": "stemmer", "language": "english"},
                "en_possessive": {"type": "stemmer", "language": "possessive_english"},
                "bilingual_synonyms": {"type": "synonym_graph", "synonyms": synonyms, "lenient": True},
            },
            "analyzer": {
                "id_index": {"tokenizer": "standard",
                             "filter": ["lowercase", "asciifolding", "id_stop", "id_keep", "id_stem"]},
                "id_search": {"tokenizer": "standard",
                              "filter": ["lowercase", "asciifolding", "bilingual_synonyms",
                                         "id_stop", "id_keep", "id_stem"]},
                "en_index": {"tokenizer": "standard",
                             "filter": ["en_possessive", "lowercase", "asciifolding", "en_stop",
                                        "en_stem"]},
                "en_search": {"tokenizer": "standard",
                              "filter": ["en_possessive", "lowercase", "asciifolding",
                                         "bilingual_synonyms", "en_stop", "en_stem"]},
                "plain": {"tokenizer": "standard", "filter": ["lowercase", "asciifolding"]},
            },
            "normalizer": {"lower": {"type": "custom", "filter": ["lowercase", "asciifolding"]}},
        },
    }


def _text(primary: str, *, keyword: bool = False) -> dict:
    other = "en" if primary == "id" else "id"
    field = {
        "type": "text", "analyzer": f"{primary}_index", "search_analyzer": f"{primary}_search",
        "fields": {
            other: {"type": "text", "analyzer": f"{other}_index", "search_analyzer": f"{other}_search"},
            "plain": {"type": "text", "analyzer": "plain"},
        },
    }
    if keyword:
        field["fields"]["keyword"] = {"type": "keyword", "normalizer": "lower", "ignore_above": 256}
    return field


MAPPING = {
    "dynamic": False,
    "properties": {
        "id": {"type": "long"},
        "version": {"type": "long"},
        "title": _text("id", keyword=True),
        "title_en": _text("en", keyword=True),
        "description": _text("id"),
        "description_en": _text("en"),
        "suggest": {"type": "search_as_you_type", "analyzer": "plain"},
        "category": {"type": "keyword"},
        "category_path": {"type": "keyword"},
        "category_name": _text("id"),
        "category_name_en": _text("en"),
        "store_slug": {"type": "keyword"},
        "store_facet": {"type": "keyword"},
        "store_name": _text("id"),
        "store_verified": {"type": "boolean"},
        "store_scale": {"type": "keyword"},
        "province": {"type": "keyword"},
        "province_name": {"type": "keyword"},
        "regency": {"type": "keyword"},
        "regency_name": {"type": "text", "analyzer": "plain"},
        "price_idr": {"type": "long"},
        "min_order_qty": {"type": "integer"},
        "stock": {"type": "integer"},
        "in_stock": {"type": "boolean"},
        "halal": {"type": "boolean"},
        "export_ready": {"type": "boolean"},
        "sold_count": {"type": "integer"},
        "created_at": {"type": "date"},
        "events": {"type": "keyword"},
        "thumb": {"type": "keyword", "index": False},
    },
}


def source_document(doc: dict) -> dict:
    body = dict(doc)
    body["suggest"] = f"{doc['title']} {doc.get('title_en') or ''}".strip()
    body["store_facet"] = f"{doc['store_slug']}|{doc['store_name']}"
    return body


class ElasticsearchBackend(SearchBackend):
    name = "elasticsearch"

    def __init__(self, url: str, prefix: str, app_config, refresh=False, timeout: float = 5.0,
                 bulk_timeout: float = 60.0, bulk_retries: int = 5, backoff: float = 0.5):
        # One client for every call; each bulk call passes its own request_timeout.
        self.client = Elasticsearch([url], timeout=timeout, max_retries=0, retry_on_timeout=False)
        self.alias = prefix
        self.building_alias = f"{prefix}-building"
        self.config = app_config
        self.refresh = refresh
        #: a write inside a request (the dispatch after a commit): fail fast, sync retries
        self.quick = WritePolicy(timeout, 0, backoff)
        #: reindex and background dispatch: wait longer, retry with backoff
        self.patient = WritePolicy(bulk_timeout, bulk_retries, backoff)

    @classmethod
    def from_config(cls, config) -> ElasticsearchBackend:
        """The backend for the app's ELASTICSEARCH_URL and SEARCH_* settings."""
        return cls(config["ELASTICSEARCH_URL"], config["SEARCH_INDEX_PREFIX"], config,
                   refresh=config["SEARCH_REFRESH"], timeout=float(config["SEARCH_TIMEOUT_SECONDS"]),
                   bulk_timeout=float(config["SEARCH_BULK_TIMEOUT_SECONDS"]),
                   bulk_retries=int(config["SEARCH_BULK_RETRIES"]),
                   backoff=float(config["SEARCH_RETRY_BACKOFF_SECONDS"]))

    def close(self) -> None:
        self.client.transport.close()

    def healthy(self) -> bool:
        try:
            return bool(self.client.ping())
        except Exception:
            return False

    def document_count(self) -> int:
        try:
            if not self.client.indices.exists_alias(name=self.alias):
                return 0
            return self.client.count(index=self.alias)["count"]
        except _UNAVAILABLE as exc:
            raise BackendUnavailable(str(exc)) from exc

    # --- index management ----------------------------------------------------------------

    def _create_index(self, name: str, *, bulk_loading: bool = False,
                      timeout: float | None = None) -> None:
        settings = index_settings(t.es_synonym_rules(self.config))
        if bulk_loading:
            settings["refresh_interval"] = "-1"
        self.client.indices.create(index=name, body={"settings": settings, "mappings": MAPPING},
                                   request_timeout=timeout or self.quick.timeout)

    def _new_index_name(self) -> str:
        return f"{self.alias}-v{datetime.now(UTC).strftime('%Y%m%d%H%M%S%f')}"

    def ensure_index(self, timeout: float | None = None) -> None:
        """Make the alias point at an index, creating the first one if there is none."""
        timeout = timeout or self.quick.timeout
        try:
            if self.client.indices.exists_alias(name=self.alias, request_timeout=timeout):
                return
            name = self._new_index_name()
            self._create_index(name, timeout=timeout)
            self.client.indices.put_alias(index=name, name=self.alias, request_timeout=timeout)
        except _UNAVAILABLE as exc:
            raise BackendUnavailable(str(exc)) from exc

    def _write_targets(self, timeout: float) -> list[str]:
        targets = [self.alias]
        if self.client.indices.exists_alias(name=self.building_alias, request_timeout=timeout):
            targets.append(self.building_alias)
        return targets

    def _send(self, ops: list[tuple[dict, dict | None]], label: str, policy: WritePolicy,
              refresh: bool = False) -> list[dict]:
        """Send one bulk chunk (action/source pairs from `helpers.expand_action`), retrying it.

        A timeout, connection error or 429/502/503/504 answer sends the chunk again; items
        rejected with 429 (a full write queue) are sent again alone; each retry waits
        `policy.delay`. Returns the items that failed for good (e.g. a mapping error); raises
        BackendUnavailable, naming `label`, when the retries are used up.
        """
        pending = ops
        attempt = 0
        while True:
            body: list[dict] = []
            for action, source in pending:
                body.append(action)
                if source is not None:
                    body.append(source)
            try:
                response = self.client.bulk(body=body, refresh="true" if refresh else "false",
                                            request_timeout=policy.timeout)
            except es_exc.ConnectionError as exc:  # includes ConnectionTimeout
                failure = f"{type(exc).__name__}: {exc}"
            except es_exc.TransportError as exc:
                if exc.status_code not in RETRY_STATUSES:
                    raise BackendUnavailable(f"{label} refused: {exc}") from exc
                failure = f"HTTP {exc.status_code}: {exc.error}"
            else:
                failed, rejected = [], []
                for item, op in zip(response["items"], pending, strict=True):
                    ((_op_type, result),) = item.items()
                    status = result.get("status", 500)
                    if status == 429:
                        rejected.append(op)
                    elif "error" in result and not _ignorable(status):
                        failed.append(item)
                if not rejected:
                    return failed
                if failed:  # not worth retrying the rejected ones: the chunk fails anyway
                    return failed
                failure = f"{len(rejected)} of {len(pending)} items rejected with 429"
                pending = rejected
            if attempt >= policy.retries:
                raise BackendUnavailable(
                    f"{label} failed after {attempt + 1} attempt(s): {failure}")
            delay = policy.delay(attempt)
            attempt += 1
            log.warning("%s: %s; retry %d of %d in %.2fs", label, failure, attempt,
                        policy.retries, delay)
            time.sleep(delay)

    # --- writing ---------------------------------------------------------------------------

    def _actions(self, targets: list[str], upserts: list[dict], deletes: list[int]):
        delete_version = int(time.time() * 1_000_000)
        for target in targets:
            for doc in upserts:
                yield {"_op_type": "index", "_index": target, "_id": doc["id"],
                       "version": doc["version"], "version_type": "external_gte",
                       "_source": source_document(doc)}
            for product_id in deletes:
                yield {"_op_type": "delete", "_index": target, "_id": product_id,
                       "version": delete_version, "version_type": "external"}

    def apply(self, upserts: list[dict], deletes: list[int], *, patient: bool = True) -> None:
        if not upserts and not deletes:
            return
        policy = self.patient if patient else self.quick
        try:
            self.ensure_index(policy.timeout)
            targets = self._write_targets(policy.timeout)
        except _UNAVAILABLE as exc:
            raise BackendUnavailable(str(exc)) from exc
        ops = [helpers.expand_action(a) for a in self._actions(targets, upserts, deletes)]
        chunks = list(_chunks(ops, CHUNK_SIZE))
        errors = []
        for number, chunk in enumerate(chunks, 1):
            errors += self._send(chunk, f"bulk write chunk {number} of {len(chunks)}", policy,
                                 refresh=self.refresh)
        if errors:
            raise BackendUnavailable(f"{len(errors)} bulk errors, first: {errors[0]}")

    def clear(self) -> None:
        try:
            self.client.indices.delete(index=f"{self.alias}-v*", ignore=[404],
                                       request_timeout=self.patient.timeout)
        except _UNAVAILABLE as exc:
            raise BackendUnavailable(str(exc)) from exc

    def _discard(self, name: str) -> None:
        """Drop a half-built index (and with it the building alias); the live alias is untouched."""
        try:
            self.client.indices.delete(index=name, ignore=[404], request_timeout=self.quick.timeout)
        except es_exc.TransportError as exc:
            log.warning("could not drop the half-built index %s: %s", name, exc)

    def reindex(self, documents: Iterator[dict], total: int,
                progress: Callable[[int], None] | None = None,
                catch_up: Callable[[datetime], tuple[list[dict], list[int]]] | None = None) -> dict:
        """Build a new index from the stream, then swap the alias to it atomically.

        Each chunk of CHUNK_SIZE documents is retried on its own (see `_send`); a chunk that
        still fails stops the reindex with BackendUnavailable naming it, the half-built index is
        dropped, and the alias stays on the old index.
        """
        started_at = datetime.now(UTC)
        name = self._new_index_name()
        policy = self.patient
        timeout = policy.timeout
        swapped = False
        try:
            self._create_index(name, bulk_loading=True, timeout=timeout)
            self.client.indices.put_alias(index=name, name=self.building_alias,
                                          request_timeout=timeout)

            def actions():
                for doc in documents:
                    yield helpers.expand_action({
                        "_op_type": "index", "_index": name, "_id": doc["id"],
                        "version": doc["version"], "version_type": "external_gte",
                        "_source": source_document(doc)})

            indexed = 0
            for number, chunk in enumerate(_chunks(actions(), CHUNK_SIZE), 1):
                label = (f"reindex into {name}: chunk {number} "
                         f"(documents {indexed + 1}-{indexed + len(chunk)} of {total})")
                failed = self._send(chunk, label, policy)
                if failed:
                    raise BackendUnavailable(
                        f"{label}: {len(failed)} documents refused, first: {failed[0]}")
                indexed += len(chunk)
                if progress:
                    progress(len(chunk))
            self.client.indices.put_settings(index=name, body={"index": {"refresh_interval": "1s"}},
                                             request_timeout=timeout)
            self.client.indices.refresh(index=name, request_timeout=timeout)
            old = list(self.client.indices.get_alias(name=self.alias, ignore=[404],
                                                     request_timeout=timeout).keys()) \
                if self.client.indices.exists_alias(name=self.alias, request_timeout=timeout) else []
            actions_ = [{"remove": {"index": i, "alias": self.alias}} for i in old]
            actions_.append({"add": {"index": name, "alias": self.alias}})
            actions_.append({"remove": {"index": name, "alias": self.building_alias}})
            self.client.indices.update_aliases(body={"actions": actions_}, request_timeout=timeout)
            swapped = True
            if catch_up is not None:
                upserts, deletes = catch_up(started_at)
                self.apply(upserts, deletes)
            for index in old:
                self.client.indices.delete(index=index, ignore=[404], request_timeout=timeout)
        except Exception as exc:
            if not swapped:
                self._discard(name)
            if isinstance(exc, _UNAVAILABLE):
                raise BackendUnavailable(f"reindex into {name}: {exc}") from exc
            raise
        return {"indexed": indexed, "index": name, "replaced": old}

    # --- reading ---------------------------------------------------------------------------

    def _filter_clauses(self, query: SearchQuery, skip: str | None = None) -> list[dict]:
        clauses = []
        for name, value in query.filters().items():
            if name == skip:
                continue
            if name == "price":
                low, high = value
                rng = {}
                if low is not None:
                    rng["gte"] = low
                if high is not None:
                    rng["lte"] = high
                clauses.append({"range": {"price_idr": rng}})
            elif name == "store":
                clauses.append({"term": {"store_slug": value}})
            else:
                clauses.append({"term": {TERM_FACETS[name]: value}})
        return clauses

    def _text_query(self, q: str) -> dict:
        if not q:
            return {"match_all": {}}
        folded = t.fold(q)
        matching = {"bool": {"should": [
            {"multi_match": {"query": q, "type": "cross_fields", "fields": TEXT_FIELDS,
                             "operator": "and", "boost": 2}},
            {"multi_match": {"query": q, "type": "best_fields", "fields": FUZZY_FIELDS,
                             "fuzziness": "AUTO:4,8", "prefix_length": 1, "operator": "and"}},
            {"match_phrase": {"title.plain": {"query": q, "boost": 3}}},
            {"match_phrase": {"title_en.plain": {"query": q, "boost": 3}}},
            {"term": {"title.keyword": {"value": folded, "boost": 10}}},
            {"term": {"title_en.keyword": {"value": folded, "boost": 10}}},
        ], "minimum_should_match": 1}}
        return {"function_score": {
            "query": matching,
            "functions": [
                {"filter": {"term": {"in_stock": True}}, "weight": 1.5},
                {"filter": {"term": {"store_verified": True}}, "weight": 1.2},
                {"field_value_factor": {"field": "sold_count", "modifier": "log2p", "factor": 1,
                                        "missing": 0}},
            ],
            "score_mode": "multiply", "boost_mode": "multiply",
        }}

    def _aggs(self, query: SearchQuery) -> dict:
        aggs = {}
        for facet, field in TERM_FACETS.items():
            others = self._filter_clauses(query, skip=facet)
            aggs[facet] = {"filter": {"bool": {"filter": others}} if others else {"match_all": {}},
                           "aggs": {"values": {"terms": {"field": field, "size": 50}}}}
        others = self._filter_clauses(query, skip="price")
        aggs["price"] = {"filter": {"bool": {"filter": others}} if others else {"match_all": {}},
                         "aggs": {"values": {"range": {"field": "price_idr", "ranges": [
                             {"key": price_bucket_value(lo, hi), "from": lo, **({"to": hi} if hi else {})}
                             for lo, hi in PRICE_BUCKETS]}}}}
        return aggs

    def search(self, query: SearchQuery, labels: FacetLabels) -> SearchResult:
        filters = self._filter_clauses(query)
        body = {
            "query": self._text_query(query.q),
            "post_filter": {"bool": {"filter": filters}} if filters else {"match_all": {}},
            "aggs": self._aggs(query),
            "sort": SORTS[query.sort] if query.q or query.sort != "relevance" else
            [{"in_stock": "desc"}, {"store_verified": "desc"}, {"sold_count": "desc"}, {"id": "desc"}],
            "from": query.offset,
            "size": query.per_page,
            "track_total_hits": True,
            "_source": {"excludes": ["suggest", "store_facet"]},
        }
        if query.q:
            # asked in the same round trip; used only when nothing matches
            body["suggest"] = {"text": query.q, "words": {"term": {
                "field": "title.plain", "suggest_mode": "missing", "min_word_length": 3,
                "prefix_length": 0}}}
            body["highlight"] = {
                "pre_tags": ["<em>"], "post_tags": ["</em>"], "encoder": "html",
                "require_field_match": False,
                "fields": {"title": {"number_of_fragments": 0}, "title_en": {"number_of_fragments": 0},
                           "description": {"fragment_size": 180, "number_of_fragments": 1},
                           "description_en": {"fragment_size": 180, "number_of_fragments": 1}},
            }
        try:
            response = self.client.search(index=self.alias, body=body)
        except _UNAVAILABLE as exc:
            raise BackendUnavailable(str(exc)) from exc
        except es_exc.NotFoundError:
            return SearchResult([], 0, query.page, query.per_page, {}, self.name)
        items = []
        for hit in response["hits"]["hits"]:
            doc = hit["_source"]
            doc["highlight"] = hit.get("highlight", {})
            items.append(doc)
        total = response["hits"]["total"]["value"]
        result = SearchResult(items, total, query.page, query.per_page,
                              self._facets(response["aggregations"], labels), self.name)
        if total == 0 and query.q:
            result.did_you_mean = self._did_you_mean(response.get("suggest", {}).get("words", []))
        return result

    @staticmethod
    def _facets(aggregations: dict, labels: FacetLabels) -> dict:
        facets = {}
        for facet in TERM_FACETS:
            buckets = []
            for b in aggregations[facet]["values"]["buckets"]:
                value = b.get("key_as_string", b["key"])
                if facet == "store":
                    slug, _sep, name = str(value).partition("|")
                    buckets.append({"value": slug, "label": name, "count": b["doc_count"]})
                    continue
                if facet in ("halal", "export_ready", "verified", "in_stock"):
                    value = "true" if value in (True, 1, "true") else "false"
                buckets.append({"value": value, "label": labels.label(facet, value == "true"
                                if facet in ("halal", "export_ready", "verified", "in_stock") else value),
                                "count": b["doc_count"]})
            facets[facet] = buckets
        facets["price"] = []
        for b, (low, high) in zip(aggregations["price"]["values"]["buckets"], PRICE_BUCKETS):
            if b["doc_count"]:
                facets["price"].append({"value": b["key"], "label": price_bucket_label(low, high),
                                        "count": b["doc_count"]})
        return facets

    def _did_you_mean(self, entries: list[dict]) -> str | None:
        """A corrected query from the term suggestions, if it finds something."""
        words, changed = [], False
        for entry in entries:
            if entry["options"]:
                words.append(entry["options"][0]["text"])
                changed = True
            else:
                words.append(entry["text"])
        if not changed:
            return None
        suggestion = " ".join(words)
        try:
            check = self.client.count(index=self.alias, body={"query": self._text_query(suggestion)})
        except _UNAVAILABLE as exc:
            raise BackendUnavailable(str(exc)) from exc
        return suggestion if check["count"] else None

    def suggest(self, text: str, limit: int = 6) -> list[dict]:
        body = {
            "size": limit,
            "query": {"function_score": {
                "query": {"multi_match": {"query": text, "type": "bool_prefix",
                                          "fields": ["suggest", "suggest._2gram", "suggest._3gram"]}},
                "functions": [{"filter": {"term": {"in_stock": True}}, "weight": 1.5}],
                "boost_mode": "multiply"}},
            "_source": ["id", "title", "title_en", "price_idr", "thumb", "store_name"],
        }
        try:
            response = self.client.search(index=self.alias, body=body)
        except _UNAVAILABLE as exc:
            raise BackendUnavailable(str(exc)) from exc
        except es_exc.NotFoundError:
            return []
        return [hit["_source"] for hit in response["hits"]["hits"]]
