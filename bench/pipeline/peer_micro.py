#!/usr/bin/env python3
"""Python-client micro scenarios, run against each server in the same go (bench/run): small
numpy puts and gets, a get_meta round trip, and one large numpy put/get. Appends one JSON record
to --results. Usage: peer_micro.py --socket S --label NAME --results FILE [--large_mib N]"""

import argparse
import json
import resource
import time

import numpy as np
import vineyard


def rate(fn, n):
    t = time.perf_counter()
    for i in range(n):
        fn(i)
    return (time.perf_counter() - t) / n


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--socket", required=True)
    p.add_argument("--label", required=True)
    p.add_argument("--results", required=True)
    p.add_argument("--large_mib", type=int, default=256)
    a = p.parse_args()
    client = vineyard.connect(a.socket)
    small = np.arange(512, dtype=np.int64)  # 4 KiB
    ids = []
    rate(lambda i: ids.append(client.put(small)), 200)  # warm-up
    client.delete(ids)
    ids = []
    put = rate(lambda i: ids.append(client.put(small)), 2000)
    get = rate(lambda i: client.get(ids[i]), 2000)
    meta = rate(lambda i: client.get_meta(ids[i % len(ids)]), 5000)
    client.delete(ids)
    large = np.ones(a.large_mib << 17, dtype=np.int64)  # large_mib MiB, touched
    t = time.perf_counter()
    oid = client.put(large)
    large_put = time.perf_counter() - t
    t = time.perf_counter()
    back = client.get(oid)
    large_get = time.perf_counter() - t
    assert back.shape == large.shape
    del back
    client.delete(oid)
    # the same put again: the server may hand back memory this client has mapped and touched
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    t = time.perf_counter()
    oid = client.put(large)
    large_put_again = time.perf_counter() - t
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults
    client.delete(oid)
    client.close()
    record = {"label": a.label, "small_put": put, "small_get": get, "get_meta": meta,
              "large_mib": a.large_mib, "large_put": large_put, "large_get": large_get,
              "large_put_again": large_put_again, "large_put_again_faults": faults}
    with open(a.results, "a") as f:
        f.write(json.dumps(record) + "\n")
    print(json.dumps(record))


if __name__ == "__main__":
    main()
