#!/usr/bin/env bash
# Translations: Indonesian is the source language, English the translation.
#   scripts/i18n.sh extract   write build/messages.pot from the code and templates
#   scripts/i18n.sh update    extract, then merge new strings into the English catalogue
#   scripts/i18n.sh compile   build the .mo files the app loads (run by make run/test)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
PYBABEL="${PYBABEL:-.venv/bin/pybabel}"
DIRS="marketplace catalog orders search promotions books"
TRANSLATIONS=marketplace/translations
case "${1:-compile}" in
  extract)
    mkdir -p build
    "$PYBABEL" -q extract -F babel.cfg -k _l -k lazy_gettext -k Plural:1,2 --no-location --sort-output \
      -o build/messages.pot $DIRS ;;
  update)
    "$0" extract
    if [ -f "$TRANSLATIONS/en/LC_MESSAGES/messages.po" ]; then
      "$PYBABEL" -q update -i build/messages.pot -d "$TRANSLATIONS" -l en --no-fuzzy-matching --ignore-obsolete
    else
      "$PYBABEL" -q init -i build/messages.pot -d "$TRANSLATIONS" -l en
    fi ;;
  compile)
    "$PYBABEL" -q compile -d "$TRANSLATIONS" ;;
  *) echo "usage: $0 extract|update|compile" >&2; exit 2 ;;
esac
