"""Demo data: a believable Lampung marketplace for trying the site, demos and browser tests.

`seed_demo()` makes the four demo accounts (password `PASSWORD`), UMKM stores spread over all
15 regencies and cities of Lampung, and active products in every leaf category, each with a
generated picture. Everything goes through the catalog's own rules: stores through
`services.create_store`, products through the CSV importer's bulk path (`csv_io.import_rows`),
pictures through `images.store_image`; so demo data is always data the site itself would accept.
The same seed gives the same stores and products. Other domains add theirs for the new stores
through the `demo_extras` hook (orders: each store's couriers). It adds and flushes; the caller
commits.
"""
from __future__ import annotations

import io
import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache

import sqlalchemy as sa
from flask import current_app
from PIL import Image, ImageDraw, ImageFont, ImageOps
from werkzeug.security import generate_password_hash

from catalog import csv_io, services
from catalog.images import store_image
from catalog.models import Category, Product, ProductImage, Store
from catalog.reference import CATEGORIES
from catalog.signals import products_changed
from catalog.validation import slugify
from marketplace.accounts.models import Role, User, UserRole
from marketplace.accounts.services import find_user_by_email, grant_role, register_user
from marketplace.extensions import db
from marketplace.hooks import Hook
from marketplace.timeutil import utcnow

DEFAULT_STORES = 40
DEFAULT_PRODUCTS = 400
DEFAULT_SEED = 1808  # 18: Lampung's province code
PASSWORD = "demo12345"
ACCOUNTS = (("admin@demo.test", "admin"), ("officer@demo.test", "officer"),
            ("seller@demo.test", "seller"), ("buyer@demo.test", "buyer"))
#: Other domains add their own demo data for the stores the seeder made (orders: couriers).
#: Each entry takes (stores, rng): the new stores, in order, and the seeder's random source.
demo_extras = Hook("demo_extras", "Functions (stores, rng) -> None adding demo data for new demo stores.")
IMAGE_SIDE = 400  # the thumbnail's size: store_image then keeps it as it is, no resampling
IMAGE_WORKERS = 4  # WebP encoding releases the GIL, so threads share the work across cores

# Regency code -> the town sellers give as their address.
TOWNS = {
    "18.04": "Liwa", "18.06": "Kotaagung", "18.01": "Kalianda", "18.07": "Sukadana",
    "18.02": "Gunung Sugih", "18.03": "Kotabumi", "18.08": "Blambangan Umpu", "18.05": "Menggala",
    "18.09": "Gedong Tataan", "18.10": "Pringsewu", "18.11": "Mesuji", "18.12": "Panaragan",
    "18.13": "Krui", "18.71": "Bandar Lampung", "18.72": "Metro",
}
LAMPUNG_REGENCIES = sorted(TOWNS)

# (store name, regency, the leaf categories it makes). The first fifteen sit in fifteen
# different regencies and between them make every kind of product, so a small seed is varied.
STORES: list[tuple[str, str, tuple[str, ...]]] = [
    ("Kopi Lereng Tanggamus", "18.06", ("kopi", "teh")),
    ("Keripik Pisang Mbok Sum", "18.71", ("keripik", "kue-tradisional")),
    ("Tapis Ratu Pesisir", "18.13", ("tapis", "tenun")),
    ("Madu Hutan Way Kanan", "18.08", ("madu",)),
    ("Lada Hitam Lampung Utara Makmur", "18.03", ("lada", "rempah-lainnya")),
    ("Batik Siger Metro", "18.72", ("batik", "pakaian")),
    ("Anyaman Bambu Pringsewu Jaya", "18.10", ("anyaman", "ukiran-kayu")),
    ("Udang Kering Bahari Menggala", "18.05", ("hasil-laut",)),
    ("Cokelat Kebun Pesawaran", "18.09", ("minuman", "hasil-tani")),
    ("Teh Kebun Liwa Sejuk", "18.04", ("teh", "kopi")),
    ("Keripik Singkong Sumber Rejeki", "18.02", ("keripik", "hasil-tani")),
    ("Kerupuk Ikan Kalianda", "18.01", ("hasil-laut", "keripik")),
    ("Aksesori Siger Sukadana", "18.07", ("aksesori", "pakaian")),
    ("Madu Klanceng Tubaba", "18.12", ("madu", "minuman")),
    ("Jahe Merah Mesuji Sehat", "18.11", ("rempah-lainnya", "minuman")),
    ("Kopi Luwak Way Tenong", "18.04", ("kopi",)),
    ("Sulam Usus Tanjung Karang", "18.71", ("pakaian", "aksesori")),
    ("Ukiran Kayu Krui Indah", "18.13", ("ukiran-kayu",)),
    ("Keripik Tempe Bu Darmi", "18.72", ("keripik",)),
    ("Pisang Agung Kalianda Tani", "18.01", ("hasil-tani", "keripik")),
    ("Lempok Durian Pesisir", "18.13", ("kue-tradisional",)),
    ("Kopi Robusta Ulubelu", "18.06", ("kopi",)),
    ("Lada Putih Way Kanan Sentosa", "18.08", ("lada",)),
    ("Batik Tulis Gajah Way Kambas", "18.07", ("batik",)),
    ("Kain Tapis Jejama", "18.71", ("tapis",)),
    ("Ikan Asin Teluk Pesawaran", "18.09", ("hasil-laut",)),
    ("Emping Melinjo Pringsewu", "18.10", ("keripik", "kue-tradisional")),
    ("Gula Semut Aren Tubaba", "18.12", ("hasil-tani", "minuman")),
    ("Anyaman Purun Mesuji", "18.11", ("anyaman",)),
    ("Rempah Nusantara Gunung Sugih", "18.02", ("rempah-lainnya", "lada")),
    ("Kelapa Kopyor Lampung Timur", "18.07", ("hasil-tani", "minuman")),
    ("Tenun Ikat Menggala", "18.05", ("tenun", "tapis")),
    ("Kemplang Panggang Bang Udin", "18.71", ("hasil-laut", "keripik")),
    ("Kopi Liberika Kotabumi", "18.03", ("kopi",)),
    ("Kue Engkak Kotabumi", "18.03", ("kue-tradisional",)),
    ("Madu Lebah Hutan Pesisir Barat", "18.13", ("madu",)),
    ("Kaos Lampung Kreatif", "18.71", ("pakaian", "aksesori")),
    ("Anyaman Rotan Liwa", "18.04", ("anyaman", "ukiran-kayu")),
    ("Kopi Jahe Pringsewu", "18.10", ("minuman", "kopi")),
    ("Tapis Sulam Benang Emas Metro", "18.72", ("tapis", "aksesori")),
    ("Pisang Sale Gedong Tataan", "18.09", ("kue-tradisional", "keripik")),
    ("Lada Sukadana Organik", "18.07", ("lada",)),
    ("Beras Organik Seputih", "18.02", ("hasil-tani",)),
    ("Tenun Kain Kapal Kalianda", "18.01", ("tenun",)),
    ("Teh Serai Tulang Bawang", "18.05", ("teh", "minuman")),
]
# For seeds beyond the named stores: "<trade> <town> <blessing>", e.g. "Keripik Krui Berkah".
_TRADES = {"kopi": "Kopi", "teh": "Teh", "keripik": "Keripik", "kue-tradisional": "Kue",
           "lada": "Lada", "rempah-lainnya": "Rempah", "madu": "Madu", "tapis": "Tapis",
           "batik": "Batik", "tenun": "Tenun", "anyaman": "Anyaman", "ukiran-kayu": "Ukiran",
           "pakaian": "Busana", "aksesori": "Kriya", "hasil-laut": "Bahari", "hasil-tani": "Tani",
           "minuman": "Minuman"}
