"""QRIS payloads: EMVCo parsing and checks on published samples, dynamic payloads, the QR drawing.

The samples are published payloads, each cited where it comes from; their CRCs were checked
by hand with CRC-16/CCITT-FALSE before they were put here. None needs the database.
"""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orders.payments.qris import (
    MAX_AMOUNT_IDR,
    QrisError,
    crc16_ccitt,
    dynamic_payload,
    encode,
    parse_merchant_qris,
    parse_payload,
    payload_crc,
    qr_svg,
)

# The example payload of the EMV QR Code Specification for Payment Systems, Merchant-Presented
# Mode (China, yuan, a language template in Chinese, tip prompt, an unreserved template 91), as
# the spec's own test vector in ericsalim/exemvi test/mpm_test.exs ("@official_sample") and
# dongri/emv-qrcode main.go.
EMVCO_SAMPLE = (
    "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN"
    "5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412340603"
    "***0708A60086670902ME91320016A0112233449988770708123456786304A13A")
# astrapay/spring-qris src/test/java/com/astrapay/qris/QrisMapperTest.java: one Indonesian
# merchant's dynamic QRIS three ways: with a percentage convenience fee (55=03, 57=0.7), a fixed
# fee (55=02, 56=7000), a tip prompt (55=01), and without any (amounts 500000 / 100000).
TIMS_PERCENT_FEE = (
    "00020101021226580006id.ovo01189360091200006049620215yq38ZDs7MI6oaz50303UKE51450015ID.OR.GPNQR"
    ".WWW0215ID10200416988350303UKE520458125303360540650000055020357030.75802ID5911Tims Donuts6013"
    "Jakarta Barat61051161062310507VCcCtqJ0716HgxK16eFVHfvKnGO6304265F")
TIMS_FIXED_FEE = (
    "00020101021226580006id.ovo01189360091200006049620215yq38ZDs7MI6oaz50303UKE51450015ID.OR.GPNQR"
    ".WWW0215ID10200416988350303UKE5204581253033605406100000550202560470005802ID5911Tims Donuts6013"
    "Jakarta Barat61051161062310507VCcCtqJ0716HgxK16eFVHfvKnGO63047FA9")
TIMS_TIP_PROMPT = (
    "00020101021226580006id.ovo01189360091200006049620215yq38ZDs7MI6oaz50303UKE51450015ID.OR.GPNQR"
    ".WWW0215ID10200416988350303UKE52045812530336054061000005502015802ID5911Tims Donuts6013Jakarta "
    "Barat61051161062310507VCcCtqJ0716HgxK16eFVHfvKnGO6304E237")
TIMS_NO_TIP = (
    "00020101021226580006id.ovo01189360091200006049620215yq38ZDs7MI6oaz50303UKE51450015ID.OR.GPNQR"
    ".WWW0215ID10200416988350303UKE52045812530336054065000005802ID5911Tims Donuts6013Jakarta Barat"
    "61051161062310507VCcCtqJ0716HgxK16eFVHfvKnGO63048A85")
# the same file: a static QRIS (DANA, with the national ID.CO.QRIS.WWW repository in tag 51) and
# a dynamic one with a long additional-data template
STATIC_DANA = (
    "00020101021126570011ID.DANA.WWW011893600915300060605702090006060570303UMI51440014ID.CO.QRIS.WWW"
    "0215ID10190046990790303UMI5204481453033605802ID5912Saifullah.id6014Kota Pontianak61057812463045F72")
DYNAMIC_ASTRAPAY = (
    "00020101021226640018ID.CO.ASTRAPAY.WWW011893600822321000045502092100004550303UBE51440014ID.CO."
    "QRIS.WWW0215ID20210719803990303UBE520475385303360540745480515802ID5916AUTO2000 Bintaro6009"
    "Tangerang610515118626001152110050107770150715ASTRAPAY210502198180209210000455030116304E3CF")
PUBLISHED_VALID = [EMVCO_SAMPLE, TIMS_PERCENT_FEE, TIMS_FIXED_FEE, TIMS_TIP_PROMPT, TIMS_NO_TIP,
                   STATIC_DANA, DYNAMIC_ASTRAPAY]

