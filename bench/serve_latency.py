#!/usr/bin/env python3
"""Time from saving a post-mortem to the preview's reload signal, and to its page served.

usage: serve_latency.py PMSITE_BINARY LIBRARY_DIR [RUNS] [SECONDS_BETWEEN_SAVES]

Starts `pmsite serve` on the library, subscribes to /__pmsite/events, then appends a line to
one post-mortem RUNS times (default 5), timing each save until `event: reload` arrives, and
then until the post-mortem's page, fetched as the reloading browser would, shows the line.
Prints the time from start to the home page served, every time and the medians, and the
server's peak memory (VmHWM). The file is restored afterwards. A library a `pmsite build` has
built starts from the parses that build kept in `.pmsite/cache/`; delete it to time a cold
start.
"""
import os
import re
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


def get(port, path):
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
        return data


def slugify(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def main():
    binary, library = sys.argv[1], Path(sys.argv[2])
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    gap = float(sys.argv[4]) if len(sys.argv) > 4 else 1.5
    # The first post-mortem with an id in its front matter: its page is /incidents/<id>/.
    target = next(p for p in sorted(library.glob("content/**/*.md")) if re.search(rb'^id = "', p.read_bytes(), re.M))
    original = target.read_bytes()
    slug = slugify(re.search(rb'^id = "([^"]+)"', original, re.M).group(1).decode())
    port = free_port()
    spawned = time.perf_counter()
    server = subprocess.Popen([binary, "-C", str(library), "serve", "--port", str(port)], stdout=subprocess.DEVNULL, stderr=None if os.environ.get("PMSITE_SERVE_LOG") else subprocess.DEVNULL)
    try:
        deadline = time.time() + 120
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                    s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    if s.recv(12).startswith(b"HTTP/1.1 200"):
                        break
            except OSError:
                pass
            if time.time() > deadline:
                sys.exit("serve did not start")
            time.sleep(0.1)
        first_page = time.perf_counter() - spawned
        events = socket.create_connection(("127.0.0.1", port))
        events.sendall(b"GET /__pmsite/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
        events.settimeout(60)
        events.recv(4096)  # response head
        time.sleep(0.5)
        times, served = [], []
        for i in range(runs):
            started = time.perf_counter()
            with open(target, "ab") as f:
                f.write(f"\nEdit number {i} of the benchmark.\n".encode())
            buffer = b""
            while b"event: reload" not in buffer:
                buffer += events.recv(4096)
            times.append((time.perf_counter() - started) * 1000)
            page = get(port, f"/incidents/{slug}/")
            served.append((time.perf_counter() - started) * 1000)
            if f"Edit number {i} of the benchmark".encode() not in page:
                sys.exit(f"the page served after the reload signal lacks edit {i}")
            time.sleep(gap)
        peak = next((l.split()[1] for l in open(f"/proc/{server.pid}/status") if l.startswith("VmHWM")), "?")
        print(f"{library}: start → home page served: {first_page:.1f} s; peak memory {int(peak) / 1024:.0f} MB" if peak != "?" else "")
        print(f"{library}: save → reload signal, ms: " + ", ".join(f"{t:.0f}" for t in times) + f"; median {statistics.median(times):.0f} ms")
        print(f"{library}: save → edited page served, ms: " + ", ".join(f"{t:.0f}" for t in served) + f"; median {statistics.median(served):.0f} ms")
    finally:
        target.write_bytes(original)
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