_BLESSINGS = ("Berkah", "Jaya", "Makmur", "Sejahtera", "Lestari", "Mandiri", "Barokah", "Sentosa")
OWNERS = (
    "Ahmad Suryadi", "Sumiyati", "Ratu Intan Sari", "Hendra Saputra", "Bambang Riyadi",
    "Dewi Kartika", "Slamet Widodo", "Yusuf Maulana", "Nur Aini", "Agus Prasetyo", "Wagiman",
    "Made Sudarsana", "Rina Marlina", "Ikhsan Fauzi", "Siti Khodijah", "Budi Santoso",
    "Fitri Handayani", "Nyoman Sukarta", "Darmi", "Rudi Hartono", "Suryani", "Eko Purnomo",
    "Rahmat Hidayat", "Lestari Wulandari", "Yulia Rahmawati", "Ketut Suparta", "Joko Susilo",
    "Sri Wahyuni", "Andi Firmansyah", "Herlina", "Muhammad Ridwan", "Wayan Sudirta",
    "Tri Astuti", "Samsul Bahri", "Endang Susilawati", "Zulkifli", "Mega Puspita",
    "Iwan Setiawan", "Ani Suryani", "Syahrul Gunawan", "Yanti Kusuma", "Teguh Santosa",
    "Erna Wati", "Dedi Kurniawan", "Ratna Sari",
)
_COOPERATIVES = ("Koperasi Produsen {trade} {town}", "KSU {town} Makmur",
                 "Koperasi Wanita {town} Sejahtera", "Koperasi UMKM {town} Mandiri")

# Per leaf category: the export HS code, whether it is food, the products (Indonesian title,
# English title, Indonesian description, English description, base price, own HS code or None)
# and the variants (Indonesian, English, weight in grams, price factor).
_FOOD_NOTE = ("Tanpa pengawet; simpan di tempat kering dan sejuk.",
              "No preservatives; keep in a cool, dry place.")
_CRAFT_NOTE = ("Dibuat tangan, sehingga setiap barang sedikit berbeda.",
               "Handmade, so every piece is a little different.")
