#!/usr/bin/env bash
# System libraries WeasyPrint needs (Pango for text, HarfBuzz-Subset for font subsetting).
# Installs them with apt-get only when they are missing; prints what to do otherwise.
set -euo pipefail

missing=()
have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
have_lib "libpango-1.0.so" || missing+=(libpango-1.0-0)
have_lib "libpangoft2-1.0.so" || missing+=(libpangoft2-1.0-0)
have_lib "libharfbuzz-subset.so" || missing+=(libharfbuzz-subset0)
have_lib "libfontconfig.so" || missing+=(libfontconfig1)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  echo "Installation des bibliothèques système : ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
elif command -v apt-get >/dev/null 2>&1 && command -v sudo >/dev/null 2>&1; then
  sudo apt-get update -qq
  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "Bibliothèques manquantes : ${missing[*]} — installez-les avec le gestionnaire de paquets du système." >&2
  exit 1
fi