# Published payloads that are not valid, each for its own reason:
# astrapay/spring-qris QrisParserMpmPaymentTest.java's "anonymized" MPM sample: its CRC is 7F7A,
# the sample says A79C (the anonymising changed the data, not the CRC)
ASTRAPAY_ANONYMISED = (
    "00020101021126640018ID.CO.ASTRAPAY.WWW011893600822321000024002092100002400303UBE51440014ID.CO."
    "QRIS.WWW0215ID20210662463920303UBE5204581253033605802ID5913TEST MERCHANT6007Jakarta6105443356208"
    "0704AP016304A79C")
# sunary/qris README.md: a dynamic QRIS its encoder wrote (amount 144000, a message in tag 62),
# with a right CRC but no merchant category code (tag 52, mandatory in EMVCo)
SUNARY_README = (
    "00020101021226380016ID.CO.SHOPEE.WWW010201020815863724530336054061440005802ID5921PT. SHOPPEE "
    "INDONESIA6007JAKARTA62180814gen by go-qris63049635")
# sunary/qris qris_test.go "only beneficiary info": a right CRC, but no merchant category (52),
# name (59) or city (60)
SUNARY_NO_MERCHANT = ("00020101021126400016ID.CO.SHOPEE.WWW0102010210189360091853033605802ID"
                      "630492B2")
# phannaly/emv-qr-code README.md (Cambodia, US dollars): a right CRC, but its city "Banteay
# Meanchey" is 16 characters, over EMVCo's 15 for tag 60
PHANNALY_LONG_CITY = (
    "00020101021252044131153137210116372101160123456789ABCDE6016Banteay Meanchey5913Kuntheas Shop"
    "5802KH540510.005303840621201081234567863041FF2")
# the Visa developer community thread "QR generation CRC algorytm": the asker's payload, whose
# CRC (e378) is not the CRC-16/CCITT-FALSE of its data
VISA_FORUM = ("00020101021202164311190000119821520415205303356540515.815802IN5903KFC6006MUMBAI"
              "6304e378")


def message(error: pytest.ExceptionInfo) -> str:
    return str(error.value.message)


def test_the_crc_is_ccitt_false():
    # given the standard check input of CRC catalogues, then its CRC-16/CCITT-FALSE is 29B1
    assert crc16_ccitt(b"123456789") == 0x29B1
    # and the EMVCo sample's CRC is what the spec prints, over the UTF-8 bytes up to "6304"
    assert payload_crc(EMVCO_SAMPLE[:-4]) == "A13A"


@pytest.mark.parametrize("payload", PUBLISHED_VALID)
def test_every_published_sample_parses_and_round_trips(payload):
    # when a published payload is parsed
    parsed = parse_payload(payload)
    # then tag 00 comes first, the CRC last, and it verifies
    assert list(parsed.fields)[0] == "00" and list(parsed.fields)[-1] == "63"
    assert parsed.crc == payload[-4:] == payload_crc(payload[:-4])
    # and writing its data objects back in their order gives the same payload, byte for byte
    assert encode(list(parsed.fields.items())) == payload
    # and each template's sub-objects written back give the template's value
    for tag, subfields in parsed.templates.items():
        assert "".join(f"{sub}{len(value):02d}{value}" for sub, value in subfields.items()) \
            == parsed.fields[tag]


