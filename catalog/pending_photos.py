"""Photos chosen in a new-product form whose submit failed: kept until the next submit.

A seller on a phone who picked three photos and forgot the weight should not have to pick them
again. When the form comes back with errors, each photo that passed the image checks is kept
here, already re-encoded (`catalog.images.prepare_image`), under
PRIVATE_UPLOAD_DIR/pending-photos/<store id>/ (never served by /media), and the page carries a
signed token for it (itsdangerous, bound to the store, valid MAX_AGE). The next valid submit
attaches the photos of the tokens it sends and removes their files once the request has
committed; the `catalog.purge_pending_photos` job removes files older than MAX_AGE (forms
given up on). Nothing here touches the database: a failed submit writes no product row.
"""
from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer

from catalog.images import PreparedImage
from catalog.storage import upload_root

FOLDER = "pending-photos"
MAX_AGE = 24 * 3600  # seconds a kept photo waits for the form's next submit
_SALT = "catalog.pending-photo"
_NAME = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class PendingPhoto:
    """A kept photo: its token (the form's field value), file name stem and the seller's name
    for the file."""

    token: str
    name: str
    filename: str
    store_id: int
    width: int
    height: int

    @property
    def main_path(self) -> Path:
        return _folder(self.store_id) / f"{self.name}.webp"

    @property
    def thumb_path(self) -> Path:
        return _folder(self.store_id) / f"{self.name}-thumb.webp"


def _root() -> Path:
    return upload_root(private=True) / FOLDER


def _folder(store_id: int) -> Path:
    return _root() / str(int(store_id))


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def keep(store_id: int, filename: str, picture: PreparedImage) -> PendingPhoto:
    """Write a prepared photo as pending for `store_id`'s next submit; returns it with its token."""
    folder = _folder(store_id)
    folder.mkdir(parents=True, exist_ok=True)
    name = uuid.uuid4().hex
    filename = (filename or "").rsplit("/", 1)[-1][:120]
    (folder / f"{name}.webp").write_bytes(picture.main)
    (folder / f"{name}-thumb.webp").write_bytes(picture.thumb)
    token = _serializer().dumps({"s": int(store_id), "n": name, "f": filename,
                                 "w": picture.width, "h": picture.height})
    return PendingPhoto(token, name, filename, int(store_id), picture.width, picture.height)


def find(store_id: int, token: str) -> PendingPhoto | None:
    """The pending photo of `token`, or None when the token is forged, expired, another store's,
    or its files are gone (used or purged)."""
    try:
        data = _serializer().loads(token, max_age=MAX_AGE)
    except BadData:
        return None
    if not isinstance(data, dict) or data.get("s") != store_id or \
            not _NAME.fullmatch(str(data.get("n", ""))):
        return None
    photo = PendingPhoto(token, data["n"], str(data.get("f", "")), store_id,
                         int(data.get("w", 0)), int(data.get("h", 0)))
    return photo if photo.main_path.is_file() and photo.thumb_path.is_file() else None


def load(photo: PendingPhoto) -> PreparedImage:
    """The kept photo as `catalog.images.add_image` takes it (already checked and re-encoded)."""
    return PreparedImage(main=photo.main_path.read_bytes(), thumb=photo.thumb_path.read_bytes(),
                         width=photo.width, height=photo.height)


def discard(photos) -> None:
    """Remove pending photos' files (already gone is fine)."""
    for photo in photos:
        for path in (photo.main_path, photo.thumb_path):
            path.unlink(missing_ok=True)


def purge_expired(max_age: int = MAX_AGE) -> int:
    """The `catalog.purge_pending_photos` job: remove pending files older than `max_age`
    seconds (their tokens no longer open them) and the emptied store folders. Returns how
    many photos were removed."""
    root = _root()
    if not root.is_dir():
        return 0
    cutoff = time.time() - max_age
    removed = 0
    for folder in root.iterdir():
        if not folder.is_dir():
            continue
        for path in folder.glob("*.webp"):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += not path.name.endswith("-thumb.webp")
            except FileNotFoundError:
                pass  # a submit used it meanwhile
        try:
            folder.rmdir()  # only when empty
        except OSError:
            pass
    return removed
