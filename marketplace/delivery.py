"""How responses travel: compression, cache headers, versioned static URLs, icons and the
web app manifest.

- Compression (Flask-Compress): HTML, CSS, JavaScript, JSON, SVG, XML and the manifest, with
  zstd, brotli or gzip as the client accepts, static files and the streamed sitemaps included.
  One exception: an HTML page for a signed-in user goes uncompressed. It carries the session's
  CSRF token next to text an attacker can put on the page (a search term, a product title), and
  compressing both together leaks the token byte by byte to someone who can watch the response
  sizes (BREACH). Pages for visitors, which are what the first visit and a shared link load,
  and all static files are compressed.
- Cache headers: a static file asked for by its versioned URL (`?v=<hash of its content>`, added
  by `url_for('web.static', ...)` itself) is `public, max-age=31536000, immutable`: a new file
  has a new URL. Without the right version it stays `no-cache`. HTML pages are
  `no-cache, private` (every page holds its session's CSRF token: no shared cache may keep
  one); uploaded media keep their own year-long header (marketplace.web.media).
- `/favicon.ico`, `/apple-touch-icon.png` (asked for by browsers whatever a page links) and
  `/manifest.webmanifest` (linked from every page, in the page's language: the site installs
  as an app). The icons are made by scripts/make_icons.py.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from flask import Blueprint, current_app, jsonify, request, send_from_directory, url_for
from flask_babel import force_locale
from flask_compress import Compress
from flask_login import current_user

from marketplace.i18n import LANGUAGES, current_lang
from marketplace.seo import BACKGROUND_COLOR, SITE_NAME, THEME_COLOR, site_description

bp = Blueprint("delivery", __name__)
compress = Compress()

STATIC_ENDPOINTS = ("static", "web.static")
STATIC_MAX_AGE = 365 * 24 * 3600
ICON_MAX_AGE = 24 * 3600  # unversioned URLs (/favicon.ico, the manifest): a day
ICON_DIR = Path(__file__).parent / "static" / "icons"

_versions: dict[str, tuple[int, int, str]] = {}


def static_version(folder: str, filename: str) -> str | None:
    """A short hash of a static file's content (None when there is no such file), recomputed
    only when its size or modification time changes."""
    path = os.path.join(folder, filename)
    try:
        stat = os.stat(path)
    except (OSError, ValueError):
        return None
    known = _versions.get(path)
    if known and known[:2] == (stat.st_mtime_ns, stat.st_size):
        return known[2]
    with open(path, "rb") as handle:
        digest = hashlib.sha256(handle.read()).hexdigest()[:12]
    _versions[path] = (stat.st_mtime_ns, stat.st_size, digest)
    return digest


def _static_folder(endpoint: str) -> str | None:
    if endpoint == "static":
        return current_app.static_folder
    blueprint = current_app.blueprints.get(endpoint.rpartition(".")[0])
    return blueprint.static_folder if blueprint is not None else None


def _version_static(endpoint: str, values: dict) -> None:
    """url_defaults: `url_for('web.static', filename=...)` gets `v=<content hash>`."""
    if endpoint not in STATIC_ENDPOINTS or "v" in values or "filename" not in values:
        return
    folder = _static_folder(endpoint)
    version = static_version(folder, values["filename"]) if folder else None
    if version:
        values["v"] = version


def _cache_headers(response):
    """Versioned static files: cached for a year; HTML pages: revalidated, never shared."""
    if request.endpoint in STATIC_ENDPOINTS and response.status_code in (200, 304):
        folder = _static_folder(request.endpoint)
        filename = (request.view_args or {}).get("filename", "")
        wanted = request.args.get("v")
        if wanted and folder and wanted == static_version(folder, filename):
            response.headers["Cache-Control"] = f"public, max-age={STATIC_MAX_AGE}, immutable"
    elif response.mimetype == "text/html" and "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "no-cache, private"
    return response


def _compress(response):
    """Compress what the client accepts, except a signed-in user's HTML (BREACH, see above)."""
    if response.mimetype == "text/html" and current_user and current_user.is_authenticated:
        return response
    source = response.response if response.is_streamed else None
    response = compress.after_request(response)
    if source is not None and response.response is not source and hasattr(source, "close"):
        # Flask-Compress puts a generator in place of a streamed body (a static file) and
        # forgets the file: close it with the response, not whenever it is collected.
        response.call_on_close(source.close)
    return response


@bp.get("/favicon.ico")
def favicon():
    return send_from_directory(ICON_DIR, "favicon.ico", mimetype="image/x-icon", max_age=ICON_MAX_AGE)


@bp.get("/apple-touch-icon.png")
def apple_touch_icon():
    return send_from_directory(ICON_DIR, "apple-touch-icon.png", max_age=ICON_MAX_AGE)


@bp.get("/manifest.webmanifest")
def manifest():
    """The web app manifest, in the language of `?lang=` (the page that links it passes its own)."""
    lang = request.args.get("lang")
    lang = lang if lang in LANGUAGES else current_lang()
    with force_locale(lang):
        description = site_description()
    root = request.script_root + "/"
    icon = lambda name: url_for("web.static", filename=f"icons/{name}")  # noqa: E731
    body = {
        "id": root,
        "name": SITE_NAME,
        "short_name": SITE_NAME,
        "description": description,
        "lang": lang,
        "dir": "ltr",
        "start_url": f"{root}?lang={lang}",
        "scope": root,
        "display": "standalone",
        "background_color": BACKGROUND_COLOR,
        "theme_color": THEME_COLOR,
        "categories": ["shopping", "business"],
        "icons": [
            {"src": icon("icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": icon("icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {"src": icon("icon-maskable-512.png"), "sizes": "512x512", "type": "image/png",
             "purpose": "maskable"},
            {"src": icon("favicon.svg"), "sizes": "any", "type": "image/svg+xml", "purpose": "any"},
        ],
    }
    response = jsonify(body)
    response.mimetype = "application/manifest+json"
    response.headers["Cache-Control"] = f"public, max-age={ICON_MAX_AGE}"
    return response


def init_app(app) -> None:
    app.register_blueprint(bp)
    app.url_defaults(_version_static)
    compress.init_app(app)  # COMPRESS_REGISTER is off: _compress decides, then calls it
    app.after_request(_cache_headers)
    app.after_request(_compress)