_WEIGHTS = (("100 g", "100 g", 100, 1.0), ("250 g", "250 g", 250, 2.3), ("1 kg", "1 kg", 1000, 8.0))
_PACKS = (("250 g", "250 g", 250, 1.0), ("500 g", "500 g", 500, 1.9), ("1 kg", "1 kg", 1000, 3.6))
_SIZES = (("Kecil", "Small", 400, 1.0), ("Sedang", "Medium", 900, 1.6), ("Besar", "Large", 2000, 2.6))
PRODUCTS: dict[str, dict] = {
    "kopi": {"hs": "0901.21", "food": True, "variants": _PACKS, "items": [
        ("Kopi Robusta Petik Merah", "Red-Cherry Robusta Coffee", "biji robusta petik merah disangrai medium, rasa cokelat dan karamel dengan badan yang tebal", "red-cherry robusta beans roasted medium, with chocolate and caramel notes and a full body", 55000, None),
        ("Kopi Bubuk Robusta Tubruk", "Ground Robusta Coffee for Tubruk", "robusta giling halus untuk diseduh tubruk, tanpa campuran jagung atau gula", "finely ground robusta for tubruk brewing, with no corn or sugar added", 38000, None),
        ("Kopi Luwak Liar", "Wild Civet Coffee", "kopi luwak dari luwak liar yang memilih buah kopi matang di kebun rakyat", "civet coffee from wild civets choosing ripe cherries in smallholder gardens", 280000, None),
        ("Kopi Arabika Lampung Barat", "West Lampung Arabica Coffee", "arabika dataran tinggi dengan keasaman lembut dan aroma buah", "highland arabica with gentle acidity and a fruity aroma", 85000, None),
        ("Green Bean Robusta Grade 1", "Green Robusta Beans Grade 1", "biji kopi mentah grade 1, kadar air di bawah 12,5%, siap disangrai", "grade 1 raw coffee beans below 12.5% moisture, ready for roasting", 70000, "0901.11"),
    ]},
    "teh": {"hs": "0902.30", "food": True, "variants": (
        ("Isi 25 Kantong", "25 Tea Bags", 80, 1.0), ("Curah 100 g", "Loose Leaf 100 g", 110, 1.3),
        ("Curah 250 g", "Loose Leaf 250 g", 260, 2.8)), "items": [
        ("Teh Hitam Tanggamus", "Tanggamus Black Tea", "teh hitam daun utuh dari lereng Gunung Tanggamus, seduhannya merah pekat", "whole-leaf black tea from the slopes of Mount Tanggamus that brews a deep red cup", 30000, None),
        ("Teh Hijau Pucuk", "Green Tea Tips", "teh hijau petik pucuk yang dikeringkan perlahan agar aromanya tetap segar", "green tea tips dried slowly to keep their fresh aroma", 35000, "0902.10"),
        ("Teh Kawa Daun Kopi", "Kawa Coffee-Leaf Tea", "seduhan daun kopi sangrai, minuman tradisional yang rendah kafein", "roasted coffee-leaf infusion, a traditional drink low in caffeine", 25000, "1211.90"),
        ("Teh Serai Jahe", "Lemongrass Ginger Tea", "racikan teh hitam, serai dan jahe merah yang menghangatkan", "a warming blend of black tea, lemongrass and red ginger", 28000, None),
    ]},
    "keripik": {"hs": "2008.99", "food": True, "variants": (
        ("200 g", "200 g", 200, 1.0), ("500 g", "500 g", 500, 2.3), ("1 kg", "1 kg", 1000, 4.4)), "items": [
        ("Keripik Pisang Cokelat", "Chocolate Banana Chips", "keripik pisang kepok tipis berbalut cokelat, oleh-oleh khas Bandar Lampung", "thin kepok banana chips coated in chocolate, the classic Bandar Lampung souvenir", 25000, None),
        ("Keripik Pisang Manis Gurih", "Sweet and Savoury Banana Chips", "keripik pisang renyah dengan rasa manis gurih", "crisp banana chips, sweet and savoury", 22000, None),
        ("Keripik Singkong Balado", "Spicy Balado Cassava Chips", "keripik singkong renyah dengan bumbu balado cabai merah", "crunchy cassava chips in a red-chilli balado seasoning", 20000, None),
        ("Keripik Tempe Sagu", "Sago Tempeh Chips", "tempe tipis bertepung sagu dan daun jeruk, digoreng renyah", "thin tempeh in sago batter with lime leaves, fried crisp", 18000, "2106.90"),
        ("Keripik Nangka Vakum", "Vacuum-Fried Jackfruit Chips", "nangka matang digoreng vakum sehingga renyah dan manis alami", "ripe jackfruit vacuum-fried to a naturally sweet crunch", 35000, None),
        ("Emping Melinjo", "Melinjo Nut Crackers", "emping melinjo tumbuk tangan, tinggal digoreng", "hand-pounded melinjo crackers, ready to fry", 40000, "1905.90"),
    ]},
    "kue-tradisional": {"hs": "1905.90", "food": True, "variants": (
        ("Kemasan 250 g", "250 g Pack", 260, 1.0), ("Kemasan 500 g", "500 g Pack", 520, 1.8),
        ("Kotak Hadiah 1 kg", "1 kg Gift Box", 1100, 3.4)), "items": [
        ("Lempok Durian", "Durian Lempok Candy", "dodol durian yang legit dan harum dari durian lokal", "sticky durian candy, rich and fragrant, from local durians", 45000, "1704.90"),
        ("Kue Engkak Ketan", "Engkak Sticky Rice Layer Cake", "kue lapis ketan khas Lampung dengan santan dan telur, dipanggang selapis demi selapis", "Lampung's sticky-rice layer cake with coconut milk and egg, baked layer by layer", 85000, None),
        ("Kue Maksuba", "Maksuba Layer Cake", "kue lapis dari telur bebek dan susu kental manis, sajian hari raya", "duck-egg and condensed-milk layer cake, a festive favourite", 150000, None),
        ("Pisang Sale", "Sun-Dried Banana (Pisang Sale)", "pisang ambon yang dijemur lalu diasap, kenyal dan manis", "ambon bananas sun-dried and smoked, chewy and sweet", 22000, "2008.99"),
    ]},
    "lada": {"hs": "0904.11", "food": True, "variants": _WEIGHTS, "items": [
        ("Lada Hitam Lampung Butir", "Whole Lampung Black Pepper", "lada hitam Lampung butiran utuh, pedasnya tajam dan aromanya kuat", "whole Lampung black peppercorns, sharply hot and strongly aromatic", 30000, None),
        ("Lada Hitam Bubuk", "Ground Black Pepper", "lada hitam giling halus tanpa campuran", "finely ground black pepper with nothing added", 32000, "0904.12"),
        ("Lada Putih Butir", "White Peppercorns", "lada putih dari buah matang yang direndam lalu dikupas", "white pepper from ripe berries, soaked and skinned", 45000, None),
        ("Lada Hitam Grade ASTA", "ASTA-Grade Black Pepper", "lada hitam grade ekspor, densitas 550 g/l, kadar air paling tinggi 12%", "export-grade black pepper, 550 g/l density, at most 12% moisture", 38000, None),
    ]},
    "rempah-lainnya": {"hs": "0910.99", "food": True, "variants": (
        ("100 g", "100 g", 100, 1.0), ("250 g", "250 g", 250, 2.3), ("500 g", "500 g", 500, 4.4)), "items": [
        ("Jahe Merah Kering", "Dried Red Ginger", "irisan jahe merah yang dijemur, untuk wedang dan jamu", "sun-dried red ginger slices for ginger drinks and jamu", 25000, "0910.11"),
        ("Kayu Manis Batang", "Cinnamon Sticks", "kulit kayu manis pilihan, manis dan harum", "selected cinnamon bark, sweet and fragrant", 20000, "0906.19"),
        ("Kunyit Bubuk", "Ground Turmeric", "kunyit kering yang digiling halus, warnanya kuning cerah", "dried turmeric ground fine, a bright yellow", 18000, "0910.30"),
        ("Cengkih Kering", "Dried Cloves", "cengkih utuh yang dijemur sampai kering sempurna", "whole cloves sun-dried until fully dry", 30000, "0907.10"),
        ("Pala Utuh", "Whole Nutmeg", "biji pala utuh dengan aroma hangat", "whole nutmeg seeds with a warm aroma", 40000, "0908.11"),
    ]},
    "madu": {"hs": "0409.00", "food": True, "variants": (
        ("250 ml", "250 ml", 350, 1.0), ("500 ml", "500 ml", 700, 1.9), ("1 liter", "1 litre", 1400, 3.6)), "items": [
        ("Madu Hutan Liar", "Wild Forest Honey", "madu lebah hutan Apis dorsata, dipanen lestari tanpa merusak sarang", "honey of wild Apis dorsata bees, harvested sustainably without destroying the comb", 95000, None),
        ("Madu Klanceng", "Stingless Bee (Klanceng) Honey", "madu lebah tanpa sengat dengan rasa asam manis yang khas", "stingless-bee honey with its typical sweet-sour taste", 150000, None),
        ("Madu Randu", "Kapok Blossom Honey", "madu dari bunga randu, manis lembut dan encer", "kapok-blossom honey, mild, sweet and runny", 75000, None),
        ("Madu Bunga Kopi", "Coffee Blossom Honey", "madu dari bunga kopi robusta, sedikit pahit dan harum", "honey from robusta coffee blossom, slightly bitter and fragrant", 90000, None),
    ]},
    "tapis": {"hs": "5810.91", "food": False, "variants": (
        ("Benang Emas", "Gold Thread", 600, 1.0), ("Benang Perak", "Silver Thread", 600, 0.85),
        ("Sulam Usus", "Sulam Usus Embroidery", 500, 0.7)), "items": [
        ("Kain Tapis Pucuk Rebung", "Tapis Cloth, Bamboo-Shoot Motif", "kain tapis motif pucuk rebung yang disulam tangan oleh perajin", "tapis cloth with the bamboo-shoot motif, hand-embroidered by artisans", 1500000, None),
        ("Tapis Jung Sarat", "Tapis Jung Sarat Ship Cloth", "tapis bermotif kapal untuk upacara adat, sulaman di atas kain tenun", "ceremonial ship-motif tapis, embroidered on handwoven cloth", 3500000, None),
        ("Selendang Tapis", "Tapis Shawl", "selendang dengan sulaman motif tapis untuk acara resmi", "a shawl with tapis embroidery for formal occasions", 450000, None),
        ("Taplak Meja Motif Tapis", "Tapis-Motif Table Runner", "taplak meja dengan sulaman motif tapis, cocok untuk hadiah", "a table runner with tapis embroidery, a fine gift", 250000, None),
        ("Tas Tangan Tapis", "Tapis Handbag", "tas tangan berlapis kain tapis dengan lapisan dalam katun", "a handbag faced with tapis cloth and lined with cotton", 350000, "4202.22"),
    ]},
    "batik": {"hs": "5208.52", "food": False, "variants": (
        ("Katun", "Cotton", 350, 1.0), ("Katun Primisima", "Primisima Cotton", 350, 1.3),
        ("Sutra", "Silk", 250, 2.6)), "items": [
        ("Kain Batik Motif Siger", "Batik Cloth, Siger Motif", "kain batik Lampung bermotif siger, 2 meter", "Lampung batik cloth with the siger crown motif, 2 metres", 250000, None),
        ("Batik Tulis Gajah Way Kambas", "Hand-Drawn Batik, Way Kambas Elephants", "batik tulis bermotif gajah Way Kambas, pewarna alam", "hand-drawn batik with Way Kambas elephants, natural dyes", 650000, None),
        ("Batik Cap Daun Kopi", "Stamped Batik, Coffee-Leaf Motif", "batik cap bermotif daun dan buah kopi Lampung", "stamped batik with Lampung coffee leaves and cherries", 175000, None),
        ("Kemeja Batik Lampung", "Lampung Batik Shirt", "kemeja pria lengan panjang dari batik Lampung", "a men's long-sleeved shirt in Lampung batik", 225000, "6205.20"),
    ]},
    "tenun": {"hs": "5209.41", "food": False, "variants": (
        ("Katun", "Cotton", 500, 1.0), ("Benang Sutra", "Silk Thread", 400, 2.2),
        ("Pewarna Alam", "Natural Dyes", 500, 1.4)), "items": [
        ("Kain Tenun Kapal", "Ship Cloth (Kain Kapal) Weaving", "tenun bermotif kapal, warisan pesisir Lampung", "ship-motif weaving, a heritage of the Lampung coast", 900000, None),
        ("Sarung Tenun Lampung", "Lampung Woven Sarong", "sarung tenun gedogan yang rapat dan awet", "a tightly woven, long-lasting handloom sarong", 350000, None),
        ("Kain Tenun Ikat", "Ikat Woven Cloth", "tenun ikat dengan motif geometris khas Menggala", "ikat weaving with Menggala's geometric motifs", 600000, None),
        ("Syal Tenun", "Woven Scarf", "syal tenun ringan untuk dipakai sehari-hari", "a light woven scarf for everyday wear", 150000, "6214.90"),
    ]},
    "anyaman": {"hs": "4602.19", "food": False, "variants": _SIZES, "items": [
        ("Tikar Pandan", "Pandan Mat", "tikar anyaman daun pandan yang dijemur dan diwarnai", "a mat woven from sun-dried, dyed pandan leaves", 120000, None),
        ("Keranjang Rotan", "Rattan Basket", "keranjang rotan kuat dengan pegangan", "a sturdy rattan basket with handles", 85000, "4602.12"),
        ("Tas Anyaman Purun", "Purun Grass Woven Bag", "tas belanja dari anyaman purun rawa", "a shopping bag woven from swamp purun grass", 95000, None),
        ("Tampah Bambu", "Bamboo Winnowing Tray", "tampah bambu untuk menampi beras atau sajian", "a bamboo tray for winnowing rice or serving", 35000, "4602.11"),
        ("Kap Lampu Bambu", "Bamboo Lamp Shade", "kap lampu dari anyaman bambu tipis", "a lamp shade of fine woven bamboo", 150000, None),
    ]},
    "ukiran-kayu": {"hs": "4420.19", "food": False, "variants": _SIZES, "items": [
        ("Ukiran Siger Kayu", "Carved Wooden Siger Crown", "siger, mahkota adat Lampung, diukir dari kayu", "the siger, Lampung's ceremonial crown, carved in wood", 350000, None),
        ("Patung Gajah Kayu", "Carved Wooden Elephant", "patung gajah Sumatra dari kayu suar", "a Sumatran elephant carved in suar wood", 250000, None),
        ("Hiasan Dinding Motif Tapis", "Tapis-Motif Wall Carving", "panel ukiran dinding bermotif tapis", "a carved wall panel with tapis motifs", 450000, None),
        ("Nampan Ukir Jati", "Carved Teak Tray", "nampan kayu jati dengan ukiran di tepinya", "a teak tray with carved edges", 175000, "4419.90"),
    ]},
    "pakaian": {"hs": "6205.20", "food": False, "variants": (
        ("Ukuran M", "Size M", 250, 1.0), ("Ukuran L", "Size L", 270, 1.0),
        ("Ukuran XL", "Size XL", 290, 1.1)), "items": [
        ("Kaos Lampung Begawi", "Lampung Begawi T-Shirt", "kaos katun dengan sablon motif Begawi Lampung", "a cotton T-shirt printed with Lampung Begawi motifs", 85000, "6109.10"),
        ("Kemeja Tapis Pria", "Men's Tapis Shirt", "kemeja pria dengan aksen kain tapis di saku dan kerah", "a men's shirt with tapis accents on pocket and collar", 275000, None),
        ("Blus Sulam Usus", "Sulam Usus Blouse", "blus wanita dengan sulam usus khas Lampung", "a women's blouse with Lampung's sulam usus embroidery", 325000, "6206.30"),
        ("Kebaya Sulam Usus", "Sulam Usus Kebaya", "kebaya sulam usus untuk acara adat dan wisuda", "a sulam usus kebaya for ceremonies and graduations", 550000, "6206.30"),
    ]},
    "aksesori": {"hs": "7117.90", "food": False, "variants": (
        ("Satuan", "Single", 60, 1.0), ("Isi 3", "Set of 3", 160, 2.7),
        ("Paket Suvenir 12", "Souvenir Pack of 12", 650, 9.5)), "items": [
        ("Bros Siger", "Siger Brooch", "bros berbentuk siger berlapis warna emas", "a gold-coloured brooch shaped like the siger crown", 45000, None),
        ("Gantungan Kunci Gajah", "Elephant Key Ring", "gantungan kunci gajah dari kain tapis perca", "an elephant key ring made from tapis offcuts", 15000, None),
        ("Dompet Tapis", "Tapis Wallet", "dompet kecil berlapis kain tapis", "a small wallet faced with tapis cloth", 95000, "4202.32"),
        ("Kalung Manik Lampung", "Lampung Bead Necklace", "kalung manik-manik dengan warna adat Lampung", "a bead necklace in Lampung's ceremonial colours", 75000, None),
    ]},
    "hasil-laut": {"hs": "0305.59", "food": True, "variants": _PACKS, "items": [
        ("Kemplang Panggang Tenggiri", "Grilled Mackerel Crackers (Kemplang)", "kerupuk ikan tenggiri yang dipanggang, bukan digoreng", "mackerel crackers that are grilled, not fried", 35000, "1905.90"),
        ("Udang Kering Ebi", "Dried Shrimp (Ebi)", "ebi dari udang tangkapan nelayan, dijemur tanpa pewarna", "dried shrimp from fishermen's catch, sun-dried with no colouring", 60000, "0306.95"),
        ("Ikan Asin Teri Nasi", "Salted Anchovies (Teri Nasi)", "teri nasi asin yang kecil, putih dan tidak terlalu asin", "small white salted anchovies, not too salty", 40000, None),
        ("Kerupuk Ikan Kalianda", "Kalianda Fish Crackers", "kerupuk ikan mentah, tinggal digoreng", "raw fish crackers, ready to fry", 30000, "1905.90"),
        ("Terasi Udang", "Shrimp Paste (Terasi)", "terasi udang rebon fermentasi tradisional", "traditionally fermented shrimp paste", 20000, "2103.90"),
    ]},
    "hasil-tani": {"hs": "0801.19", "food": True, "variants": (
        ("500 g", "500 g", 500, 1.0), ("1 kg", "1 kg", 1000, 1.9), ("5 kg", "5 kg", 5000, 8.5)), "items": [
        ("Gula Semut Aren", "Palm Sugar Crystals", "gula aren kristal dari nira pohon aren", "crystallised palm sugar from aren palm sap", 30000, "1702.90"),
        ("Beras Organik", "Organic Rice", "beras organik dari sawah tanpa pestisida kimia", "organic rice from paddies without chemical pesticides", 18000, "1006.30"),
        ("Biji Kakao Fermentasi", "Fermented Cocoa Beans", "biji kakao yang difermentasi lima hari lalu dijemur", "cocoa beans fermented five days and sun-dried", 60000, "1801.00"),
        ("Kelapa Parut Kering", "Desiccated Coconut", "daging kelapa parut yang dikeringkan", "grated coconut meat, dried", 25000, "0801.11"),
    ]},
    "minuman": {"hs": "2202.99", "food": True, "variants": (
        ("Kemasan Kecil", "Small Pack", 250, 1.0), ("Kemasan Sedang", "Medium Pack", 500, 1.8),
        ("Kemasan Besar", "Large Pack", 1000, 3.3)), "items": [
        ("Sirup Kopi Lampung", "Lampung Coffee Syrup", "sirup kopi robusta untuk es kopi susu di rumah", "robusta coffee syrup for iced milk coffee at home", 35000, "2101.12"),
        ("Jahe Merah Instan", "Instant Red Ginger Drink", "serbuk jahe merah dengan gula aren, tinggal seduh", "red ginger powder with palm sugar, just add hot water", 25000, "2106.90"),
        ("Cokelat Bubuk Murni", "Pure Cocoa Powder", "bubuk kakao murni dari biji kakao fermentasi", "pure cocoa powder from fermented beans", 40000, "1805.00"),
        ("Wedang Rempah Lampung", "Lampung Spiced Drink Mix", "racikan jahe, serai, kayu manis dan cengkih", "a mix of ginger, lemongrass, cinnamon and cloves", 30000, "2106.90"),
    ]},
}
# Picture colours by top-level category: (dark, light).
_COLOURS = {
    "kopi-teh": ((74, 44, 26), (176, 120, 70)), "makanan-ringan": ((176, 98, 18), (246, 196, 86)),
    "rempah": ((60, 60, 40), (150, 130, 70)), "madu": ((170, 100, 0), (250, 200, 60)),
    "kain-tenun": ((110, 20, 30), (210, 150, 50)), "kerajinan": ((90, 70, 40), (200, 170, 110)),
    "fashion": ((60, 40, 110), (190, 120, 170)), "hasil-laut": ((10, 70, 110), (90, 180, 200)),
    "hasil-tani": ((40, 90, 30), (160, 200, 90)), "minuman": ((120, 30, 60), (230, 130, 90)),
}
_EXTRAS = (("Premium", "Premium"), ("Pilihan", "Select"), ("Edisi Panen Raya", "Harvest Edition"),
           ("Kemasan Hadiah", "Gift Pack"), ("Spesial", "Special"))


