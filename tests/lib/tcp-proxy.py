#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# tests/lib/tcp-proxy.py — a TCP relay on 127.0.0.1 in front of the test
# gateway, for the object store's fault tests (tests/scale/t91*.sh):
#
#   tcp-proxy.py LISTEN_PORT TARGET_PORT PIDFILE [SLOWDOWN]
#
# Relays every connection to 127.0.0.1:TARGET_PORT.  Killing it (kill -9
# by PIDFILE) is the network to the gateway cut: open connections are reset
# and the port is closed, while the gateway itself keeps running.  With
# SLOWDOWN = N the first N connections are answered, after their request
# headers, with "503 Slow Down" (the S3 error SlowDown) and closed, as a
# store shedding load does.  Writes PIDFILE once it listens.
import os
import socket
import sys
import threading

listen_port, target_port, pidfile = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
slowdown = [int(sys.argv[4]) if len(sys.argv) > 4 else 0]
lock = threading.Lock()
BODY = (b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code>'
        b'<Message>Please reduce your request rate.</Message></Error>')


def pump(src, dst):
    try:
        while True:
            b = src.recv(65536)
            if not b:
                break
            dst.sendall(b)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def refuse(c):
    data = b""
    try:
        while b"\r\n\r\n" not in data and len(data) < 65536:
            b = c.recv(4096)
            if not b:
                break
            data += b
        c.sendall(b"HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\n"
                  b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(BODY) + BODY)
        c.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    c.close()


def serve(c):
    with lock:
        slow = slowdown[0] > 0
        if slow:
            slowdown[0] -= 1
    if slow:
        refuse(c)
        return
    try:
        t = socket.create_connection(("127.0.0.1", target_port))
    except OSError:
        c.close()
        return
    threading.Thread(target=pump, args=(c, t), daemon=True).start()
    pump(t, c)


ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", listen_port))
ls.listen(64)
with open(pidfile + ".tmp", "w") as f:
    f.write("%d\n" % os.getpid())
os.rename(pidfile + ".tmp", pidfile)
while True:
    c, _ = ls.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
