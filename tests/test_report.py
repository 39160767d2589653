"""The HTML report: one self-contained file, every archive text escaped."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from topicwatch.archive.archive import Archive
from topicwatch.present.report import render_report, write_report

from .test_search import make_archive

TOPICWATCH = shutil.which("topicwatch", path=str(Path(sys.executable).parent)) or "topicwatch"


class _Tags(HTMLParser):
    """Counts start tags and collects every URL-bearing attribute."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: Counter[str] = Counter()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        self.urls += [value or "" for name, value in attrs if name in ("src", "href", "action", "xlink:href")]


def _parse(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    return parser


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    path = make_archive(tmp_path_factory.mktemp("report"))
    with Archive(path, create=False) as opened:
        yield opened


def test_the_report_holds_topics_map_trends_and_articles(archive):
    html = render_report(archive, top=50)
    topics = archive.topics()
    parsed = _parse(html)
    assert parsed.tags["section"] == len(topics) + 2  # the topic table, the map, one per topic
    assert parsed.tags["circle"] == 87
    assert parsed.tags["polyline"] == len(topics)  # one trend line per topic in the table
    assert parsed.tags["li"] == 87  # top=50 lists every article under its topic
    for topic in topics:
        assert f'id="topic-{topic["topic"]}"' in html and topic["keyword_line"] in html
    assert _parse(render_report(archive, map_points=10)).tags["circle"] == 10


def test_the_report_needs_no_network_and_runs_no_article_markup(archive):
    html = render_report(archive, top=50)
    parsed = _parse(html)
    assert all(url.startswith("#") for url in parsed.urls), parsed.urls
    assert "http://" not in html and "https://" not in html
    assert parsed.tags["script"] == parsed.tags["img"] == parsed.tags["b"] == 0
    assert "&lt;b&gt;Bold&lt;/b&gt; claims &amp; &quot;quotes&quot;" in html
    assert "&lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;" in html


def test_write_report_and_the_command(archive, tmp_path):
    written = write_report(archive, tmp_path / "out" / "r.html", top=2)
    assert written.read_text(encoding="utf-8").startswith("<!doctype html>")
    assert oct(written.stat().st_mode & 0o777) != oct(0o600)
    assert [p.name for p in written.parent.iterdir()] == ["r.html"]  # no temporary file left
    env = dict(os.environ, TERM="dumb")
    command = [TOPICWATCH, "report", "--archive", str(archive.path), "--out", str(tmp_path / "c.html")]
    run = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "c.html").stat().st_size > 10_000