@dataclass
class DemoSummary:
    stores: int = 0
    products: int = 0
    images: int = 0


def leaf_categories() -> list[str]:
    """Slugs of the categories without children, in reference order."""
    parents = {parent for *_rest, parent in CATEGORIES if parent}
    return [slug for slug, *_rest in CATEGORIES if slug not in parents]


def _round_price(value: float) -> int:
    step = 500 if value < 50_000 else 1000
    return max(step, int(round(value / step)) * step)


def _store_specs(n: int, rng: random.Random) -> list[tuple[str, str, tuple[str, ...]]]:
    specs = list(STORES[:n])
    names = {name for name, *_ in specs}
    leaves = leaf_categories()
    while len(specs) < n:
        regency = LAMPUNG_REGENCIES[len(specs) % len(LAMPUNG_REGENCIES)]
        cat = leaves[len(specs) % len(leaves)]
        name = f"{_TRADES[cat]} {TOWNS[regency]} {rng.choice(_BLESSINGS)}"
        if name in names:
            name = f"{name} {len(specs) + 1}"
        names.add(name)
        specs.append((name, regency, (cat,)))
    return specs


def _accounts() -> dict[str, User]:
    """The four demo accounts, made once; a second run finds them."""
    names = {"admin": "Admin Pasar UMKM", "officer": "Petugas Disperindag Lampung",
             "seller": "Ahmad Suryadi", "buyer": "Rina Pembeli"}
    users = {}
    for email, role in ACCOUNTS:
        user = find_user_by_email(email)
        if user is None:
            user = register_user(email=email, password=PASSWORD, name=names[role])
        if role in ("admin", "officer"):
            grant_role(user, Role(role), actor=None)
        users[role] = user
    return users


