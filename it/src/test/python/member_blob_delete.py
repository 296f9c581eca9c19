"""A blob that is a member of a live object survives the Python client's delete(blob)
(force=False, deep=False), as on the reference vineyardd; a forced delete removes it and its
holder. Usage: member_blob_delete.py SOCKET"""

import sys

import numpy as np
import vineyard


def main():
    client = vineyard.connect(sys.argv[1])
    value = np.arange(1000, dtype=np.int64)
    object_id = client.put(value)
    blob_id = client.get_meta(object_id)['buffer_'].id
    client.delete(blob_id)
    assert client.exists(blob_id), 'a member blob was deleted without force'
    assert client.exists(object_id), 'its object went with it'
    other = vineyard.connect(sys.argv[1])
    assert np.array_equal(other.get(object_id), value), 'the object no longer reads back'
    client.delete(blob_id, force=True)
    assert not client.exists(blob_id)
    assert not client.exists(object_id), 'force deletes the holder too'
    print('OK member_blob_delete')


if __name__ == '__main__':
    main()
