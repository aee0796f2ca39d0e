"""Where uploaded pictures live on disk, and removing them.

Public pictures (product photos) are under UPLOAD_DIR, served by `web.media`; private ones
(payment receipts) under PRIVATE_UPLOAD_DIR, which /media never serves. `catalog.images` writes
them; `catalog.services` removes a deleted product's files. Both use this module, so neither
needs the other's internals.
"""
from __future__ import annotations

from pathlib import Path

from flask import current_app

from catalog.models import ProductImage


def upload_root(private: bool = False) -> Path:
    """The folder public (UPLOAD_DIR) or private (PRIVATE_UPLOAD_DIR) picture paths are under."""
    return Path(current_app.config["PRIVATE_UPLOAD_DIR" if private else "UPLOAD_DIR"])


def delete_image_files(image: ProductImage) -> None:
    """Remove a public picture's file and its thumbnail (already gone is fine)."""
    for rel in (image.path, image.thumb_path):
        try:
            (upload_root() / rel).unlink()
        except FileNotFoundError:
            pass
