#!/usr/bin/env python3
"""What a reader downloads for a first search: opens /search/?q=QUERY of a built site in headless
Chromium (through chromedriver), waits for the results, and sums every file the page fetched,
raw and gzipped (as a static host serving gzip would send it).

    python3 bench/search_fetch.py OUTPUT_DIR [QUERY ...]     (default queries below)

Needs chromium and chromium-driver (Debian packages)."""
import functools, gzip, http.server, json, os, socket, subprocess, sys, tempfile, threading, time
import urllib.request
from urllib.parse import urlparse

site = sys.argv[1]
queries = sys.argv[2:] or ["dns", "database connection pool exhausted", "checkout-api 502", "p99 latency", "OPS-3686"]

class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

handler = functools.partial(Quiet, directory=site)
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
origin = f"http://127.0.0.1:{server.server_address[1]}"

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

port = free_port()
driver = subprocess.Popen(["chromedriver", f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
base = f"http://127.0.0.1:{port}"

def call(method, path, body=None):
    req = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req))["value"]

for _ in range(100):
    try:
        call("GET", "/status"); break
    except Exception:
        time.sleep(0.1)
profile = tempfile.mkdtemp()
try:
    for q in queries:
        session = call("POST", "/session", {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": "/usr/bin/chromium", "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--no-first-run", f"--user-data-dir={profile}/{len(q)}{q[:3]}"]}}}})["sessionId"]
        s = f"/session/{session}"
        call("POST", s + "/url", {"url": f"{origin}/search/?q={urllib.parse.quote(q)}"})
        for _ in range(300):
            state = call("POST", s + "/execute/sync", {"script": "return document.getElementById('search').dataset.state", "args": []})
            if state in ("done", "error"):
                break
            time.sleep(0.05)
        status = call("POST", s + "/execute/sync", {"script": "return document.getElementById('search-status').textContent", "args": []})
        urls = call("POST", s + "/execute/sync", {"script": "return [location.href].concat(performance.getEntriesByType('resource').map(e => e.name))", "args": []})
        raw = gz = 0
        for u in urls:
            path = urlparse(u).path
            f = os.path.join(site, path.lstrip("/"))
            if os.path.isdir(f):
                f = os.path.join(f, "index.html")
            if not os.path.isfile(f):
                continue  # favicon.ico: a 404
            data = open(f, "rb").read()
            raw += len(data); gz += len(gzip.compress(data, 6))
        print(f"{q!r:40} {len(urls):3} files {raw/1e3:8.1f} KB raw {gz/1e3:7.1f} KB gzip  ({status})")
        call("DELETE", s)
finally:
    driver.kill()
