#!/usr/bin/env python3
"""TCP probe for NetnsNetworkTest, run inside a node namespace.

  netns_probe.py server PORT            echo server; prints LISTENING; exits when stdin closes
  netns_probe.py client HOST PORT N [T] connects and makes N one-byte round trips, each allowed
                                        T s (default 2); prints "OK <median ms> <max ms>" or
                                        "ERROR <reason>"
"""
import os
import select
import socket
import sys
import threading
import time


def server(port):
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("0.0.0.0", port))
    srv.listen(16)
    print("LISTENING", flush=True)

    def echo(c):
        with c:
            while True:
                d = c.recv(4096)
                if not d:
                    return
                c.sendall(d)

    def accept():
        while True:
            c, _ = srv.accept()
            threading.Thread(target=echo, args=(c,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    while os.read(sys.stdin.fileno(), 4096):
        pass


def client(host, port, n, timeout):
    try:
        # The same allowance for the handshake: a lost SYN is resent only after 1 s, then 3 s, ...
        c = socket.create_connection((host, port), timeout=timeout)
        c.settimeout(timeout)
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        rtts = []
        for _ in range(n):
            t = time.monotonic()
            c.sendall(b"x")
            if not c.recv(1):
                raise OSError("closed")
            rtts.append((time.monotonic() - t) * 1000)
        rtts.sort()
        print("OK %.2f %.2f" % (rtts[len(rtts) // 2], rtts[-1]), flush=True)
    except OSError as e:
        print("ERROR %s" % e, flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "server":
        server(int(sys.argv[2]))
    else:
        client(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]),
               float(sys.argv[5]) if len(sys.argv) > 5 else 2.0)
