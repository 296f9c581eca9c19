#!/usr/bin/env python3
"""Turns one bench/run result directory into a summary (stdout), the generated section of
bench/README.md (between the bench/run markers; everything else in the file stays) and the
PNG charts. Usage: report.py RESULT_DIR [--readme bench/README.md --charts bench/pipeline]

Ratios, one direction each, stated where they are printed:
  store write / file write     < 1 means the store writes faster (tutorial ~0.25-0.3, target <= 0.1)
  peer speed = reference time / Cellar time  >= 1.0 means Cellar is not slower (target >= 1.0)
"""

import argparse
import glob
import json
import os
import re
import shutil
import statistics
import sys
from collections import defaultdict

BEGIN = "<!-- bench/run: generated section, begin (do not edit by hand) -->"
END = "<!-- bench/run: generated section, end -->"
CLUSTER_BEGIN = "<!-- bench/run --cluster: generated section, begin (do not edit by hand) -->"
CLUSTER_END = "<!-- bench/run --cluster: generated section, end -->"
REAL_BEGIN = "<!-- bench/run --real-pods: generated section, begin (do not edit by hand) -->"
REAL_END = "<!-- bench/run --real-pods: generated section, end -->"
VARIANTS = ["files", "cellar", "cellar-huge", "reference"]
NAMES = {"files": "files (pickle)", "cellar": "store: Cellar", "cellar-huge": "store: Cellar, huge pages",
         "reference": "store: reference vineyardd"}
STEP_LABELS = [
    ("prepare-data", "dataframe to_pickle time:"),
    ("preprocess", "read dataframe pickle time:"),
    ("preprocess", "write training and testing data time:"),
    ("preprocess", "Preprocessing data time:"),
    ("train", "read x_train and y_train data time:"),
    ("train", "Training model data time:"),
    ("test", "read x_test and y_test execution time:"),
    ("test", "Testing model data time:"),
]
WRITE = ("preprocess", "write training and testing data time:")
READS = [("train", "read x_train and y_train data time:"), ("test", "read x_test and y_test execution time:")]
TOTALS = [("preprocess", "Preprocessing data time:"), ("train", "Training model data time:"),
          ("test", "Testing model data time:")]


def volume_note(machine):
    """How the store variants reached their server (bench/run's volume= line)."""
    v = machine.get("volume")
    if not v:
        return "the server's socket directory (this run recorded no CSI volume)"
    return v


def load_machine(d):
    m = {}
    with open(os.path.join(d, "machine.txt")) as f:
        for line in f:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                m[k] = v
    return m


def load_pipeline(d):
    """{gib: {variant: {(step, label): seconds, ...}}} plus the extras per (variant, step). With
    several passes (bench/run --passes) a step ran once per pass: every number is its median over
    the passes, and extras[gib]["passes"] holds {variant: [total of pass 1, pass 2, ...]}."""
    path = os.path.join(d, "pipeline.jsonl")
    runs = defaultdict(lambda: defaultdict(dict))
    extras = defaultdict(lambda: defaultdict(dict))
    sizes = {}
    if not os.path.exists(path):
        return runs, extras, sizes
    records = [json.loads(line) for line in open(path) if line.strip()]
    for r in records:
        if r["step"] == "prepare-data":
            sizes[r["multiplier"]] = r["bytes"]
    by_step = defaultdict(list)  # (gib, variant, step) -> the records in pass order
    for r in records:
        gib = round(sizes.get(r["multiplier"], r.get("bytes", 0)) / 2**30, 2)
        variant = r["label"] if r["label"] in VARIANTS else r["variant"]
        if r["step"] == "prepare-data":
            for v in VARIANTS:
                runs[gib][v].update({(r["step"], k): s for k, s in r["phases"].items()})
            extras[gib]["prepare"] = r
            continue
        by_step[(gib, variant, r["step"])].append(r)
    for (gib, variant, step), recs in by_step.items():
        merged = merge_passes(recs)
        runs[gib][variant].update({(step, k): s for k, s in merged["phases"].items()})
        extras[gib][(variant, step)] = merged
    for gib in runs:
        totals = {}
        for v in VARIANTS:
            per_step = [by_step.get((gib, v, step), []) for step, _ in TOTALS]
            n = min(len(x) for x in per_step)
            if n:  # the same total as derived() gives, pass by pass
                totals[v] = [derived({key: recs[i]["phases"].get(key[1]) for recs, key in zip(per_step, TOTALS)})[2]
                             for i in range(n)]
        extras[gib]["passes"] = totals
    return runs, extras, sizes


def merge_passes(recs):
    """One record from a step's records of several passes: numbers by their median, nested
    records field by field, anything else as the last pass had it."""
    if len(recs) == 1:
        return recs[0]
    out = {}
    for key in recs[-1]:
        values = [r.get(key) for r in recs]
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            out[key] = median(values)
        elif all(isinstance(v, dict) for v in values):
            out[key] = merge_passes(values)
        else:
            out[key] = recs[-1][key]
    return out


