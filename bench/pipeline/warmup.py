#!/usr/bin/env python3
"""Warm a freshly started server before the measured steps (the Kubeflow deployment's vineyardd
is long-running): csi.write/read/delete of a small frame a few times, both servers alike.
Usage: warmup.py SOCKET_DIR"""

import os
import sys

import numpy as np
import pandas as pd
import vineyard
import vineyard.csi

# the steps' shared module, next to the steps (one copy, in the example users start from)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "deploy", "examples", "kubeflow"))
import common  # noqa: E402


def main():
    sockdir = sys.argv[1]
    df = pd.DataFrame(np.arange(46 * 20000, dtype=np.int64).reshape(20000, 46), columns=common.COLUMNS)
    client = vineyard.connect(common.find_socket(sockdir))
    for i in range(20):
        path = os.path.join(sockdir, f"warmup-{i}.pkl")
        vineyard.csi.write(df.iloc[:, :45], path)
        vineyard.csi.write(df["SalePrice"], path + ".y")
        back = vineyard.csi.read(path)
        assert back.shape == (20000, 45)
        vineyard.csi.read(path + ".y")
        for name in (path, path + ".y"):
            oid = client.get_name(name)
            client.drop_name(name)
            client.delete(oid, deep=True)
    client.close()


if __name__ == "__main__":
    main()