def test_the_emvco_sample_reads_as_the_spec_describes():
    # when the spec's example is parsed
    parsed = parse_payload(EMVCO_SAMPLE)
    # then its data objects are those the spec lists, in its (not ascending) order
    assert list(parsed.fields) == ["00", "01", "29", "31", "52", "58", "59", "60", "64", "54", "53",
                                   "55", "62", "91", "63"]
    assert (parsed.merchant_name, parsed.merchant_city, parsed.country, parsed.currency) == (
        "BEST TRANSPORT", "BEIJING", "CN", "156")
    assert parsed.is_dynamic and parsed.get("54") == "23.72"
    # lengths count characters: the Chinese name is four long
    assert dict(parsed.templates["64"]) == {"00": "ZH", "01": "最佳运输", "02": "北京"}
    assert dict(parsed.templates["62"]) == {"03": "1234", "06": "***", "07": "A6008667", "09": "ME"}
    assert dict(parsed.templates["29"]) == {"00": "D15600000000", "05": "A93FO3230Q"}
    assert dict(parsed.templates["91"]) == {"00": "A011223344998877", "07": "12345678"}
    # a sen amount is no whole-rupiah amount
    assert parsed.amount_idr is None
    # and it is no QRIS: not Indonesia, not rupiah
    with pytest.raises(QrisError) as refused:
        parse_merchant_qris(EMVCO_SAMPLE)
    assert "tag 58" in message(refused).lower() and "CN" in message(refused)


def test_indonesian_samples_are_qris_with_their_merchant_and_amount():
    static = parse_merchant_qris(STATIC_DANA)
    assert not static.is_dynamic and static.amount_idr is None
    assert (static.merchant_name, static.merchant_city) == ("Saifullah.id", "Kota Pontianak")
    assert static.templates["51"]["00"] == "ID.CO.QRIS.WWW"
    dynamic = parse_merchant_qris(DYNAMIC_ASTRAPAY)
    assert dynamic.is_dynamic and dynamic.amount_idr == 4548051


def test_dynamic_payload_of_a_static_qris_is_what_the_acquirer_published():
    # given the static QRIS behind astrapay's dynamic samples: the percentage-fee sample without
    # its amount, with tag 01 = 11 (its fee tags 55 and 57 kept, as a merchant's static may have)
    fields = dict(parse_payload(TIMS_PERCENT_FEE).fields)
    del fields["54"]
    fields["01"] = "11"
    static = encode(list(fields.items()))
    assert "55020357030.7" in static and parse_merchant_qris(static).get("01") == "11"
    # when the marketplace makes the dynamic QRIS of Rp500.000 from it
    dynamic = dynamic_payload(static, 500_000)
    # then it is, byte for byte and CRC included, the published payload without a tip
    assert dynamic == TIMS_NO_TIP


def test_dynamic_payload_of_the_dana_static_qris():
    # when a dynamic QRIS of Rp150.123 is made from the static DANA QRIS
    dynamic = dynamic_payload(STATIC_DANA, 150_123)
    parsed = parse_merchant_qris(dynamic)
    # then it is dynamic with the amount in tag 54, its other data objects unchanged
    assert parsed.is_dynamic and parsed.get("54") == "150123" and parsed.amount_idr == 150_123
    static = parse_payload(STATIC_DANA)
    assert {t: v for t, v in parsed.fields.items() if t not in ("01", "54", "63")} == {
        t: v for t, v in static.fields.items() if t not in ("01", "63")}
    # in ascending tag order (54 between 53 and 58), and the CRC verifies
    assert list(parsed.fields) == sorted(parsed.fields)
    assert "53033605406150123" + "5802ID" in dynamic
    assert parsed.crc == payload_crc(dynamic[:-4])


def test_dynamic_payload_drops_tip_tags_and_replaces_an_amount():
    # given a static QRIS that prompts for a tip and carries a fixed amount already
    fields = dict(parse_payload(TIMS_TIP_PROMPT).fields)
    fields["01"] = "11"
    static = encode(list(fields.items()))
    # when the dynamic QRIS of Rp75.000 is made
    parsed = parse_merchant_qris(dynamic_payload(static, 75_000))
    # then the buyer is asked for exactly that amount and no tip
    assert parsed.get("54") == "75000" and not {"55", "56", "57"} & set(parsed.fields)


@pytest.mark.parametrize("amount, text", [(1, "1"), (MAX_AMOUNT_IDR, "9999999999")])
def test_dynamic_payload_takes_the_whole_range_of_amounts(amount, text):
    assert parse_payload(dynamic_payload(STATIC_DANA, amount)).get("54") == text