def _store_data(name: str, regency: str, cats: tuple[str, ...], rng: random.Random) -> dict:
    town = TOWNS[regency]
    food = any(PRODUCTS[c]["food"] for c in cats)
    kinds = ", ".join(_TRADES[c].lower() for c in cats)
    scale = rng.choices(["mikro", "kecil", "menengah"], weights=[60, 30, 10])[0]
    return {
        "name": name,
        "description": (f"Usaha {scale} dari {town}, Lampung, yang membuat produk {kinds} dengan "
                        f"bahan dari petani dan perajin sekitar. Melayani eceran dan grosir, "
                        f"kirim ke seluruh Indonesia."),
        "province_code": "18", "regency_code": regency,
        "nib": str(rng.randrange(10**12, 10**13)),
        "scale": scale,
        "whatsapp": "08" + rng.choice(("12", "13", "21", "22", "52", "53", "77", "78", "81", "95"))
                    + f"{rng.randrange(10**8):08d}",
        "halal_cert": (f"ID18{rng.randrange(10**14):014d}" if food and rng.random() < 0.55 else None),
        "cooperative": (rng.choice(_COOPERATIVES).format(trade=_TRADES[cats[0]], town=town)
                        if rng.random() < 0.3 else None),
        "export_ready": rng.random() < 0.3,
    }


