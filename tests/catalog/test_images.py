"""Uploaded pictures (issue 8): decoded within a pixel budget and a memory bound, and whatever
else an upload was (an HTML/JS polyglot, an SVG, a GIF), what is served is a plain WebP with
`nosniff`, or nothing.

Memory is the process's peak resident set size (VmHWM, reset through /proc/self/clear_refs)
around one upload through the API.
"""
from __future__ import annotations

import io
import re
import struct
import zlib
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from catalog.images import MAX_PIXELS
from catalog.models import ProductImage
from tests.catalog.conftest import image_bytes, product_data, store_data

MIB = 1024 * 1024


def png_of_zeros(width: int, height: int, mode_byte: int = 0) -> bytes:
    """A PNG of `width` x `height` black pixels (grey, or RGB with mode_byte 2), written row by
    row so the test never holds the picture: a few hundred KiB that decode to far more."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    channels = 3 if mode_byte == 2 else 1
    row = b"\x00" * (1 + width * channels)
    z = zlib.compressobj(9)
    idat = b"".join(z.compress(row) for _ in range(height)) + z.flush()
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, mode_byte, 0, 0, 0))
            + chunk(b"IDAT", idat) + chunk(b"IEND", b""))


def photo_jpeg(width: int = 4000, height: int = 3000) -> bytes:
    """A 12 MP phone-like photo with detail (gradient and grain)."""
    picture = Image.blend(Image.radial_gradient("L").resize((width, height)).convert("RGB"),
                          Image.effect_noise((width, height), 30).convert("RGB"), 0.25)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=85)
    return out.getvalue()


def peak_growth(action) -> tuple[object, float]:
    """(what `action()` returned, how far it raised this process's peak RSS, in MiB)."""
    def hwm() -> int:
        return int(re.search(r"VmHWM:\s+(\d+)", Path("/proc/self/status").read_text()).group(1))

    Path("/proc/self/clear_refs").write_text("5")  # the peak is reset to the current size
    before = hwm()
    result = action()
    return result, (hwm() - before) / 1024


@pytest.fixture
def upload(client, make_user, token_for, app):
    """upload(data, name) -> the API response for a picture sent to a fresh product."""
    user = make_user()
    headers = token_for(user)
    store = client.post("/api/v1/stores", json=store_data(), headers=headers).get_json()
    product = client.post(f"/api/v1/stores/{store['slug']}/products", headers=headers,
                          json=product_data()).get_json()
    saved = app.config["MAX_IMAGE_BYTES"]
    app.config["MAX_IMAGE_BYTES"] = 16 * MIB

    def send(data: bytes, name: str = "foto.png", content_type: str = "image/png"):
        # the body built in memory: the test client spools large ones to a file it never closes
        boundary, body = encode_multipart({"image": FileStorage(
            io.BytesIO(data), filename=name, content_type=content_type)})
        return client.post(f"/api/v1/products/{product['id']}/images", headers=headers,
                           data=body, content_type=f"multipart/form-data; boundary={boundary}")

    yield send
    app.config["MAX_IMAGE_BYTES"] = saved


def served(client, response):
    """The main picture and the thumbnail a successful upload is served as."""
    body = response.get_json()
    files = []
    for url in (body["url"], body["thumb_url"]):
        with client.get(url) as got:
            assert got.status_code == 200
            files.append((got.headers["Content-Type"], got.headers.get("X-Content-Type-Options"),
                          got.data))
    return files


def assert_plain_webp(files) -> None:
    for content_type, nosniff, data in files:
        assert content_type == "image/webp" and nosniff == "nosniff"
        assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
        assert b"<script" not in data.lower() and b"<html" not in data.lower()
        assert b"<svg" not in data.lower() and b"alert(" not in data


# --- the pixel budget -------------------------------------------------------------------------

@pytest.mark.parametrize("width,height", [(20000, 20000), (10000, 10000), (7000, 7000)])
def test_a_picture_over_the_pixel_budget_is_refused_before_it_is_decoded(upload, db, width, height):
    # given a small file that would decode to 49 .. 400 megapixels
    bomb = png_of_zeros(width, height)
    assert len(bomb) < 600 * 1024 and width * height > MAX_PIXELS
    # when it is uploaded
    response, growth = peak_growth(lambda: upload(bomb))
    # then it is refused with a field error, and the process hardly grew
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]["image"].startswith("Resolusi foto terlalu besar")
    assert growth < 32, f"{growth:.0f} MiB"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProductImage)) == 0


def test_pillow_refuses_bombs_everywhere_in_the_process():
    assert Image.MAX_IMAGE_PIXELS == MAX_PIXELS
    with pytest.raises(Image.DecompressionBombError):
        Image.open(io.BytesIO(png_of_zeros(9000, 9000)))


