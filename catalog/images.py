"""Product images: check uploads are real JPEG/PNG/WebP within limits, re-encode, make thumbnails.

Re-encoding with Pillow drops metadata (EXIF location) and anything that is not the picture, so
whatever an upload also was (an HTML/JS polyglot, a trailer after the image data) the served
file is a plain WebP. Files live under UPLOAD_DIR/products/<product id>/ with random names and
are served by `web.media` with year-long cache headers. Private pictures (payment receipts) are
written under PRIVATE_UPLOAD_DIR instead, which /media never serves; their own checked routes do.

Memory: the pixel budget (MAX_PIXELS) is checked from the header, before any pixel is decoded;
JPEGs are decoded already scaled down (`draft`, the decoder's DCT scaling), other formats are
reduced in bands, so only one full-size copy ever exists; and pictures are decoded only by the
process's IMAGE_DECODE_SLOTS decoding threads, so at most that many at once, and the memory
the allocator keeps after a decode stays with those few threads instead of with every request
thread that ever handled an upload. A picture is prepared (`prepare_image`) before the request
writes anything to the database, so no write lock is held during the image work.
"""
from __future__ import annotations

import io
import os
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from flask import current_app, url_for
from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from catalog.models import Product, ProductImage
from catalog.services import require_owner
from catalog.signals import products_changed
from catalog.storage import delete_image_files, upload_root
from marketplace.accounts.models import User
from marketplace.errors import Conflict, NotFound, ValidationError
from marketplace.extensions import db

ALLOWED_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
MAX_SIDE = 1600
THUMB_SIDE = 400
MAX_PIXELS = 40_000_000  # a 40 MP picture; phones save 12 MP
# Pillow's own guard at the same budget: it warns above it and raises DecompressionBombError
# above twice it, in every Image.open of the process, even one that skips our header check.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
_BAND_ROWS = 256  # rows of the full-size picture converted and reduced at a time

_decoders_lock = threading.Lock()
_decoder_pools: dict[tuple[int, int], ThreadPoolExecutor] = {}


@dataclass(frozen=True)
class PreparedImage:
    """An upload decoded, checked and re-encoded to WebP in memory: nothing written yet."""

    main: bytes
    thumb: bytes
    width: int
    height: int


def _decoders() -> ThreadPoolExecutor:
    """This process's decoding threads (IMAGE_DECODE_SLOTS of them; made after a fork)."""
    n = max(1, int(current_app.config["IMAGE_DECODE_SLOTS"]))
    key = (os.getpid(), n)
    with _decoders_lock:
        if key not in _decoder_pools:
            _decoder_pools[key] = ThreadPoolExecutor(n, thread_name_prefix="image-decode")
        return _decoder_pools[key]


def add_image(product: Product, data: bytes | PreparedImage, *, actor: User) -> ProductImage:
    """Attach an uploaded picture to the actor's product (at most MAX_IMAGES_PER_PRODUCT).

    Pages and the API pass a PreparedImage made before their first database write.
    """
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


def store_image(product_id: int, data: bytes | PreparedImage, *, folder: str | None = None,
                private: bool = False) -> ProductImage:
    """Validate and write the files for one picture; returns an unsaved ProductImage.

    Pictures go under `products/<product_id>/` of UPLOAD_DIR (public, served by /media), or
    with `private=True` under `folder` of PRIVATE_UPLOAD_DIR (payment receipts; the paths are
    then relative to PRIVATE_UPLOAD_DIR).
    """
    prepared = data if isinstance(data, PreparedImage) else prepare_image(data)
    rel = folder or f"products/{product_id}"
    target = upload_root(private) / rel
    target.mkdir(parents=True, exist_ok=True)
    name = uuid.uuid4().hex
    main_path = target / f"{name}.webp"
    main_path.write_bytes(prepared.main)
    (target / f"{name}-thumb.webp").write_bytes(prepared.thumb)
    return ProductImage(
        path=f"{rel}/{name}.webp", thumb_path=f"{rel}/{name}-thumb.webp",
        content_type="image/webp", width=prepared.width, height=prepared.height,
        size_bytes=len(prepared.main),
    )


