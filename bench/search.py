"""Search benchmark: reindex throughput and query latency against a real Elasticsearch.

    .venv/bin/python bench/search.py                   # 100,000 products, 500 queries
    .venv/bin/python bench/search.py --products 20000 --queries 200
    .venv/bin/python bench/search.py --skip-generate   # reuse the generated database

What it does, and the goals it checks:

1. Generates realistic products (Lampung UMKM stores, every leaf category, bilingual titles)
   straight into PostgreSQL with COPY, on a schema built by the app's own migrations.
2. Reindex: `ElasticsearchBackend.reindex(documents.stream_documents(), total)` (what
   `flask search reindex` does) against a bare `helpers.bulk` of the same actions, pre-built in
   memory, into an index with the same settings and mapping. Goal: app >= 80% of bare.
   The embedded (SQLite FTS5) backend's reindex is timed for information.
3. Query latency: mixed queries through GET /api/v1/search on gunicorn, against the exact
   request bodies the app sends, POSTed straight to Elasticsearch. Goal: app p95 <= 1.3 x ES p95.
   Beyond a goal (or with --profile always) the reindex is repeated without the database, and
   the queries run in-process with every part of the request path timed, so the report says
   where the time goes. --wsgi serves a patched app module instead, to measure a fix first.

Services: DATABASE_URL / ELASTICSEARCH_URL from the environment when set, else started with
scripts/postgres.sh and scripts/elasticsearch/start.sh. The benchmark always works in a database of
its own (pasar_bench_search on the same server) because it drops and rebuilds the schema; only
--database-url names another one. Elasticsearch indices start with `bench-products` (or
--index-prefix) and are deleted at the end (unless --keep-index). The app's reindex runs with
the app's bulk timeout and retries (SEARCH_BULK_TIMEOUT_SECONDS, SEARCH_BULK_RETRIES).
"""
from __future__ import annotations

import argparse
import cProfile
import fcntl
import http.client
import io
import json
import logging
import os
import pstats
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(__file__).resolve().parent
# Run as a script, bench/ is first on sys.path, and this file would shadow the `search` package.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]

from bench.support.serving import gunicorn  # noqa: E402  (after the path fix above)

BENCH_DB = "pasar_bench_search"
INDEX_PREFIX = "bench-products"
BARE_INDEX = f"{INDEX_PREFIX}-bare"
APP_P95_GOAL = 1.30     # app p95 / ES p95
REINDEX_GOAL = 0.80     # app docs/s / bare docs/s
SEED = 1808


def say(message: str = "") -> None:
    print(message, flush=True)


