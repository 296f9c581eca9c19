"""One end of a stream, in its own process, through the real client's stream classes
(vineyard.io's ByteStream, DataframeStream and RecordBatchStream).
Usage: stream_peers.py SOCKET ROLE KIND [ID] [COUNT] [SIZE]

  create KIND                 creates a stream and prints "STREAM <id>"
  write KIND ID COUNT SIZE    writes COUNT chunks of about SIZE bytes, finishes
  write-hang KIND ID COUNT SIZE   writes COUNT chunks, prints "HANGING", waits to be killed
  write-until-failure KIND ID 0 SIZE  writes until the server refuses; expects the stream failed
  read KIND ID COUNT          reads every chunk, checks each and that there were COUNT
  read-until-failure KIND ID COUNT   reads COUNT good chunks, then expects StreamFailed
  read-hang KIND ID COUNT     reads COUNT chunks, prints "HANGING", waits to be killed

KIND is bytes, dataframe or recordbatch. Chunk i holds values derived from i, so a reader can
tell a chunk from another, and the order."""

import sys
import time

import numpy as np
import pandas as pd
import pyarrow as pa
import vineyard
from vineyard._C import ObjectID
from vineyard.io.byte import ByteStream
from vineyard.io.dataframe import DataframeStream
from vineyard.io.recordbatch import RecordBatchStream

KINDS = {'bytes': ByteStream, 'dataframe': DataframeStream, 'recordbatch': RecordBatchStream}


def chunk_bytes(i, size):
    return (np.arange(size, dtype=np.uint64) * 7 + i).astype(np.uint8).tobytes()


def chunk_frame(i, rows):
    return pd.DataFrame({'i': np.full(rows, i, dtype=np.int64), 'x': np.arange(rows) * 0.5 + i})


def write_one(client, kind, writer, i, size):
    if kind == 'bytes':
        view = writer.next(size)
        vineyard.memory_copy(view, src=chunk_bytes(i, size), offset=0)
    elif kind == 'dataframe':
        writer.write(pa.RecordBatch.from_pandas(chunk_frame(i, max(1, size // 16)),
                                                preserve_index=False))
    else:
        writer.append(client.put(chunk_frame(i, max(1, size // 16))))


def check_one(kind, chunk, i):
    if kind == 'bytes':
        data = bytes(chunk)
        assert data == chunk_bytes(i, len(data)), 'bytes chunk %d differs' % i
    else:
        frame = chunk.to_pandas() if kind == 'dataframe' else chunk
        assert int(frame['i'].iloc[0]) == i, 'chunk %d came as %d' % (i, frame['i'].iloc[0])
        pd.testing.assert_frame_equal(frame.reset_index(drop=True),
                                      chunk_frame(i, len(frame)).reset_index(drop=True))


def hang():
    print('HANGING', flush=True)
    while True:
        time.sleep(60)


def main():
    socket, role, kind = sys.argv[1], sys.argv[2], sys.argv[3]
    client = vineyard.connect(socket)
    if role == 'create':
        stream = KINDS[kind].new(client)
        print('STREAM', repr(stream.id), int(stream.id), flush=True)
        print('OK stream_peers create')
        return
    stream_id = ObjectID(int(sys.argv[4]))
    count = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    size = int(sys.argv[6]) if len(sys.argv) > 6 else 4096
    stream = client.get(stream_id)
    assert isinstance(stream, KINDS[kind]), type(stream)
    if role.startswith('write'):
        writer = stream.open_writer(client)
        if role == 'write-until-failure':
            i = 0
            try:
                while True:
                    write_one(client, kind, writer, i, size)
                    i += 1
                    print('WROTE', i, flush=True)
            except (vineyard.StreamFailedException, vineyard.ObjectNotExistsException) as e:
                print('OK stream_peers writer refused after %d chunks: %s' % (i, type(e).__name__))
                return
        for i in range(count):
            write_one(client, kind, writer, i, size)
            print('WROTE', i + 1, flush=True)
        if role == 'write-hang':
            hang()
        writer.finish()
        print('OK stream_peers wrote', count)
        return
    reader = stream.open_reader(client)
    i = 0
    if role == 'read-until-failure':
        try:
            while True:
                check_one(kind, reader.next(), i)
                i += 1
        except vineyard.StreamFailedException as e:
            assert i == count, 'read %d chunks before the failure, expected %d' % (i, count)
            print('OK stream_peers reader failed after %d chunks: %s' % (i, e))
            return
    while role != 'read-hang' or i < count:
        try:
            chunk = reader.next()
        except StopIteration:
            break
        check_one(kind, chunk, i)
        i += 1
        print('READ', i, flush=True)
    if role == 'read-hang':
        hang()
    assert i == count, 'read %d chunks, expected %d' % (i, count)
    print('OK stream_peers read', count)


if __name__ == '__main__':
    main()
