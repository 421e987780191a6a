#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Builds hardrun's Debian package from the tree: a copy of the sources with
# examples/packaging/debian as its debian/ (the project keeps its top level
# to the layout it documents), then dpkg-buildpackage.
#   tests/package/build-deb.sh OUT_DIR   -> prints the .deb's path
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mkdir -p "$1" && cd "$1" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
src=$work/hardrun-0.1.0
mkdir "$src"
# the tracked files as they are in the work tree (uncommitted edits too)
(cd "$repo" && git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$src")
cp -r "$repo/examples/packaging/debian" "$src/debian"
# the commit the binary names in --version: the copy has no .git
commit=$(git -C "$repo" describe --always --dirty --abbrev=12 2>/dev/null || echo unknown)
sed -i "s|fallback : 'unknown'|fallback : '$commit'|" "$src/runtime/meson.build"
(cd "$src" && dpkg-buildpackage -us -uc -b >"$work/build.log" 2>&1) || {
	tail -n 40 "$work/build.log" >&2
	exit 1
}
mv "$work"/hardrun_*.deb "$out/"
ls "$out"/hardrun_*.deb | tail -n 1