def fmt(s):
    if s is None:
        return "–"
    if s < 0:
        return "−" + fmt(-s)
    if s < 0.001:
        return f"{s * 1e6:.0f} µs"
    if s < 1:
        return f"{s * 1e3:.1f} ms"
    return f"{s:.2f} s"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def rfmt(x, digits=2):
    return "–" if x is None else f"{x:.{digits}f}"


def derived(v):
    write = v.get(WRITE)
    reads = [v.get(k) for k in READS]
    read = sum(reads) if None not in reads else None
    totals = [v.get(k) for k in TOTALS]
    total = sum(totals) if None not in totals else None
    return write, read, total, reads


def pipeline_tables(runs, extras, machine):
    out = []
    variants = [v for v in VARIANTS if any(v in runs[g] and runs[g][v].get(WRITE) is not None for g in runs)]
    if not runs:
        return ["(the pipeline did not run)"], []
    heads = []
    out.append("#### Headline (end to end over preprocess + train + test)")
    out.append("")
    out.append("Write = the preprocess step's `write training and testing data time` (four objects); "
               "read = `read x_train and y_train` + `read x_test and y_test` (four objects, cold "
               "page cache for files); total = the three step times. Store write / file write < 1 "
               "means the store is faster. Peer speed = reference vineyardd time / Cellar time "
               "(≥ 1.0: Cellar is not slower).")
    out.append("")
    out.append("| data frame | variant | write | read | total | store write / file write | "
               "per read (cold, as the example) | per read again (warm, same process) | store round trips per read | "
               "peer speed: write | read | total |")
    out.append("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for gib in sorted(runs):
        files_w = runs[gib]["files"].get(WRITE)
        ref = derived(runs[gib]["reference"]) if "reference" in variants else (None, None, None, [None, None])
        for v in variants:
            w, r, t, reads = derived(runs[gib][v])
            sw = rfmt(ratio(w, files_w), 3) if v != "files" else ""
            per_read = fmt(r / 2) if r is not None and v != "files" else (fmt(r / 2) if r else "–")
            meta = [extras[gib].get((v, s), {}).get("store_meta") for s in ("train", "test")]
            meta_s = fmt(sum(meta) / 2) if None not in meta else ""
            again = [extras[gib].get((v, s), {}).get("read_again") for s in ("train", "test")]
            again_s = fmt(sum(again) / 2) if None not in again else ""
            if v in ("cellar", "cellar-huge") and "reference" in variants:
                peer = [rfmt(ratio(ref[0], w)), rfmt(ratio(ref[1], r)), rfmt(ratio(ref[2], t))]
                if v == "cellar":
                    heads.append((gib, w, files_w, r / 2 if r else None, peer, again_s, meta_s))
            else:
                peer = ["", "", ""]
                if v == "cellar":
                    heads.append((gib, w, files_w, r / 2 if r else None, ["–"] * 3, again_s, meta_s))
            out.append(f"| {gib:g} GiB | {NAMES[v]} | {fmt(w)} | {fmt(r)} | {fmt(t)} | {sw} | {per_read} | {again_s} | {meta_s} | "
                       + " | ".join(peer) + " |")
    counts = {len(t) for g in runs for t in extras[g].get("passes", {}).values()}
    if counts and max(counts) > 1:
        out.append("")
        out.append(f"Each size ran {max(counts)} passes, the odd ones in the order "
                   f"{', '.join(NAMES[v] for v in variants)}, the even ones reversed, so that a "
                   "variant's place in the sequence cancels out; every figure in these tables is a "
                   "step's median over the passes (for two passes, their mean). Total per pass:")
        out.append("")
        for gib in sorted(runs):
            per = extras[gib].get("passes", {})
            cells = [f"{NAMES[v]} " + " / ".join(fmt(t) for t in per[v]) for v in variants if v in per]
            out.append(f"- {gib:g} GiB: " + "; ".join(cells))
    out.append("")
    out.append("#### What a store read is made of")
    out.append("")
    out.append("After the timed read, x_train (train step) and x_test (test step) are read again on a "
               "fresh connection, timed piece by piece: connect; name lookup (`get_name`); `get_meta` "
               "(the metadata tree and the blobs' mapping: the store's part); a full `client.get` "
               "(`get_meta` again plus vineyard's resolvers rebuilding the pandas frame, so "
               "rebuild ≈ get − get_meta). The timed read itself also pays the first import of "
               "vineyard's pandas resolvers from a cold page cache.")
    out.append("")
    out.append("| data frame | server | object | connect | get_name | get_meta | full get | of which rebuild |")
    out.append("|---|---|---|---|---|---|---|---|")
    for gib in sorted(runs):
        for v in variants:
            for step in ("train", "test"):
                b = extras[gib].get((v, step), {}).get("breakdown")
                if not b:
                    continue
                out.append(f"| {gib:g} GiB | {NAMES[v]} | {b['object']} | {fmt(b['connect'])} | {fmt(b['name'])} | "
                           f"{fmt(b['meta'])} | {fmt(b['get'])} | {fmt(max(0.0, b['get'] - b['meta']))} |")
    out.append("")
    out.append("#### Per step, with the example's timing labels (seconds)")
    out.append("")
    for gib in sorted(runs):
        prep = extras[gib].get("prepare", {})
        rows = prep.get("multiplier", 0) * 10000
        out.append(f"**{gib:g} GiB** (multiplier {prep.get('multiplier')}, {rows:,} rows × 46 int64)")
        out.append("")
        out.append("| step | label | " + " | ".join(NAMES[v] for v in variants) + " |")
        out.append("|---|---|" + "---|" * len(variants))
        for step, label in STEP_LABELS:
            cells = []
            for v in variants:
                s = runs[gib][v].get((step, label))
                if step == "prepare-data" and v != variants[0]:
                    cells.append("(shared)")
                else:
                    cells.append(fmt(s))
            out.append(f"| {step} | `{label}` | " + " | ".join(cells) + " |")
        fs = [extras[gib].get(("files", "preprocess"), {}).get("fsync"), prep.get("fsync")]
        drops = {extras[gib].get(("files", s), {}).get("drop") for s in ("preprocess", "train", "test")} - {None}
        note = []
        if fs[0] is not None:
            note.append(f"fsync of the four pickles after the write (not in the write time): {fmt(fs[0])}")
        if drops:
            note.append("cold reads by " + ", ".join(sorted(drops)))
        if note:
            out.append("")
            out.append("Files: " + "; ".join(note) + ".")
        out.append("")
    return out, heads


def peer_table(d):
    path = os.path.join(d, "peer.jsonl")
    if not os.path.exists(path):
        return [], []
    recs = {}
    for line in open(path):
        if line.strip():
            r = json.loads(line)
            recs[r["label"]] = r
    c, ref = recs.get("cellar"), recs.get("reference")
    rows = [("small_put", "put of a 4 KiB numpy array (`client.put`)", "per op"),
            ("small_get", "get of it (`client.get`)", "per op"),
            ("get_meta", "`client.get_meta` of it", "per op"),
            ("large_put", "put of a {large_mib} MiB numpy array", "once"),
            ("large_get", "get of it", "once"),
            ("large_put_again", "the same put again after deleting it (memory the client mapped before)", "once")]
    out = ["Python client (`vineyard` wheel) against each server in the same go; peer speed = "
           "reference time / Cellar time (≥ 1.0: Cellar is not slower).", "",
           "| scenario | Cellar | reference vineyardd | peer speed |", "|---|---|---|---|"]
    heads = []
    for key, what, _ in rows:
        what = what.format(large_mib=(c or ref or {}).get("large_mib", "?"))
        cv = c.get(key) if c else None
        rv = ref.get(key) if ref else None
        x = ratio(rv, cv)
        heads.append((what, x))
        out.append(f"| {what} | {fmt(cv)} | {fmt(rv)} | {rfmt(x)} |")
    if c and ref and "large_put_again_faults" in c:
        out += ["", f"Page faults in the Python client during that last put: Cellar "
                f"{c['large_put_again_faults']:,}, reference {ref.get('large_put_again_faults', 0):,} "
                f"(a {c['large_mib']} MiB put that faults every 4 KiB page takes {c['large_mib'] * 256:,} faults)."]
    return out, heads


def load_jsonl(d, name):
    path = os.path.join(d, name)
    if not os.path.exists(path):
        return []
    return [json.loads(line) for line in open(path) if line.strip()]


def median(xs):
    xs = sorted(x for x in xs if x is not None)
    if not xs:
        return None
    m = len(xs) // 2
    return xs[m] if len(xs) % 2 else (xs[m - 1] + xs[m]) / 2


BACKING_NAMES = {"cellar": "Cellar, memfd", "cellar-huge": "Cellar, huge tmpfs (`--shm_dir`)",
                 "reference": "reference vineyardd (memfd, no prefill)"}


def backing_table(d):
    """The fresh-process 1 GiB put against memcpy, per backing (backings.jsonl)."""
    recs = load_jsonl(d, "backings.jsonl")
    if not recs:
        return [], []
    out = ["Each row: three fresh Python processes one after the other, each putting one 1 GiB blob "
           "(`create_blob`, a numpy copy of a touched array into it, `seal`) and deleting it; the "
           "baseline is the same copy into a private buffer the same process had touched before "
           "(memcpy, no page faults). Put ÷ memcpy is the cost of the fresh mapping's page faults on "
           "top of the copy (goal with huge pages: ≤ 1.5). Cellar runs with `--prefill_ahead=1200M`, "
           "waited for before the first put; the reference has no prefill, so its first put faults "
           "never-used pages and the later ones pages the earlier process filled.", "",
           "| backing | first put | memcpy | put ÷ memcpy (first) | put ÷ memcpy (runs 2-3, median) | "
           "page faults in the first put |", "|---|---|---|---|---|---|"]
    heads = []
    for kind in ("cellar", "cellar-huge", "reference"):
        rs = sorted((r for r in recs if r["label"] == kind), key=lambda r: r["run"])
        if not rs:
            continue
        first = rs[0]
        again = median([r["ratio"] for r in rs[1:]])
        out.append(f"| {BACKING_NAMES[kind]} | {fmt(first['put'])} | {fmt(first['memcpy'])} | "
                   f"{rfmt(first['ratio'])} | {rfmt(again)} | {first['faults']:,} |")
        heads.append((f"fresh-process 1 GiB put ÷ memcpy, {BACKING_NAMES[kind]}", first["ratio"]))
    return out, heads


def colocation_table(d):
    """The fixed job's time beside each server against none (colocation.jsonl)."""
    recs = load_jsonl(d, "colocation.jsonl")
    if not recs:
        return [], []
    by = defaultdict(list)
    for r in recs:
        by[r["label"]].append(r["seconds"])
    base = median(by.get("none"))
    mib = recs[0].get("mib", "?")
    out = [f"A fixed job that touches no store (unpickling a {mib} MiB data frame from the page cache and "
           "summing every column, `colocation.py`), started together with a server (`--size=4Gi`, "
           f"default flags) and timed while that server starts and idles beside it; {len(by.get('none', []))} "
           "rounds, each starting with another of the three (no kind always runs after the same one). Job ÷ "
           "no server, medians: ≤ 1.05 is the goal for Cellar; the spread of the no-server runs is the "
           "machine's own noise.",
           "", "| beside the job | job (median) | all runs | job ÷ no server |", "|---|---|---|---|"]
    heads = []
    for kind, name in (("none", "no server"), ("cellar", "Cellar"), ("reference", "reference vineyardd")):
        xs = by.get(kind)
        if not xs:
            continue
        m = median(xs)
        x = ratio(m, base)
        out.append(f"| {name} | {fmt(m)} | {', '.join(fmt(v) for v in xs)} | {rfmt(x)} |")
        if kind != "none":
            heads.append((f"co-location job ÷ no server, {name}", x))
    return out, heads


def load_cluster(d):
    """{label: record} from bench/cluster/cluster_bench.py's cluster.jsonl (the last per label)."""
    path = os.path.join(d, "cluster.jsonl")
    recs = {}
    if os.path.exists(path):
        for line in open(path):
            if line.strip():
                r = json.loads(line)
                recs[r["label"]] = r
    return recs


def percentile(xs, q):
    xs = sorted(xs or [])
    if not xs:
        return None
    k = (len(xs) - 1) * q / 100.0
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


CLUSTER_ROWS = [
    ("persist", "`persist` on A (one small object)"),
    ("put_name", "`put_name` on A right after"),
    ("visible_after_persist", "**visible on B**: B's `get_name(wait=True)` returns, after A's `persist` returned"),
    ("visible_after_put_name", "the same, counted from A's `put_name` returning (< 0: B saw it before A's reply)"),
]


def cluster_tables(recs):
    """The cluster section's lines and the summary's (what, Cellar, reference, ratio) rows."""
    if not recs:
        return [], []
    c, ref = recs.get("cellar"), recs.get("reference")
    any_rec = c or ref
    n = any_rec["n"]
    out = ["Two instances on one etcd (each server's own fresh etcd on free loopback ports, the "
           "same Python client code for both; `bench/cluster/cluster_bench.py`): %d objects of %d B "
           "put on A, each persisted then named; a waiter process on B has issued "
           "`get_name(name, wait=True)` before A puts (A checks B's `deferred_requests` first, "
           "outside the timed span), and visibility is B's clock when that call returns minus A's "
           "when `persist` returned (one monotonic clock for the machine); %d warm-up rounds first, "
           "not counted (the servers are long-running in use; Cellar's etcd client is Java that "
           "the JIT compiles only after some hundred calls, the reference is native). Death: B killed with SIGKILL, A's `cluster_meta` polled every %.0f ms "
           "until B is gone, repeated with a fresh B each kill (a kill lands anywhere between two keep-alives or heartbeats). Ratio = reference / Cellar (≥ 1: Cellar is not slower)."
           % (n, any_rec.get("object_bytes", 128), any_rec.get("warmup", 0), any_rec.get("death_poll_s", 0.05) * 1e3),
           "",
           "| measure | Cellar p50 | Cellar p99 | reference p50 | reference p99 | ratio p50 | ratio p99 |",
           "|---|---|---|---|---|---|---|"]
    heads = []
    for key, what in CLUSTER_ROWS:
        cv = [percentile(c[key], q) if c else None for q in (50, 99)]
        rv = [percentile(ref[key], q) if ref else None for q in (50, 99)]
        ratios = [ratio(r, x) if r is not None and x is not None and r > 0 and x > 0 else None
                  for r, x in zip(rv, cv)]
        out.append(f"| {what} | {fmt(cv[0])} | {fmt(cv[1])} | {fmt(rv[0])} | {fmt(rv[1])} | "
                   f"{rfmt(ratios[0])} | {rfmt(ratios[1])} |")
        heads.append((what, cv, rv, ratios))
    if c and ref:
        verdicts = []
        for (key, what), (_, _, _, rs) in zip(CLUSTER_ROWS[:3], heads[:3]):
            verdicts.append("%s %s (p50 ratio %s)" % (key, "met" if rs[0] is not None and rs[0] >= 1 else "MISSED", rfmt(rs[0])))
        out += ["", "Latency goal, Cellar ≤ the reference at p50 (ratio ≥ 1): " + "; ".join(verdicts) + "."]
    def trials(r):
        if r is None:
            return None
        return r.get("death_trials_s") or [r.get("death_detected_s")]
    ct, rt = trials(c), trials(ref)
    cd = None if ct is None or None in ct else statistics.median(ct)
    rd = None if rt is None or None in rt else statistics.median(rt)

    def death(r, ts):
        if r is None:
            return "–"
        if None in ts:
            return f"not within {r['death_deadline_s']} s (of {len(ts)} kills)"
        if len(ts) == 1:
            return f"{ts[0]:.2f} s"
        return (f"median {statistics.median(ts):.2f} s, max {max(ts):.2f} s of {len(ts)} kills "
                f"({', '.join('%.2f' % t for t in ts)} s)")
    ttl = c.get("lease_ttl_s") if c else None
    goal = "" if ttl is None or cd is None else (" (goal ≤ TTL + 2 s = %d s for every kill: %s)" % (ttl + 2, "met" if max(ct) <= ttl + 2 else "MISSED"))
    out += ["", "| death of B seen by A | Cellar (`--etcd_lease_ttl` %s s) | reference | ratio of medians |" % (ttl if ttl is not None else "?"),
            "|---|---|---|---|",
            f"| kill -9 of B until A's `cluster_meta` drops it (a fresh B each kill) | {death(c, ct)}{goal} | {death(ref, rt)} | "
            f"{rfmt(ratio(rd, cd))} |"]
    unarmed = [(lab, r["waits_not_seen_armed"]) for lab, r in recs.items() if r.get("waits_not_seen_armed")]
    if unarmed:
        out += ["", "Waits not seen in B's `deferred_requests` before the put (counted anyway, so their "
                "visibility may include B's own request latency): " + ", ".join(f"{lab} {k}" for lab, k in unarmed) + "."]
    heads.append(("death detection", [cd], [rd], [ratio(rd, cd)]))
    return out, heads


def load_jmh(d):
    rows = []
    for path in sorted(glob.glob(os.path.join(d, "jmh-*.json"))):
        try:
            data = json.load(open(path))
        except (OSError, ValueError):
            continue
        for b in data:
            name = b["benchmark"].rsplit(".", 2)
            short = ".".join(name[-2:])
            params = ", ".join(f"{k}={v}" for k, v in (b.get("params") or {}).items())
            pm = b["primaryMetric"]
            rows.append({"bench": short, "params": params, "mode": b["mode"], "threads": b.get("threads", 1),
                         "score": pm["score"], "error": pm.get("scoreError"), "unit": pm["scoreUnit"],
                         "p": b.get("params") or {}, "pct": pm.get("scorePercentiles") or {}})
    return rows


def human_bytes(v):
    try:
        n = int(v)
    except ValueError:
        return v
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size and n % size == 0:
            return f"{n // size} {unit}"
    return f"{n} B"


def size_of(r):
    for k, v in r["p"].items():
        if k.lower().endswith("size"):
            try:
                return int(v)
            except ValueError:
                return None
    return None


def jmh_tables(rows):
    if not rows:
        return ["(no JMH results in this run)"], []
    out = ["| benchmark | params | threads | mode | score | ± error | unit | p50 | p99 | GB/s |",
           "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        params = re.sub(r"(\w*[sS]ize)=(\d+)", lambda m: f"{m.group(1)}={human_bytes(m.group(2))}", r["params"])
        err = f"{r['error']:.3g}" if isinstance(r["error"], float) and r["error"] == r["error"] else ""
        sampled = r["mode"] == "sample"
        p50 = r["pct"].get("50.0") if sampled else None
        p99 = r["pct"].get("99.0") if sampled else None
        size = size_of(r)
        gbs = ""
        if size and r["unit"] == "ms/op" and r["score"] > 0:
            gbs = f"{size / (r['score'] / 1e3) / 1e9:.2f}"
        out.append(f"| {r['bench']} | {params} | {r['threads']} | {r['mode']} | {r['score']:.4g} | {err} | {r['unit']} | "
                   f"{'' if p50 is None else f'{p50:.4g}'} | {'' if p99 is None else f'{p99:.4g}'} | {gbs} |")
    heads = []
    by = {(r["bench"], r["params"]): r for r in rows}

    def pair(a, b, what, key="score"):
        for r in rows:
            if r["bench"] == a:
                base = by.get((b, r["params"]))
                if base:
                    x = r["pct"].get("50.0") if key == "p50" else r["score"]
                    y = base["pct"].get("50.0") if key == "p50" else base["score"]
                    if x and y:
                        label = what + (f" [{human_bytes(str(size_of(r)))}]" if size_of(r) else "")
                        heads.append((label, x / y))

    pair("BlobFillBenchmark.blobFill", "BlobFillBenchmark.plainCopy",
         "store-core warm 1 GiB blob fill / plain copy, time (target ≤ 1.11)")
    pair("PutThroughputBenchmark.put", "PutThroughputBenchmark.plainCopy",
         "IPC put / plain copy, time (target ≤ 1.11, i.e. ≥ 0.9× memcpy speed)")
    pair("RpcThroughputBenchmark.rpcPut", "RpcThroughputBenchmark.ipcPut", "RPC put / IPC put, time")
    pair("GetLatencyBenchmark.get", "GetLatencyBenchmark.roundTrip",
         "get + release p50 / one get_data round trip p50", key="p50")
    gets = [r for r in rows if r["bench"] == "GetLatencyBenchmark.get" and r["pct"].get("50.0")]
    if len(gets) > 1:
        p50s = [g["pct"]["50.0"] for g in gets]
        heads.append(("get p50, slowest size / fastest size (flat ≈ 1; sizes "
                      + ", ".join(human_bytes(str(size_of(g))) for g in gets) + ")",
                      max(p50s) / min(p50s)))
        heads.append(("get p50 worst over sizes, µs (target ≤ 20)", max(p50s)))
    for name, target in (("SmallObjectsBenchmark.putOneClient", 50000), ("SmallObjectsBenchmark.getOneClient", 100000)):
        for r in rows:
            if r["bench"] == name:
                heads.append((f"{name.split('.')[1]} ops/s / target {target:,}", r["score"] / target))
    out.append("")
    if heads:
        out.append("Ratios against the baselines and targets of the same run:")
        out.append("")
        for what, x in heads:
            out.append(f"- {what}: **{x:.3g}**")
    return out, heads


def charts(runs, machine, outdir):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    sizes = sorted(runs)
    variants = [v for v in VARIANTS if any(runs[g][v].get(WRITE) is not None for g in sizes)]
    if not sizes or not variants:
        return []
    colours = {"files": "#888888", "cellar": "#1f77b4", "cellar-huge": "#2ca02c", "reference": "#ff7f0e"}
    stamp = f"{machine.get('date', '')} · {machine.get('cores', '?')} cores, {machine.get('memory_gib', '?')} GiB · {machine.get('mode', '')}"
    made = []
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.5))
    for ax, (title, idx) in zip(axes, [("write (preprocess, 4 objects)", 0), ("read (train + test, 4 objects)", 1),
                                       ("total (preprocess + train + test)", 2)]):
        width = 0.8 / len(variants)
        for i, v in enumerate(variants):
            vals = [derived(runs[g][v])[idx] or 0 for g in sizes]
            xs = [j + i * width for j in range(len(sizes))]
            bars = ax.bar(xs, vals, width, label=NAMES[v], color=colours[v])
            for x, y in zip(xs, vals):
                ax.annotate(fmt(y), (x, y), ha="center", va="bottom", fontsize=6)
        ax.set_xticks([j + 0.4 - width / 2 for j in range(len(sizes))])
        ax.set_xticklabels([f"{g:g} GiB" for g in sizes])
        ax.set_title(title, fontsize=10)
        ax.set_ylabel("seconds")
        ax.set_ylim(0, ax.get_ylim()[1] * 1.12)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0.93), ncol=len(variants), fontsize=8,
               frameon=False)
    fig.suptitle("Kubeflow example steps: pickle files vs vineyard.csi through the store")
    fig.text(0.5, 0.005, stamp, ha="center", fontsize=8)
    fig.tight_layout(rect=(0, 0.03, 1, 0.89))
    path = os.path.join(outdir, "pipeline.png")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    made.append(path)

    fig, ax = plt.subplots(figsize=(8, 4.5))
    labels = [s for s, _ in STEP_LABELS if s != "prepare-data"]
    g = max(sizes)
    width = 0.8 / len(variants)
    for i, v in enumerate(variants):
        vals = [runs[g][v].get(k) or 0 for k in STEP_LABELS[1:]]
        ax.bar([j + i * width for j in range(len(vals))], vals, width, label=NAMES[v], color=colours[v])
    ax.set_xticks([j + 0.4 - width / 2 for j in range(len(STEP_LABELS) - 1)])
    short = ["preprocess: read df pickle", "preprocess: write 4 objects", "preprocess: step",
             "train: read x/y_train", "train: step", "test: read x/y_test", "test: step"]
    ax.set_xticklabels(short, rotation=25, ha="right", fontsize=7)
    ax.set_ylabel("seconds")
    ax.set_title(f"per timing label at {g:g} GiB (preprocess input is the pickle in every variant)", fontsize=9)
    ax.legend(fontsize=8)
    fig.text(0.5, 0.005, stamp, ha="center", fontsize=8)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    path = os.path.join(outdir, "pipeline-steps.png")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    made.append(path)
    return made