@contextmanager
def single_run():
    """One run at a time: two runs would wipe each other's database and indices."""
    path = Path(tempfile.gettempdir()) / "pasar-bench-search.lock"
    with open(path, "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say(f"another bench/search.py run holds {path}; waiting for it ...")
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield


# ------------------------------------------------------------------------------------------------
# Services
# ------------------------------------------------------------------------------------------------

def _export_line(output: str, name: str) -> str:
    for line in output.splitlines():
        if line.startswith(f"export {name}="):
            return line.split("=", 1)[1].strip().strip("'\"")
    raise SystemExit(f"no `export {name}=` line in the script's output:\n{output}")


def database_url(explicit: str | None) -> str:
    """A database the benchmark may wipe: --database-url, else pasar_bench_search."""
    import sqlalchemy as sa

    if explicit:
        return explicit
    env = os.environ.get("DATABASE_URL", "")
    if env.startswith(("postgres://", "postgresql")):
        # Same server as the app's, but never the app's database: create ours beside it.
        url = sa.engine.make_url(env.replace("postgres://", "postgresql+psycopg://", 1)
                                 .replace("postgresql://", "postgresql+psycopg://", 1))
        engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            if conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": BENCH_DB}) is None:
                conn.execute(sa.text(f'CREATE DATABASE "{BENCH_DB}"'))
        engine.dispose()
        return url.set(database=BENCH_DB).render_as_string(hide_password=False)
    say("starting PostgreSQL (scripts/postgres.sh) ...")
    out = subprocess.run([str(ROOT / "scripts" / "postgres.sh")], env={**os.environ, "PG_DB": BENCH_DB},
                         check=True, capture_output=True, text=True).stdout
    return _export_line(out, "DATABASE_URL")


def elasticsearch_url() -> str:
    if os.environ.get("ELASTICSEARCH_URL"):
        return os.environ["ELASTICSEARCH_URL"].rstrip("/")
    say("starting Elasticsearch (scripts/elasticsearch/start.sh) ...")
    out = subprocess.run([str(ROOT / "scripts" / "elasticsearch" / "start.sh")], check=True,
                         capture_output=True, text=True).stdout
    return _export_line(out, "ELASTICSEARCH_URL").rstrip("/")


def make_app(db_url: str, es_url: str, workdir: Path):
    from app import create_app

    app = create_app({
        "SQLALCHEMY_DATABASE_URI": db_url,
        "ELASTICSEARCH_URL": es_url,
        "SEARCH_INDEX_PREFIX": INDEX_PREFIX,
        "SEARCH_INDEX_PATH": str(workdir / "embedded-app.db"),
        "SEARCH_DISPATCH_ON_COMMIT": False,
        "UPLOAD_DIR": str(workdir / "uploads"),
        "SECRET_KEY": "bench-secret",
    })
    # The client would log every bulk chunk and search at INFO.
    for name in ("elasticsearch", "urllib3", "alembic"):
        logging.getLogger(name).setLevel(logging.WARNING)
    return app


# ------------------------------------------------------------------------------------------------
# 1. Data
# ------------------------------------------------------------------------------------------------

_PACKS = [("100 g", "100 g", 0.5), ("250 g", "250 g", 1.0), ("500 g", "500 g", 1.9), ("1 kg", "1 kg", 3.6)]
_BAGS = [("Isi 25 Kantong", "25 Bags", 1.0), ("Daun 100 g", "Loose Leaf 100 g", 1.3),
         ("Daun 250 g", "Loose Leaf 250 g", 2.8)]
_BOTTLES = [("250 ml", "250 ml", 1.0), ("500 ml", "500 ml", 1.9), ("1 liter", "1 litre", 3.6)]
_SIZES = [("Kecil", "Small", 1.0), ("Sedang", "Medium", 1.6), ("Besar", "Large", 2.6)]
_COLOURS = [("Merah", "Red", 1.0), ("Biru", "Blue", 1.0), ("Emas", "Gold", 1.3), ("Hitam", "Black", 1.0),
            ("Hijau", "Green", 1.0)]
_FITS = [("Ukuran M", "Size M", 1.0), ("Ukuran L", "Size L", 1.05), ("Ukuran XL", "Size XL", 1.1)]
_FOOD_Q = [("Premium", "Premium", 1.4), ("Super", "Super", 1.2), ("Grade A", "Grade A", 1.3),
           ("Organik", "Organic", 1.5), ("Asli", "Authentic", 1.0), ("Pilihan", "Selected", 1.1),
           ("Kualitas Ekspor", "Export Quality", 1.6), ("Khas Lampung", "Lampung Speciality", 1.0),
           ("Hemat", "Value", 0.8), ("", "", 1.0), ("", "", 1.0)]
_CRAFT_Q = [("Buatan Tangan", "Handmade", 1.3), ("Motif Klasik", "Classic Motif", 1.0),
            ("Premium", "Premium", 1.4), ("Eksklusif", "Exclusive", 1.6), ("Modern", "Modern", 1.0),
            ("Khas Lampung", "Lampung Speciality", 1.0), ("", "", 1.0)]
_FOOD_NOTE = ("Tanpa pengawet; simpan di tempat kering dan sejuk.", "No preservatives; keep in a cool, dry place.")
_CRAFT_NOTE = ("Dibuat tangan oleh perajin, setiap barang sedikit berbeda.",
               "Made by hand by artisans, so every piece is a little different.")

# leaf slug -> (items (id, en), variants, base price, food?, HS code, (id phrase, en phrase))
CATALOG: dict[str, tuple] = {
    "kopi": ([("Kopi Robusta", "Robusta Coffee"), ("Kopi Arabika", "Arabica Coffee"),
              ("Kopi Luwak", "Civet Coffee"), ("Kopi Bubuk Tubruk", "Ground Tubruk Coffee"),
              ("Biji Kopi Sangrai", "Roasted Coffee Beans"), ("Green Bean Robusta", "Green Robusta Beans"),
              ("Kopi Liberika", "Liberica Coffee"), ("Kopi Robusta Petik Merah", "Red-Cherry Robusta Coffee")],
             _PACKS, 60_000, True, "0901.21",
             ("disangrai medium dengan rasa cokelat dan karamel", "roasted medium with chocolate and caramel notes")),
    "teh": ([("Teh Hitam", "Black Tea"), ("Teh Hijau", "Green Tea"), ("Teh Kawa Daun Kopi", "Kawa Coffee-Leaf Tea"),
             ("Teh Serai Jahe", "Lemongrass Ginger Tea"), ("Teh Melati", "Jasmine Tea")],
            _BAGS, 30_000, True, "0902.30",
            ("dipetik pucuknya lalu dikeringkan perlahan", "tips picked by hand and dried slowly")),
    "keripik": ([("Keripik Pisang Cokelat", "Chocolate Banana Chips"), ("Keripik Pisang", "Banana Chips"),
                 ("Keripik Singkong Balado", "Spicy Balado Cassava Chips"), ("Keripik Tempe", "Tempeh Chips"),
                 ("Keripik Nangka", "Jackfruit Chips"), ("Emping Melinjo", "Melinjo Crackers"),
                 ("Kerupuk Kemplang", "Kemplang Fish Crackers"), ("Keripik Talas", "Taro Chips")],
                _PACKS, 22_000, True, "2008.99",
                ("digoreng renyah dengan minyak kelapa", "fried crisp in coconut oil")),
    "kue-tradisional": ([("Lempok Durian", "Durian Candy"), ("Kue Engkak", "Engkak Layer Cake"),
                         ("Kue Maksuba", "Maksuba Layer Cake"), ("Pisang Sale", "Dried Banana"),
                         ("Dodol Nanas", "Pineapple Dodol"), ("Bolu Kukus", "Steamed Sponge Cake"),
                         ("Kue Nastar", "Pineapple Tart Cookies")],
                        _PACKS, 45_000, True, "1905.90",
                        ("dibuat dari resep keluarga turun-temurun", "made to a family recipe handed down")),
    "lada": ([("Lada Hitam", "Black Pepper"), ("Lada Hitam Bubuk", "Ground Black Pepper"),
              ("Lada Putih", "White Pepper"), ("Merica Butir", "Whole Peppercorns")],
             _PACKS, 35_000, True, "0904.11",
             ("pedasnya tajam dan aromanya kuat", "sharply hot and strongly aromatic")),
    "rempah-lainnya": ([("Jahe Merah", "Red Ginger"), ("Kayu Manis", "Cinnamon Sticks"),
                        ("Kunyit Bubuk", "Ground Turmeric"), ("Cengkeh Kering", "Dried Cloves"),
                        ("Pala Utuh", "Whole Nutmeg"), ("Kapulaga", "Cardamom"), ("Serai Kering", "Dried Lemongrass")],
                       _PACKS, 25_000, True, "0910.99",
                       ("dijemur sampai kering sempurna", "sun-dried until fully dry")),
    "madu": ([("Madu Hutan", "Wild Forest Honey"), ("Madu Klanceng", "Stingless Bee Honey"),
              ("Madu Randu", "Kapok Blossom Honey"), ("Madu Bunga Kopi", "Coffee Blossom Honey"),
              ("Madu Murni", "Pure Honey")],
             _BOTTLES, 90_000, True, "0409.00",
             ("dipanen lestari tanpa merusak sarang", "harvested sustainably without destroying the comb")),
    "tapis": ([("Kain Tapis", "Tapis Cloth"), ("Selendang Tapis", "Tapis Shawl"),
               ("Taplak Meja Tapis", "Tapis Table Runner"), ("Tas Tapis", "Tapis Bag"),
               ("Tapis Sulam Usus", "Sulam Usus Tapis")],
              _COLOURS, 450_000, False, "5810.91",
              ("disulam benang emas di atas kain tenun", "embroidered in gold thread on handwoven cloth")),
    "batik": ([("Kain Batik Siger", "Siger Batik Cloth"), ("Batik Tulis", "Hand-Drawn Batik"),
               ("Batik Cap", "Stamped Batik"), ("Kemeja Batik", "Batik Shirt"), ("Selendang Batik", "Batik Scarf")],
              _COLOURS, 220_000, False, "5208.52",
              ("diwarnai dengan pewarna alam", "coloured with natural dyes")),
    "tenun": ([("Kain Tenun Ikat", "Ikat Woven Cloth"), ("Sarung Tenun", "Woven Sarong"),
               ("Kain Kapal", "Ship Cloth"), ("Songket Lampung", "Lampung Songket")],
              _COLOURS, 350_000, False, "5208.59",
              ("ditenun dengan alat tenun bukan mesin", "woven on a hand loom")),
    "anyaman": ([("Tas Anyaman Purun", "Purun Woven Bag"), ("Keranjang Rotan", "Rattan Basket"),
                 ("Tikar Pandan", "Pandan Mat"), ("Tampah Bambu", "Bamboo Tray"), ("Topi Anyaman", "Woven Hat")],
                _SIZES, 80_000, False, "4602.19",
                ("dianyam dari bahan alam yang kuat", "woven from strong natural fibres")),
    "ukiran-kayu": ([("Ukiran Kayu Siger", "Siger Wood Carving"), ("Patung Gajah Kayu", "Wooden Elephant Statue"),
                     ("Hiasan Dinding Ukir", "Carved Wall Decoration"),
                     ("Kotak Perhiasan Kayu", "Wooden Jewellery Box")],
                    _SIZES, 250_000, False, "4420.10",
                    ("diukir dari kayu jati pilihan", "carved from selected teak")),
    "pakaian": ([("Kaos Lampung", "Lampung T-Shirt"), ("Kemeja Tapis", "Tapis Shirt"),
                 ("Baju Kurung", "Baju Kurung Dress"), ("Gamis Batik", "Batik Gamis Dress"),
                 ("Jaket Tenun", "Woven Jacket")],
                _FITS, 150_000, False, "6205.20",
                ("berbahan katun yang nyaman dipakai", "in cotton that is comfortable to wear")),
    "aksesori": ([("Bros Siger", "Siger Brooch"), ("Gantungan Kunci", "Keychain"), ("Kalung Manik", "Beaded Necklace"),
                  ("Dompet Tapis", "Tapis Wallet"), ("Gelang Rotan", "Rattan Bracelet")],
                 _COLOURS, 45_000, False, "7117.90",
                 ("cocok untuk oleh-oleh dan hadiah", "a fine souvenir or gift")),
    "hasil-laut": ([("Ikan Asin", "Salted Fish"), ("Udang Kering", "Dried Shrimp"), ("Cumi Kering", "Dried Squid"),
                    ("Terasi Udang", "Shrimp Paste"), ("Abon Ikan", "Shredded Fish Floss"),
                    ("Kerupuk Udang", "Shrimp Crackers")],
                   _PACKS, 60_000, True, "0305.59",
                   ("dari tangkapan nelayan pesisir", "from the catch of coastal fishermen")),
    "hasil-tani": ([("Beras Organik", "Organic Rice"), ("Gula Aren", "Palm Sugar"), ("Gula Semut", "Palm Sugar Granules"),
                    ("Kelapa Kopyor", "Kopyor Coconut"), ("Pisang Agung", "Agung Banana"), ("Singkong", "Cassava"),
                    ("Kakao Fermentasi", "Fermented Cocoa Beans")],
                   _PACKS, 30_000, True, "1006.30",
                   ("dari kebun petani setempat", "from local smallholder farms")),
    "minuman": ([("Wedang Jahe", "Ginger Drink"), ("Sirup Kopi", "Coffee Syrup"), ("Cokelat Bubuk", "Cocoa Powder"),
                 ("Minuman Serai", "Lemongrass Drink"), ("Jamu Kunyit Asam", "Turmeric Tamarind Jamu"),
                 ("Sari Buah Nanas", "Pineapple Juice")],
                _BOTTLES, 25_000, True, "2202.99",
                ("diseduh dengan air panas, nikmat hangat maupun dingin", "brew with hot water; good hot or cold")),
}
TOWNS = {"18.01": "Liwa", "18.02": "Kotaagung", "18.03": "Kalianda", "18.04": "Sukadana",
         "18.05": "Gunung Sugih", "18.06": "Kotabumi", "18.07": "Way Kanan", "18.08": "Menggala",
         "18.09": "Pesawaran", "18.10": "Pringsewu", "18.11": "Mesuji", "18.12": "Tulang Bawang Barat",
         "18.13": "Krui", "18.71": "Bandar Lampung", "18.72": "Metro"}
ORIGINS = list(TOWNS.values()) + ["Tanggamus", "Lampung Barat", "Ulubelu", "Way Tenong", "Way Kambas",
                                  "Pesisir Barat", "Lampung"]
_BLESSINGS = ("Berkah", "Jaya", "Makmur", "Sejahtera", "Lestari", "Mandiri", "Barokah", "Sentosa", "Abadi")
_TRADES = {"kopi": "Kopi", "teh": "Teh", "keripik": "Keripik", "kue-tradisional": "Kue", "lada": "Lada",
           "rempah-lainnya": "Rempah", "madu": "Madu", "tapis": "Tapis", "batik": "Batik", "tenun": "Tenun",
           "anyaman": "Anyaman", "ukiran-kayu": "Ukiran", "pakaian": "Busana", "aksesori": "Kriya",
           "hasil-laut": "Bahari", "hasil-tani": "Tani", "minuman": "Minuman"}
_OWNERS = ("Ahmad", "Sumiyati", "Ratu Intan", "Hendra", "Bambang", "Dewi", "Slamet", "Yusuf", "Nur Aini",
           "Agus", "Wagiman", "Made", "Rina", "Ikhsan", "Siti", "Budi", "Fitri", "Nyoman", "Darmi", "Rudi")


def _leaf_categories(conn) -> dict[str, int]:
    rows = conn.execute("SELECT id, slug, parent_id FROM categories").fetchall()
    parents = {r[2] for r in rows if r[2] is not None}
    return {slug: cid for cid, slug, _parent in rows if cid not in parents}


def _price(base: int, *factors: float, rng: random.Random) -> int:
    value = base * rng.uniform(0.8, 1.25)
    for f in factors:
        value *= f
    return max(1000, int(round(value / 500.0)) * 500)


def generate(app, n_products: int, seed: int = SEED) -> dict:
    """Drop and rebuild the schema with the app's migrations, then COPY stores and products in."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from marketplace.extensions import db

    rng = random.Random(seed)
    started = time.perf_counter()
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        upgrade()
        db.session.remove()
        schema_s = time.perf_counter() - started
        raw = db.engine.raw_connection()
        try:
            pg = raw.driver_connection
            leaves = _leaf_categories(pg)
            missing = set(leaves) - set(CATALOG)
            if missing:
                raise SystemExit(f"bench vocabulary lacks leaf categories: {sorted(missing)}")
            counts = _copy_rows(pg, rng, n_products, leaves)
            pg.commit()
            pg.autocommit = True
            for table in ("users", "user_roles", "stores", "products", "product_images", "wholesale_tiers"):
                pg.execute(f"ANALYZE {table}")
        finally:
            raw.close()
    counts["schema_s"] = schema_s
    counts["seconds"] = time.perf_counter() - started
    return counts


def _copy_rows(pg, rng: random.Random, n_products: int, leaves: dict[str, int]) -> dict:
    now = datetime.now(UTC).replace(microsecond=0)
    n_stores = max(40, min(200, n_products // 500))
    regencies = list(TOWNS)
    leaf_slugs = sorted(leaves)
    users, roles, stores = [], [], []
    specialities: list[list[str]] = []
    slugs = set()
    for i in range(1, n_stores + 1):
        regency = regencies[(i - 1) % len(regencies)] if i <= len(regencies) else rng.choice(regencies)
        speciality = rng.sample(leaf_slugs, rng.choice((1, 2, 2, 3)))
        name = f"{_TRADES[speciality[0]]} {TOWNS[regency]} {rng.choice(_BLESSINGS)}"
        slug = name.lower().replace(" ", "-")
        while slug in slugs:
            slug = f"{slug}-{i}"
        slugs.add(slug)
        created = now - timedelta(days=rng.randint(200, 900))
        verified = rng.random() < 0.45
        users.append((i, f"penjual{i}@bench.test", f"{rng.choice(_OWNERS)} {i}", "pbkdf2:sha256:1000$bench$x",
                      None, None, True, created))
        roles.append((i, "seller", created, None))
        food = CATALOG[speciality[0]][3]
        stores.append((i, i, name, slug, f"UMKM {name} dari {TOWNS[regency]}.", "18", regency,
                       f"{rng.randrange(10**12, 10**13)}", rng.choices(("mikro", "kecil", "menengah"), (6, 3, 1))[0],
                       f"62812{rng.randrange(10**7, 10**8)}",
                       f"ID{rng.randrange(10**11, 10**12)}" if food and rng.random() < 0.7 else None,
                       f"Koperasi UMKM {TOWNS[regency]} Mandiri" if rng.random() < 0.3 else None,
                       rng.random() < 0.2, created + timedelta(days=rng.randint(1, 60)) if verified else None,
                       None, created, created + timedelta(days=rng.randint(0, 150))))
        specialities.append(speciality)

    products, images, tiers = [], [], []
    image_id = tier_id = 0
    for pid in range(1, n_products + 1):
        store_index = min(int(rng.paretovariate(1.1)) - 1, n_stores - 1) if rng.random() < 0.3 \
            else rng.randrange(n_stores)
        store = stores[store_index]
        leaf = rng.choice(specialities[store_index]) if rng.random() < 0.9 else rng.choice(leaf_slugs)
        items, variants, base, food, hs, (phrase_id, phrase_en) = CATALOG[leaf]
        item_id, item_en = rng.choice(items)
        var_id, var_en, var_f = rng.choice(variants)
        q_id, q_en, q_f = rng.choice(_FOOD_Q if food else _CRAFT_Q)
        origin = TOWNS[store[6]] if rng.random() < 0.6 else rng.choice(ORIGINS)
        with_origin = rng.random() < 0.7
        title = " ".join(p for p in (item_id, q_id, origin if with_origin else "", var_id) if p)
        title_en = " ".join(p for p in (q_en, origin if with_origin else "", item_en, var_en) if p)
        note_id, note_en = _FOOD_NOTE if food else _CRAFT_NOTE
        description = (f"{item_id} {q_id.lower()} dari {origin}, {phrase_id}. {note_id} "
                       f"Dikirim dari {TOWNS[store[6]]} oleh {store[2]}.").replace("  ", " ")
        description_en = f"{item_en} from {origin}, {phrase_en}. {note_en}" if rng.random() < 0.8 else None
        in_stock = rng.random() >= 0.12
        created = now - timedelta(minutes=rng.randint(0, 720 * 24 * 60))
        updated = min(now, created + timedelta(minutes=rng.randint(0, 90 * 24 * 60)))
        export_ready = bool(rng.random() < (0.35 if store[13] else 0.08))
        status = rng.choices(("active", "draft", "archived"), (980, 15, 5))[0]
        products.append((
            pid, store[0], leaves[leaf], title[:160], title_en[:160] if rng.random() < 0.85 else None,
            description, description_en, _price(base, var_f, q_f, rng=rng),
            rng.choices((1, 5, 10, 50), (80, 10, 7, 3))[0], rng.randint(1, 500) if in_stock else 0,
            rng.randint(50, 3000), f"SKU-{pid:07d}", bool(food and rng.random() < 0.7), export_ready,
            hs if export_ready else None, status, min(int(rng.paretovariate(1.3) * 3) - 3, 20_000),
            created, updated))
        if rng.random() < 0.6:
            for position in range(rng.choice((1, 1, 2, 3))):
                image_id += 1
                key = f"{pid:07d}-{position}"
                images.append((image_id, pid, position, f"products/{key[:2]}/{key}.webp",
                               f"products/{key[:2]}/{key}-thumb.webp", "image/webp", 1200, 1200,
                               rng.randint(40_000, 300_000), created))
        if rng.random() < 0.15:
            price = products[-1][7]
            for min_qty, factor in ((10, 0.92), (50, 0.85)):
                tier_id += 1
                tiers.append((tier_id, pid, min_qty, max(500, int(price * factor) // 500 * 500)))

    def copy(table: str, columns: str, rows: list[tuple]) -> None:
        with pg.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as cp:
            for row in rows:
                cp.write_row(row)

    copy("users", "id, email, name, password_hash, locale, timezone, is_active, created_at", users)
    copy("user_roles", "user_id, role, granted_at, granted_by_id", roles)
    copy("stores", "id, owner_id, name, slug, description, province_code, regency_code, nib, scale, "
         "whatsapp, halal_cert, cooperative, export_ready, verified_at, verified_by_id, created_at, "
         "updated_at", stores)
    copy("products", "id, store_id, category_id, title, title_en, description, description_en, price_idr, "
         "min_order_qty, stock, weight_g, sku, halal, export_ready, hs_code, status, sold_count, "
         "created_at, updated_at", products)
    copy("product_images", "id, product_id, position, path, thumb_path, content_type, width, height, "
         "size_bytes, created_at", images)
    copy("wholesale_tiers", "id, product_id, min_qty, unit_price_idr", tiers)
    for table in ("users", "stores", "products", "product_images", "wholesale_tiers"):
        pg.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                   f"GREATEST((SELECT MAX(id) FROM {table}), 1))")
    return {"stores": n_stores, "products": n_products, "images": len(images), "tiers": len(tiers),
            "verified_stores": sum(1 for s in stores if s[13]),
            "active": sum(1 for p in products if p[15] == "active"),
            "out_of_stock": sum(1 for p in products if p[9] == 0)}


# ------------------------------------------------------------------------------------------------
# 2. Reindex throughput
# ------------------------------------------------------------------------------------------------

def reindex_bench(app, es_url: str, workdir: Path, *, embedded: bool, probe: str) -> dict:
    import sqlalchemy as sa
    from elasticsearch import Elasticsearch, helpers

    from marketplace.extensions import db
    from search import documents, text
    from search.elasticsearch import MAPPING, ElasticsearchBackend, index_settings, source_document

    out: dict = {}
    client = Elasticsearch([es_url], timeout=120)
    with app.app_context():
        total = documents.count_active()
        out["total"] = total

        # Documents read once, up front, so the bare figure holds no database work.
        statements: dict[str, int] = defaultdict(int)

        def count_statement(_conn, _cursor, statement, *_rest):
            match = re.search(r"\bFROM\s+(\w+)", statement)
            statements[match.group(1) if match else statement.split()[0]] += 1

        sa.event.listen(db.engine, "before_cursor_execute", count_statement)
        t0 = time.perf_counter()
        try:
            docs = list(documents.stream_documents())
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count_statement)
        out["read_s"] = time.perf_counter() - t0
        out["read_n"] = len(docs)
        batches = max(1, -(-len(docs) // 1000))
        out["read_sql"] = {table: n / batches for table, n in statements.items() if n >= batches}
        say(f"  read {len(docs):,} documents from PostgreSQL in {out['read_s']:.1f}s "
            f"({len(docs) / out['read_s']:,.0f}/s): stream_documents() alone; SQL per 1000-doc batch: "
            + ", ".join(f"{table} {n:.2g}" for table, n in sorted(out["read_sql"].items())))

        settings = index_settings(text.es_synonym_rules(app.config))
        settings["refresh_interval"] = "-1"
        actions = [{"_op_type": "index", "_index": BARE_INDEX, "_id": d["id"], "version": d["version"],
                    "version_type": "external_gte", "_source": source_document(d)} for d in docs]

        def fresh_bare_index():
            client.indices.delete(index=BARE_INDEX, ignore=[404])
            client.indices.create(index=BARE_INDEX, body={"settings": settings, "mappings": MAPPING})

        # Warm the JVM (JIT, analysis chains) so neither timed run pays for it.
        fresh_bare_index()
        helpers.bulk(client, actions[:5000], chunk_size=1000)
        fresh_bare_index()

        t0 = time.perf_counter()
        ok, errors = helpers.bulk(client, actions, chunk_size=1000, raise_on_error=False)
        out["bare_bulk_s"] = time.perf_counter() - t0
        client.indices.put_settings(index=BARE_INDEX, body={"index": {"refresh_interval": "1s"}})
        client.indices.refresh(index=BARE_INDEX)
        out["bare_s"] = time.perf_counter() - t0
        out["bare_n"] = ok
        if errors:
            say(f"  ! bare bulk: {len(errors)} errors, first {errors[0]}")
        say(f"  bare helpers.bulk: {ok:,} docs in {out['bare_s']:.1f}s "
            f"({ok / out['bare_s']:,.0f}/s; bulk requests {out['bare_bulk_s']:.1f}s + refresh)")
        client.indices.delete(index=BARE_INDEX, ignore=[404])
        del actions

        backend = ElasticsearchBackend.from_config(app.config)
        t0 = time.perf_counter()
        stats = backend.reindex(documents.stream_documents(), total, catch_up=documents.changed_since)
        out["app_s"] = time.perf_counter() - t0
        out["app_n"] = stats["indexed"]
        out["index"] = stats["index"]
        backend.close()
        say(f"  app ElasticsearchBackend.reindex: {stats['indexed']:,} docs in {out['app_s']:.1f}s "
            f"({stats['indexed'] / out['app_s']:,.0f}/s) into {stats['index']}")

        # Where does the app's extra time go? Feed the same reindex from the in-memory list.
        ratio = (out["app_n"] / out["app_s"]) / (out["bare_n"] / out["bare_s"])
        if probe == "always" or (probe == "auto" and ratio < REINDEX_GOAL):
            out["app_mem_s"] = _reindex_from_memory(app, es_url, docs, total)
            say(f"  app reindex fed from memory (no DB): {out['app_mem_s']:.1f}s "
                f"({len(docs) / out['app_mem_s']:,.0f}/s)")
        del docs

        if embedded:
            from search.embedded import EmbeddedBackend

            path = workdir / "embedded-bench.db"
            backend = EmbeddedBackend(str(path), app.config)
            t0 = time.perf_counter()
            stats = backend.reindex(documents.stream_documents(), total)
            out["embedded_s"] = time.perf_counter() - t0
            out["embedded_n"] = stats["indexed"]
            backend.close()
            say(f"  embedded reindex: {stats['indexed']:,} docs in {out['embedded_s']:.1f}s "
                f"({stats['indexed'] / out['embedded_s']:,.0f}/s), {path.stat().st_size / 1e6:.0f} MB")
    client.transport.close()
    return out


def _reindex_from_memory(app, es_url: str, docs: list[dict], total: int) -> float:
    """The app's reindex with the database taken out: what its own client-side work costs."""
    from search.elasticsearch import ElasticsearchBackend

    probe = ElasticsearchBackend(es_url, f"{INDEX_PREFIX}-probe", app.config)
    probe.clear()
    t0 = time.perf_counter()
    probe.reindex(iter(docs), total)
    seconds = time.perf_counter() - t0
    probe.clear()
    probe.close()
    return seconds


# ------------------------------------------------------------------------------------------------
# 3. Queries
# ------------------------------------------------------------------------------------------------

_SYNONYMS = ["merica", "kripik", "cinnamon", "palm sugar", "chili", "cassava chips", "clothes", "honey",
             "coffee", "tea", "woven bag", "turmeric", "ginger", "prawn", "crackers", "handicraft",
             "cloves", "nutmeg", "wicker basket", "kayu manis", "gula aren", "ubi kayu", "cabe", "drinks"]
_NONSENSE = ["laptop gaming", "sepeda lipat", "iphone 15", "ban motor", "semen tiga roda", "televisi",
             "xqzv", "obeng set"]
_EN_FREE = ["black pepper", "banana chips", "wild honey", "arabica coffee", "batik shirt", "dried shrimp",
            "organic rice", "ginger drink", "rattan basket", "wood carving", "tapis cloth", "civet coffee",
            "green tea", "salted fish", "coconut", "jackfruit chips", "handmade bag", "pepper"]


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        return word[:i] + word[i + 1:]                       # dropped letter
    if kind == 1:
        return word[:i] + word[i] + word[i:]                 # doubled letter
    if kind == 2:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]  # swapped letters
    return word[:i] + rng.choice("aeiouknrst") + word[i + 1:]  # wrong letter


