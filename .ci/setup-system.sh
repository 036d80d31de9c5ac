#!/usr/bin/env bash
# System packages the project needs, installed only when missing (so `make
# setup` is quick the second time). Debian package names; run as root (CI and
# the developer machines are root; elsewhere use sudo or install by hand).
set -euo pipefail

need=()
command -v redis-server >/dev/null || need+=(redis-server)
command -v pdftoppm >/dev/null || need+=(poppler-utils)
[ -e /usr/share/fonts/truetype/noto/NotoSans-Regular.ttf ] || need+=(fonts-noto-core)
[ -e /usr/share/fonts/truetype/noto/NotoSansEthiopic-Regular.ttf ] || need+=(fonts-noto-core)
command -v chromium >/dev/null || need+=(chromium chromium-driver)
# PostgreSQL for the tests: only when no server answers and none is installed.
if ! (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null && [ -z "${TEST_DATABASE_URL:-}" ]; then
  ls /etc/postgresql/*/main >/dev/null 2>&1 || need+=(postgresql)
fi
# WeasyPrint's shared libraries.
ldconfig -p 2>/dev/null | grep -q libpango-1.0 || need+=(libpango-1.0-0 libpangoft2-1.0-0)

if [ ${#need[@]} -gt 0 ]; then
  mapfile -t uniq < <(printf '%s\n' "${need[@]}" | sort -u)
  echo "installing system packages: ${uniq[*]}"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${uniq[@]}"
fi