@pytest.mark.parametrize("amount", [0, -5, MAX_AMOUNT_IDR + 1, 1.5, "10000", True, None])
def test_dynamic_payload_refuses_an_amount_that_is_not_whole_rupiah_in_range(amount):
    with pytest.raises(QrisError) as refused:
        dynamic_payload(STATIC_DANA, amount)
    assert "Nominal QRIS" in message(refused)


def test_dynamic_payload_refuses_a_dynamic_or_foreign_merchant_string():
    # a dynamic QRIS belongs to one transaction: it is no merchant string
    with pytest.raises(QrisError) as refused:
        dynamic_payload(DYNAMIC_ASTRAPAY, 10_000)
    assert "QRIS statis" in message(refused) and "\"12\"" in message(refused)
    # a static merchant payload in yuan is no QRIS
    with pytest.raises(QrisError) as refused:
        dynamic_payload(tampered(EMVCO_SAMPLE, "010212", "010211", fix_crc=True), 10_000)
    assert "Tag 58 (kode negara) harus ID" in message(refused)


def tampered(payload: str, old: str, new: str, *, fix_crc: bool) -> str:
    changed = payload[:-4].replace(old, new, 1)
    assert changed != payload[:-4]
    return changed + (payload_crc(changed) if fix_crc else payload[-4:])


@pytest.mark.parametrize("payload, expected", [
    # a digit of the amount changed: the CRC gives it away
    (tampered(TIMS_NO_TIP, "5406500000", "5406900000", fix_crc=False), "CRC tidak cocok"),
    # the CRC itself changed
    (TIMS_NO_TIP[:-4] + "8A86", "CRC tidak cocok: tertulis 8A86, seharusnya 8A85"),
    # published samples with a wrong CRC
    (ASTRAPAY_ANONYMISED, "CRC tidak cocok: tertulis A79C, seharusnya 7F7A"),
    (VISA_FORUM, "CRC tidak cocok: tertulis e378, seharusnya D878"),
    # published samples with a right CRC that are not EMVCo-valid
    (SUNARY_README, "tag 52 (kode kategori merchant) tidak ada"),
    (SUNARY_NO_MERCHANT, "tag 52 (kode kategori merchant) tidak ada"),
    (PHANNALY_LONG_CITY, "tag 60 (kota merchant) tidak valid: \"Banteay Meanchey\""),
    # the merchant name taken out, the CRC made right again
    (tampered(STATIC_DANA, "5912Saifullah.id", "", fix_crc=True), "tag 59 (nama merchant) tidak ada"),
    # a length that overruns the payload
    (tampered(STATIC_DANA, "6014Kota Pontianak", "6099Kota Pontianak", fix_crc=True), "Data terpotong"),
    # a length that cuts a value short, so the next "tag" is not two digits
    (tampered(STATIC_DANA, "5912Saifullah.id", "5905Saifullah.id", fix_crc=True), "Data rusak di posisi"),
    # a broken template: tag 26's content no longer parses
    (tampered(STATIC_DANA, "0011ID.DANA.WWW", "0019ID.DANA.WWW", fix_crc=True),
     "Isi template tag 26 tidak valid"),
    # a template without its globally unique identifier
    (tampered(STATIC_DANA, "0011ID.DANA.WWW", "0711ID.DANA.WWW", fix_crc=True), "sub-tag 00"),
    # a tag twice
    (tampered(STATIC_DANA, "5802ID", "5802ID5802ID", fix_crc=True), "tag 58 (kode negara) muncul dua kali"),
    # the payload format indicator not first / not "01"
    (tampered(STATIC_DANA, "000201", "000202", fix_crc=True), "Tag 00"),
    ("010211" + STATIC_DANA, "Tag 00"),
    # the CRC not last, or not four long
    (STATIC_DANA + "0000", "Tag 63"),
    (STATIC_DANA[:-8] + "63055F72A", "Tag 63"),
    # a currency that is not three digits
    (tampered(STATIC_DANA, "5303360", "5303IDR", fix_crc=True), "tag 53 (mata uang) tidak valid"),
    ("", "QRIS kosong"),
    ("0002010102\n11" + STATIC_DANA[12:], "karakter kendali"),
])
def test_a_bad_payload_is_refused_naming_what_is_wrong(payload, expected):
    with pytest.raises(QrisError) as refused:
        parse_payload(payload)
    assert expected in message(refused)
    assert isinstance(refused.value, ValueError)


