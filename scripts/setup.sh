#!/bin/sh
# Install the Debian 12 packages Socle needs to build, run and test.
# Idempotent: installs only what is missing. Uses sudo when not root.
set -eu

PACKAGES="
build-essential pkg-config meson ninja-build clang libclang-rt-14-dev
libsqlite3-dev libmicrohttpd-dev libjansson-dev libssl-dev libjwt-dev
libargon2-dev libutf8proc-dev libcriterion-dev libxml2-dev
sqlite3 curl ca-certificates openssl time wrk
chromium nodejs npm
"

# The test-only npm dependencies, pinned by their package-lock.json:
# tests/web (playwright-core; the browser is Debian's chromium) and
# tests/fhir-validate (the FHIR R4 validator). Installed again only when a
# lock file changed since the last install.
npm_ci() {
    root=$(cd "$(dirname "$0")/.." && pwd)
    for dir in "$root/tests/web" "$root/tests/fhir-validate"; do
        stamp=$dir/node_modules/.package-lock.json
        if [ -f "$stamp" ] && [ ! "$dir/package-lock.json" -nt "$stamp" ]; then
            continue
        fi
        echo "setup: npm ci in ${dir#"$root"/}" >&2
        (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    done
}

missing=""
for p in $PACKAGES; do
    # A Node.js installed otherwise (its own npm bundled) will do: Debian's
    # npm would conflict with it.
    case $p in
        nodejs) command -v node >/dev/null 2>&1 && continue ;;
        npm) command -v npm >/dev/null 2>&1 && continue ;;
    esac
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

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
