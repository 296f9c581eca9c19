#!/usr/bin/env python3
"""Two vineyardd on one etcd, Cellar's and the reference's in the same run (issue 11).

For each server (Cellar's bin/vineyardd, then the reference vineyardd of the vineyard-bdist wheel):
a fresh etcd on free loopback ports, instance A then instance B on it (--meta=etcd, each server's
default flags otherwise, so Cellar runs with its default --etcd_lease_ttl of 10 s), then, with the
real Python client:

  * N small objects put on A, each persisted (``client.persist``) and named (``client.put_name``),
    the two calls timed apart: their sum is what ``client.put(value, persist=True, name=...)`` adds
    to a local put;
  * visibility on B: a waiter process on B has issued ``get_name(name, wait=True)`` before A puts
    (A checks B's ``deferred_requests`` until B holds the waiting request, before the put, never
    inside the timed span); visibility = the waiter's clock when the call returns minus A's clock
    when persist returned (both CLOCK_MONOTONIC, one clock for the whole machine); the same from
    the return of put_name is recorded too, and may be below zero: B's watch can deliver the name
    before A's put_name call has its reply;
  * death detection: B killed with SIGKILL (its whole process group), then A's ``client.meta``
    (cluster_meta) polled every 50 ms until it no longer lists B: the poll is the measurement, its
    resolution 50 ms. Repeated with a fresh B each time (--death-trials, 5 for Cellar;
    --reference-death-trials, 2): where a kill lands between two lease keep-alives (or heartbeats)
    decides the time, so one kill is one draw.

Untimed warm-up rounds come first (--warmup, 300): the servers are long-running in use, and
Cellar's etcd client is Java that the JIT compiles only after some hundred calls.

Writes one JSON record per server to --results (appended) and prints a summary. Usage:
  cluster_bench.py --cellar bin/vineyardd --reference PATH --results FILE [--n 200] [--warmup 300]
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

os.environ.setdefault("VINEYARD_IPC_SKIP_RETRY", "1")  # read when the client connects: set first

import numpy as np  # noqa: E402
import vineyard  # noqa: E402

POLL = 0.05  # death-detection poll interval, seconds


def free_ports(n):
    """n distinct free loopback TCP ports (bound together, then released)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def wait_for(what, deadline_s, probe, interval=0.05):
    """Polls probe() until it returns a true value; raises after deadline_s."""
    end = time.monotonic() + deadline_s
    while True:
        try:
            v = probe()
            if v:
                return v
        except Exception:  # pylint: disable=broad-except
            pass
        if time.monotonic() > end:
            raise RuntimeError("timed out after %.0f s waiting for %s" % (deadline_s, what))
        time.sleep(interval)


def kill_group(p, sig):
    try:
        os.killpg(p.pid, sig)
    except ProcessLookupError:
        pass


def stop(p):
    if p is None or p.poll() is not None:
        return
    kill_group(p, signal.SIGTERM)
    try:
        p.wait(15)
    except subprocess.TimeoutExpired:
        kill_group(p, signal.SIGKILL)
        p.wait(15)


