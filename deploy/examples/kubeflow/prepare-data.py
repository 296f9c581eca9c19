#!/usr/bin/env python3
"""prepare-data: the example's input, a frame of 10,000 x multiplier rows and 46 int64 columns,
pickled to <data_dir>/df_<multiplier>.pkl (the upstream step loops over 4000, 5000 and 6000;
this one makes one multiplier per call, and prepare-data.yaml loops).

Values are uniform in [0, 5000), so preprocess's GrLivArea > 4800 drops about 4% of the rows;
Id counts up; SalePrice is linear in a few columns plus noise, so the regression has something
to find. The generator is seeded with the multiplier: the same call makes the same frame."""

import os
import time

import numpy as np
import pandas as pd

import common


def frame(multiplier):
    rows = 10_000 * multiplier
    rng = np.random.default_rng(multiplier)
    # (46, rows) in C order: the frame's one int64 block is then contiguous per column
    block = rng.integers(0, 5000, size=(len(common.COLUMNS), rows), dtype=np.int64)
    col = {name: i for i, name in enumerate(common.COLUMNS)}
    block[col["Id"]] = np.arange(rows, dtype=np.int64)
    price = block[col["SalePrice"]]
    price[:] = rng.integers(0, 20000, size=rows, dtype=np.int64)
    price += 50 * block[col["GrLivArea"]] + 20 * block[col["OverallQual"]] + 3 * block[col["YearBuilt"]]
    return pd.DataFrame(block.T, columns=common.COLUMNS, copy=False)


def main():
    args = common.arguments(__doc__, needs_multiplier=True)
    print("Preparing data....", flush=True)
    start = time.time()
    timings = common.Timings()
    df = frame(args.data_multiplier)
    path = common.data_path(args, f"df_{args.data_multiplier}")
    t = time.time()
    df.to_pickle(path)
    timings.print("dataframe to_pickle time:", time.time() - t)
    extra = {"bytes": int(df.memory_usage(index=False).sum()), "file_bytes": os.path.getsize(path)}
    if args.extra_timings:
        extra["fsync"] = common.fsync_files([path])
    timings.print("preparing data time:", time.time() - start)
    common.record(args, "prepare-data", timings, extra)


if __name__ == "__main__":
    main()
