"""Product images: check uploads are real JPEG/PNG/WebP within limits, re-encode, make thumbnails.

Re-encoding with Pillow drops metadata (EXIF location) and anything that is not the picture.
Files live under UPLOAD_DIR/products/<product id>/ with random names and are served by
`web.media` with year-long cache headers. Private pictures (payment receipts) are written under
PRIVATE_UPLOAD_DIR instead, which /media never serves; their own checked routes do.
"""
from __future__ import annotations

import io
import uuid
from pathlib import Path

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from catalog.models import Product, ProductImage
from catalog.services import products_changed, require_owner
from marketplace.accounts.models import User
from marketplace.errors import Conflict, NotFound, ValidationError
from marketplace.extensions import db

ALLOWED_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
MAX_SIDE = 1600
THUMB_SIDE = 400
MAX_PIXELS = 40_000_000


def _root(private: bool = False) -> Path:
    return Path(current_app.config["PRIVATE_UPLOAD_DIR" if private else "UPLOAD_DIR"])


def add_image(product: Product, data: bytes, *, actor: User) -> ProductImage:
    """Attach an uploaded picture to the actor's product (at most MAX_IMAGES_PER_PRODUCT)."""
    require_owner(product.store, actor)
    limit = current_app.config["MAX_IMAGES_PER_PRODUCT"]
    if len(product.images) >= limit:
        raise Conflict(_l("Paling banyak %(n)d foto per produk.", n=limit), code="too_many_images",
                       fields={"image": _l("Paling banyak %(n)d foto per produk.", n=limit)})
    image = store_image(product.id, data)
    image.position = (max((i.position for i in product.images), default=-1) + 1)
    product.images.append(image)
    db.session.flush()
    products_changed.send(product)
    return image


def store_image(product_id: int, data: bytes, *, folder: str | None = None,
                private: bool = False) -> ProductImage:
    """Validate and write the files for one picture; returns an unsaved ProductImage.

    Pictures go under `products/<product_id>/` of UPLOAD_DIR (public, served by /media), or
    with `private=True` under `folder` of PRIVATE_UPLOAD_DIR (payment receipts; the paths are
    then relative to PRIVATE_UPLOAD_DIR).
    """
    max_bytes = current_app.config["MAX_IMAGE_BYTES"]
    if not data:
        raise ValidationError(fields={"image": _l("Pilih berkas foto.")})
    if len(data) > max_bytes:
        raise ValidationError(fields={"image": _l(
            "Foto terlalu besar (maks. %(mb)s MB).", mb=round(max_bytes / 1024 / 1024, 1))})
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            if fmt not in ALLOWED_FORMATS:
                raise ValidationError(fields={"image": _l("Foto harus JPEG, PNG atau WebP.")})
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(fields={"image": _l("Resolusi foto terlalu besar.")})
            probe.verify()
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            img = ImageOps.exif_transpose(img)
            img = img.convert("RGBA" if "A" in img.getbands() else "RGB")
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise ValidationError(fields={"image": _l("Berkas ini bukan foto JPEG, PNG atau WebP yang utuh.")}) from None

    rel = folder or f"products/{product_id}"
    folder = _root(private) / rel
    folder.mkdir(parents=True, exist_ok=True)
    name = uuid.uuid4().hex
    main = img.copy()
    main.thumbnail((MAX_SIDE, MAX_SIDE))
    thumb = ImageOps.fit(img, (THUMB_SIDE, THUMB_SIDE))
    main_path = folder / f"{name}.webp"
    thumb_path = folder / f"{name}-thumb.webp"
    main.save(main_path, "WEBP", quality=85, method=4)
    thumb.save(thumb_path, "WEBP", quality=80, method=4)
    return ProductImage(
        path=f"{rel}/{name}.webp", thumb_path=f"{rel}/{name}-thumb.webp",
        content_type="image/webp", width=main.width, height=main.height,
        size_bytes=main_path.stat().st_size,
    )


def delete_image(product: Product, image_id: int, *, actor: User) -> None:
    require_owner(product.store, actor)
    image = next((i for i in product.images if i.id == image_id), None)
    if image is None:
        raise NotFound()
    delete_image_files(image)
    product.images.remove(image)
    for position, remaining in enumerate(product.images):
        remaining.position = position
    db.session.flush()
    products_changed.send(product)


def move_image_first(product: Product, image_id: int, *, actor: User) -> None:
    """Make one picture the product's main picture."""
    require_owner(product.store, actor)
    chosen = next((i for i in product.images if i.id == image_id), None)
    if chosen is None:
        raise NotFound()
    ordered = [chosen] + [i for i in product.images if i.id != image_id]
    for position, image in enumerate(ordered):
        image.position = position
    db.session.flush()
    products_changed.send(product)


def delete_image_files(image: ProductImage) -> None:
    for rel in (image.path, image.thumb_path):
        try:
            (_root() / rel).unlink()
        except FileNotFoundError:
            pass


def image_url(image: ProductImage, *, thumb: bool = False) -> str:
    return url_for("web.media", filename=image.thumb_path if thumb else image.path)
