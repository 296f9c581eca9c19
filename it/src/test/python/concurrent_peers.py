"""One of several peer processes running at once: puts an array named PREFIX<index>, then waits
for every other peer's name (get_name with wait) and checks its values.
Usage: concurrent_peers.py SOCKET PREFIX INDEX COUNT"""

import sys

import numpy as np
import vineyard


def values(index):
    return np.arange(1000, dtype=np.int64) * (index + 1)


def main():
    socket, prefix, index, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    client = vineyard.connect(socket)
    client.put(values(index), persist=True, name='%s%d' % (prefix, index))
    for other in range(count):
        object_id = client.get_name('%s%d' % (prefix, other), wait=True)
        assert np.array_equal(client.get(object_id), values(other)), other
    print('OK concurrent_peers', index)


if __name__ == '__main__':
    main()
