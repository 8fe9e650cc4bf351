#!/usr/bin/env bash
# What the browser tests need beyond Python:
# - Debian's Chromium, driven by Playwright (Playwright's own browser download is not used);
# - axe-core, the accessibility audit run in the web edition, from the npm registry at the
#   version and checksum of tests/browser/package-lock.json.
# Installs them when it can; says what to do otherwise (the browser tests are then skipped,
# unless REPORTGEN_REQUIRE_BROWSER is set, as in CI).
set -uo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" = "0" ] || SUDO="sudo"
  if command -v apt-get >/dev/null 2>&1 && { [ -z "$SUDO" ] || command -v sudo >/dev/null 2>&1; }; then
    echo "Installation de Chromium pour les tests du navigateur…"
    $SUDO apt-get update -qq || true
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
  fi
  command -v chromium >/dev/null 2>&1 \
    || echo "Chromium manquant : installez le paquet « chromium » ; sans lui, les tests du navigateur sont sautés." >&2
fi

if [ ! -f tests/browser/node_modules/axe-core/axe.min.js ]; then
  if command -v npm >/dev/null 2>&1; then
    echo "Installation d'axe-core (registre npm) pour l'audit d'accessibilité de l'édition web…"
    npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error >/dev/null
  fi
  [ -f tests/browser/node_modules/axe-core/axe.min.js ] \
    || echo "axe-core manquant : installez Node.js et npm ; sans lui, l'audit de l'édition web est sauté." >&2
fi
exit 0