def make_queries(n: int, seed: int) -> list[tuple[dict, str]]:
    """(API arguments, language) for a mix of what buyers type, with and without filters."""
    rng = random.Random(seed)
    leaves = sorted(CATALOG)
    parents = ["kopi-teh", "makanan-ringan", "rempah", "kain-tenun", "kerajinan", "fashion"]
    item_words = sorted({w.lower() for items, *_ in CATALOG.values() for it, _en in items
                         for w in it.split() if len(w) > 3})
    item_phrases = [it.lower() for items, *_ in CATALOG.values() for it, _en in items]
    queries = []
    for _ in range(n):
        kind = rng.choices(("word", "phrase", "english", "synonym", "typo", "origin", "nonsense", "browse"),
                           (22, 20, 15, 10, 15, 7, 4, 7))[0]
        if kind == "word":
            q = rng.choice(item_words)
        elif kind == "phrase":
            q = rng.choice(item_phrases)
            if rng.random() < 0.3:
                q += " " + rng.choice(("premium", "organik", "asli", "1 kg", "250 g", "murah"))
        elif kind == "english":
            q = rng.choice(_EN_FREE)
        elif kind == "synonym":
            q = rng.choice(_SYNONYMS)
        elif kind == "typo":
            words = rng.choice(item_phrases + _EN_FREE).split()
            j = rng.randrange(len(words))
            words[j] = _typo(rng, words[j])
            q = " ".join(words)
        elif kind == "origin":
            q = f"{rng.choice(item_words)} {rng.choice(ORIGINS).lower()}"
        elif kind == "nonsense":
            q = rng.choice(_NONSENSE)
        else:
            q = ""
        args: dict[str, str] = {"q": q} if q else {}
        if not q or rng.random() < 0.5:
            for name in rng.sample(("category", "province", "regency", "halal", "price", "export_ready",
                                    "verified", "in_stock", "scale"), rng.choice((1, 1, 2, 2, 3))):
                if name == "category":
                    args["category"] = rng.choice(leaves + parents)
                elif name == "province":
                    args["province"] = "18"
                elif name == "regency":
                    args["regency"] = rng.choice(list(TOWNS))
                elif name == "price":
                    low, high = rng.choice(((None, 25_000), (25_000, 50_000), (50_000, 100_000),
                                            (100_000, 250_000), (250_000, None), (10_000, 75_000)))
                    if low is not None:
                        args["min_price"] = str(low)
                    if high is not None:
                        args["max_price"] = str(high)
                elif name == "scale":
                    args["scale"] = rng.choice(("mikro", "kecil", "menengah"))
                else:
                    args[name] = "true"
        if rng.random() < 0.25:
            args["sort"] = rng.choice(("price_asc", "price_desc", "newest", "best_selling"))
        if rng.random() < 0.2:
            args["page"] = str(rng.randint(2, 5))
        queries.append((args, "en" if rng.random() < 0.25 else "id"))
    return queries


