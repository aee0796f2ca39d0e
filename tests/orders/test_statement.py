"""Bank statements ("mutasi rekening") read from CSV, their lines' fingerprints, and matching.

The BCA and Mandiri files marked as published are the sample exports of
ThePrime-Sushimas/suryamas (backend/src/modules/reconciliation/bank-statement-import/
test-samples/); the others are written here in the layouts the module docstring describes,
with made-up names and numbers. None needs the database.
"""
from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orders.payments.statement import (
    Credit,
    OpenPayment,
    StatementError,
    line_fingerprint,
    match_credits,
    parse_amount,
    read_statement,
)

# KlikBCA (individual) as downloaded: account lines, the period, yearless dates with a leading
# apostrophe, a pending line, the unnamed CR/DB column, the summary at the end
KLIKBCA = """No. Rekening,=,'0123456789
Nama,=,PT PASAR UMKM CONTOH
Periode,=,28/12/2026 - 03/01/2027
Kode Mata Uang,=,IDR

Tanggal Transaksi,Keterangan,Cabang,Jumlah,,Saldo
'28/12,TRSF E-BANKING CR 2812/FTSCY/WS95051    150123.00SITI AMINAH,'0000,"150,123.00",CR,"1,150,123.00"
'30/12,BIAYA ADM – DESEMBER,'0000,"15,000.00",DB,"1,135,123.00"
'02/01,SWITCHING CR TRANSFER DR 002 BUDI SANTOSO,'0998,"275,456.00",CR,"1,410,579.00"
'PEND,TRSF E-BANKING CR 0301/FTSCY/WS95051 99001.00 ANDI,'0000,"99,001.00",CR,"1,509,580.00"

Saldo Awal,=,"1,000,000.00"
Mutasi Kredit,=,"425,579.00"
Mutasi Debet,=,"15,000.00"
Saldo Akhir,=,"1,410,579.00"
"""

# published: sample_bca_personal.csv (KlikBCA with the English interface, full dates)
BCA_PERSONAL = """Date,Description,Branch,Amount,,Balance
'02/01/2026,TRSF E-BANKING DB 0201/FTSCY/WS95271       72100000.00MICHAEL MULYADI,'0000,72100000.00,DB,20826599.94
'01/01/2026,TRSF E-BANKING CR 0101/FTSCY/WS95051         807400.00SF 0308 32062 01_1068239606967071819AIRPAY INTERNATION,'0000,807400.00,CR,4637271.73
'03/01/2026,TRSF E-BANKING CR 0301/FTSCY/WS95051         50000000.00PENGEMBALIAN DP,'0000,50000000.00,CR,12345678.90
'04/01/2026,TRSF E-BANKING DB 0401/FTSCY/WS95271         15000000.00PEMBAYARAN INVOICE 001,'0000,15000000.00,DB,5000000.00

"""

# published: sample_bca_business.csv (KlikBCA Bisnis: the direction after the amount)
BCA_BISNIS = """Tanggal Transaksi,"Keterangan","Cabang","Jumlah"
01/01/2026,"TRSF E-BANKING DB 0101/FTFVA/WS95051 14313/MAJOO INDONE  - -  1208200008500 ","0000","287,490.00 DB"
01/01/2026,"TRSF E-BANKING CR 0101/FTSCY/WS95051 799700.00  4980365901 261105ZN02870038  VISIONET INTERNASI ","0000","799,700.00 CR"
02/01/2026,"TRSF E-BANKING DB 0201/FTSCY/WS95271       72100000.00MICHAEL MULYADI","0000","72100000.00 DB"
02/01/2026,"TRSF E-BANKING CR 0201/FTSCY/WS95051         807400.00SF 0308 32062 01_1068239606967071819AIRPAY INTERNATION","0000","807,400.00 CR"

"""

# published: sample_mandiri_cv.csv (Mandiri Cash Management: two description columns)
MANDIRI = """Account No,Date,Val. Date,Transaction Code,Description,Description,Reference No.,Debit,Credit
0060003911777,01/01/26,01/01/26,6902,"DR 0000029511812 KR 0060003911777 ","71831136319/SUSHIMAS HARAPAN/BKS        ",,".00","453,684.00"
0060003911777,22/01/26,22/01/26,7820,"MCM InhouseTrf  DARI DOMPET ANAK BANGSA Transfer Fee            4021533983470679","G075070944 2201       WLST1e621e894f708e", WLST1e621e894f708e,".00","41,300.00"
0060003911777,15/01/26,15/01/26,6902,"CR 0000029511812 KR 0060003911777 PEMBAYARAN INVOICE JANUARI","12345678/SAMPLE COMPANY/JKT        ",,".00","5,000,000.00"
0060003911777,20/01/26,20/01/26,7500,"TRF KE REKENING LAIN ABC123456789 XYZ CORPORATION            987654321","D075070944 2001       TRANSFER OUTGOING",,"2,500,000.00",".00"

"""

