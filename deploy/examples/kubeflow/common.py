"""What the four steps of the Kubeflow example share (reference vineyard-k8s.md section 5).

Each step is its own process, as each Kubeflow step is its own pod. It prints the example's
timing labels, each after a line of '#' and in the example's words, so that logs of this
example and of the upstream one parse alike:

    ##################################
    read dataframe pickle time:  0.8125

Two ways to pass the data between steps:
  files (default)  pickles in --data_dir (the example's /data, an NFS volume in the tutorial);
  --with_vineyard  vineyard.csi.write/read under --vineyard_dir (the example's /vineyard/data,
                   the mount of a PVC of the vineyard CSI driver's storage class).

The benchmark (bench/run in the Cellar repository) runs these same files and adds two options:
--results FILE appends one JSON record per step, and --extra_timings measures more than the
example does (see arguments()).
"""

import argparse
import json
import os
import sys
import time

import pandas as pd  # imported before any step's timer starts, as in the example

# The Kaggle house-prices-like names of the example: 46 int64 columns, SalePrice last.
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

# What preprocess writes and train/test read, in the order the example writes them.
SPLIT = ["x_train", "x_test", "y_train", "y_test"]

RULE = "##################################"

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def boolean(text):
    """argparse type for true/false switches: 'true', 'True', '1', 'yes', 'on' and their
    opposites (the pipelines pass '--with_vineyard=True'). Unlike argparse's type=bool, which
    the upstream steps use and which makes any non-empty string true, 'False' is false."""
    word = text.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}")


def _switch(parser, name, default, help_text):
    """--NAME alone means true; --NAME=BOOL (or --NAME BOOL) sets it either way."""
    parser.add_argument(f"--{name}", type=boolean, nargs="?", const=True, default=default,
                        metavar="BOOL", help=f"{help_text} (default {str(default).lower()})")


def arguments(description, needs_multiplier):
    """The steps' command line. needs_multiplier: prepare-data and preprocess need
    --data_multiplier (the frame to make or read); train and test accept it for their record."""
    p = argparse.ArgumentParser(description=description,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data_multiplier", type=int, required=needs_multiplier,
                   help="the frame has 10,000 x multiplier rows (the tutorial: 4000, 5000, 6000; "
                        "292 is about 1 GiB)")
    p.add_argument("--data_dir", default="/data",
                   help="the directory of the pickles and the model (default /data)")
    _switch(p, "with_vineyard", False,
            "pass x_train, x_test, y_train, y_test through vineyard.csi.write/read under "
            "--vineyard_dir instead of pickles in --data_dir")
    p.add_argument("--vineyard_dir", default="/vineyard/data",
                   help="where the vineyard volume is mounted: a directory at or below the one "
                        "holding vineyard.sock (default /vineyard/data)")
    _switch(p, "drop_caches", True,
            "drop the page cache before reading (sync; echo 3 > /proc/sys/vm/drop_caches, as "
            "the example does; needs a privileged container). When false, or when the kernel "
            "refuses, only the step's input files are evicted (fsync + posix_fadvise DONTNEED)")
    p.add_argument("--results", default=None, metavar="FILE",
                   help="append a JSON record of this step's timings to FILE (bench/run)")
    p.add_argument("--label", default="", help="a tag for that record (bench/run: the variant)")
    _switch(p, "extra_timings", False,
            "also measure what the benchmark reports beside the example's labels: the fsync of "
            "written pickles, a second (warm) read of the inputs in the same process, and, with "
            "vineyard, one read taken apart call by call; these add to the step's total time")
    return p.parse_args()


class Timings:
    """The example's labels: print() shows one at once, in the example's format; all of them go
    into the step's JSON record."""

    def __init__(self):
        self.phases = []

    def print(self, label, seconds):
        self.phases.append((label, seconds))
        print(RULE)
        print(label + " ", seconds, flush=True)  # print's own separator: two spaces, as upstream


def _drop_page_cache():
    """sync; echo 3 > /proc/sys/vm/drop_caches. Returns True when the kernel accepted it."""
    os.sync()
    try:
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
        return True
    except OSError as e:
        print(f"note: cannot drop the page cache ({e}); evicting the step's input files "
              "instead", file=sys.stderr)
        return False


