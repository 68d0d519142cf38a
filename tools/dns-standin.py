#!/usr/bin/python3
"""A DNS server on 127.0.0.1:53 for tools/test-wpad.sh's private namespace.

Usage: dns-standin.py DIR [MAX_SECONDS [STALL]]

Every query gets "no such name" at once, except one for a name that has a
label starting with STALL (default "stall"; "" stalls every name): that one
is never answered (a server that takes the query and goes silent), so the
asker waits for its resolver's timeout.
For each query, an empty file named "<count>-<name>" is made in DIR, so a
test can watch the directory (FindFirstChangeNotification) to learn that its
look-up reached the server.  Returns once the port is bound, leaving the
server in the background (its pid in DIR/pid); it exits after MAX_SECONDS
(default 600) or when killed.
"""
import os
import socket
import sys
import time


def question_name(packet):
    labels, i = [], 12
    while i < len(packet) and packet[i]:
        n = packet[i]
        labels.append(packet[i + 1:i + 1 + n].decode("ascii", "replace"))
        i += 1 + n
    return ".".join(labels), i + 5   # the name's end, QTYPE and QCLASS


def main():
    folder = sys.argv[1]
    deadline = time.time() + (float(sys.argv[2]) if len(sys.argv) > 2 else 600)
    stall = sys.argv[3] if len(sys.argv) > 3 else "stall"
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 53))
    if os.fork():
        return
    with open(os.path.join(folder, "pid"), "w") as f:
        f.write("%d\n" % os.getpid())
    count = 0
    while time.time() < deadline:
        sock.settimeout(max(0.1, deadline - time.time()))
        try:
            packet, peer = sock.recvfrom(512)
        except socket.timeout:
            break
        if len(packet) < 12:
            continue
        name, end = question_name(packet)
        count += 1
        open(os.path.join(folder, "%d-%s" % (count, name)), "w").close()
        if any(label.startswith(stall) for label in name.split(".")):
            continue
        # the question back, with QR, RD, RA and RCODE 3 (NXDOMAIN), no answers
        reply = packet[:2] + b"\x81\x83" + b"\x00\x01\x00\x00\x00\x00\x00\x00" + packet[12:end]
        sock.sendto(reply, peer)


if __name__ == "__main__":
    main()