# BRI internet banking: title and account lines, Indonesian number format
BRI = """Laporan Mutasi Rekening
No. Rekening : 0123-01-000123-50-9
Nama : PT PASAR UMKM CONTOH

Tanggal Transaksi,Uraian Transaksi,Teller,Debet,Kredit,Saldo
01/08/26,"SALDO AWAL",,"0,00","0,00","10.000.000,00"
03/08/26,"TRANSFER DARI SITI AMINAH 7181",0000123,"0,00","1.250.718,00","11.250.718,00"
05/08/26,"PEMBAYARAN LISTRIK PLN",0000123,"2.450.000,00","0,00","8.800.718,00"
05/08/26,"BUNGA",0000123,"0,00","4.567,89","8.805.286,89"
"""

# BNI Direct: the post date with a time
BNI_DIRECT = """BNI Direct - Mutasi Rekening
Account No : 0000001234
Period : 01/08/2026 - 31/08/2026

Post Date,Value Date,Branch,Journal No.,Description,Debit,Credit,Balance
01/08/26 10:15:30,01/08/26,0998,7000,"TRF CR BUDI SANTOSO","0.00","320,501.00","1,320,501.00"
02/08/26 08:01:00,02/08/26,0998,7001,"BIAYA ADM","15,000.00","0.00","1,305,501.00"
"""

# BNI internet banking: one amount, a Tipe column
BNI_TIPE = """Tanggal Transaksi,Uraian Transaksi,Tipe,Nominal,Saldo
04/08/2026,TRANSFER DARI ANDI,K,"88.019,00","1.088.019,00"
05/08/2026,TARIK TUNAI,D,"50.000,00","1.038.019,00"
"""

# the generic layout, as an admin lays out any other bank's statement (semicolons, ISO dates)
GENERIC = """tanggal;keterangan;jumlah;jenis
2026-12-02;Transfer dari Budi;125.333;kredit
2026-12-02;Transfer dari Budi;125.333;kredit
2026-12-03;Biaya admin;6.500;debet
"""


def credits_of(text, **kwargs):
    return [(c.date, c.amount_idr, c.sen, c.line) for c in read_statement(text, **kwargs).credits]


def test_a_klikbca_statement_gives_its_credits_with_their_years_from_the_period():
    # when the KlikBCA export is read (in Windows-1252, as older internet banking writes it)
    statement = read_statement(KLIKBCA.encode("cp1252"))
    # then it is BCA's layout, and its credits are the booked CR lines: the pending one and the
    # debit left out, the days placed in the period that crosses the new year
    assert (statement.layout, statement.bank) == ("bca", "014")
    assert [(c.date, c.amount_idr, c.line) for c in statement.credits] == [
        (date(2026, 12, 28), 150_123, 7), (date(2027, 1, 2), 275_456, 9)]
    first = statement.credits[0]
    assert first.description == "TRSF E-BANKING CR 2812/FTSCY/WS95051 150123.00SITI AMINAH"
    assert first.bank == "014" and first.sen == 0


def test_a_yearless_day_without_a_period_is_the_latest_not_after_today():
    # given the KlikBCA export without its period line
    text = KLIKBCA.replace("Periode,=,28/12/2026 - 03/01/2027\n", "")
    # when read on the 5th of January 2027, then December is last year's
    assert [d for d, *_ in credits_of(text, today=date(2027, 1, 5))] == [
        date(2026, 12, 28), date(2027, 1, 2)]
    # and read on the 1st of January 2027, the 2nd of January is also last year's
    assert [d for d, *_ in credits_of(text, today=date(2027, 1, 1))] == [
        date(2026, 12, 28), date(2026, 1, 2)]


def test_a_day_outside_the_statements_period_is_refused():
    text = KLIKBCA.replace("'02/01,SWITCHING", "'15/01,SWITCHING")
    with pytest.raises(StatementError) as refused:
        read_statement(text)
    assert str(refused.value.message) == ("Baris 9: tanggal \"15/01\" di luar periode mutasi "
                                          "28/12/2026 sampai 03/01/2027.")
    assert refused.value.line == 9


