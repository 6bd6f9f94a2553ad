#!/bin/sh
# Install the Debian 12 packages Socle needs to build, run and test.
# Idempotent: installs only what is missing. Uses sudo when not root.
set -eu

PACKAGES="
build-essential pkg-config meson ninja-build clang libclang-rt-14-dev
libsqlite3-dev libmicrohttpd-dev libjansson-dev libssl-dev libjwt-dev
libargon2-dev libutf8proc-dev libcriterion-dev
sqlite3 curl ca-certificates openssl time wrk
"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

# Node.js and npm run the FHIR validation test (tests/fhir-validate). A
# machine that already has both commands (another packaging of Node.js,
# whose npm is bundled) keeps them: Debian's npm would conflict with it.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    missing="$missing nodejs npm"
fi

# The validator's npm packages, pinned by package-lock.json, installed
# again only when the lock file changed since the last install.
npm_ci() {
    dir=$(cd "$(dirname "$0")/.." && pwd)/tests/fhir-validate
    stamp=$dir/node_modules/.package-lock.json
    if [ -f "$stamp" ] && [ ! "$dir/package-lock.json" -nt "$stamp" ]; then
        return 0
    fi
    echo "setup: npm ci in tests/fhir-validate" >&2
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
}

if [ -z "$missing" ]; then
    npm_ci
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "setup: missing packages:$missing; run this script as root or install sudo" >&2
    exit 1
fi

echo "setup: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
npm_ci
