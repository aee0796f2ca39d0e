"""Reading the search results page as a buyer's browser would: its cards and its filter form."""
from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_CARD = re.compile(r'<li class="card">(.*?)</li>', re.S)
_TITLE = re.compile(r'<h2 class="title">(.*?)</h2>', re.S)
_SNIPPET = re.compile(r'<p class="meta snippet">(.*?)</p>', re.S)
_HREF = re.compile(r'<a href="([^"]+)"')
_TAG = re.compile(r"<[^>]+>")


def text_of(fragment: str) -> str:
    """What a reader sees of an HTML fragment."""
    return html.unescape(_TAG.sub("", fragment)).strip()


def cards(page: str) -> list[dict]:
    """The result cards: {url, title, title_html, snippet, snippet_html}."""
    section = page.split('class="cards result-cards"', 1)
    if len(section) < 2:
        return []
    out = []
    for body in _CARD.findall(section[1]):
        title = _TITLE.search(body).group(1)
        snippet = _SNIPPET.search(body)
        snippet_html = snippet.group(1) if snippet else ""
        out.append({"url": _HREF.search(body).group(1), "title": text_of(title),
                    "title_html": title, "snippet": text_of(snippet_html),
                    "snippet_html": snippet_html})
    return out


class _FilterForm(HTMLParser):
    """The controls of the form marked data-filter-form, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.action: str | None = None
        #: [{name, kind, value, on}]: `on` is whether a checkbox is ticked
        self.fields: list[dict] = []
        self.options: dict[str, list[tuple[str, str]]] = {}   # select name -> [(value, label)]
        self._select: dict | None = None
        self._option: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and "data-filter-form" in a:
            self.inside, self.action = True, a.get("action")
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            self.fields.append({"name": a["name"], "kind": a.get("type", "text"),
                                "value": a.get("value", ""), "on": "checked" in a})
        elif tag == "select":
            self._select = {"name": a["name"], "kind": "select", "value": None, "on": True}
            self.fields.append(self._select)
            self.options[a["name"]] = []
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value", ""), "selected": "selected" in a, "label": ""}

    def handle_data(self, data):
        if self._option is not None:
            self._option["label"] += data

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None and self._select is not None:
            name = self._select["name"]
            self.options[name].append((self._option["value"], self._option["label"].strip()))
            if self._option["selected"] or self._select["value"] is None:  # else the first one
                self._select["value"] = self._option["value"]
            self._option = None
        elif tag == "select":
            self._select = None
        elif tag == "form" and self.inside:
            self.inside = False

    def kinds(self) -> dict[str, str]:
        return {f["name"]: f["kind"] for f in reversed(self.fields)}


def filter_form(page: str) -> _FilterForm:
    """The filter form of a results page, parsed."""
    parser = _FilterForm()
    parser.feed(page)
    assert parser.action == "/cari", "the page has no filter form"
    return parser


def submitted(page: str, **changes) -> list[tuple[str, str]]:
    """What the filter form sends, as a browser without JavaScript would, after the buyer sets
    `changes`: a select or a field to a value ("" empties it), a checkbox to True or False."""
    pairs = []
    for field in filter_form(page).fields:
        name, kind = field["name"], field["kind"]
        if name in changes and kind != "hidden":
            change = changes[name]
            if kind == "checkbox":
                if change:
                    pairs.append((name, field["value"]))
            else:
                pairs.append((name, str(change)))
        elif kind != "checkbox" or field["on"]:
            pairs.append((name, field["value"]))
    return pairs