class Etcd:
    def __init__(self, tmp):
        self.client, self.peer = free_ports(2)
        self.endpoint = "http://127.0.0.1:%d" % self.client
        self.dir = os.path.join(tmp, "etcd")
        self.log = open(os.path.join(tmp, "etcd.log"), "w")
        self.proc = subprocess.Popen(
            ["etcd", "--name", "bench", "--data-dir", self.dir,
             "--listen-client-urls", self.endpoint, "--advertise-client-urls", self.endpoint,
             "--listen-peer-urls", "http://127.0.0.1:%d" % self.peer,
             "--initial-advertise-peer-urls", "http://127.0.0.1:%d" % self.peer,
             "--initial-cluster", "bench=http://127.0.0.1:%d" % self.peer,
             "--heartbeat-interval", "10", "--election-timeout", "100"],
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_for("etcd on " + self.endpoint, 30,
                 lambda: urllib.request.urlopen(self.endpoint + "/health", timeout=1).status == 200)

    def close(self):
        stop(self.proc)
        self.log.close()


def start_server(kind, binary, tmp, name, etcd, prefix):
    sock = os.path.join(tmp, name + ".sock")
    (rpc,) = free_ports(1)
    args = [binary, "--socket=" + sock, "--size=256M", "--meta=etcd",
            "--etcd_endpoint=" + etcd.endpoint, "--etcd_prefix=" + prefix,
            "--deployment=distributed", "--rpc_socket_port=%d" % rpc]
    if kind == "cellar":
        args.append("--rpc_host=127.0.0.1")
    log = open(os.path.join(tmp, name + ".log"), "w")
    p = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def ready():
        if p.poll() is not None:
            raise SystemExit("%s vineyardd %s exited; log in %s" % (kind, name, log.name))
        if not os.path.exists(sock):
            return False
        vineyard.connect(sock).close()
        return True

    wait_for("%s vineyardd %s" % (kind, name), 120, ready, 0.1)
    return p, sock


def waiter_main(sock, n, prefix):
    """The B side: for each name, announce, then get_name(wait=True); print when it returns."""
    c = vineyard.connect(sock)
    for i in range(n):
        print("W %d" % i, flush=True)
        c.get_name("%s%d" % (prefix, i), wait=True)
        print("G %d %.9f" % (i, time.monotonic()), flush=True)


def pct(xs, q):
    xs = sorted(xs)
    if not xs:
        return None
    k = (len(xs) - 1) * q / 100.0
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def run_round(a, b_status, waiter, prefix, i):
    line = waiter.stdout.readline().split()
    assert line[:2] == ["W", str(i)], line
    # B holds the waiting request before A starts (setup, outside the timed span)
    armed = True
    try:
        wait_for("B to hold the get_name wait", 5, lambda: b_status().deferred_requests >= 1, 0.001)
    except RuntimeError:
        armed = False
    oid = a.put(np.arange(16, dtype=np.int64) + i)
    t0 = time.monotonic()
    a.persist(oid)
    t1 = time.monotonic()
    a.put_name(oid, "%s%d" % (prefix, i))
    t2 = time.monotonic()
    line = waiter.stdout.readline().split()
    assert line[:2] == ["G", str(i)], line
    tb = float(line[2])
    return t1 - t0, t2 - t1, tb - t2, tb - t1, armed


def kill_and_detect(a, victim, victim_id, deadline):
    """SIGKILL the victim's process group; seconds until A's cluster_meta drops it, or None."""
    kill_group(victim, signal.SIGKILL)
    killed = time.monotonic()
    victim.wait(30)
    while time.monotonic() - killed < deadline:
        try:
            if victim_id not in a.meta:
                return time.monotonic() - killed
        except Exception:  # pylint: disable=broad-except
            pass
        time.sleep(POLL)
    return None


def bench(kind, binary, n, lease_ttl, warm, death_trials):
    tmp = tempfile.mkdtemp(prefix="cellar-cluster-bench-")
    etcd = server_a = server_b = waiter = None
    extra = []  # the B instances of later death trials
    try:
        etcd = Etcd(tmp)
        prefix = "/bench-cluster-" + kind
        server_a, sock_a = start_server(kind, binary, tmp, "a", etcd, prefix)
        server_b, sock_b = start_server(kind, binary, tmp, "b", etcd, prefix)
        a = vineyard.connect(sock_a)
        b = vineyard.connect(sock_b)
        b_id = b.instance_id
        wait_for("A to list B", 60, lambda: b_id in a.meta)
        # a separate connection to B for its status: the waiter's own is blocked in get_name
        b_status = lambda: b.status  # noqa: E731

        waiter = subprocess.Popen([sys.executable, __file__, "--waiter", sock_b, str(warm + n), "n-"],
                                  stdout=subprocess.PIPE, text=True, start_new_session=True)
        persist, name, vis_name, vis_persist, unarmed = [], [], [], [], 0
        for i in range(warm + n):
            p, nm, vn, vp, armed = run_round(a, b_status, waiter, "n-", i)
            if i < warm:
                continue
            persist.append(p)
            name.append(nm)
            vis_name.append(vn)
            vis_persist.append(vp)
            unarmed += 0 if armed else 1
        waiter.wait(30)

        # death detection: kill -9 B, then again for fresh B instances (each trial a new process
        # that A has listed first), so the figure is a distribution, not one draw of the lease's
        # phase (a kill lands anywhere between two keep-alives)
        b.close()
        deadline = 300
        deaths = []
        victim, victim_id = server_b, b_id
        for trial in range(death_trials):
            if trial > 0:
                victim, sock_v = start_server(kind, binary, tmp, "b%d" % trial, etcd, prefix)
                extra.append(victim)
                probe = vineyard.connect(sock_v)
                victim_id = probe.instance_id
                probe.close()
                wait_for("A to list B (trial %d)" % trial, 60, lambda: victim_id in a.meta)
            deaths.append(kill_and_detect(a, victim, victim_id, deadline))
        rec = {
            "label": kind, "n": n, "warmup": warm, "object_bytes": 16 * 8,
            "persist": persist, "put_name": name,
            "visible_after_put_name": vis_name, "visible_after_persist": vis_persist,
            "waits_not_seen_armed": unarmed,
            # one entry per kill, None when not seen within the deadline (the report takes the
            # median and the max; records before 2026-12-08 hold one kill as death_detected_s)
            "death_trials_s": deaths, "death_deadline_s": deadline, "death_poll_s": POLL,
            "lease_ttl_s": lease_ttl,
        }
        a.close()
        return rec
    finally:
        for p in [waiter, server_b, server_a] + extra:
            if p is not None and p.poll() is None:
                kill_group(p, signal.SIGKILL)
                p.wait(15)
        if etcd is not None:
            etcd.close()
        keep = os.environ.get("CELLAR_BENCH_KEEP")
        if keep:
            print("kept", tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def summary(rec):
    ms = lambda x: "–" if x is None else "%.2f ms" % (x * 1e3)  # noqa: E731
    out = ["%s: persist p50 %s p99 %s; put_name p50 %s p99 %s; visible on B after persist p50 %s p99 %s"
           " (after put_name p50 %s p99 %s); death seen by A after %s"
           % (rec["label"], ms(pct(rec["persist"], 50)), ms(pct(rec["persist"], 99)),
              ms(pct(rec["put_name"], 50)), ms(pct(rec["put_name"], 99)),
              ms(pct(rec["visible_after_persist"], 50)), ms(pct(rec["visible_after_persist"], 99)),
              ms(pct(rec["visible_after_put_name"], 50)), ms(pct(rec["visible_after_put_name"], 99)),
              ", ".join("not within %d s" % rec["death_deadline_s"] if d is None else "%.2f s" % d
                        for d in rec["death_trials_s"]))]
    if rec["waits_not_seen_armed"]:
        out.append("  (%d waits not seen in B's deferred_requests before the put)" % rec["waits_not_seen_armed"])
    return "\n".join(out)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--waiter":
        waiter_main(sys.argv[2], int(sys.argv[3]), sys.argv[4])
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--cellar", required=True)
    ap.add_argument("--reference")
    ap.add_argument("--results", required=True)
    ap.add_argument("--n", type=int, default=200)
    # untimed rounds first: a vineyardd is long-running, and Cellar's etcd client (jetcd, gRPC) is
    # Java that the JIT compiles only after a few hundred calls; 10 rounds leave it interpreted
    ap.add_argument("--warmup", type=int, default=300)
    # kills of B per server: Cellar's is a lease expiry (~7-10 s each), the reference's a stale
    # heartbeat (30-40 s each), hence fewer of those
    ap.add_argument("--death-trials", type=int, default=5)
    ap.add_argument("--reference-death-trials", type=int, default=2)
    a = ap.parse_args()
    runs = [("cellar", a.cellar, 10, a.death_trials)]
    if a.reference:
        runs.append(("reference", a.reference, None, a.reference_death_trials))
    for kind, binary, ttl, trials in runs:
        t = time.monotonic()
        rec = bench(kind, binary, a.n, ttl, a.warmup, max(1, trials))
        rec["wall_s"] = time.monotonic() - t
        with open(a.results, "a") as f:
            f.write(json.dumps(rec) + "\n")
        print(summary(rec), flush=True)


if __name__ == "__main__":
    main()
