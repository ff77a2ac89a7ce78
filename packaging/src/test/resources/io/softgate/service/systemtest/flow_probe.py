#!/usr/bin/env python3
"""Long-lived flows for the hitless-restart system test (issue 9).

  flow_probe.py tcp-server ADDRESS PORT      echo every byte back, one thread per connection
  flow_probe.py udp-server ADDRESS PORT      echo every datagram back
  flow_probe.py client STOP_FILE SPEC...     SPEC = tcp:ADDRESS:PORT:COUNT or udp:ADDRESS:PORT:COUNT

The client opens every flow, prints READY, then sends a 64-byte numbered message on each flow
every 50 ms and waits for its echo, until STOP_FILE exists. It then prints one JSON line per flow:
kind, target, echoes, longest gap between two consecutive echoes (s) with the times of the echoes
that bound it (epoch s), time of the last echo (epoch s) and the error that ended the flow, if any.
"""
import json
import os
import socket
import sys
import threading
import time

INTERVAL = 0.05
MESSAGE = 64


def tcp_server(address, port):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((address, port))
    listener.listen(256)

    def echo(connection):
        with connection:
            while True:
                data = connection.recv(4096)
                if not data:
                    return
                connection.sendall(data)

    while True:
        connection, _ = listener.accept()
        threading.Thread(target=echo, args=(connection,), daemon=True).start()


def udp_server(address, port):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((address, port))
    while True:
        data, peer = sock.recvfrom(2048)
        sock.sendto(data, peer)


class Flow:
    def __init__(self, kind, address, port):
        self.kind = kind
        self.target = "%s:%d" % (address, port)
        self.address = address
        self.port = port
        self.echoes = 0
        self.longest_gap = 0.0
        self.gap_start = None
        self.gap_end = None
        self.last_echo = None
        self.error = None
        self.sock = None

    def echoed(self):
        now = time.time()
        if self.last_echo is not None and now - self.last_echo > self.longest_gap:
            self.longest_gap = now - self.last_echo
            self.gap_start = self.last_echo
            self.gap_end = now
        self.last_echo = now
        self.echoes += 1

    def result(self, now):
        # A flow that stopped echoing before the end counts its silence up to now as a gap.
        gap = self.longest_gap if self.last_echo is None else max(self.longest_gap, now - self.last_echo)
        return {"kind": self.kind, "target": self.target, "local": self.local, "echoes": self.echoes,
                "longestGap": round(gap, 3), "gapStart": self.gap_start, "gapEnd": self.gap_end,
                "lastEcho": self.last_echo, "error": self.error}


def run_tcp(flow, stop_file):
    try:
        sequence = 0
        while not os.path.exists(stop_file):
            sequence += 1
            flow.sock.sendall(sequence.to_bytes(8, "big") * (MESSAGE // 8))
            received = b""
            while len(received) < MESSAGE:
                chunk = flow.sock.recv(MESSAGE - len(received))
                if not chunk:
                    raise ConnectionError("closed by the peer")
                received += chunk
            flow.echoed()
            time.sleep(INTERVAL)
    except Exception as e:  # noqa: BLE001 - reported, not hidden
        flow.error = repr(e)


def run_udp(flow, stop_file):
    sequence = 0
    flow.sock.settimeout(INTERVAL)
    while not os.path.exists(stop_file):
        sequence += 1
        try:
            flow.sock.send(sequence.to_bytes(8, "big") * (MESSAGE // 8))
            flow.sock.recv(2048)
            flow.echoed()
            time.sleep(INTERVAL)
        except socket.timeout:
            pass
        except OSError as e:  # ICMP errors surface here; keep trying, remember the last
            flow.error = repr(e)
            time.sleep(INTERVAL)


def client(stop_file, specs):
    flows = []
    for spec in specs:
        kind, address, port, count = spec.split(":")
        for _ in range(int(count)):
            flow = Flow(kind, address, int(port))
            if kind == "tcp":
                flow.sock = socket.create_connection((address, int(port)), timeout=10)
                flow.sock.settimeout(300)
            else:
                flow.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                flow.sock.connect((address, int(port)))
            flow.local = "%s:%d" % flow.sock.getsockname()
            flows.append(flow)
    threads = [threading.Thread(target=run_tcp if f.kind == "tcp" else run_udp, args=(f, stop_file), daemon=True)
               for f in flows]
    for thread in threads:
        thread.start()
    print("READY %d flows" % len(flows), flush=True)
    while not os.path.exists(stop_file):
        time.sleep(0.1)
    deadline = time.time() + 20  # a flow still stuck in a read is reported as it stands
    for thread in threads:
        thread.join(max(0.0, deadline - time.time()))
    now = time.time()
    for flow in flows:
        print("RESULT " + json.dumps(flow.result(now)), flush=True)
    print("DONE", flush=True)


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "tcp-server":
        tcp_server(sys.argv[2], int(sys.argv[3]))
    elif mode == "udp-server":
        udp_server(sys.argv[2], int(sys.argv[3]))
    else:
        client(sys.argv[2], sys.argv[3:])
