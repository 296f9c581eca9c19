#!/usr/bin/env python3
"""train: read x_train and y_train (pickles from a cold page cache, removed afterwards as the
example does; or vineyard.csi.read with --with_vineyard), fit a linear regression with an
intercept (least squares on the normal equations with numpy, instead of the example's
scikit-learn LinearRegression), and pickle its coefficients to <data_dir>/model.pkl."""

import os
import pickle
import time

import numpy as np

import common

CHUNK = 1 << 20


def fit(x, y):
    """Least squares with an intercept through the normal equations, CHUNK rows at a time.

    Columns are taken one by one: a frame read from vineyard comes back as one block per
    column, and a whole-frame to_numpy() would interleave them, which costs more than the fit."""
    cols = [x[c].to_numpy() for c in x.columns]
    ys = y.to_numpy()
    k = len(cols) + 1
    xtx = np.zeros((k, k))
    xty = np.zeros(k)
    for s in range(0, len(ys), CHUNK):
        e = min(s + CHUNK, len(ys))
        a = np.empty((e - s, k), order="F")
        a[:, 0] = 1.0
        for j, col in enumerate(cols):
            a[:, j + 1] = col[s:e]
        xtx += a.T @ a
        xty += a.T @ ys[s:e]
    coef, *_ = np.linalg.lstsq(xtx, xty, rcond=None)
    return coef


def main():
    args = common.arguments(__doc__, needs_multiplier=False)
    if args.with_vineyard:
        import vineyard.csi  # noqa: F401  (the example imports vineyard before any timer starts)
    print("Training model...", flush=True)
    start = time.time()
    timings = common.Timings()
    x_train, y_train, read, extra = common.read_pair(args, "x_train", "y_train")
    timings.print("read x_train and y_train data time:", read)
    coef = fit(x_train, y_train)
    with open(os.path.join(args.data_dir, "model.pkl"), "wb") as f:
        pickle.dump(coef, f)
    extra["rows"] = len(x_train)
    timings.print("Training model data time:", time.time() - start)
    common.record(args, "train", timings, extra)


if __name__ == "__main__":
    main()