def test_the_published_bca_personal_sample():
    assert credits_of(BCA_PERSONAL) == [(date(2026, 1, 1), 807_400, 0, 3),
                                        (date(2026, 1, 3), 50_000_000, 0, 4)]


def test_the_published_bca_bisnis_sample():
    statement = read_statement(BCA_BISNIS)
    assert statement.layout == "bca"
    assert [(c.date, c.amount_idr, c.line) for c in statement.credits] == [
        (date(2026, 1, 1), 799_700, 3), (date(2026, 1, 2), 807_400, 5)]
    assert statement.credits[0].description.endswith("VISIONET INTERNASI")


def test_the_published_mandiri_sample():
    statement = read_statement(MANDIRI)
    assert (statement.layout, statement.bank) == ("mandiri", "008")
    assert [(c.date, c.amount_idr, c.line) for c in statement.credits] == [
        (date(2026, 1, 1), 453_684, 2), (date(2026, 1, 22), 41_300, 3), (date(2026, 1, 15), 5_000_000, 4)]
    # both description columns and the reference make the description
    assert statement.credits[2].description == ("CR 0000029511812 KR 0060003911777 PEMBAYARAN "
                                                "INVOICE JANUARI 12345678/SAMPLE COMPANY/JKT")
    assert statement.credits[1].description.endswith("WLST1e621e894f708e WLST1e621e894f708e")


def test_a_bri_statement_reads_indonesian_amounts_exactly():
    statement = read_statement(BRI)
    assert (statement.layout, statement.bank) == ("bri", "002")
    # the opening balance line (no movement) and the debit are not credits; interest keeps its sen
    assert credits_of(BRI) == [(date(2026, 8, 3), 1_250_718, 0, 7), (date(2026, 8, 5), 4_567, 89, 9)]


def test_both_bni_layouts():
    direct = read_statement(BNI_DIRECT)
    assert (direct.layout, direct.bank) == ("bni", "009")
    assert credits_of(BNI_DIRECT) == [(date(2026, 8, 1), 320_501, 0, 6)]
    assert direct.credits[0].description == "TRF CR BUDI SANTOSO"
    assert read_statement(BNI_TIPE).layout == "bni"
    assert credits_of(BNI_TIPE) == [(date(2026, 8, 4), 88_019, 0, 2)]


def test_the_generic_layout_and_identical_lines():
    statement = read_statement(GENERIC)
    assert (statement.layout, statement.bank) == ("generic", "")
    # two equal transfers on one day are two credits, told apart by their occurrence
    assert [(c.date, c.amount_idr, c.occurrence) for c in statement.credits] == [
        (date(2026, 12, 2), 125_333, 0), (date(2026, 12, 2), 125_333, 1)]


def test_tab_separated_and_utf16_files_are_read():
    text = GENERIC.replace(";", "\t")
    assert len(read_statement(text).credits) == 2
    assert len(read_statement(b"\xff\xfe" + text.encode("utf-16-le")).credits) == 2


@pytest.mark.parametrize("text, sen", [
    ("1,234,567.00", 123_456_700), ("1.234.567,00", 123_456_700), ("1234567", 123_456_700),
    ("1234567.5", 123_456_750), ("72100000.00", 7_210_000_000), (".00", 0), ("0,00", 0),
    ("1.234.567", 123_456_700), ("1,234", 123_400), ("12,5", 1_250), ("Rp 25.000", 2_500_000),
    ("+150.000,00", 15_000_000), ("'4.567,89", 456_789), ("1 234 567,00", 123_456_700),
])
def test_amounts_are_read_exactly(text, sen):
    assert parse_amount(text) == sen


@pytest.mark.parametrize("text", ["", "-", "abc", "1,2,3", "1.234,567", "1234,567", "1.2345",
                                  "12.34.56", "1,234.567.00", "-150.000", "1e5", "0x10", ",",
                                  "9" * 16])
def test_impossible_amounts_are_refused(text):
    with pytest.raises(ValueError):
        parse_amount(text)


@settings(max_examples=300, deadline=None, database=None)
@given(sen=st.integers(min_value=0, max_value=10**14), style=st.sampled_from(["en", "id", "plain"]),
       with_sen=st.booleans())
