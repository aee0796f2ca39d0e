"""HTML pages as PDF (invoices, statements, credit packs) through WeasyPrint, offline.

WeasyPrint needs Debian's Pango (scripts/pdf.sh installs it; `make test` and `make run` run
that). Without it `pdf_unavailable()` says why and `html_to_pdf` raises `PdfUnavailable`, which
pages turn into a 503 (`pdf_response`). The URL fetcher serves only the app's own static files
from disk: a page (or user data inside it) can make the PDF fetch nothing from the network.
"""
from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import Response, abort, current_app, request


class PdfUnavailable(RuntimeError):
    """WeasyPrint's system libraries (Pango) are missing: run scripts/pdf.sh."""


def pdf_unavailable() -> str | None:
    """Why PDFs cannot be made here (the import error), or None when they can."""
    try:
        import weasyprint  # noqa: F401
    except (OSError, ImportError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def html_to_pdf(html: str) -> bytes:
    """A standalone page (its stylesheets among the static files) as a PDF, in a request."""
    reason = pdf_unavailable()
    if reason is not None:
        raise PdfUnavailable(reason)
    import weasyprint
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    root = request.host_url
    static = current_app.blueprints["web"]
    folder = Path(static.static_folder).resolve()
    prefix = static.static_url_path.rstrip("/") + "/"

    class StaticFilesOnly(URLFetcher):
        """Serves the app's own static files from disk; refuses every other URL."""

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if not url.startswith(root) or not parts.path.startswith(prefix):
                raise ValueError(f"not fetched: {url}")
            path = (folder / unquote(parts.path[len(prefix):])).resolve()
            if not path.is_relative_to(folder) or not path.is_file():
                raise ValueError(f"no such static file: {url}")
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind})

    return weasyprint.HTML(string=html, base_url=request.url, url_fetcher=StaticFilesOnly()).write_pdf()


def pdf_response(make_html, filename: str) -> Response:
    """A private PDF download of the page `make_html()` renders (503 without the libraries)."""
    try:
        pdf = html_to_pdf(make_html())
    except PdfUnavailable:
        abort(503)
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
