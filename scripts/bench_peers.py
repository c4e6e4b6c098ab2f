#!/usr/bin/python3
"""make bench-peers: triage's evaluation and the peers in ../shared/peers on the same files, one table.

    python3 scripts/bench_peers.py --triage bin/triage --data ../shared/data --peers ../shared/peers --out DIR

For every set in DATA (a directory with train.jsonl + dev.jsonl is a classification set, one with
articles.jsonl + queries.dev.jsonl a retrieval set) it runs `triage eval` and the peer on the whole
dev split, keeps both JSON reports in OUT, and prints one table: each metric for triage (every
retrieval mode), for the peer, and triage / peer. Wall seconds are of the whole process (loading,
training or indexing, scoring), measured here the same way for both. --queries/--train/--test N
write fixed-seed samples of the files to OUT/data and give both the same sample; --sets a,b runs
only those sets (--sets taidi2020_replies,baoxianzhidao_kb,bq_similar,afqmc_similar: retrieval only).
--repeat N runs each classification pair N times back to back and reports the median ratio of
predictions/s, for a machine whose load moves.

Segmentation speed: the corpus of segment's benchmarks (every *.jsonl of ../shared/data beside the
repository, 4 MiB) cut by jieba (precise mode) and by the segment package's Words on one core
(go test -bench, GOMAXPROCS=1, without the clause cache); --no-segment skips it.

Then a summary: per set the speed ratios (queries/s per mode, predictions/s, segmentation) beside
recall@5 and nDCG@10 of every mode and the peer, with the targets of issue 21. Speed figures are
of one run on a shared machine: compare the ratios, which were measured side by side.
Exit 1 when a run fails.
"""
import argparse
import json
import os
import random
import re
import subprocess
import sys
import time

CLASSIFY = ["accuracy", "macro_f1", "weighted_f1", "fit_seconds", "predict_per_second"]
RETRIEVE = ["recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10", "queries_per_second"]


def run(cmd, out):
    """Runs cmd, its JSON report going to out (a file, or stdout captured into it); returns (report, wall seconds)."""
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        sys.stderr.write("FAILED (exit %d): %s\n%s\n" % (p.returncode, " ".join(cmd), p.stderr[-2000:]))
        return None, wall
    if p.stdout.strip():
        with open(out, "w", encoding="utf-8") as f:
            f.write(p.stdout)
    with open(out, encoding="utf-8") as f:
        return json.load(f), wall


def sample(path, n, seed, outdir):
    """Path itself, or (n > 0) a file in outdir with n of its lines drawn with seed, in file order,
    so that triage and the peer read the very same sample."""
    if n <= 0 or not os.path.exists(path):
        return path
    with open(path, encoding="utf-8") as fh:
        lines = [l for l in fh if l.strip()]
    if n >= len(lines):
        return path
    keep = sorted(random.Random(seed).sample(range(len(lines)), n))
    os.makedirs(outdir, exist_ok=True)
    out = os.path.join(outdir, os.path.basename(path))
    with open(out, "w", encoding="utf-8") as fh:
        fh.writelines(lines[i] for i in keep)
    return out


