"""put/get of one large numpy array. Usage: numpy_large.py SOCKET BYTES"""

import sys

import numpy as np
import vineyard


def main():
    client = vineyard.connect(sys.argv[1])
    count = int(sys.argv[2]) // 8
    value = np.arange(count, dtype=np.int64)
    object_id = client.put(value)
    back = client.get(object_id)
    assert back.shape == value.shape
    assert np.array_equal(back[::4099], value[::4099])
    assert back[-1] == count - 1 and back[0] == 0
    assert int(back.sum(dtype=np.int64)) == int(value.sum(dtype=np.int64))
    client.delete(object_id)
    print('OK numpy_large', count * 8, 'bytes')


if __name__ == '__main__':
    main()
