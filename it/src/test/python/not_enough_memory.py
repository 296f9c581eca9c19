"""A put bigger than the store raises NotEnoughMemoryException. Usage: not_enough_memory.py SOCKET BYTES"""

import sys

import vineyard


def main():
    client = vineyard.connect(sys.argv[1])
    try:
        client.create_blob(int(sys.argv[2]))
        raise AssertionError('a blob larger than the store was created')
    except vineyard.NotEnoughMemoryException:
        pass
    # the connection is still usable
    blob_id = client.put(b'still fine')
    assert bytes(memoryview(client.get(blob_id))) == b'still fine'
    print('OK not_enough_memory')


if __name__ == '__main__':
    main()
