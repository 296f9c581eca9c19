#!/usr/bin/env python3
"""test: read x_test and y_test (files: cold pickles, then removed; store: vineyard.csi.read),
load the model, predict, compute the mean squared error and append it to
<data_dir>/output.txt."""

import os
import pickle
import time

import numpy as np
import pandas as pd

import common

CHUNK = 1 << 20


def main():
    args = common.arguments(__doc__)
    if args.with_vineyard:
        import vineyard.csi  # noqa: F401  (the example imports at the top, before any timer)
    start = time.time()
    x_test, y_test, read, extra = common.read_pair(args, "x_test", "y_test")
    with open(os.path.join(args.data_dir, "model.pkl"), "rb") as f:
        coef = pickle.load(f)
    cols = [x_test[c].to_numpy() for c in x_test.columns]  # one by one, as in train.py
    ys = y_test.to_numpy()
    sq = 0.0
    for s in range(0, len(ys), CHUNK):
        e = min(s + CHUNK, len(ys))
        pred = np.full(e - s, coef[0])
        for j, col in enumerate(cols):
            pred += coef[j + 1] * col[s:e]
        sq += float(np.sum((ys[s:e] - pred) ** 2))
    mse = sq / len(x_test)
    with open(os.path.join(args.data_dir, "output.txt"), "a") as f:
        f.write(f"{args.label} multiplier={args.data_multiplier} mse={mse}\n")
    extra["rows"] = len(x_test)
    extra["mse"] = mse
    common.report(args, "test", [
        ("read x_test and y_test execution time:", read),
        ("Testing model data time:", time.time() - start),
    ], extra)


if __name__ == "__main__":
    main()