def capture_bodies(app, queries: list[tuple[dict, str]]) -> list[dict]:
    """Each query's Elasticsearch calls, exactly as the app's backend makes them.

    The backend runs for real (parse_query, the backend's body, Elasticsearch's answer); the
    client's search/count are wrapped to record what was sent."""
    from search.elasticsearch import ElasticsearchBackend
    from search.facets import FacetLabels
    from search.query import parse_query

    captured = []
    with app.app_context():
        backend = ElasticsearchBackend.from_config(app.config)
        calls: list = []
        real_search, real_count = backend.client.search, backend.client.count

        def search(index=None, body=None, **kw):
            calls.append(("search", index, body))
            return real_search(index=index, body=body, **kw)

        def count(index=None, body=None, **kw):
            calls.append(("count", index, body))
            return real_count(index=index, body=body, **kw)

        backend.client.search, backend.client.count = search, count
        labels = {lang: FacetLabels(lang) for lang in ("id", "en")}
        for args, lang in queries:
            calls.clear()
            result = backend.search(parse_query(args, lang=lang), labels[lang])
            main = calls[0]
            captured.append({"index": main[1], "body": json.dumps(main[2], separators=(",", ":")).encode(),
                             "followups": list(calls[1:]), "total": result.total,
                             "did_you_mean": result.did_you_mean})
        backend.close()
    return captured


