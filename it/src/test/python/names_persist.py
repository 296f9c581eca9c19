"""Persisted objects and names: put(persist=True, name=), get(name=), list_names,
list_objects, delete; errors as the right exceptions. Usage: names_persist.py SOCKET PREFIX"""

import sys

import numpy as np
import vineyard


def main():
    client = vineyard.connect(sys.argv[1])
    prefix = sys.argv[2]
    value = np.arange(10, dtype=np.float64)
    object_id = client.put(value, persist=True, name=prefix + 'array')
    assert np.array_equal(client.get(name=prefix + 'array'), value)
    assert client.get_name(prefix + 'array') == object_id
    names = client.list_names(prefix + '*')
    assert prefix + 'array' in names, names
    listed = [o.id for o in client.list_objects('vineyard::Tensor<*', limit=1000)]
    assert object_id in listed, (object_id, listed)
    assert client.get_meta(object_id).isglobal is False
    client.drop_name(prefix + 'array')
    try:
        client.get_name(prefix + 'array')
        raise AssertionError('the dropped name still resolves')
    except vineyard.ObjectNotExistsException:
        pass
    client.delete(object_id)
    assert not client.exists(object_id)
    try:
        client.get(object_id)
        raise AssertionError('a deleted object was returned')
    except vineyard.ObjectNotExistsException:
        pass
    print('OK names_persist')


if __name__ == '__main__':
    main()