def segmentation(a):
    """(ours, peer) words MB/s on segment's benchmark corpus, or (None, None) when it cannot run."""
    corpus = os.path.abspath(os.path.join(a.out, "segment-corpus.txt"))
    env = dict(os.environ, SEGMENT_CORPUS_OUT=corpus)
    p = subprocess.run([a.go, "test", "-run", "^TestWriteCorpus$", "-count=1", "./segment"],
                       env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0 or not os.path.exists(corpus):
        sys.stderr.write("segmentation: the corpus was not written\n%s\n" % p.stdout[-2000:])
        return None, None
    peer, _ = run([a.python, os.path.join(a.peers, "jieba_segment.py"), corpus], os.path.join(a.out, "segment.peer.json"))
    env = dict(os.environ, GOMAXPROCS="1")
    p = subprocess.run([a.go, "test", "-run", "^$", "-bench", "^BenchmarkWords$/^plain$", "-benchtime", "3x", "-count", "1", "./segment"],
                       env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    with open(os.path.join(a.out, "segment.triage.txt"), "w", encoding="utf-8") as fh:
        fh.write(p.stdout)
    m = re.search(r"([0-9.]+) MB/s", p.stdout)
    if p.returncode != 0 or not m:
        sys.stderr.write("segmentation: the benchmark failed\n%s\n" % p.stdout[-2000:])
        return None, (peer or {}).get("mb_per_s")
    return float(m.group(1)), (peer or {}).get("mb_per_s")


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def ratio(a, b):
    if a is None or b is None or b == 0:
        return ""
    return "%.3f" % (a / b)


def fmt(v, metric=""):
    if v is None:
        return "-"
    if isinstance(v, float) and abs(v) <= 1 and "second" not in metric:
        return "%.4f" % v
    if "MB/s" in metric:
        return "%.2f" % v
    return "%.1f" % v


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--triage", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--peers", required=True)
    ap.add_argument("--out", required=True)
    # Debian's interpreter: the peers need its python3-jieba and python3-sklearn packages.
    ap.add_argument("--python", default="/usr/bin/python3")
    ap.add_argument("--queries", type=int, default=0, help="score a fixed-seed sample of this many queries per retrieval set (0: all)")
    ap.add_argument("--train", type=int, default=0, help="train on a fixed-seed sample of this many examples (0: all)")
    ap.add_argument("--test", type=int, default=0, help="score a fixed-seed sample of this many examples (0: all)")
    ap.add_argument("--seed", type=int, default=20261123)
    ap.add_argument("--go", default="go")
    ap.add_argument("--no-segment", action="store_true", help="skip the segmentation speed")
    ap.add_argument("--repeat", type=int, default=1,
                    help="classification: run triage and the peer back to back this many times and report the median "
                         "predictions/s ratio (the machine's load moves one run's timings)")
    ap.add_argument("--sets", default="", help="comma-separated set names to run (default: every set in DATA)")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    rows, failed = [], False
    summary = []  # (set, kind, {figure: value})
    if not a.no_segment:
        sys.stderr.write("segmentation\n")
        ours, peer = segmentation(a)
        rows.append(("(corpus)", "segmentation words MB/s", ours, peer))
        summary.append(("(corpus)", "segment", {"segment": ratio(ours, peer)}))
    for name in sorted(os.listdir(a.data)):
        d = os.path.join(a.data, name)
        if not os.path.isdir(d) or (a.sets and name not in a.sets.split(",")):
            continue
        sizes = {"queries.dev.jsonl": a.queries, "train.jsonl": a.train, "dev.jsonl": a.test}
        f = lambda n: sample(os.path.join(d, n), sizes.get(n, 0), a.seed, os.path.join(a.out, "data", name))
        ours = os.path.join(a.out, name + ".triage.json")
        peer = os.path.join(a.out, name + ".peer.json")
        if os.path.exists(f("train.jsonl")) and os.path.exists(f("dev.jsonl")):
            sys.stderr.write("%s: classify\n" % name)
            # Each round runs triage, then the peer, back to back, and
            # keeps the ratio of their predictions/s: on a loaded machine
            # the ratio of one round is what was measured under the same
            # load, and the median over rounds discards a round the load
            # changed in the middle of. The figures are the first round's
            # (both sides are deterministic but for their timings).
            speed = []
            for r in range(a.repeat):
                tr, twr = run([a.triage, "eval", "classify", "--train", f("train.jsonl"), "--test", f("dev.jsonl"),
                               "--examples", "0", "--json", ours], ours)
                pr, pwr = run([a.python, os.path.join(a.peers, "sklearn_classify.py"), f("train.jsonl"), f("dev.jsonl"),
                               "--label", "category"], peer)
                if r == 0:
                    t, tw, p, pw = tr, twr, pr, pwr
                failed |= tr is None or pr is None
                if tr and pr and pr.get("predict_per_second"):
                    speed.append(tr["predict_per_second"] / pr["predict_per_second"])
                    sys.stderr.write("  round %d: predictions/s %.1f / %.1f = %.2f\n" % (
                        r + 1, tr["predict_per_second"], pr["predict_per_second"], speed[-1]))
            for m in CLASSIFY:
                rows.append((name, m, (t or {}).get(m), (p or {}).get(m)))
            rows.append((name, "wall_seconds", tw, pw))
            if len(speed) > 1:
                rows.append((name, "predict/s ratio, median of %d rounds" % len(speed), median(speed), None))
            summary.append((name, "classify", {
                "predict": "%.3f" % median(speed) if speed else "",
                "f1": "%s / %s" % (fmt((t or {}).get("macro_f1")), fmt((p or {}).get("macro_f1")))}))
            if t and p:
                sys.stderr.write("  triage: %s (%d examples, %.0fs)   peer %s: %s (%.0fs)\n" % (
                    t.get("macro_f1"), t.get("test", 0), tw, p.get("peer"), p.get("macro_f1"), pw))
        elif os.path.exists(f("articles.jsonl")) and os.path.exists(f("queries.dev.jsonl")):
            sys.stderr.write("%s: retrieve\n" % name)
            t, tw = run([a.triage, "eval", "retrieve", "--articles", f("articles.jsonl"), "--queries", f("queries.dev.jsonl"),
                         "--mode", "all", "--misses", "0", "--json", ours], ours)
            p, pw = run([a.python, os.path.join(a.peers, "bm25_retrieve.py"), f("articles.jsonl"), f("queries.dev.jsonl")], peer)
            failed |= t is None or p is None
            modes = {m["mode"]: m for m in (t or {}).get("modes", [])}
            for m in RETRIEVE:
                for mode in ("lexical", "vector", "hybrid"):
                    rows.append((name, "%s %s" % (mode, m), modes.get(mode, {}).get(m), (p or {}).get(m)))
            rows.append((name, "wall_seconds", tw, pw))
            fig = {}
            for mode in ("lexical", "vector", "hybrid"):
                fig[mode] = ratio(modes.get(mode, {}).get("queries_per_second"), (p or {}).get("queries_per_second"))
            for m in ("recall@5", "ndcg@10"):
                fig[m] = " / ".join(fmt(modes.get(mode, {}).get(m)) for mode in ("lexical", "vector", "hybrid")) + \
                    " / " + fmt((p or {}).get(m))
            summary.append((name, "retrieve", fig))
            if t and p:
                sys.stderr.write("  triage hybrid recall@5: %s   peer %s: %s (%.0fs / %.0fs)\n" % (
                    modes.get("hybrid", {}).get("recall@5"), p.get("peer"), p.get("recall@5"), tw, pw))
    # The table: the peer's figure is the same on the lexical and the hybrid row (it has one mode).
    head = ("set", "metric", "triage", "peer", "triage/peer")
    lines = [head] + [(s, m, fmt(t, m), fmt(p, m), ratio(t, p)) for s, m, t, p in rows]
    widths = [max(len(str(r[i])) for r in lines) for i in range(len(head))]
    print("triage eval vs the peers in %s (sklearn: jieba+TF-IDF+LinearSVC; bm25: jieba search mode+BM25)" % a.peers)
    for i, r in enumerate(lines):
        print("  ".join(str(c).ljust(widths[j]) if j < 2 else str(c).rjust(widths[j]) for j, c in enumerate(r)))
        if i == 0:
            print("  ".join("-" * w for w in widths))
    print()
    print("summary: triage / peer speed ratios (targets: lexical q/s >= 3, hybrid >= 2, predictions/s >= 10) "
          "beside quality (lexical / vector / hybrid / peer)")
    head = ("set", "segment", "lexical q/s", "vector q/s", "hybrid q/s", "predict/s", "recall@5", "nDCG@10", "macro-F1 (ours / peer)")
    keys = ("segment", "lexical", "vector", "hybrid", "predict", "recall@5", "ndcg@10", "f1")
    lines = [head] + [(s,) + tuple(fig.get(k, "") or "" for k in keys) for s, _, fig in summary]
    widths = [max(len(str(r[i])) for r in lines) for i in range(len(head))]
    for i, r in enumerate(lines):
        print("  ".join(str(c).ljust(widths[j]) for j, c in enumerate(r)))
        if i == 0:
            print("  ".join("-" * w for w in widths))
    with open(os.path.join(a.out, "table.json"), "w", encoding="utf-8") as fh:
        json.dump([dict(zip(("set", "metric", "triage", "peer"), r)) for r in rows], fh, ensure_ascii=False, indent=1)
    print("reports: %s" % a.out)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
