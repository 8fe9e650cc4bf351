#!/usr/bin/env bash
# System libraries WeasyPrint needs: Pango (required) and HarfBuzz-Subset (faster font
# subsetting; WeasyPrint falls back to fontTools without it). Installs what is missing with
# apt-get when it can; says what to do otherwise.
set -uo pipefail

have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
required=()
optional=()
have_lib "libpango-1.0.so" || required+=(libpango-1.0-0)
have_lib "libpangoft2-1.0.so" || required+=(libpangoft2-1.0-0)
have_lib "libfontconfig.so" || required+=(libfontconfig1)
have_lib "libharfbuzz-subset.so" || optional+=(libharfbuzz-subset0)
missing=("${required[@]}" "${optional[@]}")
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
[ "$(id -u)" = "0" ] || SUDO="sudo"
if command -v apt-get >/dev/null 2>&1 && { [ -z "$SUDO" ] || command -v sudo >/dev/null 2>&1; }; then
  echo "Installation des bibliothèques système : ${missing[*]}"
  $SUDO apt-get update -qq || true
  if DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null; then
    exit 0
  fi
  # the optional library alone may be unavailable: retry with the required ones
  if [ ${#required[@]} -gt 0 ]; then
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${required[@]}" >/dev/null && exit 0
  else
    echo "Avertissement : ${optional[*]} indisponible ; WeasyPrint utilisera fontTools (plus lent)." >&2
    exit 0
  fi
fi
if [ ${#required[@]} -gt 0 ]; then
  echo "Bibliothèques manquantes : ${required[*]} — installez-les avec le gestionnaire de paquets du système." >&2
  exit 1
fi
echo "Avertissement : ${optional[*]} manquant ; WeasyPrint utilisera fontTools (plus lent)." >&2
exit 0