@contextmanager
def served(db_url: str, es_url: str, workdir: Path, workers: int, wsgi: str = "wsgi:app"):
    """The app under `workers` gunicorn workers, ready once a search answers; yields the port."""
    env = {**os.environ, "DATABASE_URL": db_url, "ELASTICSEARCH_URL": es_url,
           "SEARCH_INDEX_PREFIX": INDEX_PREFIX, "SEARCH_INDEX_PATH": str(workdir / "embedded-gunicorn.db"),
           "UPLOAD_DIR": str(workdir / "uploads"), "SECRET_KEY": "bench-secret"}
    with gunicorn(["-w", str(workers), wsgi], env, workdir / "gunicorn.log",
                  ready_path="/api/v1/search?q=kopi") as port:
        yield port


class Client:
    """One persistent HTTP/1.1 connection (reopened by http.client when the server closes it)."""

    def __init__(self, base_url: str):
        parts = urlsplit(base_url)
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)

    def get(self, path: str, headers: dict) -> tuple[int, bytes]:
        self.conn.request("GET", path, headers=headers)
        response = self.conn.getresponse()
        return response.status, response.read()

    def post_json(self, path: str, body: bytes) -> tuple[int, bytes]:
        self.conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
        response = self.conn.getresponse()
        return response.status, response.read()

    def close(self) -> None:
        self.conn.close()


