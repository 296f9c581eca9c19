#!/usr/bin/env python3
"""preprocess: read <data_dir>/df_<multiplier>.pkl from a cold page cache, drop the rows with
GrLivArea > 4800, split X (every column but SalePrice) from y (SalePrice), make a random
80/20 train/test split (what scikit-learn's train_test_split(test_size=0.2) does, here with
numpy and a fixed seed), and write x_train, x_test, y_train, y_test: pickles in data_dir, or
with --with_vineyard objects named <vineyard_dir>/<name>.pkl through vineyard.csi.write."""

import time

import numpy as np
import pandas as pd

import common


def split(df):
    keep = np.flatnonzero(df["GrLivArea"].to_numpy() <= 4800)
    np.random.default_rng(42).shuffle(keep)
    n_test = int(np.ceil(0.2 * len(keep)))
    test_rows, train_rows = keep[:n_test], keep[n_test:]
    features = len(common.COLUMNS) - 1  # SalePrice is the last column
    return {
        "x_train": df.iloc[train_rows, :features],
        "x_test": df.iloc[test_rows, :features],
        "y_train": df["SalePrice"].iloc[train_rows],
        "y_test": df["SalePrice"].iloc[test_rows],
    }


def main():
    args = common.arguments(__doc__, needs_multiplier=True)
    if args.with_vineyard:
        import vineyard.csi  # the example imports vineyard before any timer starts
    print("Preprocessing data...", flush=True)
    start = time.time()
    timings = common.Timings()
    source = common.data_path(args, f"df_{args.data_multiplier}")
    method, drop_seconds = common.cold(args, [source])
    t = time.time()
    df = pd.read_pickle(source)
    timings.print("read dataframe pickle time:", time.time() - t)

    parts = split(df)
    del df  # the peak stays at twice the frame

    extra = {"drop": method, "drop_seconds": drop_seconds}
    t = time.time()
    if args.with_vineyard:
        for name in common.SPLIT:
            vineyard.csi.write(parts[name], common.csi_path(args, name))
        write = time.time() - t
    else:
        paths = [common.data_path(args, name) for name in common.SPLIT]
        for name, path in zip(common.SPLIT, paths):
            parts[name].to_pickle(path)
        write = time.time() - t
        if args.extra_timings:
            extra["fsync"] = common.fsync_files(paths)  # apart: not in the write time
    timings.print("write training and testing data time:", write)
    extra["bytes"] = int(sum(part.memory_usage(index=False).sum() if hasattr(part, "columns")
                             else part.memory_usage(index=False) for part in parts.values()))
    timings.print("Preprocessing data time:", time.time() - start)
    common.record(args, "preprocess", timings, extra)


if __name__ == "__main__":
    main()
