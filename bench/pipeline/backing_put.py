#!/usr/bin/env python3
"""A fresh-process put of one large blob against memcpy, in the same process (bench/run, issue 14).

The process starts with no mapping of the store: it connects, creates a blob of --mib MiB, copies
a touched source array into it and seals it, timed as one put; the baseline is the same copy into
a private buffer this process has already touched (memcpy speed, no page faults). The put's extra
time over memcpy is the page faults of the fresh mapping: what the store's backing (memfd or huge
pages) and the server's prefill decide. With --delete the blob is deleted afterwards, so the next
fresh process writes into memory another mapping has filled. Appends one JSON record to --results.

Usage: backing_put.py --socket S --label NAME --run N --results FILE [--mib 1024] [--delete]
"""

import argparse
import json
import resource
import time

import numpy as np
import vineyard


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--socket", required=True)
    p.add_argument("--label", required=True)
    p.add_argument("--run", type=int, required=True)
    p.add_argument("--results", required=True)
    p.add_argument("--mib", type=int, default=1024)
    p.add_argument("--delete", action="store_true")
    a = p.parse_args()
    n = a.mib << 20
    src = np.ones(n // 8, dtype=np.int64)  # touched
    dst = np.zeros(n // 8, dtype=np.int64)
    dst.fill(1)  # touched: the copy below faults nothing
    t = time.perf_counter()
    np.copyto(dst, src)
    memcpy = time.perf_counter() - t
    del dst
    client = vineyard.connect(a.socket)
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    t = time.perf_counter()
    builder = client.create_blob(n)
    view = np.frombuffer(memoryview(builder), dtype=np.int64)
    np.copyto(view, src)
    blob = builder.seal(client)
    put = time.perf_counter() - t
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults
    del view
    back = np.frombuffer(memoryview(client.get_blob(blob.id)), dtype=np.int64)
    assert back.shape == src.shape and int(back[0]) == 1 and int(back[-1]) == 1 and int(back[n // 16]) == 1
    del back
    if a.delete:
        client.delete(blob.id)
    client.close()
    record = {"label": a.label, "run": a.run, "mib": a.mib, "memcpy": memcpy, "put": put,
              "ratio": put / memcpy, "faults": faults}
    with open(a.results, "a") as f:
        f.write(json.dumps(record) + "\n")
    print(json.dumps(record))


if __name__ == "__main__":
    main()