def test_every_written_amount_reads_back(sen, style, with_sen):
    # given any amount written the way an English or Indonesian export writes it
    whole, fraction = divmod(sen if with_sen else sen - sen % 100, 100)
    grouped = f"{whole:,}"
    text = {"en": f"{grouped}.{fraction:02d}", "id": f"{grouped.replace(',', '.')},{fraction:02d}",
            "plain": f"{whole}.{fraction:02d}"}[style]
    # then it reads back to exactly that many sen
    assert parse_amount(text) == whole * 100 + fraction


@pytest.mark.parametrize("text, expected", [
    ("", "Berkas mutasi kosong."),
    ("Tanggal,Uraian,Nilai\n01/01/2026,x,1\n", "Format mutasi rekening tidak dikenali"),
    (BCA_PERSONAL.replace("'01/01/2026", "'31/02/2026"), "Baris 3: tanggal \"31/02/2026\" tidak dikenali."),
    (BCA_PERSONAL.replace("807400.00,CR", "807.400.0,CR"), "Baris 3: jumlah \"807.400.0\" tidak valid."),
    (BCA_PERSONAL.replace("807400.00,CR", "807400.00,XX"), "Baris 3: tidak jelas kredit atau debit (\"XX\")."),
    (BCA_BISNIS.replace("799,700.00 CR", "799,700.00"), "Baris 3: tidak jelas kredit atau debit (\"-\")."),
    (BCA_PERSONAL.replace(",'0000,807400.00,CR,4637271.73", ""), "Baris 3: hanya 2 kolom, seharusnya setidaknya 5."),
    (MANDIRI.replace('".00","41,300.00"', '"1.00","41,300.00"'), "Baris 3: debit dan kredit terisi sekaligus."),
    (GENERIC.replace("Biaya admin;6.500;debet", "Biaya admin;6.500;"), "Baris 4: tidak jelas kredit atau debit"),
])
def test_a_bad_file_or_row_is_refused_naming_the_line(text, expected):
    with pytest.raises(StatementError) as refused:
        read_statement(text)
    assert str(refused.value.message).startswith(expected), str(refused.value.message)


def test_a_debit_row_that_cannot_be_read_stops_the_file_too():
    # nothing is half-imported: a broken debit line refuses the whole statement
    with pytest.raises(StatementError) as refused:
        read_statement(BCA_PERSONAL.replace("72100000.00,DB", "721OOOOO.00,DB"))
    assert refused.value.line == 2


def test_statement_messages_have_their_english_translation(app):
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("en"):
        with pytest.raises(StatementError) as refused:
            read_statement(BCA_PERSONAL.replace("807400.00,CR", "807.400.0,CR"))
        assert str(refused.value.message) == "Line 3: the amount \"807.400.0\" is not valid."


def test_fingerprints_are_stable_across_overlapping_statements():
    # given two statements of one account: days 1-3, and days 2-4 exported later
    first = read_statement("""tanggal;keterangan;jumlah;jenis
2026-12-01;Transfer A;100.001;kredit
2026-12-02;Transfer B;200.002;kredit
2026-12-02;Transfer B;200.002;kredit
2026-12-03;Transfer C;300.003;kredit
""", account="014:0123456789")
    second = read_statement("""tanggal;keterangan;jumlah;jenis
2026-12-02;Transfer B;200.002;kredit
2026-12-02;Transfer B;200.002;kredit
2026-12-03;Transfer C;300.003;kredit
2026-12-04;Transfer D;400.004;kredit
""", account="014:0123456789")
    # when their lines are fingerprinted
    a = [line_fingerprint(c) for c in first.credits]
    b = [line_fingerprint(c) for c in second.credits]
    # then the shared lines have the same fingerprints, though they sit on other lines of the file
    assert a[1:] == b[:3] and b[3] not in a
    # the two equal transfers of the 2nd are two lines, and every fingerprint is new otherwise
    assert len(set(a + b)) == 5
    # the same line of another account is another line
    other = read_statement("""tanggal;keterangan;jumlah;jenis
2026-12-04;Transfer D;400.004;kredit
""", account="008:1230001234567")
    assert line_fingerprint(other.credits[0]) != b[3]


def payment(id_, amount, created, expires):
    return OpenPayment(id=id_, amount_idr=amount, created_at=created, expires_at=expires)


def credit(day, amount, line, *, sen=0):
    return Credit(date=day, amount_idr=amount, description=f"TRF {line}", line=line, sen=sen)


