"""vineyard.connect with a username and password, against a server started with --htpasswd.
Prints one line per attempt: 'ok <what>' or 'refused <what> <ExceptionClass>'.
Usage: htpasswd_connect.py SOCKET HOST PORT USER PASSWORD"""

import sys

import numpy as np
import vineyard


def attempt(what, connect):
    try:
        client = connect()
    except Exception as e:  # the class name is what the test compares
        print('refused', what, type(e).__name__, str(e).splitlines()[0] if str(e) else '')
        return None
    print('ok', what)
    return client


def main():
    socket, host, port, user, password = sys.argv[1:6]
    port = int(port)
    # refusals first: the client caches a connected client per endpoint and hands it out again
    attempt('rpc-wrong-password', lambda: vineyard.connect(host, port, username=user,
                                                           password=password + 'x'))
    attempt('rpc-unknown-user', lambda: vineyard.connect(host, port, username='nobody',
                                                         password=password))
    attempt('rpc-none', lambda: vineyard.connect(host, port))
    attempt('ipc-wrong-password', lambda: vineyard.connect(socket, username=user,
                                                           password=password + 'x'))
    attempt('ipc-none', lambda: vineyard.connect(socket))
    rpc = attempt('rpc-right', lambda: vineyard.connect(host, port, username=user,
                                                        password=password))
    if rpc is not None:
        object_id = rpc.put(np.arange(7, dtype=np.int64))
        assert np.array_equal(rpc.get(object_id), np.arange(7, dtype=np.int64))
        print('ok rpc-roundtrip')
    attempt('ipc-right', lambda: vineyard.connect(socket, username=user, password=password))

if __name__ == '__main__':
    main()
