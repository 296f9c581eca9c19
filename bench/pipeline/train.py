#!/usr/bin/env python3
"""train: read x_train and y_train (files: cold pickles, then removed as the example does;
store: vineyard.csi.read), fit a linear regression with an intercept (numpy least squares on
the normal equations, accumulated in 1M-row chunks, instead of scikit-learn's
LinearRegression), and pickle the model to <data_dir>/model.pkl."""

import os
import pickle
import time

import numpy as np
import pandas as pd

import common

CHUNK = 1 << 20


def fit(x, y):
    """Least squares with an intercept through the normal equations, in CHUNK-row pieces.

    Columns are read one by one (a frame read from vineyard comes back as one block per column;
    a whole-frame to_numpy() would interleave and transpose them, which costs more than the
    fit itself), and copied into a column-major float64 chunk."""
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
    args = common.arguments(__doc__)
    if args.with_vineyard:
        import vineyard.csi  # noqa: F401  (the example imports at the top, before any timer)
    start = time.time()
    x_train, y_train, read, extra = common.read_pair(args, "x_train", "y_train")
    extra["rows"] = len(x_train)
    coef = fit(x_train, y_train)
    with open(os.path.join(args.data_dir, "model.pkl"), "wb") as f:
        pickle.dump(coef, f)
    common.report(args, "train", [
        ("read x_train and y_train data time:", read),
        ("Training model data time:", time.time() - start),
    ], extra)


if __name__ == "__main__":
    main()
