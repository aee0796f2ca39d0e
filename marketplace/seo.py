"""What search engines and link previews read in a page's <head>, and the language in the URL.

Language by URL: `?lang=id` or `?lang=en` on any page renders that request in that language
(`i18n.select_locale` reads it before the session's choice) without changing the session, so
every language version has an address that a crawler or a shared link can open without
cookies. While a request carries it, `url_for` keeps it on the links it builds to other pages
(`_keep_lang`, an url_defaults hook; static files, media, the API and machine endpoints
excepted), so a visitor who came in on an English link stays in English from page to page.

The Indonesian version's address (canonical, hreflang="id", and x-default) is the plain URL:
that is what a visitor without a choice (a crawler, a first visit) gets there, and Lighthouse
and search engines want a page's canonical to be the URL they fetched, not another hreflang
address. English is `?lang=en`. A visitor who chose English sees the plain URL in English;
its canonical is then the `?lang=en` address.

Each page's head (partials/seo_head.html, one include in base.html) gets from here:

- `page_links()`: the canonical URL (this page in the language shown, with only the query
  arguments that change what the page is: `q` and `page` > 1) and the hreflang alternates
  (id, en, x-default), all absolute;
- `absolute_url(path)`: PUBLIC_URL when it is set (the address the public uses, whatever the
  proxy in front says), else the request's own root (`request.url_root`, which honours the
  forwarded host and scheme of TRUSTED_PROXIES);
- `summary(text)`: a meta description from free text; the JSON-LD builders for the
  marketplace (`site_organization_ld`, `website_ld`) and for breadcrumbs (`breadcrumb_ld`).

Page templates set `meta_description`, `og_type`, `og_image`, `og_image_size`, `og_title`, `json_ld` (a list
of dicts rendered with `|tojson`, which escapes <, > and & so user text cannot close the
script element), `robots` and `og_product` at their top; the partial has defaults for all.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import current_app, has_request_context, request, url_for
from flask_babel import gettext as _

from marketplace.i18n import LANGUAGES, current_lang, requested_lang

SITE_NAME = "Pasar UMKM"
#: The language of the plain URLs (BABEL_DEFAULT_LOCALE): Indonesian, the source language.
DEFAULT_LANG = "id"
#: Query arguments that make a page another page (kept in canonical URLs); the rest (sort,
#: filters, tracking) point to the same canonical page.
CANONICAL_ARGS = ("q", "page")
THEME_COLOR = "#b5361b"       # --brand in app.css
BACKGROUND_COLOR = "#faf8f5"  # --bg in app.css
#: og:locale of each UI language
OG_LOCALES = {"id": "id_ID", "en": "en_US"}

#: Endpoints and blueprints that are not pages: `lang` is never added to links to them, and a
#: `lang` on their own request is not carried into the links they build.
_NOT_PAGE_ENDPOINTS = frozenset({"static", "web.static", "web.media", "web.set_language"})
_NOT_PAGE_BLUEPRINTS = frozenset({"api", "ops", "orders_webhooks", "crawl", "delivery"})


def is_page_endpoint(endpoint: str | None) -> bool:
    """Whether `endpoint` answers with an HTML page (so a language in its URL means something)."""
    if not endpoint or endpoint in _NOT_PAGE_ENDPOINTS:
        return False
    blueprint = endpoint.rpartition(".")[0]
    return not (blueprint in _NOT_PAGE_BLUEPRINTS or blueprint.endswith("_api"))


def _keep_lang(endpoint: str, values: dict) -> None:
    """url_defaults: links built while a page is shown by `?lang=xx` keep `lang=xx`."""
    if "lang" in values or not is_page_endpoint(endpoint):
        return
    lang = requested_lang()
    if lang and is_page_endpoint(request.endpoint):
        values["lang"] = lang


def without_lang(target: str) -> str:
    """`target` (a path with its query) without a `lang` argument: where the language switch
    sends the visitor back to, so the chosen language is not overridden by the old URL's."""
    parts = urlsplit(target)
    if "lang" not in parts.query:
        return target
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"]
    return urlunsplit(parts._replace(query=urlencode(query)))


def base_url() -> str:
    """The site's public root without the trailing slash: PUBLIC_URL, else the request's root."""
    public = current_app.config["PUBLIC_URL"]
    if public:
        return public.rstrip("/")
    return request.url_root.rstrip("/") if has_request_context() else ""


