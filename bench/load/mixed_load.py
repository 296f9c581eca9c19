"""One Python client of bench's mixed load (MixedLoad): runs its role against a server for a
number of seconds, timing each operation, and prints one line "RESULT <json>" at the end:
{"ops": {name: [microseconds, ...]}, "errors": [messages]}. Any exception is an error: the load
provokes none.
Usage: mixed_load.py SOCKET ROLE SECONDS INDEX
  mixed            put / get / persist+name / get_name / drop_name / delete of small arrays
  stream-writer    ByteStreams of 8 chunks of 64 KiB, each named load/stream/INDEX/<n>
  stream-reader    reads the streams of writer INDEX by name, checks every chunk, drops them"""

import json
import sys
import time

import numpy as np
import vineyard
from vineyard.io.byte import ByteStream

CHUNKS = 8
CHUNK = 64 * 1024


class Timer:
    def __init__(self):
        self.ops = {}
        self.errors = []

    def time(self, name, fn, *args, **kwargs):
        t = time.perf_counter()
        value = fn(*args, **kwargs)
        self.ops.setdefault(name, []).append(int((time.perf_counter() - t) * 1e6))
        return value


def chunk_bytes(stream, i):
    return (np.arange(CHUNK, dtype=np.uint64) * 13 + stream * 7 + i).astype(np.uint8).tobytes()


def mixed(client, timer, end, index):
    n = 0
    while time.time() < end:
        value = np.arange(512, dtype=np.int64) + n  # 4 KiB
        oid = timer.time('py put 4 KiB', client.put, value)
        got = timer.time('py get', client.get, oid)
        assert np.array_equal(got, value), 'values differ'
        name = 'load/py/%d/%d' % (index, n)
        timer.time('py persist', client.persist, oid)
        timer.time('py put_name', client.put_name, oid, name)
        assert timer.time('py get_name', client.get_name, name) == oid
        timer.time('py drop_name', client.drop_name, name)
        timer.time('py delete', client.delete, oid)
        n += 1


def stream_writer(client, timer, end, index):
    n = 0
    while time.time() < end:
        stream = ByteStream.new(client)
        client.persist(stream.id)
        client.put_name(stream.id, 'load/stream/%d/%d' % (index, n))
        writer = stream.open_writer(client)
        for i in range(CHUNKS):
            view = timer.time('py stream chunk write', writer.next, CHUNK)
            vineyard.memory_copy(view, src=chunk_bytes(n, i), offset=0)
        timer.time('py stream stop', writer.finish)
        n += 1
    # the last name tells the reader how many streams there were
    marker = client.put(np.array([n], dtype=np.int64), persist=True)
    client.put_name(marker, 'load/stream/%d/count' % index)


def stream_reader(client, timer, end, index):
    n = 0
    while True:
        name = 'load/stream/%d/%d' % (index, n)
        count_name = 'load/stream/%d/count' % index
        try:
            sid = client.get_name(name)
        except vineyard.ObjectNotExistsException:
            try:
                count = int(client.get(client.get_name(count_name))[0])
            except vineyard.ObjectNotExistsException:
                time.sleep(0.001)  # neither the next stream nor the end yet: poll again
                continue
            if n >= count:
                marker = client.get_name(count_name)
                client.drop_name(count_name)
                client.delete(marker)
                return
            continue
        stream = client.get(sid)
        reader = stream.open_reader(client)
        i = 0
        while True:
            try:
                chunk = timer.time('py stream chunk read', reader.next)
            except StopIteration:
                break
            assert bytes(chunk) == chunk_bytes(n, i), 'stream %d chunk %d differs' % (n, i)
            i += 1
        assert i == CHUNKS, 'stream %d had %d chunks' % (n, i)
        client.drop_name(name)
        timer.time('py stream drop', stream.drop, client)
        n += 1


def main():
    socket, role, seconds, index = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
    client = vineyard.connect(socket)
    timer = Timer()
    end = time.time() + seconds
    try:
        {'mixed': mixed, 'stream-writer': stream_writer, 'stream-reader': stream_reader}[role](
            client, timer, end, index)
    except Exception as e:  # pylint: disable=broad-except
        timer.errors.append('%s %d: %s: %s' % (role, index, type(e).__name__, e))
    client.close()
    print('RESULT', json.dumps({'ops': timer.ops, 'errors': timer.errors}), flush=True)


if __name__ == '__main__':
    main()
