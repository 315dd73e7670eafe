#!/usr/bin/env python3
"""Reads pmsite's feeds with Python's feedparser, a second real parser beside the Rust tests.

usage: check_feeds.py PMSITE_BINARY

Builds a small library whose title and summary are full of <, &, quotes and non-ASCII, and
checks that every field survives the round trip in RSS, Atom and a per-term feed.
"""
import html
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import feedparser

TITLE = "Checkout <500s> & \"quotes\" 'too' — naïve café ]]> end"
SUMMARY = "Ünïcode <b>not bold</b> & more ]]> &amp; literal"


def toml_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main():
    binary = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        lib = Path(tmp)
        (lib / "pmsite.toml").write_text('title = "Feed check"\nbase_url = "https://incidents.example.com"\n')
        (lib / "content").mkdir()
        (lib / "content" / "a.md").write_text(
            "+++\n"
            f"title = {toml_string(TITLE)}\n"
            'id = "INC-1"\ndate = 2024-03-12T21:04:00Z\npublished = 2024-03-19\nseverity = "SEV1"\n'
            'components = ["checkout-api"]\n'
            f"summary = {toml_string(SUMMARY)}\n"
            "+++\n\nBody.\n",
            encoding="utf-8",
        )
        subprocess.run([binary, "-C", str(lib), "build", "--today", "2026-11-24"], check=True, stdout=subprocess.DEVNULL)
        public = lib / "public"
        checked = 0
        for name in ["rss.xml", "atom.xml", "components/checkout-api/atom.xml"]:
            feed = feedparser.parse((public / name).read_bytes())
            assert not feed.bozo, f"{name}: {feed.bozo_exception}"
            assert len(feed.entries) == 1, f"{name}: {len(feed.entries)} entries"
            entry = feed.entries[0]
            assert entry.title == f"[SEV1] {TITLE}", f"{name}: title {entry.title!r}"
            assert entry.link == "https://incidents.example.com/incidents/inc-1/", f"{name}: link {entry.link!r}"
            assert entry.id == "https://incidents.example.com/incidents/inc-1/", f"{name}: id {entry.id!r}"
            # Atom's summary is text; RSS's description is HTML with the text escaped. Either way
            # a reader shows the characters as written, never a <b> tag.
            shown = html.unescape(re.sub(r"</?p>", "", entry.summary)) if name == "rss.xml" else entry.summary
            assert shown.startswith(SUMMARY), f"{name}: summary {entry.summary!r}"
            if name == "rss.xml":
                assert "<b>" not in entry.summary, f"{name}: markup in the summary {entry.summary!r}"
            assert tuple(entry.published_parsed[:3]) == (2024, 3, 19), f"{name}: published {entry.get('published')!r}"
            assert [t.term for t in entry.tags] == ["SEV1", "checkout-api"], f"{name}: categories {entry.tags!r}"
            checked += 1
        print(f"feedparser: {checked} feeds read back exactly")


if __name__ == "__main__":
    main()
