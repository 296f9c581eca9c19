"""vineyard.connect(host, port) gets a blob and an object over RPC.
Usage: rpc_get.py SOCKET HOST PORT"""

import sys

import numpy as np
import vineyard


def main():
    ipc = vineyard.connect(sys.argv[1])
    value = np.arange(1000, dtype=np.int32)
    object_id = ipc.put(value)
    blob_id = ipc.put(b'over the wire')
    rpc = vineyard.connect(sys.argv[2], int(sys.argv[3]))
    assert np.array_equal(rpc.get(object_id), value)
    assert bytes(memoryview(rpc.get(blob_id))) == b'over the wire'
    remote_id = rpc.put(np.arange(5, dtype=np.float64))
    assert np.array_equal(ipc.get(remote_id), np.arange(5, dtype=np.float64))
    print('OK rpc_get')


if __name__ == '__main__':
    main()
