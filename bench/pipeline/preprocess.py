#!/usr/bin/env python3
"""preprocess: read df_<multiplier>.pkl (cold: the page cache dropped first), drop the rows with
GrLivArea > 4800, split X (all columns but SalePrice) / y (SalePrice), a random 80/20
train/test split (what scikit-learn's train_test_split(test_size=0.2) does, done with numpy
here), then write x_train, x_test, y_train, y_test: pickles in data_dir (files) or
vineyard.csi.write under vineyard_dir (store)."""

import os
import time

import numpy as np
import pandas as pd

import common


def main():
    args = common.arguments(__doc__)
    if args.with_vineyard:
        import vineyard.csi  # noqa: F401  (the example imports at the top, before any timer)
    start = time.time()
    src = os.path.join(args.data_dir, f"df_{args.data_multiplier}.pkl")
    method, drop_seconds = common.cold([src])
    t = time.time()
    df = pd.read_pickle(src)
    read = time.time() - t

    keep = np.flatnonzero(df["GrLivArea"].to_numpy() <= 4800)
    rng = np.random.default_rng(42)
    rng.shuffle(keep)
    n_test = int(np.ceil(0.2 * len(keep)))
    test_idx, train_idx = keep[:n_test], keep[n_test:]
    features = len(common.COLUMNS) - 1
    parts = {
        "x_train": df.iloc[train_idx, :features],
        "x_test": df.iloc[test_idx, :features],
        "y_train": df["SalePrice"].iloc[train_idx],
        "y_test": df["SalePrice"].iloc[test_idx],
    }
    del df, keep, train_idx, test_idx  # not timed; keeps the peak memory at 2x the frame

    extra = {"drop": method, "drop_seconds": drop_seconds}
    t = time.time()
    if args.with_vineyard:
        for name in common.SPLIT:
            vineyard.csi.write(parts[name], common.csi_path(args, name))
        write = time.time() - t
    else:
        paths = []
        for name in common.SPLIT:
            path = os.path.join(args.data_dir, name + ".pkl")
            common.to_pickle(parts[name], path)
            paths.append(path)
        write = time.time() - t
        extra["fsync"] = common.fsync_files(paths)  # reported apart, not in the write time
    extra["bytes"] = int(sum(p.memory_usage(index=False).sum() if hasattr(p, "columns")
                             else p.memory_usage(index=False) for p in parts.values()))
    common.report(args, "preprocess", [
        ("read dataframe pickle time:", read),
        ("write training and testing data time:", write),
        ("Preprocessing data time:", time.time() - start),
    ], extra)


if __name__ == "__main__":
    main()
