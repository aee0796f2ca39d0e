#!/usr/bin/env bash
# Make sure Debian's Chromium is installed for the browser tests (Playwright drives it).
set -euo pipefail
if [ ! -x /usr/bin/chromium ]; then
  echo "[browser] installing Debian's chromium" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2 && apt-get install -y -q chromium >&2
fi
