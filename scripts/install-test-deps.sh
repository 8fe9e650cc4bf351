#!/usr/bin/env bash
# What the tests need beyond Python: Debian's Chromium, driven by Playwright for the preview's
# browser test (Playwright's own browser download is not used). Installs it with apt-get when
# it can; says what to do otherwise.
set -uo pipefail

command -v chromium >/dev/null 2>&1 && exit 0
SUDO=""
[ "$(id -u)" = "0" ] || SUDO="sudo"
if command -v apt-get >/dev/null 2>&1 && { [ -z "$SUDO" ] || command -v sudo >/dev/null 2>&1; }; then
  echo "Installation de Chromium pour les tests du navigateur…"
  $SUDO apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null && exit 0
fi
echo "Chromium manquant : installez le paquet « chromium » ; sans lui, le test du navigateur est sauté." >&2
exit 0