def _app_path(args: dict) -> str:
    return "/api/v1/search" + ("?" + urlencode(args) if args else "")


def _headers(lang: str) -> dict:
    return {"Accept-Language": lang, "Accept": "application/json"}


def query_bench(port: int, es_url: str, queries, captured, warmup, warm_captured) -> dict:
    """Warm both up, then time each query through the app and straight to Elasticsearch,
    alternating which goes first so neither gets the other's cache warmth systematically."""
    app = Client(f"http://127.0.0.1:{port}")
    es = Client(es_url)
    for (args, lang), cap in zip(warmup, warm_captured):
        app.get(_app_path(args), _headers(lang))
        es.post_json(f"/{cap['index']}/_search", cap["body"])
    app_ms, es_ms, took, mismatches, errors = [], [], [], [], []
    for i, ((args, lang), cap) in enumerate(zip(queries, captured)):
        order = ("app", "es") if i % 2 == 0 else ("es", "app")
        for which in order:
            if which == "app":
                t0 = time.perf_counter()
                status, body = app.get(_app_path(args), _headers(lang))
                app_ms.append((time.perf_counter() - t0) * 1000)
                if status != 200:
                    errors.append((args, status, body[:200]))
                elif json.loads(body)["total"] != cap["total"]:
                    mismatches.append(args)
            else:
                t0 = time.perf_counter()
                status, body = es.post_json(f"/{cap['index']}/_search", cap["body"])
                es_ms.append((time.perf_counter() - t0) * 1000)
                if status != 200:
                    errors.append(("es", args, status, body[:200]))
                else:
                    took.append(json.loads(body)["took"])
    # The did-you-mean follow-ups of zero-hit queries, timed alone (they are part of the app's cost).
    followup_ms = []
    for cap in captured:
        if cap["followups"]:
            t0 = time.perf_counter()
            for method, index, body in cap["followups"]:
                endpoint = "_search" if method == "search" else "_count"
                es.post_json(f"/{index}/{endpoint}", json.dumps(body).encode())
            followup_ms.append((time.perf_counter() - t0) * 1000)
    app.close()
    es.close()
    return {"app_ms": app_ms, "es_ms": es_ms, "took": took, "mismatches": mismatches, "errors": errors,
            "followup_ms": followup_ms}


def pct(values: list[float]) -> dict:
    ordered = sorted(values)
    if len(ordered) < 2:
        v = ordered[0] if ordered else 0.0
        return {"p50": v, "p95": v, "p99": v, "mean": v, "max": v}
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    return {"p50": cuts[49], "p95": cuts[94], "p99": cuts[98], "mean": statistics.fmean(ordered),
            "max": ordered[-1]}


# ------------------------------------------------------------------------------------------------
# Profile: where the app's time goes, in-process, section by section
# ------------------------------------------------------------------------------------------------

