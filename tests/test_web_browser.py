"""The web page in headless Chromium: the real server, the page's own use, and edits tried from a page
on another origin.

These tests need /usr/bin/chromium (Debian package ``chromium``) and the Python ``playwright`` package;
they are skipped, saying which is missing, when either is not there. Set TOPICWATCH_SCREENSHOTS to a
folder (e.g. docs/screenshots) to keep the screenshots there.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from topicwatch.present.web import create_app
from topicwatch.present.web.server import BackgroundServer

from .test_search import make_archive

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="module")
def archive_path(tmp_path_factory) -> Path:
    return make_archive(tmp_path_factory.mktemp("web"))


def _browser_or_skip():
    if not CHROMIUM.exists():
        pytest.skip("browser test needs /usr/bin/chromium (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("browser test needs the Python package playwright (pip install playwright)")
    return sync_playwright


def test_the_page_in_a_browser(archive_path, tmp_path):
    sync_playwright = _browser_or_skip()
    shots = Path(os.environ.get("TOPICWATCH_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    with BackgroundServer(archive_path) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 860})
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
            outside: list[str] = []
            page.on("request",
                    lambda req: None if req.url.startswith((url, "data:")) else outside.append(req.url))

            # the topic list and the map
            page.goto(url + "/")
            page.wait_for_selector("body[data-ready=home]", timeout=20_000)
            topics = json.loads(page.evaluate("fetch('/api/topics').then(r => r.text())"))
            assert page.locator("#topic-list .topic-item").count() == topics["total"]
            assert page.locator("#line-lang-box").is_hidden()  # one language: no choice of line language
            assert page.locator("#topic-list .topic-item svg polyline").count() == topics["total"]
            assert page.locator("#map circle").count() == 87
            page.hover("#map circle >> nth=0")
            assert page.locator("#tooltip").is_visible() and page.locator("#tooltip .tip-line").inner_text()
            page.mouse.move(5, 5)
            # what happened when: every burst the API lists is on the timeline and in the list; a click
            # on one shows its articles
            events = json.loads(page.evaluate("fetch('/api/events?limit=15').then(r => r.text())"))
            assert page.locator("#timeline rect.event-mark").count() == len(events["bursts"])
            assert page.locator("#events-list .event").count() == len(events["bursts"])
            if events["bursts"]:
                page.click("#events-list .event >> nth=0")
                assert page.locator("#events-list .event.open .event-articles li").count() >= 1
            else:
                assert page.locator("#events-note").inner_text() == "no bursts"
            page.screenshot(path=str(shots / "topics-and-map.png"))

            # search: the match is highlighted, article HTML stays text
            page.fill("#q", "pwned smuggling brokers")
            page.press("#q", "Enter")
            page.wait_for_selector("body[data-ready=search]")
            assert page.locator("#results > li").count() >= 3
            assert page.locator("#results mark").count() >= 1
            first = page.locator("#results > li").first
            assert first.get_attribute("data-id") == "extra-html-1"
            assert "<b>Bold</b>" in first.locator(".article-title").inner_text()
            first.locator(".article-title").click()
            page.wait_for_selector("#results .seed-body")
            shown = page.locator("#results .seed-body").inner_text()
            assert '<img src=x onerror="window.__pwned=1">' in shown
            assert page.locator("#results img, #results script, #results b").count() == 0
            assert page.evaluate("window.__pwned") is None
            page.fill("#q", "rice prices")
            page.press("#q", "Enter")
            page.wait_for_selector("#search-note:has-text('rice prices')")
            page.wait_for_selector("body[data-ready=search]")
            page.screenshot(path=str(shots / "search-results.png"))

            # a topic page: its chart, its articles, an article in the seed format
            topic = topics["items"][1]
            renamed = str(topic["topic"])
            page.goto(f"{url}/#/topic/{topic['topic']}")
            page.wait_for_selector("body[data-ready=topic]")
            assert page.locator("#topic-chart rect").count() == len(topics["periods"])
            assert page.locator("#topic-articles > li").count() == min(20, topic["size"])
            assert page.locator("#topic-line").inner_text() == topic["keyword_line"]
            # each listed article shows its own line; opened, the article is headed by it
            first_line = page.locator("#topic-articles .article-line").first.inner_text()
            assert first_line and first_line != topic["keyword_line"]
            assert page.locator("#topic-stories li").count() >= 1
            page.locator("#topic-articles .article-title").first.click()
            page.wait_for_selector("#topic-articles .seed-line")
            assert page.locator("#topic-articles .seed-line").inner_text() == first_line

            # rename, and see it persist after a reload
            page.click("#rename-btn")
            page.fill("#rename-input", "Border trade & smuggling")
            page.click("#rename-form button[type=submit]")
            page.wait_for_selector("#topic-title:text-is('Border trade & smuggling')")
            page.reload()
            page.wait_for_selector("body[data-ready=topic]")
            assert page.locator("#topic-title").inner_text() == "Border trade & smuggling"
            page.locator("#topic-articles .article-title").first.click()
            page.wait_for_selector("#topic-articles .seed-line")
            page.screenshot(path=str(shots / "topic-page.png"))
            page.goto(url + "/")
            page.wait_for_selector("body[data-ready=home]")
            assert "Border trade & smuggling" in page.locator("#topic-list").inner_text()

            # split the renamed topic from its page: the page moves to the first part
            page.goto(url + "/#/topic/" + renamed)
            page.wait_for_selector("body[data-ready=topic]")
            page.click("#split-btn")
            page.wait_for_selector("#toast:not([hidden])")
            assert f"Split {renamed} into" in page.locator("#toast").inner_text()
            page.wait_for_selector("body[data-ready=topic]")
            assert page.url.split("/topic/")[-1] != renamed
            assert not outside, outside
        finally:
            browser.close()
    assert not errors, errors  # no console errors: every request the page made was answered


# A page of another origin (the same host, another port: "same-site", not "same-origin") that tries every
# edit a page can send without the server's consent: "simple" no-cors fetches (no preflight), a PUT
# (no-cors refuses it; cors needs a preflight this server never grants) and auto-submitted forms (a
# form cannot PUT: it POSTs, with a JSON body smuggled in a text/plain field name).
ATTACK_PAGE = """<!doctype html><meta charset="utf-8"><title>elsewhere</title>
<iframe name="sink-split"></iframe><iframe name="sink-merge"></iframe><iframe name="sink-label"></iframe>
<form id="form-split" target="sink-split" method="post" action="{api}/topics/{a}/split"></form>
<form id="form-merge" target="sink-merge" method="post" enctype="text/plain" action="{api}/topics/merge">
<input name='{{"topics": [{a}, {b}], "pad": "' value='"}}'></form>
<form id="form-label" target="sink-label" method="post" enctype="text/plain" action="{api}/topics/{a}/label">
<input name='{{"label": "' value='Owned"}}'></form>
<script>
const api = "{api}", json = {{"Content-Type": "application/json"}}, text = {{"Content-Type": "text/plain"}};
async function attempt(name, path, init) {{
  try {{ const r = await fetch(api + path, init); return [name, "sent (" + r.type + ")"]; }}
  catch (error) {{ return [name, "not sent: " + error.message]; }}
}}
function submitted(name) {{
  return new Promise((done) => {{
    document.querySelector(`iframe[name=sink-${{name}}]`).addEventListener("load", done, {{once: true}});
    document.getElementById(`form-${{name}}`).submit();
  }});
}}
(async () => {{
  const results = [
    await attempt("split", "/topics/{a}/split", {{method: "POST", mode: "no-cors"}}),
    await attempt("split with a body", "/topics/{a}/split", {{method: "POST", mode: "no-cors", headers: text,
                                                              body: '{{"parts": 3}}'}}),
    await attempt("merge", "/topics/merge", {{method: "POST", mode: "no-cors", headers: text,
                                              body: '{{"topics": [{a}, {b}]}}'}}),
    await attempt("label, no-cors", "/topics/{a}/label", {{method: "PUT", mode: "no-cors", body: '{{"label": "x"}}'}}),
    await attempt("label, cors", "/topics/{a}/label", {{method: "PUT", headers: json, body: '{{"label": "x"}}'}}),
  ];
  for (const name of ["split", "merge", "label"]) await submitted(name);
  document.body.dataset.results = JSON.stringify(results);
}})();
</script>"""


class _QuietFiles(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def _other_origin(folder: Path) -> Iterator[str]:
    """A plain file server for ``folder`` on another 127.0.0.1 port, in a thread."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietFiles, directory=folder))
    thread = threading.Thread(target=server.serve_forever, name="other-origin", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _topics_now(archive_path: Path) -> tuple[int, list[dict]]:
    """The archive's revision and its live topics (id, size, label), read through the Python API."""
    from topicwatch.archive.archive import Archive

    with Archive(archive_path, create=False) as archive:
        topics = [{k: t[k] for k in ("topic", "size", "label")} for t in archive.topics()]
        return archive.store.revision(), topics


def test_edits_from_another_origin_are_refused_in_a_browser(archive_path, tmp_path):
    """A page on another port tries every edit it can send from Chromium: none is made. The same edits
    from the topicwatch page itself are."""
    sync_playwright = _browser_or_skip()
    with TestClient(create_app(archive_path, warm=False), base_url="http://127.0.0.1") as local:
        assert local.get("/api/status").json()["edit"] == "open"  # anyone on this machine may edit
    revision, before = _topics_now(archive_path)
    a, b = (t["topic"] for t in sorted(before, key=lambda t: -t["size"])[:2])
    with BackgroundServer(archive_path, warm=False) as url, _other_origin(tmp_path) as elsewhere, \
            sync_playwright() as playwright:
        (tmp_path / "attack.html").write_text(ATTACK_PAGE.format(api=url + "/api", a=a, b=b), encoding="utf-8")
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            answers: list = []  # every answer of the topicwatch server to the page
            page.on("response", lambda r: answers.append(r) if r.url.startswith(url + "/api/") else None)
            page.goto(elsewhere + "/attack.html")
            page.wait_for_selector("body[data-results]", state="attached", timeout=20_000)
            results = dict(json.loads(page.get_attribute("body", "data-results")))
            reached = [(r.request.method, r.url.removeprefix(url), r.status) for r in answers]
            assert _topics_now(archive_path) == (revision, before), (results, reached)  # nothing written
            # All five POSTs reached the server and were refused: 403 on a loopback server without a
            # token comes only from refuse_cross_site. The label form's POST has no route (405).
            posts = sorted((path, status) for method, path, status in reached if method == "POST")
            assert posts == sorted([(f"/api/topics/{a}/split", 403)] * 3 + [("/api/topics/merge", 403)] * 2
                                   + [(f"/api/topics/{a}/label", 405)]), reached
            assert results["label, no-cors"].startswith("not sent")  # the browser refuses a no-cors PUT...
            assert results["label, cors"].startswith("not sent")  # ...and a cors one past a denied preflight
            assert "PUT" not in {method for method, *_ in reached}

            # The control: the same edits from the topicwatch page's own origin are made.
            page.goto(url + "/")
            done = page.evaluate("""async ([a, b]) => {
                const send = (path, method, body) => fetch(path, {method, body: JSON.stringify(body),
                    headers: {"Content-Type": "application/json"}}).then(async (r) => [r.status, await r.json()]);
                const merged = await send("/api/topics/merge", "POST", {topics: [a, b]});
                const split = await send(`/api/topics/${a}/split`, "POST", {parts: 2});
                const label = await send(`/api/topics/${split[1].parts[0]}/label`, "PUT", {label: "Same origin"});
                return [merged, split, label];
            }""", [a, b])
        finally:
            browser.close()
    assert [status for status, _ in done] == [200, 200, 200], done
    parts = done[1][1]["parts"]
    after = {t["topic"]: t for t in _topics_now(archive_path)[1]}
    assert a not in after and b not in after and set(parts) <= set(after)
    sizes = {t["topic"]: t["size"] for t in before}
    assert sum(after[p]["size"] for p in parts) == sizes[a] + sizes[b]
    assert after[parts[0]]["label"] == "Same origin"