def absolute_url(path: str) -> str:
    """An absolute URL for a path of this site (`url_for(...)` output); an absolute URL is
    returned as it is. PUBLIC_URL is joined as the e-mail links join it (marketplace.mailer)."""
    if urlsplit(path).scheme:
        return path
    return base_url() + path


def home_url() -> str:
    """The absolute URL of the site's root page."""
    return absolute_url((request.script_root if has_request_context() else "") + "/")


def lang_url(path: str, lang: str | None) -> str:
    """The address of `path` (which has no `lang`) in `lang`: the path itself for Indonesian
    (the default language) or None, `lang=xx` added for the others."""
    if lang is None or lang == DEFAULT_LANG:
        return path
    return f"{path}{'&' if '?' in path else '?'}lang={lang}"


def page_links() -> dict | None:
    """This page's canonical URL and hreflang alternates, absolute; None for a request that is
    not a GET of a routed page (an error for an unknown path, a form re-shown after a POST)."""
    if request.method != "GET" or request.url_rule is None or not is_page_endpoint(request.endpoint):
        return None
    args = {}
    for name in CANONICAL_ARGS:
        value = request.args.get(name, "").strip()
        if value and not (name == "page" and value == "1"):
            args[name] = value
    # lang=None: the plain URL, without the one a `?lang=` request would otherwise add.
    plain = url_for(request.endpoint, **(request.view_args or {}), **args, lang=None)
    return {"canonical": absolute_url(lang_url(plain, current_lang())),
            "alternates": hreflang_alternates(absolute_url(plain))}


def hreflang_alternates(plain: str) -> list[tuple[str, str]]:
    """(hreflang, URL) of each language version of the page whose plain URL is `plain`, and
    the x-default (the plain URL)."""
    return [(lang, lang_url(plain, lang)) for lang in LANGUAGES] + [("x-default", plain)]


_SPACES = re.compile(r"\s+")


def summary(text: str | None, limit: int = 160) -> str:
    """Free text as a meta description: one line, at most `limit` characters, cut at a word."""
    text = _SPACES.sub(" ", text or "").strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2:]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,.;:-—") + "…"


def site_description() -> str:
    """The description of the marketplace, for pages that have none of their own."""
    return _("Pasar UMKM — produk usaha mikro, kecil dan menengah Indonesia untuk pembeli dalam "
             "negeri dan mancanegara.")


def site_icon_url() -> str:
    """The absolute URL of the marketplace's 512 px icon (logo, the default share picture)."""
    return absolute_url(url_for("web.static", filename="icons/icon-512.png"))


def site_organization_ld() -> dict:
    """schema.org Organization: the marketplace itself (home page)."""
    return {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": SITE_NAME,
        "url": home_url(),
        "logo": site_icon_url(),
        "description": site_description(),
    }


def website_ld() -> dict:
    """schema.org WebSite: the site's name and languages (home page)."""
    return {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": SITE_NAME,
        "url": home_url(),
        "inLanguage": list(LANGUAGES),
    }


def breadcrumb_ld(items: list[tuple[str, str | None]]) -> dict:
    """schema.org BreadcrumbList from (name, path or None) pairs, top first; paths are made
    absolute and carry the page's language."""
    lang = current_lang()
    elements = []
    for position, (name, path) in enumerate(items, start=1):
        element = {"@type": "ListItem", "position": position, "name": str(name)}
        if path:
            element["item"] = absolute_url(lang_url(_strip_lang(path), lang))
        elements.append(element)
    return {"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": elements}


def _strip_lang(path: str) -> str:
    return without_lang(path) if "lang=" in path else path


def canonical_path_url(path: str) -> str:
    """The absolute URL of another page's path in this page's language (JSON-LD `url`s)."""
    return absolute_url(lang_url(_strip_lang(path), current_lang()))


def _head_helpers() -> dict:
    return {
        "page_links": page_links,
        "requested_lang": requested_lang,
        "absolute_url": absolute_url,
        "canonical_path_url": canonical_path_url,
        "summary": summary,
        "site_description": site_description,
        "site_icon_url": site_icon_url,
        "site_organization_ld": site_organization_ld,
        "website_ld": website_ld,
        "breadcrumb_ld": breadcrumb_ld,
        "og_locales": OG_LOCALES,
        "theme_color": THEME_COLOR,
        "site_name": SITE_NAME,
    }


def init_app(app) -> None:
    app.url_defaults(_keep_lang)
    app.context_processor(_head_helpers)
