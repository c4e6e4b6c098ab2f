#!/bin/sh
# Re-exports OpenCC's traditional→simplified tables as text for go:embed.
# Needs Debian's opencc package (opencc_dict and /usr/share/opencc); the build
# does not: the exported files are committed. Run from anywhere:
#   sh segment/opencc/gen.sh   (or: go generate ./segment)
set -eu
cd "$(dirname "$0")"
src=${OPENCC_DATA:-/usr/share/opencc}
command -v opencc_dict >/dev/null || { echo "gen.sh: opencc_dict not found (apt-get install opencc)" >&2; exit 1; }
for name in TSCharacters TSPhrases; do
	opencc_dict -i "$src/$name.ocd2" -o "$name.txt.tmp" -f ocd2 -t text
	# Sorted so that a re-export of the same data is byte-identical.
	LC_ALL=C sort "$name.txt.tmp" >"$name.txt"
	rm -f "$name.txt.tmp"
done
version=$(dpkg-query -W -f='${Version}' libopencc-data 2>/dev/null || echo unknown)
echo "exported from $src (libopencc-data $version)"
