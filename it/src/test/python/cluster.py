"""Scenarios of several vineyardd on one etcd, driven by the real Python client.

Usage:
  cluster.py members DEPLOYMENT SOCKET...      every instance lists every other in cluster_meta
  cluster.py share PREFIX WRITER READER...     persisted values written on WRITER, read elsewhere
  cluster.py transient WRITER READER           an object not persisted stays on its instance
  cluster.py delete PREFIX WRITER READER       a delete on WRITER is seen by READER
  cluster.py wait SOCKET NAME EXPECTED_TYPE    get_name(wait=True) until another instance binds it
  cluster.py put SOCKET NAME                   puts np.arange(1000) persisted under NAME
"""

import sys

import numpy as np
import pandas as pd
import vineyard


def arrays():
    rng = np.random.default_rng(7)
    return {
        'f64': rng.random(1000),
        'f32': rng.random(777).astype(np.float32),
        'i64': np.arange(-500, 500, dtype=np.int64),
        'i32': rng.integers(-(2 ** 31), 2 ** 31 - 1, size=333, dtype=np.int32),
        'u8': rng.integers(0, 255, size=4099, dtype=np.uint8),
        'big': rng.random(3 << 20 >> 3),  # 3 MiB: more than one read from the socket
        'm2d': rng.random((37, 11)),
        'empty': np.zeros(0, dtype=np.float64),
    }


def frame(seed):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        'x': np.arange(100, dtype=np.int64),
        'y': rng.random(100),
        'z': rng.integers(0, 9, size=100, dtype=np.int32),
    })


def same_array(got, want, what):
    got = np.asarray(got)
    assert got.dtype == want.dtype, (what, got.dtype, want.dtype)
    assert got.shape == want.shape, (what, got.shape, want.shape)
    assert got.tobytes() == want.tobytes(), what  # bit-exact


def same_frame(got, want, what):
    assert list(got.columns) == list(want.columns), (what, list(got.columns))
    for c in want.columns:
        same_array(got[c].to_numpy(), want[c].to_numpy(), what + '.' + c)


def members(deployment, sockets):
    clients = [vineyard.connect(s) for s in sockets]
    ids = sorted(c.instance_id for c in clients)
    assert len(set(ids)) == len(sockets), ids
    for c in clients:
        meta = c.meta
        assert sorted(meta.keys()) == ids, (c.instance_id, meta)
        for i, entry in meta.items():
            for field in ('hostid', 'hostname', 'nodename', 'rpc_endpoint', 'ipc_socket', 'timestamp'):
                assert field in entry, (i, entry)
        sockets_seen = sorted(e['ipc_socket'] for e in meta.values())
        assert sockets_seen == sorted(sockets), sockets_seen
        status = c.status
        assert status.instance_id == c.instance_id, status
        assert status.deployment == deployment, status.deployment
    print('OK members', ids)


def share(prefix, writer, readers):
    w = vineyard.connect(writer)
    values = arrays()
    ids = {}
    for key, value in values.items():
        ids[key] = w.put(value, persist=True, name=prefix + key)
    df = frame(1)
    ids['df'] = w.put(df, persist=True, name=prefix + 'df')
    for sock in readers:
        r = vineyard.connect(sock)
        assert r.instance_id != w.instance_id
        for key, value in values.items():
            oid = r.get_name(prefix + key, wait=True)
            assert oid == ids[key], (key, oid, ids[key])
            meta = r.get_meta(oid)
            assert meta.instance_id == w.instance_id, (key, meta.instance_id)
            assert not meta.islocal, key
            assert meta.typename.startswith('vineyard::Tensor<'), meta.typename
            same_array(r.get(oid, fetch=True), value, key)
            # the migrated copy is now local to the reader
            same_array(r.get(name=prefix + key, fetch=True), value, key + ' again')
        oid = r.get_name(prefix + 'df', wait=True)
        assert r.get_meta(oid).typename == 'vineyard::DataFrame', r.get_meta(oid).typename
        same_frame(r.get(oid, fetch=True), df, 'df')
        # and the other way round: a frame written on the reader, read on the writer
        back = frame(r.instance_id + 10)
        r.put(back, persist=True, name=prefix + 'back-%d' % r.instance_id)
        # the writer learns the name through etcd: wait for it (a put returns before every
        # other instance has seen it)
        w.get_name(prefix + 'back-%d' % r.instance_id, wait=True)
        got = w.get(name=prefix + 'back-%d' % r.instance_id, fetch=True)
        same_frame(got, back, 'back')
    print('OK share', len(values) + 1, 'values to', len(readers), 'readers')


def transient(writer, reader):
    w = vineyard.connect(writer)
    r = vineyard.connect(reader)
    oid = w.put(np.arange(10))  # not persisted
    assert w.exists(oid)
    r.sync_meta()
    try:
        r.get_meta(oid, sync_remote=True)
        raise AssertionError('a transient object is visible on another instance')
    except vineyard.ObjectNotExistsException:
        pass
    assert not r.exists(oid)
    listed = [o.id for o in r.list_objects('vineyard::Tensor<*', limit=100000)]
    assert oid not in listed
    print('OK transient')


def delete(prefix, writer, reader):
    w = vineyard.connect(writer)
    r = vineyard.connect(reader)
    oid = w.put(np.arange(50), persist=True, name=prefix + 'doomed')
    assert r.get_name(prefix + 'doomed', wait=True) == oid
    assert r.get_meta(oid).instance_id == w.instance_id
    w.delete(oid)
    # the delete returned once shared: the reader's next synced read no longer sees it
    try:
        r.get_meta(oid, sync_remote=True)
        raise AssertionError('a deleted object is still visible on another instance')
    except vineyard.ObjectNotExistsException:
        pass
    print('OK delete')


def wait(sock, name, expected_type):
    c = vineyard.connect(sock)
    oid = c.get_name(name, wait=True)
    meta = c.get_meta(oid, sync_remote=True)
    assert meta.typename == expected_type, meta.typename
    same_array(c.get(oid, fetch=True), np.arange(1000), 'waited')
    print('OK wait', oid)


def put(sock, name):
    c = vineyard.connect(sock)
    print('OK put', c.put(np.arange(1000), persist=True, name=name))


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == 'members':
        members(args[0], args[1:])
    elif cmd == 'share':
        share(args[0], args[1], args[2:])
    elif cmd == 'transient':
        transient(args[0], args[1])
    elif cmd == 'delete':
        delete(args[0], args[1], args[2])
    elif cmd == 'wait':
        wait(args[0], args[1], args[2])
    elif cmd == 'put':
        put(args[0], args[1])
    else:
        raise SystemExit('unknown scenario ' + cmd)


if __name__ == '__main__':
    main()