def test_the_issues_6320_png_is_stored_within_a_bounded_peak(upload, client):
    # the picture of the issue took a worker from 186 to 634 MiB (+448); the decoded picture
    # itself is 152 MiB (Pillow keeps RGB in 4 bytes a pixel), one copy, reduced in bands
    png = png_of_zeros(6320, 6320, mode_byte=2)
    response, growth = peak_growth(lambda: upload(png))
    assert response.status_code == 201, response.get_json()
    assert growth < 230, f"{growth:.0f} MiB"
    assert_plain_webp(served(client, response))


def test_a_12_megapixel_photo_is_decoded_scaled_down(upload, client, db):
    # a 4000x3000 JPEG is 46 MiB decoded; the decoder's DCT scaling makes it 2000x1500 first
    photo = photo_jpeg()
    response, growth = peak_growth(lambda: upload(photo, "foto.jpg", "image/jpeg"))
    assert response.status_code == 201, response.get_json()
    assert growth < 60, f"{growth:.0f} MiB"
    image = db.session.scalars(sa.select(ProductImage)).one()
    assert (image.width, image.height) == (1600, 1200)


def test_the_orientation_is_applied_after_scaling(upload, db):
    # a phone photo taken upright: stored sideways with EXIF orientation 6 (rotate 90 clockwise)
    picture = Image.new("RGB", (4000, 3000), (200, 30, 30))
    picture.paste((30, 30, 200), (0, 0, 4000, 1000))  # blue along the stored top edge
    exif = Image.Exif()
    exif[0x0112] = 6
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=90, exif=exif)
    assert upload(out.getvalue(), "foto.jpg", "image/jpeg").status_code == 201
    image = db.session.scalars(sa.select(ProductImage)).one()
    assert (image.width, image.height) == (1200, 1600)


@pytest.mark.parametrize("mode", ["P", "RGBA", "LA", "L", "CMYK"])
def test_every_colour_mode_is_reencoded(upload, client, mode):
    picture = Image.new("RGB", (3300, 2500), (20, 160, 90)).convert(mode)
    out = io.BytesIO()
    picture.save(out, "JPEG" if mode == "CMYK" else "PNG")
    response = upload(out.getvalue())
    assert response.status_code == 201, response.get_json()
    assert_plain_webp(served(client, response))


# --- polyglots --------------------------------------------------------------------------------

SCRIPT = b"<html><body><script>alert(document.domain)</script></body></html>"


def _jpeg_with_html_trailer() -> bytes:
    return image_bytes("JPEG", size=(320, 240)) + SCRIPT


def _jpeg_with_html_comment() -> bytes:
    data = image_bytes("JPEG", size=(320, 240))
    comment = b"\xff\xfe" + struct.pack(">H", len(SCRIPT) + 2) + SCRIPT
    return data[:2] + comment + data[2:]


def _png_with_html_text_chunk() -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SCRIPT.decode())
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (10, 20, 30)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


@pytest.mark.parametrize("make", [_jpeg_with_html_trailer, _jpeg_with_html_comment,
                                  _png_with_html_text_chunk])
def test_an_image_that_is_also_html_is_served_as_a_plain_webp(upload, client, make):
    data = make()
    assert SCRIPT in data and Image.open(io.BytesIO(data)).size == (320, 240)
    response = upload(data, "foto.html")
    assert response.status_code == 201, response.get_json()
    assert_plain_webp(served(client, response))


def _gif_html_polyglot() -> bytes:
    # GIF89a whose bytes also read as script: GIF89a/*...*/=alert(1)//, with an HTML comment block
    out = io.BytesIO()
    Image.new("P", (32, 32)).save(out, "GIF", comment=b"*/=alert(1)//<script>alert(2)</script>")
    data = bytearray(out.getvalue())
    data[6:8] = b"/*"  # the logical screen width now begins a JS comment
    return bytes(data)


SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" '
       b'onload="alert(document.domain)"><script>alert(1)</script></svg>')


@pytest.mark.parametrize("data,name", [
    (_gif_html_polyglot(), "foto.png"),
    (image_bytes("GIF", size=(32, 32)), "foto.gif"),
    (SVG, "foto.png"),
    (SCRIPT, "foto.jpg"),
    (b"\x89PNG\r\n\x1a\n" + SCRIPT, "foto.png"),
    (image_bytes("BMP", size=(32, 32)), "foto.png"),
    (image_bytes("TIFF", size=(32, 32)), "foto.jpg"),
    (png_of_zeros(64, 64)[:-30], "potong.png"),
])
def test_anything_but_a_whole_jpeg_png_or_webp_is_refused(upload, db, data, name):
    response = upload(data, name)
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"image"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProductImage)) == 0
