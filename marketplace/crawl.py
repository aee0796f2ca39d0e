"""What crawlers read: /robots.txt and the sitemaps.

The core knows no domain's pages, so both are put together from hooks:

- `private_paths`: path prefixes robots.txt disallows (accounts, seller and officer pages, the
  cart, checkout, the API ...), registered by whoever owns them.
- `sitemap_sections`: `SitemapSection`s (products, categories, stores, events, the fixed pages).

`/sitemap.xml` is a sitemap index; each section has files `/sitemap-<name>-<n>.xml`. A file
holds the items whose id falls in one range of SITEMAP_PAGE_SIZE ids (`ranged_section`: file n
has ids (n-1)*size+1 .. n*size), so a product always stays in the same file, its `lastmod` is
that of its newest item, and building a file is one indexed range scan however large the
catalog is; the index is one grouped query. Every item is listed once per language (the plain
URL, Indonesian; `?lang=en`), each entry with the three alternates (id, en, x-default) as
`xhtml:link` (marketplace.seo: the addresses of the languages). Files
are streamed (and compressed by marketplace.delivery).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from xml.sax.saxutils import escape

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, request, stream_with_context, url_for
from markupsafe import escape as xml_escape

from marketplace.extensions import db
from marketplace.hooks import Hook
from marketplace.i18n import LANGUAGES
from marketplace.seo import absolute_url, base_url, hreflang_alternates

bp = Blueprint("crawl", __name__)

private_paths = Hook("private_paths", "Path prefixes robots.txt disallows.")
sitemap_sections = Hook("sitemap_sections", "SitemapSection entries of /sitemap.xml.")

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"
_CHUNK = 500  # entries written (and compressed) at a time


@dataclass(frozen=True)
class SitemapEntry:
    """One page of the site: `url_for(endpoint, **values)`, last changed at `lastmod`."""

    endpoint: str
    values: dict = field(default_factory=dict)
    lastmod: datetime | None = None


@dataclass(frozen=True)
class SitemapSection:
    """A named part of the sitemap. `pages(size)` -> [(file number, lastmod)] of the files that
    have entries; `entries(number, size)` -> the entries of one file (at most `size`)."""

    name: str
    pages: Callable[[int], list[tuple[int, datetime | None]]]
    entries: Callable[[int, int], Iterable[SitemapEntry]]


def ranged_section(name: str, *, id_column, entry: Callable[[sa.Row], SitemapEntry],
                   lastmod_column=None, columns: tuple = (), where: tuple = ()) -> SitemapSection:
    """A section over a table, in files of consecutive id ranges. `entry(row)` turns a row
    (`row.id`, `row.lastmod`, and `columns`) into an entry."""
    lastmod = lastmod_column if lastmod_column is not None else sa.null()

    def pages(size: int) -> list[tuple[int, datetime | None]]:
        # Literal numbers: bound ones would make the GROUP BY expression differ from the
        # selected one for PostgreSQL.
        one, per_file = sa.literal_column("1"), sa.literal_column(str(int(size)))
        number = ((id_column - one) // per_file + one).label("number")
        stmt = (sa.select(number, sa.func.max(lastmod)).where(*where)
                .group_by(number).order_by(number))
        return [(n, last) for n, last in db.session.execute(stmt)]

    def entries(number: int, size: int) -> list[SitemapEntry]:
        low, high = (number - 1) * size, number * size
        stmt = (sa.select(id_column.label("id"), lastmod.label("lastmod"), *columns)
                .where(*where, id_column > low, id_column <= high).order_by(id_column))
        return [entry(row) for row in db.session.execute(stmt)]

    return SitemapSection(name, pages, entries)


def fixed_section(name: str, entries: Callable[[], list[SitemapEntry]]) -> SitemapSection:
    """A small section in one file (fixed pages, categories)."""

    def pages(size: int) -> list[tuple[int, datetime | None]]:
        found = entries()
        if not found:
            return []
        dates = [e.lastmod for e in found if e.lastmod is not None]
        return [(1, max(dates) if dates else None)]

    return SitemapSection(name, pages, lambda number, size: entries() if number == 1 else [])


def _w3c(moment: datetime | None) -> str:
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sections() -> dict[str, SitemapSection]:
    return {section.name: section for section in sitemap_sections.entries()}


def _xml(chunks: Iterator[str]) -> Response:
    response = Response(stream_with_context(chunks), mimetype="application/xml")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.get("/sitemap.xml")
def sitemap_index():
    """The sitemap index: one <sitemap> per file of each section, with its lastmod."""
    size = current_app.config["SITEMAP_PAGE_SIZE"]
    files = [(name, number, last) for name, section in _sections().items()
             for number, last in section.pages(size)]

    def chunks() -> Iterator[str]:
        yield f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{SITEMAP_NS}">\n'
        for name, number, last in files:
            loc = escape(absolute_url(url_for("crawl.sitemap_file", name=name, number=number)))
            lastmod = f"<lastmod>{_w3c(last)}</lastmod>" if last else ""
            yield f"<sitemap><loc>{loc}</loc>{lastmod}</sitemap>\n"
        yield "</sitemapindex>\n"

    return _xml(chunks())


@bp.get("/sitemap-<name>-<int:number>.xml")
def sitemap_file(name: str, number: int):
    """One file of a section: each entry once per language, with its hreflang alternates."""
    section = _sections().get(name)
    if section is None:
        abort(404)
    entries = list(section.entries(number, current_app.config["SITEMAP_PAGE_SIZE"]))
    if not entries:
        abort(404)
    # Rows are read here, in the request; the body is then written from memory as it streams.
    # The URL map itself builds the paths (url_for would run every url_defaults hook per entry,
    # most of the time of a 10,000-entry file; none of them applies to these plain page URLs).
    root = base_url()
    build = current_app.url_map.bind("", script_name=request.script_root or "/").build
    urls = [(root + build(e.endpoint, e.values), _w3c(e.lastmod)) for e in entries]

    def entry_xml(plain: str, lastmod: str) -> str:
        alternates = [(code, xml_escape(href)) for code, href in hreflang_alternates(plain)]
        links = "".join(f'<xhtml:link rel="alternate" hreflang="{code}" href="{href}"/>'
                        for code, href in alternates)
        last = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
        return "".join(f"<url><loc>{href}</loc>{last}{links}</url>\n"
                       for code, href in alternates if code in LANGUAGES)

    def chunks() -> Iterator[str]:
        yield (f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAP_NS}" '
               f'xmlns:xhtml="{XHTML_NS}">\n')
        for start in range(0, len(urls), _CHUNK):
            yield "".join(entry_xml(plain, lastmod) for plain, lastmod in urls[start:start + _CHUNK])
        yield "</urlset>\n"

    return _xml(chunks())


@bp.get("/robots.txt")
def robots_txt():
    """Public pages open to crawlers; accounts, seller, officer and admin pages, the cart,
    checkout and the API closed; the sitemap named."""
    disallowed = sorted({path for path in private_paths.entries()})
    lines = ["User-agent: *", "Allow: /"]
    lines += [f"Disallow: {path}" for path in disallowed]
    lines += ["", f"Sitemap: {absolute_url(url_for('crawl.sitemap_index'))}", ""]
    response = Response("\n".join(lines), mimetype="text/plain")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


#: The core's own private paths (domains register theirs from their init_app).
CORE_PRIVATE_PATHS = ("/api/", "/akun", "/masuk", "/daftar", "/keluar", "/bahasa", "/mata-uang",
                      "/notifikasi", "/admin", "/healthz", "/readyz", "/metrics")


def init_app(app) -> None:
    app.register_blueprint(bp)
    for path in CORE_PRIVATE_PATHS:
        private_paths.register(app, path)
