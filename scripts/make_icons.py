"""Draw Pasar UMKM's icon (a market stall under a scalloped awning, white on the brand red) and
write it as SVG and as the PNG/ICO sizes browsers and phones ask for, into
marketplace/static/icons/. The generated files are committed; run this again after changing
the design:

    .venv/bin/python scripts/make_icons.py

One list of shapes (on a 512 x 512 grid) feeds both the SVG and the Pillow drawing, so the
pictures cannot drift apart.
"""
from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "marketplace" / "static" / "icons"
BRAND = "#b5361b"   # --brand in app.css
WHITE = "#ffffff"
GRID = 512
CORNER = 104        # rounded corners of the "any" icon; maskable and Apple icons are full squares

# (kind, geometry, colour) on the 512 grid: the awning, its scallops, two posts, the counter
# and a stripe on the counter.
SHAPES = [
    ("rect", (88, 112, 424, 196, 20), WHITE),
    *[("circle", (130 + 84 * i, 196, 42), WHITE) for i in range(4)],
    ("rect", (120, 230, 152, 330, 0), WHITE),
    ("rect", (360, 230, 392, 330, 0), WHITE),
    ("rect", (96, 318, 416, 408, 22), WHITE),
    ("rect", (96, 350, 416, 366, 0), BRAND),
]


def svg(corner: int = CORNER) -> str:
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {GRID} {GRID}">',
             f'<rect width="{GRID}" height="{GRID}" rx="{corner}" fill="{BRAND}"/>']
    for kind, geo, colour in SHAPES:
        if kind == "rect":
            x0, y0, x1, y1, r = geo
            parts.append(f'<rect x="{x0}" y="{y0}" width="{x1 - x0}" height="{y1 - y0}" rx="{r}" '
                         f'fill="{colour}"/>')
        else:
            cx, cy, r = geo
            parts.append(f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="{colour}"/>')
    parts.append("</svg>")
    return "".join(parts) + "\n"


def draw(size: int, *, corner: int = CORNER, safe_zone: float = 1.0) -> Image.Image:
    """The icon at `size` px, drawn 4x larger and scaled down (smooth edges). `safe_zone` < 1
    shrinks the drawing toward the centre (maskable icons keep it inside 80%)."""
    big = size * 4
    scale = big / GRID
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    pen.rounded_rectangle((0, 0, big - 1, big - 1), radius=int(corner * scale), fill=BRAND)
    offset = big * (1 - safe_zone) / 2

    def at(value: float) -> float:
        return offset + value * scale * safe_zone

    for kind, geo, colour in SHAPES:
        if kind == "rect":
            x0, y0, x1, y1, r = geo
            pen.rounded_rectangle((at(x0), at(y0), at(x1), at(y1)), radius=r * scale * safe_zone,
                                  fill=colour)
        else:
            cx, cy, r = geo
            pen.ellipse((at(cx - r), at(cy - r), at(cx + r), at(cy + r)), fill=colour)
    return image.resize((size, size), Image.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "favicon.svg").write_text(svg())
    draw(32).save(OUT / "icon-32.png", optimize=True)
    draw(192).save(OUT / "icon-192.png", optimize=True)
    draw(512).save(OUT / "icon-512.png", optimize=True)
    draw(512, corner=0, safe_zone=0.8).save(OUT / "icon-maskable-512.png", optimize=True)
    # iOS rounds the corners itself and shows transparency as black: a full, opaque square.
    draw(180, corner=0).convert("RGB").save(OUT / "apple-touch-icon.png", optimize=True)
    draw(48).save(OUT / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])
    for path in sorted(OUT.iterdir()):
        print(f"{path.relative_to(OUT.parent.parent.parent)}  {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
