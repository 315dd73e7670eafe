#!/usr/bin/env python3
"""Time from saving a post-mortem to the preview's reload signal.

usage: serve_latency.py PMSITE_BINARY LIBRARY_DIR [RUNS]

Starts `pmsite serve` on the library, subscribes to /__pmsite/events, then appends a line to
one post-mortem RUNS times (default 5), timing each save until `event: reload` arrives.
Prints every time and the median. The file is restored afterwards.
"""
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    binary, library = sys.argv[1], Path(sys.argv[2])
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    target = sorted(library.glob("content/**/*.md"))[0]
    original = target.read_bytes()
    port = free_port()
    server = subprocess.Popen([binary, "-C", str(library), "serve", "--port", str(port)], stdout=subprocess.DEVNULL, stderr=None if os.environ.get("PMSITE_SERVE_LOG") else subprocess.DEVNULL)
    try:
        deadline = time.time() + 120
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    if s.recv(12).startswith(b"HTTP/1.1 200"):
                        break
            except OSError:
                pass
            if time.time() > deadline:
                sys.exit("serve did not start")
            time.sleep(0.1)
        events = socket.create_connection(("127.0.0.1", port))
        events.sendall(b"GET /__pmsite/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
        events.settimeout(60)
        events.recv(4096)  # response head
        time.sleep(0.5)
        times = []
        for i in range(runs):
            started = time.perf_counter()
            with open(target, "ab") as f:
                f.write(f"\nEdit {i}.\n".encode())
            buffer = b""
            while b"event: reload" not in buffer:
                buffer += events.recv(4096)
            times.append((time.perf_counter() - started) * 1000)
            time.sleep(0.3)
        print(f"{library}: save → reload signal, ms: " + ", ".join(f"{t:.0f}" for t in times) + f"; median {statistics.median(times):.0f} ms")
    finally:
        target.write_bytes(original)
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
