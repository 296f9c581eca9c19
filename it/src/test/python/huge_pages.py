"""A large array through an arena on a huge tmpfs (--shm_dir): one client puts it, a fresh client
reads it back and checks every bit; each reports how much of its own mapping of the arena the
kernel mapped with 2 MiB page-table entries (ShmemPmdMapped + FilePmdMapped in /proc/self/smaps).
With "churn" it puts COUNT arrays and deletes them again (no memory_trim), leaving freed memory.
Usage: huge_pages.py put SOCKET BYTES DIR | huge_pages.py get SOCKET ID BYTES DIR
       huge_pages.py churn SOCKET COUNT BYTES"""

import hashlib
import re
import sys

import numpy as np
import vineyard

MAPPING = re.compile(r'^[0-9a-f]+-[0-9a-f]+ ')


def pattern(nbytes):
    """Distinct 64-bit words (a multiplicative hash of the index), so any misplaced page shows."""
    index = np.arange(nbytes // 8, dtype=np.uint64)
    return index * np.uint64(0x9E3779B97F4A7C15) ^ (index >> np.uint64(7))


def pmd_mapped_under(directory):
    """Bytes mapped by PMD (2 MiB) entries in this process's mappings of files under directory."""
    total = 0
    inside = False
    with open('/proc/self/smaps', encoding='utf-8') as smaps:
        for line in smaps:
            fields = line.split()
            if MAPPING.match(line):
                inside = len(fields) >= 6 and fields[5].startswith(directory.rstrip('/') + '/')
            elif inside and fields[0] in ('ShmemPmdMapped:', 'FilePmdMapped:'):
                total += int(fields[1]) * 1024
    return total


def main():
    mode, socket = sys.argv[1], sys.argv[2]
    client = vineyard.connect(socket)
    if mode == 'put':
        nbytes, directory = int(sys.argv[3]), sys.argv[4]
        value = pattern(nbytes)
        object_id = client.put(value)
        print('ID', int(object_id))
        print('PMD_MAPPED', pmd_mapped_under(directory))
        print('SHA256', hashlib.sha256(value.tobytes()).hexdigest())
    elif mode == 'churn':
        count, nbytes = int(sys.argv[3]), int(sys.argv[4])
        ids = [client.put(pattern(nbytes)) for _ in range(count)]
        for object_id in ids:
            client.delete(object_id)
        print('OK huge_pages churn', count * nbytes, 'bytes')
        return
    else:
        object_id, nbytes, directory = int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
        back = client.get(vineyard.ObjectID(object_id))
        expected = pattern(nbytes)
        assert back.dtype == expected.dtype and back.shape == expected.shape, (back.dtype, back.shape)
        data = np.ascontiguousarray(back).tobytes()
        assert data == expected.tobytes(), 'the array read back differs from the one put'
        print('PMD_MAPPED', pmd_mapped_under(directory))
        print('SHA256', hashlib.sha256(data).hexdigest())
    print('OK huge_pages', mode, nbytes, 'bytes')


if __name__ == '__main__':
    main()
