#!/usr/bin/env python3
"""Delays the packets of one netfilter queue (NFQUEUE), for kernels without sch_netem.

Run by the multi-JVM harness's network-namespace backend inside a node's namespace:

  nfq_delay.py QUEUE DELAY_MS JITTER_MS REORDER_PCT

Binds netfilter queue QUEUE (an iptables rule "-j NFQUEUE --queue-num QUEUE" sends packets to it)
and gives each packet its verdict (accept) DELAY_MS +- JITTER_MS (uniform) after it arrived, like
"tc qdisc ... netem delay DELAY_MS JITTER_MS" does. With jitter, a packet may leave before one that
arrived earlier (reordering, as with netem). REORDER_PCT percent of the packets are accepted at
once (netem's "reorder"). Prints READY once bound. Exits when its standard input closes (the harness
is gone) or on SIGTERM; the kernel then accepts queued packets (--queue-bypass) as the queue is
unbound. Standard library only: the netlink messages are packed by hand (linux/netfilter/
nfnetlink_queue.h).
"""
import heapq
import os
import random
import select
import socket
import struct
import sys
import time

NETLINK_NETFILTER = 12
NFNL_SUBSYS_QUEUE = 3
NFQNL_MSG_PACKET = 0
NFQNL_MSG_VERDICT = 1
NFQNL_MSG_CONFIG = 2
NFQA_PACKET_HDR = 1
NFQA_VERDICT_HDR = 2
NFQA_CFG_CMD = 1
NFQA_CFG_PARAMS = 2
NFQA_CFG_QUEUE_MAXLEN = 3
NFQNL_CFG_CMD_BIND = 1
NFQNL_COPY_META = 1
NLM_F_REQUEST = 1
NLMSG_ERROR = 2
NF_ACCEPT = 1
AF_INET = 2


def attr(kind, payload):
    length = 4 + len(payload)
    return struct.pack("=HH", length, kind) + payload + b"\0" * ((4 - length % 4) % 4)


def message(msg_type, queue, attrs, family=0):
    body = struct.pack("=BBH", family, 0, socket.htons(queue)) + b"".join(attrs)
    return struct.pack("=IHHII", 16 + len(body), (NFNL_SUBSYS_QUEUE << 8) | msg_type,
                       NLM_F_REQUEST, 0, 0) + body


def packet_ids(data):
    """The packet ids of the NFQNL_MSG_PACKET messages in one datagram."""
    ids = []
    off = 0
    while off + 16 <= len(data):
        length, msg_type, _flags, _seq, _pid = struct.unpack_from("=IHHII", data, off)
        if length < 16:
            break
        if msg_type == NLMSG_ERROR:
            err = struct.unpack_from("=i", data, off + 16)[0]
            if err != 0:
                print("netlink error %d" % err, file=sys.stderr, flush=True)
        elif msg_type == (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET:
            a = off + 20
            end = off + length
            while a + 4 <= end:
                alen, akind = struct.unpack_from("=HH", data, a)
                if alen < 4:
                    break
                if (akind & 0x7fff) == NFQA_PACKET_HDR:
                    ids.append(struct.unpack_from("!I", data, a + 4)[0])
                a += (alen + 3) & ~3
        off += (length + 3) & ~3
    return ids


def main():
    queue = int(sys.argv[1])
    delay = float(sys.argv[2]) / 1000.0
    jitter = float(sys.argv[3]) / 1000.0
    reorder = float(sys.argv[4]) / 100.0
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 * 1024 * 1024)
    s.bind((0, 0))
    s.send(message(NFQNL_MSG_CONFIG, queue,
                   [attr(NFQA_CFG_CMD, struct.pack("!BBH", NFQNL_CFG_CMD_BIND, 0, AF_INET))],
                   AF_INET))
    s.send(message(NFQNL_MSG_CONFIG, queue,
                   [attr(NFQA_CFG_PARAMS, struct.pack("!IB", 0, NFQNL_COPY_META)),
                    attr(NFQA_CFG_QUEUE_MAXLEN, struct.pack("!I", 16384))]))
    s.setblocking(False)
    print("READY queue=%d delay=%.1fms jitter=%.1fms reorder=%.1f%%"
          % (queue, delay * 1000, jitter * 1000, reorder * 100), flush=True)
    due = []  # (monotonic deadline, sequence, packet id)
    seq = 0
    stdin = sys.stdin.fileno()
    while True:
        timeout = max(0.0, due[0][0] - time.monotonic()) if due else 1.0
        ready, _, _ = select.select([s, stdin], [], [], timeout)
        if stdin in ready and not os.read(stdin, 4096):
            return
        if s in ready:
            while True:
                try:
                    data = s.recv(65536)
                except BlockingIOError:
                    break
                except OSError as e:  # ENOBUFS: the kernel dropped messages; keep going
                    print("recv: %s" % e, file=sys.stderr, flush=True)
                    break
                now = time.monotonic()
                for pid in packet_ids(data):
                    if reorder > 0 and random.random() < reorder:
                        wait = 0.0
                    else:
                        wait = max(0.0, delay + random.uniform(-jitter, jitter))
                    seq += 1
                    heapq.heappush(due, (now + wait, seq, pid))
        now = time.monotonic()
        verdicts = []
        while due and due[0][0] <= now:
            _, _, pid = heapq.heappop(due)
            verdicts.append(message(NFQNL_MSG_VERDICT, queue,
                                    [attr(NFQA_VERDICT_HDR, struct.pack("!II", NF_ACCEPT, pid))]))
        for v in verdicts:
            while True:
                try:
                    s.send(v)
                    break
                except BlockingIOError:
                    select.select([], [s], [], 0.01)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