def profile_requests(app, queries, warmup, cprofile_n: int) -> dict:
    """Run the queries through the Flask app in-process, with each part of the path timed."""
    import sqlalchemy as sa

    import search.api as search_api
    import search.elasticsearch as search_es
    import search.facets as search_facets
    from marketplace.extensions import db
    from search.engine import elasticsearch_backend

    acc: dict[str, float] = defaultdict(float)
    n_sql = [0]

    def timed(name, fn):
        def wrapper(*a, **kw):
            t0 = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                acc[name] += time.perf_counter() - t0
        wrapper.__wrapped__ = fn
        return wrapper

    with app.app_context():
        backend = elasticsearch_backend()   # the instance run_search will use for this app
        engine = db.engine
    client = backend.client
    transport = client.transport
    originals = {
        "search_api.parse_query": (search_api, "parse_query", search_api.parse_query),
        "search_api.item_json": (search_api, "item_json", search_api.item_json),
        "search_api.jsonify": (search_api, "jsonify", search_api.jsonify),
        "search_facets.FacetLabels": (search_facets, "FacetLabels", search_facets.FacetLabels),
        "es.price_bucket_label": (search_es, "price_bucket_label", search_es.price_bucket_label),
    }
    real_search, real_count = client.search, client.count
    real_facets = search_es.ElasticsearchBackend.__dict__["_facets"]
    real_dym = search_es.ElasticsearchBackend._did_you_mean
    real_backend_search = search_es.ElasticsearchBackend.search
    real_dumps, real_loads = transport.serializer.dumps, transport.deserializer.loads
    real_perform = transport.connection_pool.connections[0].perform_request

    def count_sql(*_a, **_kw):
        n_sql[0] += 1

    def client_search(index=None, body=None, **kw):
        name = "es.client.search (suggest)" if body and "suggest" in body else "es.client.search (main)"
        return timed(name, real_search)(index=index, body=body, **kw)

    try:
        search_api.parse_query = timed("parse_query", search_api.parse_query)
        search_api.item_json = timed("item_json x per_page", search_api.item_json)
        search_api.jsonify = timed("jsonify (serialise response)", search_api.jsonify)
        search_facets.FacetLabels = timed("FacetLabels (DB)", search_facets.FacetLabels)
        search_es.price_bucket_label = timed("  price_bucket_label (babel)", search_es.price_bucket_label)
        search_es.ElasticsearchBackend.search = timed("ElasticsearchBackend.search", real_backend_search)
        search_es.ElasticsearchBackend._facets = staticmethod(timed("_facets (labels)", real_facets.__func__))
        search_es.ElasticsearchBackend._did_you_mean = timed("_did_you_mean", real_dym)
        client.search = client_search
        client.count = timed("es.client.count (did-you-mean)", real_count)
        transport.serializer.dumps = timed("  es-py: JSON dumps (all calls)", real_dumps)
        transport.deserializer.loads = timed("  es-py: JSON loads (all calls)", real_loads)
        transport.connection_pool.connections[0].perform_request = timed("  es-py: HTTP (all calls)", real_perform)
        sa.event.listen(engine, "before_cursor_execute", count_sql)

        test_client = app.test_client()
        for args, lang in warmup:
            test_client.get(_app_path(args), headers=_headers(lang))
        rows: dict[str, list[float]] = defaultdict(list)
        sql_counts = []
        for args, lang in queries:
            acc.clear()
            n_sql[0] = 0
            t0 = time.perf_counter()
            response = test_client.get(_app_path(args), headers=_headers(lang))
            total = time.perf_counter() - t0
            assert response.status_code == 200, response.get_data(as_text=True)[:300]
            rows["request (in-process, WSGI)"].append(total)
            for name in ("parse_query", "FacetLabels (DB)", "ElasticsearchBackend.search",
                         "es.client.search (main)", "  es-py: JSON dumps (all calls)", "  es-py: HTTP (all calls)",
                         "  es-py: JSON loads (all calls)", "_facets (labels)", "  price_bucket_label (babel)",
                         "_did_you_mean", "es.client.search (suggest)", "es.client.count (did-you-mean)",
                         "item_json x per_page", "jsonify (serialise response)"):
                rows[name].append(acc.get(name, 0.0))
            named = (acc.get("parse_query", 0) + acc.get("FacetLabels (DB)", 0)
                     + acc.get("ElasticsearchBackend.search", 0) + acc.get("item_json x per_page", 0)
                     + acc.get("jsonify (serialise response)", 0))
            rows["rest of Flask request (routing, hooks, locale, teardown)"].append(total - named)
            rows["  backend.search minus client calls"].append(
                acc.get("ElasticsearchBackend.search", 0) - acc.get("es.client.search (main)", 0)
                - acc.get("_did_you_mean", 0) - acc.get("_facets (labels)", 0))
            sql_counts.append(n_sql[0])

        profile_text = ""
        if cprofile_n:
            profiler = cProfile.Profile()
            profiler.enable()
            for args, lang in queries[:cprofile_n]:
                test_client.get(_app_path(args), headers=_headers(lang))
            profiler.disable()
            stream = io.StringIO()
            stats = pstats.Stats(profiler, stream=stream)
            stats.sort_stats("tottime").print_stats(18)
            profile_text = stream.getvalue()
    finally:
        for module, attr, value in originals.values():
            setattr(module, attr, value)
        search_es.ElasticsearchBackend.search = real_backend_search
        search_es.ElasticsearchBackend._facets = real_facets
        search_es.ElasticsearchBackend._did_you_mean = real_dym
        client.search, client.count = real_search, real_count
        transport.serializer.dumps, transport.deserializer.loads = real_dumps, real_loads
        transport.connection_pool.connections[0].perform_request = real_perform
        sa.event.remove(engine, "before_cursor_execute", count_sql)
    return {"rows": rows, "sql_per_request": statistics.fmean(sql_counts) if sql_counts else 0,
            "cprofile": profile_text}


# ------------------------------------------------------------------------------------------------
# Report
# ------------------------------------------------------------------------------------------------

def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def print_summary(info: dict) -> None:
    say()
    say("=" * 92)
    gen = info.get("generate")
    head = f"Search benchmark: {info['products']:,} products"
    if gen:
        head += (f", {gen['active']:,} active, {gen['stores']} stores ({gen['verified_stores']} verified), "
                 f"{gen['out_of_stock']:,} out of stock")
    say(head)
    say(f"PostgreSQL {info['db']}   Elasticsearch {info['es']} ({info.get('es_version', '?')})   "
        f"{os.cpu_count()} CPUs")
    if gen:
        say(f"Generated in {gen['seconds']:.1f}s (schema {gen['schema_s']:.1f}s, COPY of products, "
            f"{gen['images']:,} images, {gen['tiers']:,} tiers)")
    r = info.get("reindex")
    if r:
        say("-" * 92)
        say(f"{'Reindex':<58}{'docs':>10}{'seconds':>10}{'docs/s':>12}")
        rows = [("app  ElasticsearchBackend.reindex(stream_documents())", r["app_n"], r["app_s"]),
                ("bare helpers.bulk, pre-built actions (+ final refresh)", r["bare_n"], r["bare_s"]),
                ("  stream_documents() alone (DB read + build_document)", r["read_n"], r["read_s"]),
                ]
        if "app_mem_s" in r:
            rows.append(("  app reindex fed from an in-memory list (no DB)", r["read_n"], r["app_mem_s"]))
        if "embedded_s" in r:
            rows.append(("embedded EmbeddedBackend.reindex (information)", r["embedded_n"], r["embedded_s"]))
        for label, n, s in rows:
            say(f"{label:<58}{n:>10,}{s:>10.1f}{n / s:>12,.0f}")
        if r.get("read_sql"):
            say("  SQL per 1000-doc batch in stream_documents(): "
                + ", ".join(f"{table} {n:.2g}" for table, n in sorted(r["read_sql"].items())))
        ratio = (r["app_n"] / r["app_s"]) / (r["bare_n"] / r["bare_s"])
        say(f"{'ratio app / bare (goal >= %.2f)' % REINDEX_GOAL:<58}{ratio:>32.2f}  {_verdict(ratio >= REINDEX_GOAL)}")
    q = info.get("queries")
    if q:
        a, e, t = pct(q["app_ms"]), pct(q["es_ms"]), pct(q["took"])
        say("-" * 92)
        say(f"Query latency, {len(q['app_ms'])} queries after {info['warmup']} warm-up "
            f"({info['zero_hits']} with no hits, {info['with_filters']} with filters)")
        say(f"{'ms':<58}{'p50':>8}{'p95':>8}{'p99':>8}{'mean':>9}")
        for label, s in (("app  GET /api/v1/search (gunicorn -w %d %s)" % (info["workers"], info["wsgi"]), a),
                         ("ES   POST /<alias>/_search, same bodies", e),
                         ("ES   took (server-side)", t)):
            say(f"{label[:57]:<58}{s['p50']:>8.1f}{s['p95']:>8.1f}{s['p99']:>8.1f}{s['mean']:>9.1f}")
        if q["followup_ms"]:
            f = pct(q["followup_ms"])
            say(f"{'did-you-mean follow-up calls (%d zero-hit queries)' % len(q['followup_ms']):<58}"
                f"{f['p50']:>8.1f}{f['p95']:>8.1f}{f['p99']:>8.1f}{f['mean']:>9.1f}")
        ratio = a["p95"] / e["p95"]
        say(f"{'ratio app p95 / ES p95 (goal <= %.2f)' % APP_P95_GOAL:<58}{ratio:>8.2f}"
            f"{'':>25}  {_verdict(ratio <= APP_P95_GOAL)}")
        paired = pct([x - y for x, y in zip(q["app_ms"], q["es_ms"])])
        say(f"{'app minus ES, query by query (robust to a noisy node)':<58}{paired['p50']:>8.1f}"
            f"{paired['p95']:>8.1f}{paired['p99']:>8.1f}{paired['mean']:>9.1f}")
        if q["errors"] or q["mismatches"]:
            say(f"! {len(q['errors'])} errors, {len(q['mismatches'])} totals differing between app and capture")
            for item in (q["errors"] + q["mismatches"])[:5]:
                say(f"    {item}")
    p = info.get("profile")
    if p:
        say("-" * 92)
        say(f"Where an app request's time goes (in-process, same queries; {p['sql_per_request']:.1f} SQL "
            f"statements per request + a pool pre-ping)")
        say(f"{'ms per request':<66}{'p50':>8}{'p95':>8}{'mean':>9}")
        for name, values in p["rows"].items():
            ms = [v * 1000 for v in values]
            s = pct(ms)
            say(f"{name:<66}{s['p50']:>8.2f}{s['p95']:>8.2f}{s['mean']:>9.2f}")
        if q:
            wsgi = pct([v * 1000 for v in p["rows"]["request (in-process, WSGI)"]])
            a = pct(q["app_ms"])
            say(f"{'gunicorn + HTTP (app HTTP mean - in-process mean)':<66}{'':>16}"
                f"{a['mean'] - wsgi['mean']:>9.2f}")
    say("=" * 92)