def evict(paths):
    """A cold read without root: flush these files and drop their pages from the page cache."""
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def cold(args, paths):
    """Makes the next read of paths cold, as the example does before each step. Returns
    (method, seconds): method 'drop_caches' or 'fadvise' (the fallback of evict())."""
    t = time.time()
    if args.drop_caches and _drop_page_cache():
        return "drop_caches", time.time() - t
    evict([p for p in paths if os.path.exists(p)])
    return "fadvise", time.time() - t


def fsync_files(paths):
    """fsync each file; returns the seconds it took."""
    t = time.time()
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    return time.time() - t


def data_path(args, name):
    """A pickle in --data_dir."""
    return os.path.join(args.data_dir, name + ".pkl")


def csi_path(args, name):
    """An object's name under the vineyard volume, as the example names it: .../x_train.pkl."""
    return os.path.join(args.vineyard_dir, name + ".pkl")


def find_socket(path):
    """vineyard.csi's discovery: the nearest vineyard.sock at or above path."""
    p = os.path.abspath(path)
    while p != "/":
        if os.path.exists(os.path.join(p, "vineyard.sock")):
            return os.path.join(p, "vineyard.sock")
        p = os.path.dirname(p)
    raise FileNotFoundError(f"no vineyard.sock at or above {path}")


def _store_meta_seconds(args, names):
    """get_name + get_meta of the objects on a fresh connection: the store's own share of a read."""
    import vineyard
    t = time.time()
    client = vineyard.connect(find_socket(args.vineyard_dir))
    for name in names:
        client.get_meta(client.get_name(csi_path(args, name)))
    seconds = time.time() - t
    client.close()
    return seconds


def _store_breakdown(args, name):
    """One object's read taken apart on a fresh connection: connect, name lookup, get_meta (the
    metadata tree and the blobs' mapping) and a full client.get (get_meta again plus the
    resolvers rebuilding the pandas object, so the rebuild is about get - meta)."""
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
    """Reads a step's two inputs as the example does: the page cache dropped first, then
    vineyard.csi.read, or pd.read_pickle and the pickles removed afterwards.

    Returns (x, y, read seconds, extra): extra holds the cold-read method and, with
    --extra_timings, the warm re-read and the store's breakdown for the JSON record."""
    extra = {}
    if args.with_vineyard:
        import vineyard.csi
        cold(args, [])  # as the example does in every step (shared memory is not dropped)
        t = time.time()
        x = vineyard.csi.read(csi_path(args, x_name))
        y = vineyard.csi.read(csi_path(args, y_name))
        read = time.time() - t
        if args.extra_timings:
            extra["store_meta"] = _store_meta_seconds(args, [x_name, y_name])
            t = time.time()  # again in the same process: no lazy imports, pages mapped before
            vineyard.csi.read(csi_path(args, x_name))
            vineyard.csi.read(csi_path(args, y_name))
            extra["read_again"] = time.time() - t
            extra["breakdown"] = _store_breakdown(args, x_name)
    else:
        paths = [data_path(args, x_name), data_path(args, y_name)]
        method, drop_seconds = cold(args, paths)
        extra.update(drop=method, drop_seconds=drop_seconds)
        t = time.time()
        x = pd.read_pickle(paths[0])
        y = pd.read_pickle(paths[1])
        read = time.time() - t
        if args.extra_timings:
            t = time.time()  # again, from a warm page cache
            pd.read_pickle(paths[0])
            pd.read_pickle(paths[1])
            extra["read_again"] = time.time() - t
        for path in paths:
            os.remove(path)
    return x, y, read, extra


def record(args, step, timings, extra=None):
    """Appends the step's JSON record to --results, when given."""
    if not args.results:
        return
    entry = {
        "step": step,
        "label": args.label,
        "variant": "store" if args.with_vineyard else "files",
        "multiplier": args.data_multiplier,
        "phases": {label: seconds for label, seconds in timings.phases},
    }
    if extra:
        entry.update(extra)
    with open(args.results, "a") as f:
        f.write(json.dumps(entry) + "\n")
