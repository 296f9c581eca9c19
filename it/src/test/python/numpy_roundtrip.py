"""put/get of numpy arrays through the real vineyard client: every numeric dtype, 0-d, 1-d,
2-d in C and Fortran order, empty arrays. Usage: numpy_roundtrip.py SOCKET"""

import sys

import numpy as np
import vineyard

DTYPES = ['int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64',
          'float32', 'float64', 'bool']


def check(client, value):
    object_id = client.put(value)
    back = client.get(object_id)
    assert back.dtype == value.dtype, (value.dtype, back.dtype)
    assert back.shape == value.shape, (value.shape, back.shape)
    assert np.array_equal(back, value), (value, back)
    if value.ndim == 2 and value.size > 0:
        assert back.flags['F_CONTIGUOUS'] == value.flags['F_CONTIGUOUS'] and \
            back.flags['C_CONTIGUOUS'] == value.flags['C_CONTIGUOUS'], (value.flags, back.flags)
    meta = client.get_meta(object_id)
    assert meta['value_type_'] == value.dtype.name, meta['value_type_']
    return object_id


def main():
    client = vineyard.connect(sys.argv[1])
    count = 0
    for name in DTYPES:
        dtype = np.dtype(name)
        base = (np.arange(12) % 7).astype(dtype)
        check(client, np.array(base[3], dtype=dtype))            # 0-d
        check(client, base)                                       # 1-d
        check(client, base.reshape(3, 4))                         # 2-d, C order
        check(client, np.asfortranarray(base.reshape(3, 4)))      # 2-d, Fortran order
        check(client, np.zeros((0,), dtype=dtype))                # empty
        check(client, np.zeros((0, 4), dtype=dtype))              # empty 2-d
        count += 6
    print('OK numpy_roundtrip', count, 'arrays')


if __name__ == '__main__':
    main()
