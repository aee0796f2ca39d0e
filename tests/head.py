"""Reading a page's <head> as a crawler or a link preview does: meta tags, links, JSON-LD."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Head:
    meta: dict[str, list[str]] = field(default_factory=dict)    # name or property -> contents
    links: list[dict[str, str]] = field(default_factory=list)   # each <link>'s attributes
    json_ld: list[dict] = field(default_factory=list)
    raw_json_ld: list[str] = field(default_factory=list)

    def one(self, key: str) -> str:
        values = self.meta.get(key, [])
        assert len(values) == 1, f"{key}: {values}"
        return values[0]

    def link(self, rel: str, **attrs) -> list[dict[str, str]]:
        return [link for link in self.links if link.get("rel") == rel
                and all(link.get(k) == v for k, v in attrs.items())]

    def of_type(self, kind: str) -> dict:
        found = [item for item in self.json_ld if item.get("@type") == kind]
        assert len(found) == 1, f"{kind}: {[i.get('@type') for i in self.json_ld]}"
        return found[0]


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.head = Head()
        self._in_ld = False
        self._buffer: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if tag == "meta" and ("name" in attrs or "property" in attrs):
            key = attrs.get("property") or attrs.get("name")
            self.head.meta.setdefault(key, []).append(attrs.get("content", ""))
        elif tag == "link":
            self.head.links.append(attrs)
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_ld, self._buffer = True, []

    def handle_data(self, data):
        if self._in_ld:
            self._buffer.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._in_ld:
            raw = "".join(self._buffer)
            self.head.raw_json_ld.append(raw)
            self.head.json_ld.append(json.loads(raw))
            self._in_ld = False


def parse_head(html: str) -> Head:
    parser = _Parser()
    parser.feed(html)
    return parser.head
