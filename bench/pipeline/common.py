"""Shared pieces of the Kubeflow example's steps (reference vineyard-k8s.md section 5).

Each step is its own process, as each Kubeflow step is its own pod. A step prints the
example's timing labels after a line of '#', and appends one JSON record per step to the
file given by --results, so that bench/run can tabulate them.

Variants:
  files: pickles in --data_dir (the example's NFS volume; here a local disk directory).
  store: vineyard.csi.write/read under --vineyard_dir, a directory holding vineyard.sock:
         bench/run passes the target our CSI driver's NodePublishVolume bind-mounted (the
         pod's /vineyard/data), or the server's socket directory when it cannot mount.
"""

import argparse
import json
import os
import sys
import time

# The Kaggle house-prices-like names of the example (46 int64 columns, SalePrice last).
COLUMNS = [
    "Id", "MSSubClass", "LotFrontage", "LotArea", "OverallQual", "OverallCond",
    "YearBuilt", "YearRemodAdd", "MasVnrArea", "BsmtFinSF1", "BsmtFinSF2", "BsmtUnfSF",
    "TotalBsmtSF", "1stFlrSF", "2ndFlrSF", "LowQualFinSF", "GrLivArea", "BsmtFullBath",
    "BsmtHalfBath", "FullBath", "HalfBath", "BedroomAbvGr", "KitchenAbvGr", "TotRmsAbvGrd",
    "Fireplaces", "GarageYrBlt", "GarageCars", "GarageArea", "WoodDeckSF", "OpenPorchSF",
    "EnclosedPorch", "3SsnPorch", "ScreenPorch", "PoolArea", "MiscVal", "TotalRooms",
    "GarageAge", "RemodAge", "HouseAge", "TotalBath", "TotalPorchSF", "TotalSF",
    "TotalArea", "MoSold", "YrSold", "SalePrice",
]
assert len(COLUMNS) == 46

SPLIT = ["x_train", "x_test", "y_train", "y_test"]


def arguments(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--data_multiplier", type=int, required=True,
                   help="rows = 10,000 x multiplier (292 is about 1 GiB)")
    p.add_argument("--data_dir", required=True, help="the example's /data (pickles)")
    # a real flag, unlike the example's argparse type=bool
    p.add_argument("--with_vineyard", action="store_true",
                   help="store variant: vineyard.csi.write/read under --vineyard_dir")
    p.add_argument("--vineyard_dir", default=None,
                   help="the example's /vineyard/data: a directory holding vineyard.sock "
                        "(the CSI-published target in bench/run)")
    p.add_argument("--results", default=None, help="append a JSON record here")
    p.add_argument("--label", default="", help="tag for the record (variant name)")
    args = p.parse_args()
    if args.with_vineyard and not args.vineyard_dir:
        p.error("--with_vineyard needs --vineyard_dir")
    return args


def drop_caches():
    """The example's `sync; echo 3 > /proc/sys/vm/drop_caches`.

    Returns (method, seconds): 'drop_caches' when the kernel accepted it, else 'none'
    (then the caller evicts its input files with posix_fadvise, see evict()).
    """
    t = time.time()
    os.sync()
    try:
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
        return "drop_caches", time.time() - t
    except OSError as e:
        print(f"note: cannot drop the page cache ({e}); evicting the input files with "
              "posix_fadvise(DONTNEED) after fsync instead", file=sys.stderr)
        return "fadvise", time.time() - t


def evict(paths):
    """Fallback cold read: flush and drop these files' pages only (no root needed)."""
    for p in paths:
        fd = os.open(p, os.O_RDONLY)
        try:
            os.fsync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def cold(paths):
    method, seconds = drop_caches()
    if method != "drop_caches":
        evict([p for p in paths if os.path.exists(p)])
    return method, seconds


def to_pickle(df, path):
    df.to_pickle(path)


def fsync_files(paths):
    t = time.time()
    for p in paths:
        fd = os.open(p, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    return time.time() - t


def csi_path(args, name):
    return os.path.join(args.vineyard_dir, name + ".pkl")




def find_socket(path):
    """vineyard.csi's discovery: the nearest vineyard.sock at or above path."""
    p = os.path.abspath(path)
    while p != "/":
        if os.path.exists(os.path.join(p, "vineyard.sock")):
            return os.path.join(p, "vineyard.sock")
        p = os.path.dirname(p)
    raise FileNotFoundError(path)


def store_meta_time(args, names):
    import vineyard
    sock = find_socket(args.vineyard_dir)
    t = time.time()
    client = vineyard.connect(sock)
    for n in names:
        oid = client.get_name(csi_path(args, n))
        client.get_meta(oid)
    seconds = time.time() - t
    client.close()
    return seconds


def store_breakdown(args, name):
    """One object's read taken apart on a fresh connection (after the timed read): connect,
    name lookup, get_meta (metadata tree + blob mapping), and a full client.get (get_meta again
    + the resolvers rebuilding the pandas object): resolve is about get - meta."""
    import vineyard
    t0 = time.perf_counter()
    client = vineyard.connect(find_socket(args.vineyard_dir))
    t1 = time.perf_counter()
    oid = client.get_name(csi_path(args, name))
    t2 = time.perf_counter()
    client.get_meta(oid)
    t3 = time.perf_counter()
    client.get(oid)
    t4 = time.perf_counter()
    client.close()
    return {"object": name, "connect": t1 - t0, "name": t2 - t1, "meta": t3 - t2, "get": t4 - t3}


def read_pair(args, x_name, y_name):
    """Reads the step's two inputs as the example does (a cold read: page cache dropped), then
    once more warm in the same process for comparison. Files are removed after reading, as the
    example's steps do. Returns (x, y, cold read seconds, extra timings for the report)."""
    extra = {}
    if args.with_vineyard:
        import vineyard.csi
        drop_caches()  # as the example does in every step (shared memory is not dropped)
        t = time.time()
        x = vineyard.csi.read(csi_path(args, x_name))
        y = vineyard.csi.read(csi_path(args, y_name))
        read = time.time() - t
        extra["store_meta"] = store_meta_time(args, [x_name, y_name])
        t = time.time()  # again in the same process: no lazy imports, pages mapped before
        vineyard.csi.read(csi_path(args, x_name))
        vineyard.csi.read(csi_path(args, y_name))
        extra["read_again"] = time.time() - t
        extra["breakdown"] = store_breakdown(args, x_name)
    else:
        import pandas as pd
        paths = [os.path.join(args.data_dir, n + ".pkl") for n in (x_name, y_name)]
        method, drop_seconds = cold(paths)
        extra.update(drop=method, drop_seconds=drop_seconds)
        t = time.time()
        x = pd.read_pickle(paths[0])
        y = pd.read_pickle(paths[1])
        read = time.time() - t
        t = time.time()  # again, warm page cache (not in the example; for comparison)
        pd.read_pickle(paths[0])
        pd.read_pickle(paths[1])
        extra["read_again"] = time.time() - t
        for p in paths:
            os.remove(p)
    return x, y, read, extra


def report(args, step, phases, extra=None):
    """Print the example's labels and append the record."""
    print("##################################")
    for label, seconds in phases:
        print(f"{label} {seconds}")
    record = {
        "step": step,
        "label": args.label,
        "variant": "store" if args.with_vineyard else "files",
        "multiplier": args.data_multiplier,
        "phases": {label: seconds for label, seconds in phases},
    }
    if extra:
        record.update(extra)
    if args.results:
        with open(args.results, "a") as f:
            f.write(json.dumps(record) + "\n")
    sys.stdout.flush()
