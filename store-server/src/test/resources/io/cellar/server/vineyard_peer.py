"""A second, independent Vineyard protocol client (Python stdlib only) for cross-process tests.

It receives fds with socket.recv_fds exactly as the reference's recv_fd does (one 1-byte message,
one fd) and maps arenas with mmap(map_size - 8).

  vineyard_peer.py write   SOCKET NAME TEXT   create a blob holding TEXT, an object over it, persist, name it
  vineyard_peer.py read    SOCKET NAME        wait for NAME, print the object's blob bytes as text
  vineyard_peer.py partial SOCKET             send half a frame, print "ready", then wait to be killed
  vineyard_peer.py hang    SOCKET SIZE        create a blob of SIZE bytes, fill half of it, print its
                                              id, then wait to be killed (it is never sealed)
"""
import json
import mmap
import socket
import struct
import sys
import time


class Peer:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(30)
        self.sock.connect(path)
        self.maps = {}

    def send(self, msg):
        body = json.dumps(msg).encode()
        self.sock.sendall(struct.pack("<Q", len(body)) + body)

    def recv_exact(self, n):
        out = b""
        while len(out) < n:
            chunk = self.sock.recv(n - len(out))
            if not chunk:
                raise EOFError("server closed")
            out += chunk
        return out

    def call(self, msg):
        self.send(msg)
        (n,) = struct.unpack("<Q", self.recv_exact(8))
        reply = json.loads(self.recv_exact(n))
        if reply.get("code", 0) != 0:
            raise RuntimeError("error reply: %r" % reply)
        payloads = [reply["created"]] if "created" in reply else reply.get("payloads", [])
        for p in payloads:
            fd_key = p["store_fd"]
            if p["data_size"] > 0 and fd_key not in self.maps:
                data, fds, flags, _ = socket.recv_fds(self.sock, 1, 1)
                assert len(data) == 1 and len(fds) == 1, (data, fds)
                self.maps[fd_key] = mmap.mmap(fds[0], p["map_size"] - 8, mmap.MAP_SHARED,
                                              mmap.PROT_READ | mmap.PROT_WRITE)
        return reply

    def register(self):
        self.call({"type": "register_request", "version": "0.24.2", "store_type": 1,
                   "session_id": 0, "username": "", "password": ""})


def main():
    mode, path = sys.argv[1], sys.argv[2]
    peer = Peer(path)
    if mode == "partial":
        peer.sock.sendall(struct.pack("<Q", 100) + b'{"type":"reg')
        print("ready", flush=True)
        time.sleep(600)
        return
    peer.register()
    if mode == "hang":
        size = int(sys.argv[3])
        created = peer.call({"type": "create_buffer_request", "size": size})
        p = created["created"]
        m = peer.maps[p["store_fd"]]
        m[p["data_offset"]:p["data_offset"] + size // 2] = b"\xab" * (size // 2)
        print(created["id"], flush=True)
        time.sleep(600)
        return
    if mode == "write":
        name, text = sys.argv[3], sys.argv[4].encode()
        created = peer.call({"type": "create_buffer_request", "size": len(text)})
        p = created["created"]
        m = peer.maps[p["store_fd"]]
        m[p["data_offset"]:p["data_offset"] + len(text)] = text
        peer.call({"type": "seal_request", "object_id": created["id"]})
        blob = {"id": "o%016x" % created["id"], "typename": "vineyard::Blob", "length": len(text),
                "nbytes": len(text), "instance_id": 0, "transient": True}
        made = peer.call({"type": "create_data_request", "content": {
            "typename": "cellar::Bytes", "nbytes": len(text), "instance_id": 0,
            "transient": True, "global": False, "buffer_": blob}})
        peer.call({"type": "persist_request", "id": made["id"]})
        peer.call({"type": "put_name_request", "object_id": made["id"], "name": name})
        print("ok", flush=True)
    elif mode == "read":
        name = sys.argv[3]
        oid = peer.call({"type": "get_name_request", "name": name, "wait": True})["object_id"]
        content = peer.call({"type": "get_data_request", "id": [oid], "sync_remote": True,
                             "wait": False})["content"]
        meta = content["o%016x" % oid]
        bid = int(meta["buffer_"]["id"][1:], 16)
        got = peer.call({"type": "get_buffers_request", "num": 1, "0": bid, "unsafe": False})
        p = got["payloads"][0]
        m = peer.maps[p["store_fd"]]
        print(m[p["data_offset"]:p["data_offset"] + p["data_size"]].decode(), flush=True)
    peer.send({"type": "exit_request"})


if __name__ == "__main__":
    main()
