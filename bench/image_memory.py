"""Peak memory of decoding one uploaded picture (issue 8: a 114 KiB 6320x6320 PNG took a worker
from 186 to 634 MiB).

Each picture is processed in a fresh subprocess, so the figure is that upload's own peak: the
child's peak resident set size (VmHWM in /proc/self/status, reset through /proc/self/clear_refs)
just before `catalog.images.store_image` (decode, check, resize, re-encode, write) and after it.
Linux only.

    .venv/bin/python bench/image_memory.py            # the pictures of the issue
    .venv/bin/python bench/image_memory.py --json     # machine-readable
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import io, json, re, sys, tempfile
sys.path.insert(0, sys.argv[1])
from app import create_app
from PIL import Image
import warnings


def hwm_kib():
    return int(re.search(r"VmHWM:\s+(\d+)", open("/proc/self/status").read()).group(1))

warnings.simplefilter("ignore")
app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "bench",
                  "UPLOAD_DIR": tempfile.mkdtemp(), "PRIVATE_UPLOAD_DIR": tempfile.mkdtemp(),
                  "MAX_IMAGE_BYTES": 64 * 1024 * 1024})
data = open(sys.argv[2], "rb").read()
with app.app_context():
    from catalog.images import store_image
    # warm up the encoders on a tiny picture, so the figure is the picture's, not Pillow's setup
    tiny = io.BytesIO(); Image.new("RGB", (8, 8)).save(tiny, "PNG"); store_image(0, tiny.getvalue())
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset the peak to the current size
    before = hwm_kib()
    outcome = "stored"
    try:
        store_image(1, data)
    except Exception as exc:  # the refusal is a result too
        outcome = f"refused: {getattr(exc, 'fields', {}).get('image', exc)}"
    after = hwm_kib()
print(json.dumps({"before_kib": before, "after_kib": after, "outcome": str(outcome)}))
"""


def pictures(folder: Path) -> dict[str, Path]:
    """The pictures measured, written once to `folder`."""
    from PIL import Image

    made = {}
    # the PNG: 6320x6320, one colour with a little detail, ~100 KiB on disk
    png = Image.new("RGB", (6320, 6320), (200, 120, 40))
    png.paste((20, 20, 20), (100, 100, 600, 600))
    made["png_6320"] = folder / "big.png"
    png.save(made["png_6320"], "PNG", optimize=True)
    del png
    # a 12 MP phone photo: 4000x3000 JPEG with real detail
    photo = Image.radial_gradient("L").resize((4000, 3000)).convert("RGB")
    noise = Image.effect_noise((4000, 3000), 40).convert("RGB")
    photo = Image.blend(photo, noise, 0.3)
    made["jpeg_12mp"] = folder / "photo.jpg"
    photo.save(made["jpeg_12mp"], "JPEG", quality=90)
    del photo, noise
    # a decompression bomb: 20000x20000 of one colour
    bomb = Image.new("L", (20000, 20000))
    made["png_bomb_400mp"] = folder / "bomb.png"
    bomb.save(made["png_bomb_400mp"], "PNG", optimize=True)
    return made


def measure(path: Path, root: Path = ROOT) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(root), str(path)], capture_output=True,
                         text=True, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["peak_growth_mib"] = round((result["after_kib"] - result["before_kib"]) / 1024, 1)
    result["peak_mib"] = round(result["after_kib"] / 1024, 1)
    result["file_kib"] = round(path.stat().st_size / 1024, 1)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--root", default=str(ROOT), help="the checkout whose catalog/images.py runs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        results = {name: measure(path, Path(args.root)) for name, path in pictures(Path(tmp)).items()}
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for name, r in results.items():
        print(f"{name:16} {r['file_kib']:>8} KiB on disk  peak {r['peak_mib']:>7} MiB "
              f"(+{r['peak_growth_mib']} MiB)  {r['outcome']}")


if __name__ == "__main__":
    main()
