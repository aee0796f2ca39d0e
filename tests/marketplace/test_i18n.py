"""Translations: every string in the code and templates has an English translation, and the app uses it.

Indonesian is the source language (the msgids); English is the one translation, in
marketplace/translations/en/LC_MESSAGES/messages.po. The messages are extracted here the way
`scripts/i18n.sh extract` does, so a string added without a translation fails the suite.
"""
from __future__ import annotations

import contextlib
import io
import os
import re
import tempfile
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "marketplace" / "translations"
PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
DEFAULT_DIRS = ("marketplace", "catalog", "orders", "search", "promotions", "books")

# A printf-style placeholder as Python's % operator reads it: %(name)s, %(n)d, %(x).1f ... ("%%" is a
# literal percent sign, not a placeholder).
_PLACEHOLDER = re.compile(r"%%|%(?:\(\w+\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa]")


def _placeholders(text: str) -> set[str]:
    return {m.group(0) for m in _PLACEHOLDER.finditer(text) if m.group(0) != "%%"}


def _source_dirs() -> list[str]:
    """The directories scripts/i18n.sh extracts from (its DIRS line), those that exist."""
    script = (ROOT / "scripts" / "i18n.sh").read_text(encoding="utf-8")
    found = re.search(r'^DIRS="([^"]*)"', script, re.MULTILINE)
    names = found.group(1).split() if found else DEFAULT_DIRS
    return [name for name in names if (ROOT / name).is_dir()]


def _read_catalogue():
    with PO.open("rb") as f:
        return read_po(f, locale="en")


def _forms(value) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, (list, tuple)) else (value,)


def _key(message) -> str:
    return _forms(message.id)[0]


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogue():
    """Compile the English .po into the .mo the app loads, when the .mo is missing or stale.

    `make test` compiles before the run; this keeps the module right when run on its own. The
    .mo is written to a temporary file and renamed, so a concurrent reader never sees half a file.
    """
    if not MO.exists() or MO.stat().st_mtime < PO.stat().st_mtime:
        catalogue = _read_catalogue()
        fd, tmp = tempfile.mkstemp(dir=MO.parent, prefix=".messages-", suffix=".mo")
        try:
            with os.fdopen(fd, "wb") as f:
                write_mo(f, catalogue, use_fuzzy=False)
            os.chmod(tmp, 0o644)  # mkstemp makes it private; the app may run as another user
            os.replace(tmp, MO)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    yield MO


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """(messages, extractor warnings): the messages in the code and templates, as
    `scripts/i18n.sh extract` finds them (same mapping file and keywords)."""
    out = tmp_path_factory.mktemp("i18n") / "messages.pot"
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        CommandLineInterface().run([
            "pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l", "-k", "lazy_gettext",
            "-k", "Plural:1,2",
            "--no-location", "--sort-output", "-o", str(out),
            *(str(ROOT / name) for name in _source_dirs()),
        ])
    with out.open("rb") as f:
        template = read_po(f)
    messages = [m for m in template if m.id]
    assert len(messages) > 100, "extraction found almost nothing: check babel.cfg and the directories"
    return messages, stderr.getvalue()


@pytest.fixture(scope="module")
def catalogue():
    return _read_catalogue()


def test_catalogue_header_is_english_with_two_plural_forms(catalogue):
    assert str(catalogue.locale) == "en"
    assert catalogue.num_plurals == 2
    assert catalogue.plural_expr.replace(" ", "") == "(n!=1)"


def test_every_extracted_message_has_an_english_translation(extracted, catalogue):
    messages, _warnings = extracted
    missing, empty = [], []
    for message in messages:
        entry = catalogue.get(message.id, context=message.context)
        if entry is None:
            missing.append(_key(message))
        elif not all(form.strip() for form in _forms(entry.string)) or (
                message.pluralizable and len(_forms(entry.string)) != catalogue.num_plurals):
            empty.append(_key(message))
    assert not (missing or empty), (
        f"{len(missing)} message(s) not in {PO.relative_to(ROOT)} (run `scripts/i18n.sh update`): "
        f"{missing[:20]}; {len(empty)} message(s) without an English translation: {empty[:20]}")


def test_no_translatable_fstrings(extracted):
    """An f-string inside _()/_l() is skipped by the extractor, so it would never be translated."""
    _messages, warnings = extracted
    skipped = [line for line in warnings.splitlines() if "f-string" in line]
    assert not skipped, "\n".join(skipped)


def test_no_fuzzy_entries(catalogue):
    fuzzy = [_key(m) for m in catalogue if m.id and m.fuzzy]
    assert not fuzzy, f"fuzzy entries are not used by the app; review them and drop the flag: {fuzzy}"
    assert not catalogue.fuzzy, "the catalogue header is marked fuzzy"


def test_translations_keep_the_placeholders(catalogue):
    wrong = []
    for message in catalogue:
        if not message.id:
            continue
        sources = _forms(message.id)
        # Every form of a plural translation takes the same arguments as the plural msgid.
        expected = _placeholders(sources[-1])
        assert _placeholders(sources[0]) == expected or not message.pluralizable, sources
        for form in _forms(message.string):
            if form and _placeholders(form) != expected:
                wrong.append((sources[0], form))
    assert not wrong, "placeholders differ between msgid and msgstr:\n" + "\n".join(
        f"  {src!r}\n    -> {dst!r}" for src, dst in wrong)


def test_placeholder_pattern():
    assert _placeholders("%(n)d produk, %(num)s foto, 100%% asli") == {"%(n)d", "%(num)s"}
    assert _placeholders("Rp25.000 (%(p).1f)") == {"%(p).1f"}


def test_language_switch_shows_the_english_login_page(client):
    assert "Masuk" in client.get("/masuk").get_data(as_text=True)
    response = client.post("/bahasa", data={"lang": "en", "next": "/masuk"})
    assert response.status_code == 302
    page = client.get("/masuk").get_data(as_text=True)
    assert 'lang="en"' in page
    assert "Log in" in page and "Password" in page
    assert "Kata sandi" not in page
    client.post("/bahasa", data={"lang": "id"})
    page = client.get("/masuk").get_data(as_text=True)
    assert 'lang="id"' in page and "Kata sandi" in page


@pytest.mark.parametrize(("accept_language", "message"), [
    (None, "Tidak ditemukan."),
    ("id", "Tidak ditemukan."),
    ("en", "Not found."),
    ("en-GB,en;q=0.9", "Not found."),
    ("fr", "Tidak ditemukan."),  # a language we do not have: the Indonesian source
])
def test_api_errors_follow_accept_language(client, accept_language, message):
    headers = {"Accept-Language": accept_language} if accept_language else {}
    response = client.get("/api/v1/products/999999", headers=headers)
    assert response.status_code == 404
    assert response.get_json()["error"]["message"] == message


def test_api_field_messages_are_translated_with_their_values(client):
    """Field errors are lazy strings: they come out in the request's language, values filled in."""
    english = client.get("/api/v1/search", query_string={"page": "99999"},
                         headers={"Accept-Language": "en"}).get_json()["error"]
    assert english["message"] == "Some fields are invalid."
    assert english["fields"]["page"] == "Only the first 10000 results can be viewed; narrow your search."
    indonesian = client.get("/api/v1/search", query_string={"page": "99999"}).get_json()["error"]
    assert indonesian["fields"]["page"].startswith("Hanya 10000 hasil pertama")
