"""The Elasticsearch backend: the only module that imports the `elasticsearch` client.

Index layout: versioned indices `<prefix>-v<timestamp>` behind the alias `<prefix>`; while a
reindex builds a new index it also carries the alias `<prefix>-building`, and live changes are
written to both, so nothing made during a reindex is lost when the alias swaps. Documents carry
an external version (their last change, in microseconds), so an older write never overwrites a
newer one, whatever order they arrive in.

The mapping and queries stay within what Elasticsearch 7.10 through 8.x accept (the tested
server is 7.10.2, see scripts/elasticsearch/README.md).
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from elasticsearch import Elasticsearch, helpers
from elasticsearch import exceptions as es_exc

from search import text as t
from search.backend import BackendUnavailable, SearchBackend
from search.facets import FacetLabels, price_bucket_label, price_bucket_value
from search.query import PRICE_BUCKETS, SearchQuery, SearchResult

log = logging.getLogger(__name__)

_UNAVAILABLE = (es_exc.ConnectionError, es_exc.ConnectionTimeout)

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

    def __init__(self, url: str, prefix: str, app_config, refresh=False, timeout: float = 5.0):
        self.client = Elasticsearch([url], timeout=timeout, max_retries=1, retry_on_timeout=False)
        self.alias = prefix
        self.building_alias = f"{prefix}-building"
        self.config = app_config
        self.refresh = refresh

    @classmethod
    def from_config(cls, config) -> ElasticsearchBackend:
        """The backend for the app's ELASTICSEARCH_URL and SEARCH_* settings."""
        return cls(config["ELASTICSEARCH_URL"], config["SEARCH_INDEX_PREFIX"], config,
                   refresh=config["SEARCH_REFRESH"], timeout=float(config["SEARCH_TIMEOUT_SECONDS"]))

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

    def _create_index(self, name: str, *, bulk_loading: bool = False) -> None:
        settings = index_settings(t.es_synonym_rules(self.config))
        if bulk_loading:
            settings["refresh_interval"] = "-1"
        self.client.indices.create(index=name, body={"settings": settings, "mappings": MAPPING})

    def _new_index_name(self) -> str:
        return f"{self.alias}-v{datetime.now(UTC).strftime('%Y%m%d%H%M%S%f')}"

    def ensure_index(self) -> None:
        """Make the alias point at an index, creating the first one if there is none."""
        try:
            if self.client.indices.exists_alias(name=self.alias):
                return
            name = self._new_index_name()
            self._create_index(name)
            self.client.indices.put_alias(index=name, name=self.alias)
        except _UNAVAILABLE as exc:
            raise BackendUnavailable(str(exc)) from exc

    def _write_targets(self) -> list[str]:
        targets = [self.alias]
        if self.client.indices.exists_alias(name=self.building_alias):
            targets.append(self.building_alias)
        return targets

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

    def apply(self, upserts: list[dict], deletes: list[int]) -> None:
        if not upserts and not deletes:
            return
        try:
            self.ensure_index()
            targets = self._write_targets()
            _ok, errors = helpers.bulk(self.client, self._actions(targets, upserts, deletes),
                                       raise_on_error=False, refresh=self.refresh)
        except _UNAVAILABLE as exc:
            raise BackendUnavailable(str(exc)) from exc
        real = [e for e in errors if list(e.values())[0].get("status") not in (404, 409)]
        if real:
            raise BackendUnavailable(f"{len(real)} bulk errors, first: {real[0]}")

    def clear(self) -> None:
        try:
            self.client.indices.delete(index=f"{self.alias}-v*", ignore=[404])
        except _UNAVAILABLE as exc:
            raise BackendUnavailable(str(exc)) from exc

    def reindex(self, documents: Iterator[dict], total: int,
                progress: Callable[[int], None] | None = None,
                catch_up: Callable[[datetime], tuple[list[dict], list[int]]] | None = None) -> dict:
        """Build a new index from the stream, then swap the alias to it atomically."""
        started_at = datetime.now(UTC)
        name = self._new_index_name()
        try:
            self._create_index(name, bulk_loading=True)
            self.client.indices.put_alias(index=name, name=self.building_alias)

            def actions():
                for doc in documents:
                    yield {"_op_type": "index", "_index": name, "_id": doc["id"],
                           "version": doc["version"], "version_type": "external_gte",
                           "_source": source_document(doc)}

            indexed = 0
            for ok, item in helpers.streaming_bulk(self.client, actions(), chunk_size=1000,
                                                    raise_on_error=False, max_retries=2):
                if ok or list(item.values())[0].get("status") == 409:
                    indexed += 1
                else:
                    raise BackendUnavailable(f"reindex failed on {item}")
                if progress and indexed % 1000 == 0:
                    progress(1000)
            if progress and indexed % 1000:
                progress(indexed % 1000)
            self.client.indices.put_settings(index=name, body={"index": {"refresh_interval": "1s"}})
            self.client.indices.refresh(index=name)
            old = list(self.client.indices.get_alias(name=self.alias, ignore=[404]).keys()) \
                if self.client.indices.exists_alias(name=self.alias) else []
            actions_ = [{"remove": {"index": i, "alias": self.alias}} for i in old]
            actions_.append({"add": {"index": name, "alias": self.alias}})
            actions_.append({"remove": {"index": name, "alias": self.building_alias}})
            self.client.indices.update_aliases(body={"actions": actions_})
            if catch_up is not None:
                upserts, deletes = catch_up(started_at)
                self.apply(upserts, deletes)
            for index in old:
                self.client.indices.delete(index=index, ignore=[404])
        except _UNAVAILABLE as exc:
            raise BackendUnavailable(str(exc)) from exc
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
