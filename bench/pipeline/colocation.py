#!/usr/bin/env python3
"""The co-location job (bench/run, issue 14): a fixed CPU- and memory-bound piece of work that
touches no store, timed while a server starts and idles beside it (or none runs). It unpickles a
data frame of about --gib GiB (46 int64 columns, the Kubeflow example's shape) from the page cache
and sums every column. With --prepare it writes that pickle first and exits.

Usage: colocation.py --pickle PATH --prepare [--gib 2]
       colocation.py --pickle PATH --label NAME --run N --results FILE
"""

import argparse
import json
import os
import pickle
import time

import numpy as np
import pandas as pd


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--pickle", required=True)
    p.add_argument("--prepare", action="store_true")
    p.add_argument("--gib", type=float, default=2.0)
    p.add_argument("--label")
    p.add_argument("--run", type=int, default=0)
    p.add_argument("--results")
    a = p.parse_args()
    if a.prepare:
        rows = int(a.gib * (1 << 30) / (46 * 8))
        df = pd.DataFrame(np.arange(rows * 46, dtype=np.int64).reshape(rows, 46) % 100003,
                          columns=[f"c{i}" for i in range(46)])
        with open(a.pickle, "wb") as f:
            pickle.dump(df, f, protocol=pickle.HIGHEST_PROTOCOL)
        print(f"wrote {a.pickle}: {os.path.getsize(a.pickle) >> 20} MiB")
        return
    t = time.perf_counter()
    with open(a.pickle, "rb") as f:
        df = pickle.load(f)
    loaded = time.perf_counter() - t
    total = int(df.sum().sum())
    seconds = time.perf_counter() - t
    record = {"label": a.label, "run": a.run, "seconds": seconds, "unpickle": loaded,
              "mib": os.path.getsize(a.pickle) >> 20, "checksum": total}
    if a.results:
        with open(a.results, "a") as f:
            f.write(json.dumps(record) + "\n")
    print(json.dumps(record))


if __name__ == "__main__":
    main()
