"""The web page's API, every endpoint in-process, and the serve command (the page in a browser:
``test_web_browser.py``)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from topicwatch.present.web import create_app
from topicwatch.present.web.edits import set_topic_label
from topicwatch.present.web.server import free_port
from topicwatch.store import ArchiveError

from .test_search import NASTY_QUERIES, make_archive

TOPICWATCH = shutil.which("topicwatch", path=str(Path(sys.executable).parent)) or "topicwatch"
STATIC = Path(__file__).resolve().parents[1] / "src" / "topicwatch" / "present" / "web" / "static"


@pytest.fixture(scope="module")
def archive_path(tmp_path_factory) -> Path:
    return make_archive(tmp_path_factory.mktemp("web"))


@pytest.fixture(scope="module")
def client(archive_path):
    with TestClient(create_app(archive_path, warm=False), base_url="http://127.0.0.1",
                    raise_server_exceptions=False) as test_client:
        yield test_client


# ---- the API ------------------------------------------------------------------------------------
def test_status_and_topics(client):
    status = client.get("/api/status").json()
    assert status["articles"] == 87 and status["topics"] >= 4 and status["edit"] == "open"
    listing = client.get("/api/topics").json()
    assert listing["total"] == status["topics"] == len(listing["items"]) and listing["limit"] == 50
    assert listing["periods"][0] == "2023-01" and listing["periods"][-1] == "2025-06"
    for topic in listing["items"]:
        assert topic["keyword_line"] and len(topic["trend"]) == len(listing["periods"])
        assert isinstance(topic["marks"], list) and topic["size"] >= sum(topic["trend"])
        assert topic["lines"] == {}  # one language in its terms: the keyword line is the line
    assert sum(t["size"] for t in listing["items"]) == 87
    page = client.get("/api/topics", params={"limit": 2, "offset": 1}).json()
    assert [t["topic"] for t in page["items"]] == [t["topic"] for t in listing["items"][1:3]]
    for bad in ({"limit": 201}, {"limit": 0}, {"offset": -1}, {"limit": "many"}):
        response = client.get("/api/topics", params=bad)
        assert response.status_code == 400 and response.json()["detail"]


def test_topic_page_data(client):
    first = client.get("/api/topics").json()["items"][0]
    detail = client.get(f"/api/topics/{first['topic']}").json()
    trend = detail["trend_by_month"]
    assert len(trend["periods"]) == len(trend["counts"]) == len(trend["totals"])
    assert all(c <= t for c, t in zip(trend["counts"], trend["totals"]))
    assert [v["keyword_line"] for v in detail["keyword_lines"]] == [first["keyword_line"]]
    assert detail["keyword_lines"][-1]["current"] is True
    articles = client.get(f"/api/topics/{first['topic']}/articles", params={"limit": 5}).json()
    assert articles["total"] == first["size"] and len(articles["items"]) == 5
    assert all(a["article_line"] and a["line_source"] == "article" for a in articles["items"])
    # Drill down: the topic's stories, each with its line, and a story's own articles.
    assert detail["stories"] and sum(st["size"] for st in detail["stories"]) == first["size"]
    story = detail["stories"][0]
    assert story["keyword_line"] and story["topic"] == first["topic"]
    in_story = client.get(f"/api/topics/{first['topic']}/articles", params={"story": story["story"], "limit": 50}).json()
    assert in_story["total"] == story["size"] == len(in_story["items"][: story["size"]])
    assert client.get(f"/api/topics/{first['topic']}/articles", params={"story": 9999}).status_code == 404
    assert len({a["article_line"] for a in articles["items"]}) == 5
    dates = [a["date"] for a in articles["items"] if a["date"]]
    assert dates == sorted(dates, reverse=True)
    second = client.get(f"/api/topics/{first['topic']}/articles", params={"limit": 5, "offset": 5}).json()
    assert not {a["id"] for a in second["items"]} & {a["id"] for a in articles["items"]}
    article = client.get(f"/api/articles/{articles['items'][0]['id']}").json()
    # Opened, an article is headed by its own line; its topic's line stands beside it.
    assert article["seed"].split("\n")[0] == article["article_line"] == article["keyword_line"]
    assert article["topic_line"] == first["keyword_line"] and article["line_source"] == "article"
    assert article["article_line"] != first["keyword_line"]
    assert client.get("/api/topics/999").status_code == 404
    assert client.get("/api/topics/999/articles").status_code == 404
    assert client.get("/api/topics/abc").status_code == 400
    assert client.get("/api/articles/no-such-id").status_code == 404


def test_map_points(client):
    points = client.get("/api/map").json()
    assert points["total"] == points["shown"] == 87
    assert len(points["id"]) == len(points["x"]) == len(points["y"]) == len(points["topic"]) == 87
    assert all(-1 <= v <= 1 for v in points["x"] + points["y"])
    small = client.get("/api/map", params={"size": 10}).json()
    assert small["shown"] == 10 and small == client.get("/api/map", params={"size": 10}).json()
    assert client.get("/api/map", params={"size": 5001}).status_code == 400


def test_search_endpoint(client):
    found = client.get("/api/search", params={"q": "cryptocurrency hackers", "limit": 3}).json()
    assert len(found["items"]) == 3 and found["mode"] == "combined"
    assert any(part["hit"] for part in found["items"][0]["match"])
    german = client.get("/api/search", params={"q": "Handel", "lang": "de"}).json()["items"]
    assert [h["id"] for h in german] == ["extra-de-1"]
    dated = client.get("/api/search", params={"q": "prices", "from": "2024-01-01", "to": "2024-12-31"}).json()
    assert dated["items"] and all(h["date"].startswith("2024") for h in dated["items"])
    filters = client.get("/api/filters").json()
    assert set(filters["languages"]) >= {"en", "de"}
    assert set(filters["sources"]) == {"Border Monitor", "Other Wire"}


def test_nasty_requests_never_fail_with_500(client):
    statuses = set()
    for query in [*NASTY_QUERIES, "x" * 10_000, "%", "&q=", "<script>alert(1)</script>"]:
        for mode in ("combined", "keywords", "meaning"):
            response = client.get("/api/search", params={"q": query, "mode": mode, "limit": 3})
            statuses.add(response.status_code)
            assert response.status_code in (200, 400), (query[:40], response.text[:200])
            assert "detail" in response.json() or "items" in response.json()
    raw = ["q=%ED%A0%80", "q=%FF%FE", "q=rice&topic=1e9", "q=rice&topic=-1", "q=rice&from=%27%3B--",
           "q=rice&to=9999-99-99", "q=rice&lang=%00", "q=rice&source=" + "s" * 3000, "q=rice&mode=%00",
           "q=rice&limit=99999999999999999999", "q=rice&offset=10001", "q=rice&topic=abc", "q=a&q=b"]
    for query_string in raw:
        response = client.get("/api/search?" + query_string)
        statuses.add(response.status_code)
        assert response.status_code in (200, 400), (query_string[:60], response.text[:200])
    assert statuses == {200, 400}
    too_long = client.get("/api/search", params={"q": "x" * 10_000})
    assert too_long.status_code == 400 and "too long" in too_long.json()["detail"]


def test_rename_merge_and_split_from_the_api(client, archive_path):
    topic = client.get("/api/topics").json()["items"][1]["topic"]
    saved = client.put(f"/api/topics/{topic}/label", json={"label": "  Border <b>trade</b>\n "})
    assert saved.status_code == 200 and saved.json() == {"topic": topic, "label": "Border <b>trade</b>"}
    listed = {t["topic"]: t["label"] for t in client.get("/api/topics").json()["items"]}
    assert listed[topic] == "Border <b>trade</b>"
    assert client.get(f"/api/topics/{topic}").json()["label"] == "Border <b>trade</b>"
    assert client.put(f"/api/topics/{topic}/label", json={"label": "x" * 201}).status_code == 400
    assert client.put("/api/topics/999/label", json={"label": "nope"}).status_code == 404
    assert client.put(f"/api/topics/{topic}/label", json={}).status_code == 400
    assert client.put(f"/api/topics/{topic}/label", content=b"{not json").status_code == 400
    assert client.put(f"/api/topics/{topic}/label", json={"label": ""}).json()["label"] is None
    before = {t["topic"]: t["size"] for t in client.get("/api/topics").json()["items"]}
    merge = client.post("/api/topics/merge", json={"topics": [0, 1], "label": "Merged"})
    assert merge.status_code == 200 and merge.json() == {"topic": 0, "merged": [1]}
    after = {t["topic"]: t for t in client.get("/api/topics").json()["items"]}
    assert 1 not in after and after[0]["size"] == before[0] + before[1] and after[0]["label"] == "Merged"
    split = client.post("/api/topics/0/split", json={"parts": 2})
    parts = split.json()["parts"]
    assert split.status_code == 200 and len(parts) == 2
    after = {t["topic"]: t for t in client.get("/api/topics").json()["items"]}
    assert 0 not in after and sum(after[p]["size"] for p in parts) == before[0] + before[1]
    assert client.post("/api/topics/merge", json={"topics": [0, 2]}).status_code == 400  # 0 is gone


def test_set_topic_label_writes_the_current_model(archive_path):
    from topicwatch.archive.archive import Archive

    with Archive(archive_path, create=False) as archive:
        assert set_topic_label(archive, 0, " Missiles ") == "Missiles"
        model = archive.store.current_model()["id"]
        row = archive.store.conn.execute("SELECT label FROM topics WHERE model = ? AND topic = 0", (model,))
        assert row.fetchone()[0] == "Missiles"
        with pytest.raises(KeyError):
            set_topic_label(archive, 999, "x")
        assert set_topic_label(archive, 0, None) is None


def test_editing_needs_localhost_or_the_token(archive_path, monkeypatch):
    monkeypatch.delenv("TOPICWATCH_TOKEN", raising=False)
    exposed = TestClient(create_app(archive_path, host="0.0.0.0", warm=False), base_url="http://10.0.0.5")
    assert exposed.get("/api/status").json()["edit"] == "off"
    for response in (exposed.put("/api/topics/0/label", json={"label": "x"}),
                     exposed.post("/api/topics/merge", json={"topics": [0, 1]}),
                     exposed.post("/api/topics/0/split", json={"parts": 2})):
        assert response.status_code == 403 and "token" in response.json()["detail"]
    monkeypatch.setenv("TOPICWATCH_TOKEN", "s3cret")
    guarded = TestClient(create_app(archive_path, host="0.0.0.0", warm=False), base_url="http://10.0.0.5")
    assert guarded.get("/api/status").json()["edit"] == "token"
    assert guarded.put("/api/topics/0/label", json={"label": "x"}).status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert guarded.put("/api/topics/0/label", json={"label": "x"}, headers=wrong).status_code == 401
    right = {"Authorization": "Bearer s3cret"}
    assert guarded.put("/api/topics/0/label", json={"label": "x"}, headers=right).status_code == 200
    assert guarded.put("/api/topics/0/label", json={"label": None}, headers=right).status_code == 200


def test_edits_from_another_site_are_refused(archive_path):
    local = TestClient(create_app(archive_path, warm=False), base_url="http://127.0.0.1:8765")
    before = local.get("/api/topics").json()["items"]
    for headers in ({"Origin": "http://evil.example"}, {"Origin": "http://127.0.0.1:9999"},
                    {"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"}):
        for response in (local.post("/api/topics/3/split", headers=headers),
                         local.post("/api/topics/merge", json={"topics": [3, 4]}, headers=headers),
                         local.put("/api/topics/3/label", json={"label": "x"}, headers=headers)):
            assert response.status_code == 403, (headers, response.status_code)
    assert local.get("/api/topics").json()["items"] == before  # nothing changed
    same = {"Origin": "http://127.0.0.1:8765", "Sec-Fetch-Site": "same-origin"}
    assert local.put("/api/topics/3/label", json={"label": "x"}, headers=same).status_code == 200
    assert local.put("/api/topics/3/label", json={"label": None}, headers=same).status_code == 200


def test_ids_past_sqlite_integers_and_long_labels_are_refused_whole(archive_path):
    local = TestClient(create_app(archive_path, warm=False), base_url="http://127.0.0.1",
                       raise_server_exceptions=False)
    huge = 2**63
    for response in (local.get(f"/api/topics/{huge}/articles"), local.get(f"/api/topics/{huge}"),
                     local.get("/api/search", params={"q": "missile", "topic": huge}),
                     local.put(f"/api/topics/{huge}/label", json={"label": "x"}),
                     local.post("/api/topics/merge", json={"topics": [3, huge]})):
        assert response.status_code == 400, response.status_code  # the app answers bad input 400
    before = local.get("/api/topics").json()["items"]
    live = [t["topic"] for t in before]
    too_long = local.post("/api/topics/merge", json={"topics": live[:2], "label": "x" * 100_000})
    assert too_long.status_code == 400
    assert local.get("/api/topics").json()["items"] == before  # the failed merge merged nothing
    from topicwatch.archive.archive import Archive

    with Archive(archive_path, create=False) as archive, pytest.raises(ValueError, match="label too long"):
        archive.merge_topics(live[0], live[1:2], label="x" * 201)
    assert local.get("/api/topics").json()["items"] == before


def test_a_meaning_search_by_topic_follows_merges_and_splits(client):
    """The meaning index is cached per archive file: a merge or a split must reach its topic filter."""
    live = sorted(client.get("/api/topics").json()["items"], key=lambda t: -t["size"])
    target, other = live[0], live[1]

    def found(topic: int) -> set[str]:
        params = {"q": "prices and trade", "mode": "meaning", "topic": topic, "limit": 200}
        hits = client.get("/api/search", params=params).json()["items"]
        assert all(h["topic"] == topic for h in hits), topic  # the filter agrees with the stored topic
        return {h["id"] for h in hits}

    first, second = found(target["topic"]), found(other["topic"])  # the index is built (and cached) here
    assert (len(first), len(second)) == (target["size"], other["size"]) and not first & second
    assert client.post("/api/topics/merge", json={"topics": [target["topic"], other["topic"]]}).status_code == 200
    assert found(other["topic"]) == set()
    assert found(target["topic"]) == first | second
    split = client.post(f"/api/topics/{target['topic']}/split", json={"parts": 2})
    assert split.status_code == 200 and found(target["topic"]) == set()
    assert set().union(*(found(part) for part in split.json()["parts"])) == first | second


def test_an_archive_without_topics_yet(tmp_path):
    from importlib import resources

    from topicwatch.archive.archive import Archive

    sample = tmp_path / "sample.jsonl"
    sample.write_bytes(resources.files("topicwatch").joinpath("data/sample_articles.jsonl").read_bytes())
    with Archive(tmp_path / "a.db") as archive:
        archive.ingest([sample])
    bare = TestClient(create_app(tmp_path / "a.db", warm=False), base_url="http://127.0.0.1")
    assert bare.get("/api/status").json()["model"] is None
    for path in ("/api/topics", "/api/map", "/api/topics/0", "/api/topics/0/articles"):
        response = bare.get(path)
        assert response.status_code == 409 and "fit" in response.json()["detail"], path
    found = bare.get("/api/search", params={"q": "rice prices"}).json()["items"]
    assert found and all(h["topic"] is None and h["keyword_rank"] for h in found)
    assert bare.get("/api/search", params={"q": "rice", "topic": 1}).status_code == 400
    assert bare.put("/api/topics/0/label", json={"label": "x"}).status_code == 409
    with pytest.raises(ArchiveError, match="no archive here"):
        create_app(tmp_path / "missing.db")


def test_a_local_server_answers_only_local_host_names(client):
    assert client.get("/api/status", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/api/status", headers={"Host": "localhost:8765"}).status_code == 200
    assert client.get("/api/status", headers={"Host": "[::1]:8765"}).status_code == 200


def test_the_page_is_served_whole_from_the_package(client):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    for name in ("app.js", "style.css"):
        assert client.get(f"/static/{name}").status_code == 200
    for asset in STATIC.iterdir():
        text = asset.read_text(encoding="utf-8").replace("http://www.w3.org/2000/svg", "")
        assert not re.search(r"https?://|//cdn|@import", text), asset.name
    script = (STATIC / "app.js").read_text(encoding="utf-8")
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script and "eval(" not in script
    assert client.get("/docs").status_code == 404  # it would load scripts from a CDN
    schema = client.get("/openapi.json").json()
    assert {"/api/topics", "/api/search", "/api/map", "/api/topics/{topic}/label"} <= set(schema["paths"])


def test_the_serve_command(archive_path):
    port = free_port()
    command = [TOPICWATCH, "serve", "--archive", str(archive_path), "--port", str(port), "--token", "t0k"]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=dict(os.environ, TERM="dumb"))
    try:
        deadline = time.monotonic() + 60
        while True:
            assert child.poll() is None, child.communicate()
            try:
                status = httpx.get(f"http://127.0.0.1:{port}/api/status", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        assert status.json()["edit"] == "token" and status.json()["articles"] == 87
    finally:
        child.terminate()
        out, _ = child.communicate(timeout=10)
    assert f"http://127.0.0.1:{port}/" in out
    missing = subprocess.run([TOPICWATCH, "serve", "--archive", str(archive_path.parent / "none.db")],
                             capture_output=True, text=True, timeout=60, check=False)
    assert missing.returncode == 1 and "no archive here" in missing.stderr
    assert "Traceback" not in missing.stderr