# ------------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    global INDEX_PREFIX, BARE_INDEX
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=100_000, help="products to generate (100000)")
    parser.add_argument("--queries", type=int, default=500, help="timed queries (500)")
    parser.add_argument("--warmup", type=int, default=50, help="warm-up queries for each side (50)")
    parser.add_argument("--skip-generate", action="store_true", help="reuse the generated database")
    parser.add_argument("--skip-reindex", action="store_true",
                        help="reuse the live bench index (implies --keep-index)")
    parser.add_argument("--skip-embedded", action="store_true", help="do not time the embedded reindex")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--wsgi", default="wsgi:app",
                        help="the app gunicorn serves (wsgi:app); point it at a patched module, on "
                             "PYTHONPATH, to measure a change before making it")
    parser.add_argument("--profile", choices=("auto", "always", "never"), default="auto",
                        help="diagnostics (reindex without the DB; in-process request breakdown): "
                             "when a goal is missed (auto)")
    parser.add_argument("--cprofile", type=int, default=150,
                        help="requests to run under cProfile in the breakdown (150; 0 = none)")
    parser.add_argument("--keep-index", action="store_true", help="leave the bench index in Elasticsearch")
    parser.add_argument("--database-url", help=f"database to WIPE and use (default: {BENCH_DB})")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--index-prefix", default=INDEX_PREFIX,
                        help=f"Elasticsearch index prefix ({INDEX_PREFIX}); give each run on a "
                             "shared node its own")
    args = parser.parse_args(argv)
    INDEX_PREFIX, BARE_INDEX = args.index_prefix, f"{args.index_prefix}-bare"
    if args.skip_reindex:
        args.keep_index = True

    with single_run():
        return run(args)


def run(args) -> int:
    started = time.perf_counter()
    db_url = database_url(args.database_url)
    es_url = elasticsearch_url()
    workdir = Path(tempfile.mkdtemp(prefix="bench-search-"))
    info: dict = {"db": db_url.rsplit("@", 1)[-1], "es": es_url, "warmup": args.warmup, "wsgi": args.wsgi,
                  "workers": args.workers, "products": args.products}

    from elasticsearch import Elasticsearch

    es = Elasticsearch([es_url], timeout=120)
    info["es_version"] = es.info()["version"]["number"]
    app = make_app(db_url, es_url, workdir)
    try:
        if not args.skip_generate:
            say(f"[1/3] generating {args.products:,} products into {info['db']} ...")
            info["generate"] = generate(app, args.products, args.seed)
            g = info["generate"]
            say(f"  {g['products']:,} products ({g['active']:,} active), {g['stores']} stores, "
                f"{g['images']:,} images in {g['seconds']:.1f}s")
        else:
            import sqlalchemy as sa
            from flask_migrate import upgrade

            from marketplace.extensions import db

            with app.app_context():
                upgrade()  # other domains' new tables (the document extensions read them)
                info["products"] = db.session.scalar(sa.text("SELECT count(*) FROM products"))
                db.session.remove()
            say(f"[1/3] reusing {info['products']:,} products in {info['db']}")

        if not args.skip_reindex:
            say("[2/3] reindex throughput ...")
            es.indices.delete(index=f"{BARE_INDEX}*", ignore=[404])
            info["reindex"] = reindex_bench(app, es_url, workdir, embedded=not args.skip_embedded,
                                           probe=args.profile)
        elif not es.indices.exists_alias(name=INDEX_PREFIX):
            raise SystemExit(f"--skip-reindex, but there is no `{INDEX_PREFIX}` alias to search")

        say(f"[3/3] query latency: {args.warmup} warm-up + {args.queries} queries ...")
        queries = make_queries(args.queries, args.seed + 1)
        warmup = make_queries(args.warmup, args.seed + 2)
        t0 = time.perf_counter()
        captured = capture_bodies(app, queries)
        warm_captured = capture_bodies(app, warmup)
        info["zero_hits"] = sum(1 for c in captured if c["total"] == 0)
        info["with_filters"] = sum(1 for a, _l in queries if set(a) - {"q", "sort", "page"})
        say(f"  captured the app's Elasticsearch bodies in {time.perf_counter() - t0:.1f}s")
        with served(db_url, es_url, workdir, args.workers, args.wsgi) as port:
            t0 = time.perf_counter()
            info["queries"] = query_bench(port, es_url, queries, captured, warmup, warm_captured)
            say(f"  timed in {time.perf_counter() - t0:.1f}s")
        a, e = pct(info["queries"]["app_ms"]), pct(info["queries"]["es_ms"])
        missed = a["p95"] / e["p95"] > APP_P95_GOAL
        if args.profile == "always" or (args.profile == "auto" and missed):
            say("  profiling the request path in-process" + (" (latency goal missed)" if missed else "") + " ...")
            info["profile"] = profile_requests(app, queries, warmup, args.cprofile)
        print_summary(info)
        if info.get("profile") and info["profile"]["cprofile"]:
            say(f"cProfile, {min(args.cprofile, len(queries))} in-process requests, top functions by own time:")
            lines = info["profile"]["cprofile"].splitlines()
            start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
            for line in lines[start:start + 19]:
                say("  " + line.replace(str(ROOT) + "/", "")[:150])
        say(f"total run time {time.perf_counter() - started:.0f}s")
    finally:
        if not args.keep_index:
            es.indices.delete(index=f"{INDEX_PREFIX}-v*", ignore=[404])
            es.indices.delete(index=f"{BARE_INDEX}*", ignore=[404])
            es.indices.delete(index=f"{INDEX_PREFIX}-probe-v*", ignore=[404])
        es.transport.close()
        from search.engine import forget_backends

        forget_backends(app)
        with app.app_context():
            from marketplace.extensions import db

            db.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
