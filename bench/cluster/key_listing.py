#!/usr/bin/env python3
"""The etcd keys of a mixed cluster: a reference vineyardd (A) and a Cellar vineyardd (B) on one
etcd and prefix (issue 11's closing note).

Each instance persists and names a small numpy array and a pandas data frame through the real
Python client; then the whole prefix is printed (key, then value, long values cut), grouped by who
wrote it, so the keys Cellar writes can be read beside the ones the reference writes. Usage:
  key_listing.py --cellar bin/vineyardd --reference PATH [--width 160]
"""

import argparse
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cluster_bench as cb  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402


def etcd_dump(endpoint, prefix):
    out = subprocess.run(["etcdctl", "--endpoints=" + endpoint, "get", "--prefix", prefix,
                          "-w", "json"], check=True, capture_output=True, text=True,
                         env=dict(os.environ, ETCDCTL_API="3")).stdout
    kvs = json.loads(out).get("kvs", [])
    return [(base64.b64decode(kv["key"]).decode(), base64.b64decode(kv["value"]).decode("utf-8", "replace"))
            for kv in kvs]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cellar", required=True)
    ap.add_argument("--reference", required=True)
    ap.add_argument("--width", type=int, default=160)
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="cellar-keys-")
    prefix = "/mixed"
    etcd = ref = cellar = None
    try:
        etcd = cb.Etcd(tmp)
        ref, sock_a = cb.start_server("reference", a.reference, tmp, "a", etcd, prefix)
        cellar, sock_b = cb.start_server("cellar", a.cellar, tmp, "b", etcd, prefix)
        owners = {}
        for who, sock in (("reference", sock_a), ("cellar", sock_b)):
            c = cb.vineyard.connect(sock)
            owners[c.instance_id] = who
            c.put(np.arange(4, dtype=np.int64), persist=True, name=who + "-array")
            c.put(pd.DataFrame({"a": [1, 2], "b": [0.5, 1.5]}), persist=True, name=who + "-frame")
            c.close()
        b = cb.vineyard.connect(sock_b)
        b.sync_meta()
        b.close()
        print("instances:", {"i%d" % k: v for k, v in owners.items()})
        for key, value in etcd_dump(etcd.endpoint, prefix):
            value = value.replace("\n", " ")
            if len(value) > a.width:
                value = value[:a.width] + "… (%d bytes)" % len(value)
            print(key)
            print("    " + value)
    finally:
        for p in (cellar, ref):
            if p is not None:
                cb.stop(p)
        if etcd is not None:
            etcd.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
