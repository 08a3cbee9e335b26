#!/usr/bin/env bash
# Vendor the front-end assets into static/vendor/ so that nothing needs Node at run time.
#
# Only the built files the pages use are kept: the minified DKFDS stylesheet and script,
# every font and image the stylesheet refers to (ManifestStaticFilesStorage refuses a CSS
# file whose url() points at a missing file), the icon sprite the templates <use>, and
# the licences. Bump a version here, run the script, commit static/vendor/ and update
# the paths in templates/base.html.
set -euo pipefail

DKFDS_VERSION="11.2.0"
# htmx 4 changed the attribute and event model; the app is written against 2.x.
HTMX_VERSION="2.0.11"

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
vendor="$repo_root/static/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$work"
npm pack --silent "dkfds@$DKFDS_VERSION" "htmx.org@$HTMX_VERSION" >/dev/null

mkdir dkfds htmx
tar -xzf "dkfds-$DKFDS_VERSION.tgz" -C dkfds --strip-components=1
tar -xzf "htmx.org-$HTMX_VERSION.tgz" -C htmx --strip-components=1

# --- DKFDS -------------------------------------------------------------------
src="$work/dkfds/dist"
dest="$vendor/dkfds/$DKFDS_VERSION"
rm -rf "$dest"
mkdir -p "$dest/css" "$dest/js" "$dest/img"

cp "$src/css/dkfds.min.css" "$dest/css/"
cp "$src/js/dkfds.min.js" "$dest/js/"
# The source maps are not kept, so drop the comments pointing at them: the manifest
# storage would otherwise fail collectstatic on the missing .map files.
sed -i '/sourceMappingURL=/d' "$dest/css/dkfds.min.css" "$dest/js/dkfds.min.js"
cp "$src/img/all-svg-icons.svg" "$dest/img/"
cp "$work/dkfds/LICENSE.md" "$dest/"

# Everything the stylesheet refers to, resolved relative to css/.
grep -o 'url([^)]*)' "$src/css/dkfds.min.css" \
  | sed -e 's/^url(//' -e 's/)$//' -e "s/^['\"]//" -e "s/['\"]\$//" \
  | grep -v '^data:' | sed -e 's/[?#].*$//' | sort -u \
  | while read -r ref; do
      rel="${ref#../}"
      mkdir -p "$dest/$(dirname "$rel")"
      cp "$src/$rel" "$dest/$rel"
    done

# The IBM Plex licence (OFL-1.1) travels with each font format that is kept.
for dir in "$dest"/fonts/IBMPlexSans/complete/*/; do
  cp "$src/fonts/IBMPlexSans/complete/$(basename "$dir")/license.txt" "$dir"
done

# --- htmx --------------------------------------------------------------------
dest="$vendor/htmx/$HTMX_VERSION"
rm -rf "$dest"
mkdir -p "$dest"
cp "$work/htmx/dist/htmx.min.js" "$dest/"
cp "$work/htmx/LICENSE" "$dest/"

echo "Vendored dkfds $DKFDS_VERSION and htmx.org $HTMX_VERSION into $vendor"