def _product_rows(store: Store, cats: list[str], rng: random.Random, initials: str) -> list[dict]:
    """CSV-shaped rows for a store's products, one per entry of `cats`."""
    rows, titles = [], set()
    place = TOWNS[store.regency_code]
    for n, cat in enumerate(cats, start=1):
        spec = PRODUCTS[cat]
        title, title_en, desc, desc_en, base, hs = rng.choice(spec["items"])
        variant, variant_en, weight, factor = rng.choice(spec["variants"])
        title, title_en = f"{title} {variant}", f"{title_en}, {variant_en}"
        if title in titles:
            extra, extra_en = rng.choice(_EXTRAS)
            title, title_en = f"{title} {extra}", f"{title_en}, {extra_en}"
        titles.add(title)
        price = _round_price(base * factor * rng.uniform(0.9, 1.15))
        note, note_en = _FOOD_NOTE if spec["food"] else _CRAFT_NOTE
        moq = 1 if price >= 20_000 or rng.random() < 0.6 else rng.choice((2, 3, 5))
        tiers = ""
        if price < 500_000 and rng.random() < 0.35:
            first = max(10, moq * 5)
            tiers = (f"{first}:{_round_price(price * 0.93)}; "
                     f"{first * 5}:{_round_price(price * 0.86)}")
            if _round_price(price * 0.93) >= price or _round_price(price * 0.86) >= _round_price(price * 0.93):
                tiers = ""  # too cheap to step down in whole 500s
        export = store.export_ready and rng.random() < 0.6
        rows.append({
            "sku": f"{initials}-{n:04d}",
            "title": title[:160], "title_en": title_en[:160],
            "description": f"{desc[0].upper()}{desc[1:]}. Varian: {variant}. Dibuat oleh "
                           f"{store.name} di {place}, Lampung. {note}",
            "description_en": f"{desc_en[0].upper()}{desc_en[1:]}. Variant: {variant_en}. Made "
                              f"by {store.name} in {place}, Lampung. {note_en}",
            "category": cat, "price_idr": price, "wholesale_tiers": tiers, "min_order_qty": moq,
            "stock": 0 if rng.random() < 0.08 else (rng.randint(1, 25) if price > 300_000
                                                    else rng.randint(6, 400)),
            "weight_g": weight, "halal": bool(spec["food"] and store.halal_cert),
            "export_ready": export, "hs_code": (hs or spec["hs"]) if export else "",
            "status": "active",
        })
    return rows


