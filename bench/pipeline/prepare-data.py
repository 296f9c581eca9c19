#!/usr/bin/env python3
"""prepare-data: the example's input frame, 10,000 x multiplier rows of 46 int64 columns,
pickled to <data_dir>/df_<multiplier>.pkl (the example loops over 4000, 5000, 6000; here one
multiplier per call). Values are uniform in [0, 5000) (GrLivArea > 4800 drops ~4% of the
rows in preprocess), Id counts up, and SalePrice is linear in a few columns plus noise so
the regression has something to find."""

import os
import time

import numpy as np
import pandas as pd

import common


def main():
    args = common.arguments(__doc__)
    start = time.time()
    rows = 10_000 * args.data_multiplier
    rng = np.random.default_rng(args.data_multiplier)
    # (46, rows) C order, so the frame's one int64 block is contiguous per column
    block = rng.integers(0, 5000, size=(len(common.COLUMNS), rows), dtype=np.int64)
    cols = {c: i for i, c in enumerate(common.COLUMNS)}
    block[cols["Id"]] = np.arange(rows, dtype=np.int64)
    price = block[cols["SalePrice"]]
    price[:] = rng.integers(0, 20000, size=rows, dtype=np.int64)
    price += 50 * block[cols["GrLivArea"]] + 20 * block[cols["OverallQual"]] + 3 * block[cols["YearBuilt"]]
    df = pd.DataFrame(block.T, columns=common.COLUMNS, copy=False)
    del block, price
    path = os.path.join(args.data_dir, f"df_{args.data_multiplier}.pkl")
    t = time.time()
    common.to_pickle(df, path)
    write = time.time() - t
    flush = common.fsync_files([path])
    common.report(args, "prepare-data", [
        ("dataframe to_pickle time:", write),
        ("preparing data time:", time.time() - start),
    ], {"bytes": int(df.memory_usage(index=False).sum()), "fsync": flush,
        "file_bytes": os.path.getsize(path)})


if __name__ == "__main__":
    main()
