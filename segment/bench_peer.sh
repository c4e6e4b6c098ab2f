#!/bin/sh
# Segmentation speed side by side with the jieba peer, on the same corpus:
# every *.jsonl under ../shared/data (beside the repository root), round robin
# across files, capped at 4 MiB, one document a line (see corpus_test.go).
#
#   sh segment/bench_peer.sh            # from the repository root, or anywhere
#   BENCHTIME=5x sh segment/bench_peer.sh
#
# Prints jieba's MB/s (precise mode, HMM on, Debian's python3-jieba), ours for
# Words (plain gse Cut, and with HMM) and Tokens, and ours/jieba. Both sides
# run on one core each, one after the other; on a shared machine run it twice.
set -eu
cd "$(dirname "$0")"
peer=../../shared/peers/jieba_segment.py
if [ ! -f "$peer" ] || [ ! -d ../../shared/data ]; then
	echo "bench_peer.sh: SKIP: no ../shared (peers/jieba_segment.py and data/) beside the repository root" >&2
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

SEGMENT_CORPUS_OUT="$tmp/corpus.txt" go test -run '^TestWriteCorpus$' -count=1 -v . | grep -E 'wrote|FAIL' || true
[ -s "$tmp/corpus.txt" ] || { echo "bench_peer.sh: the corpus was not written" >&2; exit 1; }

echo "jieba:"
/usr/bin/python3 "$peer" "$tmp/corpus.txt" | tee "$tmp/jieba.json"
echo "ours (go test -bench, GOMAXPROCS=1 like the single-threaded peer):"
GOMAXPROCS=1 go test -run '^$' -bench '^Benchmark(Words|Tokens)$' -benchtime "${BENCHTIME:-3x}" -count 1 . | tee "$tmp/bench.txt"

jieba=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["mb_per_s"])' "$tmp/jieba.json")
echo
printf '%-22s %8s %10s\n' "segmenter" "MB/s" "vs jieba"
printf '%-22s %8.2f %10s\n' "jieba (HMM)" "$jieba" "1.00"
awk -v j="$jieba" '/^Benchmark/ && /MB\/s/ {
	for (i = 1; i <= NF; i++) if ($(i+1) == "MB/s") mbs = $i
	name = $1; sub(/^Benchmark/, "", name); sub(/-[0-9]+$/, "", name)
	printf "%-22s %8.2f %10.2f\n", name, mbs, mbs / j
}' "$tmp/bench.txt"