def prepare_image(data: bytes) -> PreparedImage:
    """Check an upload is a whole JPEG, PNG or WebP within the limits and re-encode it to WebP
    (at most MAX_SIDE, plus a THUMB_SIDE square thumbnail). Raises ValidationError (422, field
    `image`). Touches neither the database nor the disk."""
    max_bytes = current_app.config["MAX_IMAGE_BYTES"]
    if not data:
        raise ValidationError(fields={"image": _l("Pilih berkas foto.")})
    if len(data) > max_bytes:
        raise ValidationError(fields={"image": _l(
            "Foto terlalu besar (maks. %(mb)s MB).",
            mb=format_decimal(round(max_bytes / 1024 / 1024, 1)))})
    too_large = ValidationError(fields={"image": _l(
        "Resolusi foto terlalu besar (maks. %(mp)s megapiksel).", mp=MAX_PIXELS // 1_000_000)})
    try:
        # Image.open reads the header only; the pixel budget is checked before any decoding.
        with Image.open(io.BytesIO(data), formats=tuple(ALLOWED_FORMATS)) as probe:
            if probe.width * probe.height > MAX_PIXELS:
                raise too_large
            probe.verify()  # chunk checksums and structure, still without decoding pixels
        return _decoders().submit(_reencode, data).result()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_large from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise ValidationError(fields={"image": _l(
            "Berkas ini bukan foto JPEG, PNG atau WebP yang utuh.")}) from None


_TRANSPOSE = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
              4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
              6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
              8: Image.Transpose.ROTATE_90}


def _fitted(size: tuple[int, int], side: int) -> tuple[int, int]:
    """`size` scaled down (never up) to fit in a side x side square."""
    w, h = size
    scale = min(1.0, side / max(w, h))
    return max(1, round(w * scale)), max(1, round(h * scale))


def _reencode(data: bytes) -> PreparedImage:
    with Image.open(io.BytesIO(data), formats=tuple(ALLOWED_FORMATS)) as img:
        orientation = img.getexif().get(0x0112)
        alpha = "A" in img.getbands() or "transparency" in img.info
        mode = "RGBA" if alpha else "RGB"
        target = _fitted(img.size, MAX_SIDE)
        img.draft(None, target)  # JPEG: the decoder scales by 1/2, 1/4 or 1/8 (to >= target)
        img.load()
        factor = max(1, min(img.width // target[0], img.height // target[1]))
        reduced = _reduced(img, factor, mode)
        # resize (or copy) before the file closes: closing frees the decoded picture
        main = reduced.resize(target, Image.Resampling.LANCZOS) if reduced.size != target \
            else reduced.copy()
        del reduced
    if orientation in _TRANSPOSE:
        main = main.transpose(_TRANSPOSE[orientation])
    thumb = ImageOps.fit(main, (THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    main_bytes, thumb_bytes = io.BytesIO(), io.BytesIO()
    main.save(main_bytes, "WEBP", quality=85, method=4)
    thumb.save(thumb_bytes, "WEBP", quality=80, method=4)
    return PreparedImage(main=main_bytes.getvalue(), thumb=thumb_bytes.getvalue(),
                         width=main.width, height=main.height)


def _reduced(img: Image.Image, factor: int, mode: str) -> Image.Image:
    """`img` in `mode`, shrunk by the whole `factor` (box averaging), band by band: the
    conversions and the premultiplied-alpha copies Pillow makes touch one band at a time, never
    a second full-size picture."""
    if factor == 1 and img.mode == mode:
        return img
    width, height = img.width - img.width % factor, img.height - img.height % factor
    out = Image.new(mode, (width // factor, height // factor))
    step = max(1, _BAND_ROWS // factor) * factor
    for top in range(0, height, step):
        band = img.crop((0, top, width, min(top + step, height)))
        if band.mode != mode:
            band = band.convert(mode)
        out.paste(band.reduce(factor) if factor > 1 else band, (0, top // factor))
    return out


def delete_image(product: Product, image_id: int, *, actor: User) -> None:
    """Remove one picture (its files too) from the actor's product; the rest move up."""
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


def image_url(image: ProductImage, *, thumb: bool = False) -> str:
    """The /media URL of a public picture, or of its thumbnail."""
    return url_for("web.media", filename=image.thumb_path if thumb else image.path)


SHARE_SIDE = 1200  # link previews (WhatsApp, Facebook) show at most about this wide


def share_size(image: ProductImage) -> tuple[int, int]:
    """The size of `share_jpeg(image)`."""
    return _fitted((image.width, image.height), SHARE_SIDE)


def share_jpeg(image: ProductImage) -> bytes:
    """The picture as a JPEG of at most SHARE_SIDE px: the link-preview picture (og:image).
    Stored pictures are WebP, which not every preview reader shows (WhatsApp among them).
    Decoded by the decoding threads, like uploads; made when asked for, so nothing outlives
    the picture when it is deleted."""
    path = upload_root() / image.path
    return _decoders().submit(_to_share_jpeg, path.read_bytes()).result()


def _to_share_jpeg(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data), formats=("WEBP",)) as img:
        if "A" in img.getbands():  # transparent parts on white, not black
            white = Image.new("RGB", img.size, (255, 255, 255))
            white.paste(img, mask=img.getchannel("A"))
            img = white
        else:
            img = img.convert("RGB")
        if max(img.size) > SHARE_SIDE:
            img = img.resize(_fitted(img.size, SHARE_SIDE), Image.LANCZOS)
        out = io.BytesIO()
        img.save(out, "JPEG", quality=82, optimize=True, progressive=True)
        return out.getvalue()
