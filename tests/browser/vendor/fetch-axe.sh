#!/usr/bin/env bash
# Vendors axe-core's browser bundle for the accessibility checks in tests/browser.
#
# Why vendored rather than installed at test time: the browser tests then need no npm and no
# network, every run checks against the same rules, and a new axe version (which may add
# rules and so new failures) comes in as a reviewed commit. Run this script to upgrade:
#     bash tests/browser/vendor/fetch-axe.sh 4.14.1
# It fetches the package with `npm pack` and keeps the bundle and its licences.
set -euo pipefail
version="${1:?usage: fetch-axe.sh VERSION}"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "axe-core@$version" >/dev/null)
tar -xzf "$work/axe-core-$version.tgz" -C "$work" package/axe.min.js package/LICENSE package/LICENSE-3RD-PARTY.txt
cp "$work/package/axe.min.js" "$here/axe.min.js"
cp "$work/package/LICENSE" "$here/axe-core-LICENSE"
cp "$work/package/LICENSE-3RD-PARTY.txt" "$here/axe-core-LICENSE-3RD-PARTY.txt"
echo "$version" > "$here/axe-core-VERSION"
echo "axe-core $version vendored into $here"