def test_a_qris_in_another_currency_is_refused():
    fields = dict(parse_payload(STATIC_DANA).fields)
    fields["53"] = "840"
    with pytest.raises(QrisError) as refused:
        parse_merchant_qris(encode(list(fields.items())))
    assert message(refused) == "Tag 53 (mata uang) harus 360 (rupiah), bukan \"840\"."


def test_a_pasted_payload_may_carry_surrounding_whitespace():
    assert parse_payload(f"  {STATIC_DANA}\n").text == STATIC_DANA


def test_messages_have_their_english_translation(app):
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("en"):
        with pytest.raises(QrisError) as refused:
            parse_payload(TIMS_NO_TIP[:-4] + "8A86")
        assert message(refused) == ("CRC mismatch: the payload says 8A86, it should be 8A85. The "
                                    "QRIS was copied wrongly or has been altered.")
        with pytest.raises(QrisError) as refused:
            parse_payload(tampered(STATIC_DANA, "5912Saifullah.id", "", fix_crc=True))
        assert message(refused) == "tag 59 (merchant name) is missing."


def test_the_qr_code_is_inline_svg_with_a_title():
    # when a dynamic payload is drawn
    svg = qr_svg(dynamic_payload(STATIC_DANA, 150_123), title="QRIS <Rp150.123> & co")
    # then it is SVG to embed in HTML: no XML declaration, sized by its viewBox, a title
    assert svg.startswith("<svg ") and svg.endswith("</svg>") and "<?xml" not in svg
    assert re.search(r'viewBox="0 0 \d+ \d+"', svg) and 'class="qris-code"' in svg
    # the title is escaped, and nothing but the title and the modules' path is inside
    text = f"{svg}"
    assert "<title>QRIS &lt;Rp150.123&gt; &amp; co</title>" in text
    inside = re.fullmatch(r"<svg[^>]*>(.*)</svg>", text).group(1)
    assert re.fullmatch(r'<title>[^<>]*</title><path stroke="#000" d="[-Mmhv0-9. ]+"/>', inside)
    # marked safe, so a template puts it in as it is
    from markupsafe import Markup
    assert isinstance(svg, Markup) and Markup("{}").format(svg) == svg


def test_the_qr_code_is_the_payloads_code():
    # given the payload's QR matrix as segno encodes it
    import segno

    payload = dynamic_payload(STATIC_DANA, 150_123)
    expected = segno.make_qr(payload, error="m")
    # then the SVG draws a code of that size (the viewBox is the matrix plus the quiet zone)
    size = len(expected.matrix) + 8
    assert f'viewBox="0 0 {size} {size}"' in qr_svg(payload, title="QRIS")
    assert expected.error == "M"


# Merchant names of 1 to 25 printable ASCII characters, as EMVCo allows in tag 59
merchant_names = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E),
                         min_size=1, max_size=25)


@settings(max_examples=300, deadline=None, database=None)
@given(name=merchant_names, city=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghij", min_size=1,
                                         max_size=15),
       amount=st.integers(min_value=1, max_value=MAX_AMOUNT_IDR))
def test_dynamic_payload_always_round_trips(name, city, amount):
    # given a static QRIS for any merchant name and city
    fields = dict(parse_payload(STATIC_DANA).fields)
    fields["59"], fields["60"] = name, city
    static = encode(list(fields.items()))
    # when its dynamic payload for any amount is made and parsed back
    dynamic = dynamic_payload(static, amount)
    parsed = parse_merchant_qris(dynamic)
    # then the CRC verifies and the amount, name and city are what went in
    assert parsed.crc == payload_crc(dynamic[:-4])
    assert (parsed.amount_idr, parsed.merchant_name, parsed.merchant_city) == (amount, name, city)
    assert parsed.is_dynamic and list(parsed.fields) == sorted(parsed.fields)
    # and writing it again gives the same payload
    assert encode(list(parsed.fields.items())) == dynamic
