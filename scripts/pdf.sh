#!/usr/bin/env bash
# Make sure Debian's libraries and fonts for WeasyPrint are installed: invoices as PDF
# (orders/invoices.py) need Pango (with its FreeType backend), HarfBuzz's subsetter and a font.
set -euo pipefail
PACKAGES="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core"
missing=""
for package in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing="$missing $package"
done
if [ -n "$missing" ]; then
  echo "[pdf] installing Debian's$missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2 && apt-get install -y -q $missing >&2
fi