def test_credits_match_the_open_payment_of_their_exact_amount_in_its_window():
    # given three open payments, each amount carrying its unique code
    p1 = payment(1, 150_123, date(2026, 12, 1), date(2026, 12, 3))
    p2 = payment(2, 150_124, date(2026, 12, 1), date(2026, 12, 3))
    p3 = payment(3, 88_019, date(2026, 12, 5), date(2026, 12, 6))
    # and credits: one exact, one a rupiah off, one before its payment's window opened
    c1 = credit(date(2026, 12, 2), 150_123, 4)
    c2 = credit(date(2026, 12, 2), 150_125, 5)
    c3 = credit(date(2026, 12, 4), 88_019, 6)
    # when matched
    result = match_credits([c1, c2, c3], [p1, p2, p3])
    # then only the exact amount inside its window pays its payment
    assert result.matched == ((c1, p1),)
    assert result.unmatched_credits == (c2, c3)
    assert result.unmatched_payments == (p2, p3)


def test_window_days_are_inclusive_and_datetimes_count_by_their_day():
    p = payment(7, 50_007, datetime(2026, 12, 1, 23, 59), datetime(2026, 12, 3, 0, 1))
    assert match_credits([credit(date(2026, 12, 1), 50_007, 1)], [p]).matched[0][1] is p
    assert match_credits([credit(date(2026, 12, 3), 50_007, 1)], [p]).matched[0][1] is p
    assert match_credits([credit(date(2026, 12, 4), 50_007, 1)], [p]).matched == ()


def test_a_double_transfer_pays_once_and_the_second_stays_for_the_admin():
    p = payment(1, 150_123, date(2026, 12, 1), date(2026, 12, 3))
    later, earlier = credit(date(2026, 12, 3), 150_123, 9), credit(date(2026, 12, 2), 150_123, 12)
    result = match_credits([later, earlier], [p])
    # the earlier credit pays; the later one is unmatched (to refund)
    assert result.matched == ((earlier, p),) and result.unmatched_credits == (later,)
    assert result.unmatched_payments == ()


def test_a_credit_never_pays_two_payments_and_an_ambiguous_amount_is_not_guessed():
    # given two open payments with the same amount (the unique codes should prevent it)
    p1 = payment(1, 99_001, date(2026, 12, 1), date(2026, 12, 3))
    p2 = payment(2, 99_001, date(2026, 12, 2), date(2026, 12, 4))
    c = credit(date(2026, 12, 2), 99_001, 3)
    result = match_credits([c], [p1, p2])
    # then the credit pays neither: the admin decides
    assert result.matched == () and result.ambiguous == (c,) and result.unmatched_credits == (c,)
    assert result.unmatched_payments == (p1, p2)
    # outside the overlap there is one candidate, and it is paid
    assert match_credits([credit(date(2026, 12, 4), 99_001, 4)], [p1, p2]).matched[0][1] is p2


def test_a_credit_with_sen_matches_nothing():
    p = payment(1, 4_567, date(2026, 8, 1), date(2026, 8, 31))
    assert match_credits([credit(date(2026, 8, 5), 4_567, 9, sen=89)], [p]).matched == ()


def test_matching_twice_gives_the_same_result_whatever_the_order():
    payments = [payment(i, 100_000 + i, date(2026, 12, 1), date(2026, 12, 3)) for i in range(1, 30)]
    credits = [credit(date(2026, 12, 2), 100_000 + i, i) for i in range(1, 40, 2)]
    credits += [credit(date(2026, 12, 2), 100_003, 99)]  # a double transfer
    once = match_credits(credits, payments)
    assert match_credits(credits, payments) == once
    assert match_credits(list(reversed(credits)), payments) == once
    assert [p.id for _c, p in once.matched] == list(range(1, 30, 2))
    assert [c.line for c in once.unmatched_credits] == list(range(31, 40, 2)) + [99]
    assert [p.id for p in once.unmatched_payments] == list(range(2, 30, 2))


def test_a_statement_read_and_matched_end_to_end():
    # given the KlikBCA export and the checkouts awaiting transfers
    awaited = [payment("checkout-17", 150_123, date(2026, 12, 27), date(2026, 12, 29)),
               payment("checkout-18", 275_456, date(2027, 1, 1), date(2027, 1, 3)),
               payment("checkout-19", 99_001, date(2027, 1, 3), date(2027, 1, 5))]
    # when its credits are matched
    result = match_credits(read_statement(KLIKBCA).credits, awaited)
    # then the two booked transfers pay their checkouts; the pending one waits for a later file
    assert [(c.amount_idr, p.id) for c, p in result.matched] == [(150_123, "checkout-17"),
                                                                 (275_456, "checkout-18")]
    assert [p.id for p in result.unmatched_payments] == ["checkout-19"]