def _assign_categories(specs, n_products: int) -> list[list[str]]:
    """Which leaf category each store's products are in: every store gets one of its own first,
    then the categories take turns so that every one of them is stocked."""
    per_store: list[list[str]] = [[] for _ in specs]
    if not specs:
        return per_store
    for i, (_name, _regency, cats) in enumerate(specs[:n_products]):
        per_store[i].append(cats[0])
    makers: dict[str, list[int]] = {}
    for i, (_name, _regency, cats) in enumerate(specs):
        for cat in cats:
            makers.setdefault(cat, []).append(i)
    leaves = leaf_categories()
    for k in range(max(n_products - len(specs), 0)):
        cat = leaves[k % len(leaves)]
        stores = makers.get(cat) or range(len(specs))
        per_store[stores[(k // len(leaves)) % len(stores)]].append(cat)
    return per_store


@lru_cache(maxsize=32)
def _font(size: int):
    return ImageFont.load_default(size=size)


@lru_cache(maxsize=16)
def _background(top_slug: str) -> Image.Image:
    dark, light = _COLOURS.get(top_slug, ((80, 80, 80), (200, 200, 200)))
    turned = Image.linear_gradient("L").rotate(45, expand=True)
    w, h = turned.size  # keep the middle, where the turned square leaves no empty corners
    ramp = turned.crop((w // 4, h // 4, 3 * w // 4, 3 * h // 4)).resize((IMAGE_SIDE, IMAGE_SIDE))
    return ImageOps.colorize(ramp, dark, light)


def product_picture(title: str, top_slug: str) -> bytes:
    """A JPEG placeholder photo: the category's colours, the product's initials and its name."""
    img = _background(top_slug).copy()
    draw = ImageDraw.Draw(img)
    words = [w for w in title.split() if w[:1].isalnum()]
    initials = "".join(w[0] for w in words[:2]).upper()
    draw.text((IMAGE_SIDE // 2, IMAGE_SIDE // 2 - 40), initials, font=_font(150), anchor="mm",
              fill=(255, 255, 255))
    lines, line = [], ""
    for word in title.split():
        if len(line) + len(word) + 1 > 24 and line:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    draw.multiline_text((IMAGE_SIDE // 2, IMAGE_SIDE - 75), "\n".join(lines[:3]), font=_font(26),
                        anchor="mm", align="center", fill=(255, 255, 255))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=82)
    return buf.getvalue()


def seed_demo(*, stores: int = DEFAULT_STORES, products: int = DEFAULT_PRODUCTS,
              seed: int = DEFAULT_SEED) -> DemoSummary:
    """Add the demo accounts, `stores` stores and `products` active products with pictures.

    Stores whose owner account exists already are left as they are, so running it twice adds
    nothing twice.
    """
    rng = random.Random(seed)
    summary = DemoSummary()
    users = _accounts()
    specs = _store_specs(stores, rng)
    assigned = _assign_categories(specs, products)
    owner_hash = generate_password_hash(PASSWORD)  # once: hashing is slow on purpose
    made: list[tuple[Store, User, list[str]]] = []
    for i, ((name, regency, cats), store_cats) in enumerate(zip(specs, assigned)):
        data = _store_data(name, regency, cats, rng)
        verified = i == 0 or rng.random() < 0.45
        if i == 0:
            owner = users["seller"]
            data.update(scale="kecil", export_ready=True, halal_cert="ID18110000123450822",
                        cooperative="Koperasi Produsen Kopi Tanggamus")
        else:
            email = f"{slugify(name)}@toko.demo.test"
            owner = find_user_by_email(email)
            if owner is not None:
                continue
            owner = User(email=email, name=OWNERS[i % len(OWNERS)], password_hash=owner_hash)
            owner.role_rows.append(UserRole(role=str(Role.BUYER)))
            db.session.add(owner)
            db.session.flush()
        if services.store_of(owner) is not None:
            continue
        store = services.create_store(owner, data)
        if verified:
            services.set_store_verified(store, True, actor=users["officer"])
        made.append((store, owner, store_cats))

    categories = {slug: (cid, parent) for slug, cid, parent in db.session.execute(
        sa.select(Category.slug, Category.id, Category.parent_id))}
    top_of = {cid: slug for slug, (cid, parent) in categories.items() if parent is None}
    for store, owner, store_cats in made:
        initials = "".join(w[0] for w in store.name.split()[:3]).upper()
        rows = _product_rows(store, store_cats, rng, initials)
        report = csv_io.import_rows(store, csv_io.COLUMNS, list(enumerate(rows, start=2)),
                                    actor=owner)
        if report.errors:  # a bug in this module: fail loudly rather than seed half a store
            problems = "; ".join(f"{p.line}/{p.column}: {p.message}" for p in report.errors[:5])
            raise RuntimeError(f"demo rows for {store.name} were refused: {problems}")
        summary.stores += 1
        summary.products += report.created

    made_ids = [store.id for store, _owner, _cats in made]
    if not made_ids:
        return summary
    rows = db.session.execute(
        sa.select(Product.id, Product.title, Category.parent_id, Product.category_id)
        .join(Category, Category.id == Product.category_id)
        .where(Product.store_id.in_(made_ids)).order_by(Product.id)).all()
    app = current_app._get_current_object()

    def picture(row) -> ProductImage:
        pid, title, parent_id, cat_id = row
        with app.app_context():  # store_image reads UPLOAD_DIR; it does not touch the session
            return store_image(pid, product_picture(title, top_of.get(parent_id or cat_id, "")))

    with ThreadPoolExecutor(IMAGE_WORKERS) as pool:
        images = list(pool.map(picture, rows))
    now = utcnow()
    pictures = [{"product_id": row[0], "position": 0, "path": image.path,
                 "thumb_path": image.thumb_path, "content_type": image.content_type,
                 "width": image.width, "height": image.height, "size_bytes": image.size_bytes,
                 "created_at": now} for row, image in zip(rows, images)]
    product_ids = [row[0] for row in rows]
    for start in range(0, len(pictures), 500):
        db.session.execute(sa.insert(ProductImage.__table__), pictures[start:start + 500])
    summary.images = len(pictures)
    products_changed.send(None, product_ids=product_ids)
    demo_extras.call([store for store, _owner, _cats in made], rng)
    return summary
