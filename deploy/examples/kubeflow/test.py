#!/usr/bin/env python3
"""test: read x_test and y_test (pickles from a cold page cache, removed afterwards as the
example does; or vineyard.csi.read with --with_vineyard), load <data_dir>/model.pkl, predict,
print the mean squared error and append it to <data_dir>/output.txt."""

import os
import pickle
import time

import numpy as np

import common

CHUNK = 1 << 20


def mean_squared_error(coef, x, y):
    cols = [x[c].to_numpy() for c in x.columns]  # column by column, as train.py reads them
    ys = y.to_numpy()
    squares = 0.0
    for s in range(0, len(ys), CHUNK):
        e = min(s + CHUNK, len(ys))
        prediction = np.full(e - s, coef[0])
        for j, col in enumerate(cols):
            prediction += coef[j + 1] * col[s:e]
        squares += float(np.sum((ys[s:e] - prediction) ** 2))
    return squares / len(ys)


def main():
    args = common.arguments(__doc__, needs_multiplier=False)
    if args.with_vineyard:
        import vineyard.csi  # noqa: F401  (the example imports vineyard before any timer starts)
    print("Testing model...", flush=True)
    start = time.time()
    timings = common.Timings()
    x_test, y_test, read, extra = common.read_pair(args, "x_test", "y_test")
    timings.print("read x_test and y_test execution time:", read)
    with open(os.path.join(args.data_dir, "model.pkl"), "rb") as f:
        coef = pickle.load(f)
    mse = mean_squared_error(coef, x_test, y_test)
    print("mean squared error:", mse, flush=True)
    with open(os.path.join(args.data_dir, "output.txt"), "a") as f:
        f.write(f"{args.label} multiplier={args.data_multiplier} mse={mse}\n")
    extra["rows"] = len(x_test)
    extra["mse"] = mse
    timings.print("Testing model data time:", time.time() - start)
    common.record(args, "test", timings, extra)


if __name__ == "__main__":
    main()
