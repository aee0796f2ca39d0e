"""The list of Indonesian banks: codes, lookups, and account numbers each bank accepts."""
from __future__ import annotations

import pytest

from orders.payments.banks import (
    BANKS,
    BankAccountError,
    bank_by_code,
    bank_choices,
    clean_account_number,
    get_bank,
)


@pytest.mark.parametrize("code, name", [
    ("014", "BCA"), ("008", "Mandiri"), ("002", "BRI"), ("009", "BNI"), ("200", "BTN"),
    ("022", "CIMB Niaga"), ("013", "Permata"), ("011", "Danamon"), ("451", "BSI"),
    ("121", "Bank Lampung"), ("028", "OCBC NISP"), ("019", "Panin"), ("016", "Maybank"),
    ("213", "BTPN"), ("542", "Bank Jago"), ("535", "SeaBank"), ("536", "BCA Syariah"),
    ("426", "Mega"), ("441", "Bukopin"), ("153", "Sinarmas"), ("147", "Muamalat"),
    ("501", "blu"), ("087", "HSBC"), ("110", "bjb"), ("111", "Bank DKI"), ("114", "Bank Jatim"),
])
def test_the_banks_people_use_have_their_codes(code, name):
    # when a bank is looked up by its code, then it is the bank that code belongs to
    assert name in get_bank(code).name


def test_every_regional_development_bank_is_listed():
    # given the 27 BPDs: codes 110 to 135, and 137
    regional = [bank for bank in BANKS if bank.regional]
    assert [bank.code for bank in regional] == [f"{n}" for n in range(110, 136)] + ["137"]
    assert bank_by_code("121").name == "Bank Lampung (BPD Lampung)" and bank_by_code("121").regional


def test_the_list_is_clean():
    codes = [bank.code for bank in BANKS]
    # one entry per code, three digits each, in code order
    assert len(codes) == len(set(codes)) and codes == sorted(codes)
    assert all(len(code) == 3 and code.isdigit() for code in codes)
    # names are unique too, so a select never shows two identical lines
    assert len({bank.name for bank in BANKS}) == len(BANKS)
    # at least the 25 most used are marked, to come first in a select
    assert sum(bank.popular for bank in BANKS) >= 25


def test_lookups_forgive_a_spreadsheet_dropping_leading_zeros():
    assert bank_by_code("14") is bank_by_code(14) is bank_by_code(" 014 ") is get_bank("014")
    assert bank_by_code("999") is None and bank_by_code("") is None and bank_by_code(None) is None
    assert bank_by_code("0014") is None  # four digits are not a code


def test_an_unknown_code_is_refused_with_a_message():
    with pytest.raises(BankAccountError) as refused:
        get_bank("999")
    assert str(refused.value.message) == "Bank dengan kode \"999\" tidak dikenal."


def test_the_choices_put_the_most_used_banks_first():
    choices = bank_choices()
    assert len(choices) == len(BANKS)
    popular = sum(bank.popular for bank in BANKS)
    first = {code for code, _label in choices[:popular]}
    assert {"014", "008", "002", "009", "451", "200"} <= first and "949" not in first
    assert ("014", "Bank Central Asia (BCA) (014)") in choices


@pytest.mark.parametrize("code, number, expected", [
    ("014", "1234567890", "1234567890"),
    ("014", "123-456 7890", "1234567890"),  # typed with separators
    ("008", "1230001234567", "1230001234567"),
    ("002", "0123-01-000123-50-9", "012301000123509"),  # BRI as printed in a passbook
    ("009", "0123456789", "0123456789"),
    ("022", "800123456789", "800123456789"),  # others: 6 to 20 digits
    ("121", "381.01.01234.5", "38101012345"),
])
def test_a_valid_account_number_comes_back_as_digits(code, number, expected):
    assert clean_account_number(code, number) == expected


@pytest.mark.parametrize("code, number, expected", [
    ("014", "123456789", "Nomor rekening Bank Central Asia (BCA) harus 10 digit; yang diisi 9 digit."),
    ("008", "12345678901234", "Nomor rekening Bank Mandiri harus 13 digit; yang diisi 14 digit."),
    ("002", "1234567890", "Nomor rekening Bank Rakyat Indonesia (BRI) harus 15 digit; yang diisi 10 digit."),
    ("009", "12345678901", "Nomor rekening Bank Negara Indonesia (BNI) harus 10 digit; yang diisi 11 digit."),
    ("022", "12345", "Nomor rekening harus 6 sampai 20 digit; yang diisi 5 digit."),
    ("022", "1" * 21, "Nomor rekening harus 6 sampai 20 digit; yang diisi 21 digit."),
    ("014", "12345O7890", "Nomor rekening hanya boleh berisi angka."),  # a letter O
    ("014", "１２３４５６７８９０", "Nomor rekening hanya boleh berisi angka."),  # full-width digits
    ("014", "  ", "Nomor rekening wajib diisi."),
    ("014", None, "Nomor rekening wajib diisi."),
    ("777", "1234567890", "Bank dengan kode \"777\" tidak dikenal."),
])
def test_a_bad_account_number_is_refused_with_a_clear_message(code, number, expected):
    with pytest.raises(BankAccountError) as refused:
        clean_account_number(code, number)
    assert str(refused.value.message) == expected


def test_messages_have_their_english_translation(app):
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("en"):
        with pytest.raises(BankAccountError) as refused:
            clean_account_number("014", "123")
        assert str(refused.value.message) == ("A Bank Central Asia (BCA) account number has 10 digits; "
                                              "this one has 3.")