# The tutorial's Kubeflow figures (reference anchors): store write 8.8 / 11.6 / 13.9 s against NFS
# 33.2 / 40.8 / 48.6 s at 14000 / 18000 / 21000 Mi, that is ratios 0.265-0.286 and about 0.64 s/GiB.
TUTORIAL_WRITE_RATIO = (0.265, 0.286)
TUTORIAL_WRITE_S_PER_GIB = 0.64


def replace_section(readme, begin, end, lines):
    """Writes lines (which start with begin and end with end) in place of that section of the
    README, or at its end when it has none yet."""
    text = open(readme).read() if os.path.exists(readme) else ""
    if begin in text and end in text:
        text = text[:text.index(begin)] + "\n".join(lines) + text[text.index(end) + len(end):]
    else:
        text = text.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n"
    with open(readme, "w") as f:
        f.write(text)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("results")
    p.add_argument("--readme")
    p.add_argument("--charts")
    a = p.parse_args()
    machine = load_machine(a.results)
    runs, extras, _ = load_pipeline(a.results)
    ptab, pheads = pipeline_tables(runs, extras, machine)
    mtab, mheads = peer_table(a.results)
    jrows = load_jmh(a.results)
    jtab, jheads = jmh_tables(jrows)
    btab, bheads = backing_table(a.results)
    otab, oheads = colocation_table(a.results)
    crecs = load_cluster(a.results)
    ctab, cheads = cluster_tables(crecs)

    # ---- the summary
    print()
    print("=" * 78)
    print(f"bench/run {machine.get('mode')} · {machine.get('date')} · {machine.get('cores')} cores, "
          f"{machine.get('memory_gib')} GiB · load {machine.get('load_start')} -> {machine.get('load_end', '?')}")
    if runs:
        print(f"store variants' volume: {volume_note(machine)}")
    print("-" * 78)
    if pheads:
        print("Kubeflow steps             store write/file write  per read step  peer speed (ref/Cellar)")
        print("                           (tutorial ~0.25-0.3,    (2 objects;  write  read  total")
        print("                            target <= 0.1)          tutorial     (target >= 1.0)")
        print("                                                    0.02 s,")
        print("                                                    target 1 ms)")
        for gib, w, fw, r, peer, again_s, meta_s in pheads:
            rr = ratio(w, fw)
            flag = "ok " if rr is not None and rr <= 0.1 else "MISS"
            rflag = "ok " if r is not None and r <= 0.001 else "MISS"
            print(f"  {gib:>5g} GiB  Cellar        {rfmt(rr, 3):>7} {flag}              {fmt(r):>9} {rflag}  "
                  f"{peer[0]:>5} {peer[1]:>5} {peer[2]:>5}")
            print(f"             (per read again in-process: {again_s}; store round trips: {meta_s})")
            gw = w / gib if w is not None and gib else None
            beat = "beats" if rr is not None and rr < TUTORIAL_WRITE_RATIO[0] else "does not beat"
            print(f"             (store write {rfmt(gw, 2)} s/GiB, tutorial {TUTORIAL_WRITE_S_PER_GIB} s/GiB;"
                  f" write ratio {beat} the tutorial's {TUTORIAL_WRITE_RATIO[0]}-{TUTORIAL_WRITE_RATIO[1]})")
    for what, x in mheads:
        print(f"  peer speed (ref/Cellar), Python {what}: {rfmt(x)}")
    for what, x in bheads + oheads:
        print(f"  {what}: {rfmt(x)}")
    for what, x in jheads:
        print(f"  JMH {what}: {x:.3g}")
    if cheads:
        print("Cluster (2 instances on etcd)          Cellar p50 / p99      reference p50 / p99   ratio ref/Cellar")
        for what, cv, rv, rs in cheads:
            if what == "death detection":
                print(f"  death of B seen by A: Cellar {fmt(cv[0])}, reference {fmt(rv[0])}, ratio {rfmt(rs[0])}")
            else:
                print(f"  {what.replace('**', '')[:38]:<38} {fmt(cv[0]):>9} / {fmt(cv[1]):<9} {fmt(rv[0]):>9} / {fmt(rv[1]):<9} "
                      f"{rfmt(rs[0])} / {rfmt(rs[1])}")
    print("=" * 78)

    if a.charts:
        made = charts(runs, machine, a.charts) if runs else []
        for m in made:
            print("chart:", m)
    if a.readme and crecs:
        csec = [CLUSTER_BEGIN, "", "## Cluster on etcd: persist, visibility, death detection (`bench/run --cluster`)", "",
                f"Generated by `bench/run --cluster` on {machine.get('date')}: {machine.get('cores')} cores, "
                f"load average at start {machine.get('load_start')}, at end {machine.get('load_end', '?')} (a shared "
                "machine: other engineers' builds ran; compare the two servers within this run, not across runs).",
                ""] + ctab + ["", CLUSTER_END]
        replace_section(a.readme, CLUSTER_BEGIN, CLUSTER_END, csec)
        print("README (cluster section):", a.readme)
    real = os.path.join(a.results, "real-pods.txt")
    if a.readme and os.path.exists(real):
        rsec = [REAL_BEGIN, "", "## Real pods (`bench/run --real-pods`: it/e2e/tutorial)", "",
                f"Generated by `bench/run --real-pods` on {machine.get('date')}: {machine.get('cores')} cores, "
                f"load average at start {machine.get('load_start')}, at end {machine.get('load_end', '?')}. "
                "The Kubeflow example's steps as pods on a one-node Kubernetes built here (containerd, runc, "
                "the kubelet; Cellar's images without a registry): first on files (a hostPath), then through "
                "a PVC of the vineyard CSI driver deployed by `vineyardctl deploy vineyard-cluster "
                "--hostNetwork` and `deploy csidriver --sidecars builtin --deleteObjects` (vineyardd on etcd, "
                "so every persist and name is an etcd transaction). Seconds, from `kubectl logs`:", "", "```"]
        rsec += open(real).read().strip("\n").splitlines() + ["```", "", REAL_END]
        replace_section(a.readme, REAL_BEGIN, REAL_END, rsec)
        print("README (real pods section):", a.readme)
    if a.readme and not runs and not jrows:
        print("README: the pipeline and JMH did not run; their generated section is kept as it was")
    elif a.readme:
        section = [BEGIN, "", "## Results from bench/run", "",
                   "Everything below is written by `bench/run` (full: data frames of 1, 2 and 4 GiB plus the "
                   "JMH suites, two pipeline passes per size and the cluster bench, about 40 minutes; `bench/run --quick`: 0.25 GiB and one short JMH iteration; "
                   "`bench/run --help` for the options). The raw pipeline records are in "
                   "`bench/pipeline/results.jsonl`; the JMH JSON stays under `build/bench-results/<stamp>/`.",
                   "",
                   f"Generated by `bench/run{' --quick' if machine.get('mode') == 'quick' else ''}` on "
                   f"{machine.get('date')}: {machine.get('cores')} cores, {machine.get('memory_gib')} GiB "
                   f"(nproc, free -g), Linux {machine.get('kernel')}, {machine.get('java')}; Python "
                   f"{machine.get('python')}. Load average at start {machine.get('load_start')}, at end "
                   f"{machine.get('load_end', '?')} (the machine is shared: compare ratios within this run, "
                   "not absolute times across runs). Data frame sizes: " + machine.get("sizes_gib", "") + " GiB.",
                   "", "### Kubeflow example (deploy/examples/kubeflow)", "",
                   "The example's steps (reference k8s §5) as separate Python processes: `prepare-data.py` "
                   "(46 int64 columns with the Kaggle-like names, 10,000 × multiplier rows, pickled), "
                   "`preprocess.py` (cold read of that pickle, drop GrLivArea > 4800, X/y, random 80/20 "
                   "split, write four objects), `train.py` (read x_train/y_train, least squares), `test.py` "
                   "(read x_test/y_test, predict, MSE). Differences from the example, on purpose: numpy "
                   "least squares (normal equations, read column by column) instead of scikit-learn; the "
                   "files live on this VM's local disk (the tutorial used NFS), so a file write lands in the "
                   "page cache and is about as fast as a file write can be (the fsync that follows is "
                   "reported apart, never in the write time); the page cache is dropped before every step "
                   "(`sync; echo 3 > /proc/sys/vm/drop_caches`, as the example does) so file reads are "
                   "cold; each server is started on a temp socket, warmed with 20 small write/read/delete "
                   "rounds (`warmup.py`; the example's vineyardd is long-running); both servers run on their "
                   "default flags (Cellar's include a background prefill of a bounded window, 256 MiB, "
                   "ahead of the allocations while idle and the self warm-up, see store-server/README.md); "
                   "\"Cellar, huge pages\" is Cellar with its arena on a tmpfs mounted `huge=always` "
                   "(`--shm_dir`) and `--prefill_ahead` = `--size`, waited for before the steps (an admin "
                   "who gives the store huge pages commits them); the objects are "
                   "named under the volume the steps see: " + volume_note(machine) + ". "
                   "Variants run one after the other for each size, in the order files, Cellar, Cellar on huge "
                   "pages, reference, and with several passes (`--passes`, 2 in a full run) every second pass "
                   "in the reverse order, each step's time the median over the passes; "
                   "the preprocess input is always the pickle (as in the example).",
                   "",
                   "![pipeline](pipeline/pipeline.png)", "", "![steps](pipeline/pipeline-steps.png)", ""]
        section += ptab
        if mtab:
            section += ["", "### Python client micro scenarios, Cellar vs the reference vineyardd", ""] + mtab
        if btab:
            section += ["", "### A fresh-process put per backing: 1 GiB against memcpy", ""] + btab
        if otab:
            section += ["", "### Co-location: a job beside an idle server", ""] + otab
        section += ["", "### JMH (bench/target/benchmarks.jar, short settings)", ""] + jtab + ["", END]
        replace_section(a.readme, BEGIN, END, section)
        # the raw records next to the charts (small: one line per step)
        if a.charts:
            shutil.copy(os.path.join(a.results, "pipeline.jsonl"), os.path.join(a.charts, "results.jsonl")) \
                if os.path.exists(os.path.join(a.results, "pipeline.jsonl")) else None
            shutil.copy(os.path.join(a.results, "machine.txt"), os.path.join(a.charts, "machine.txt"))
        print("README:", a.readme)


if __name__ == "__main__":
    main()
