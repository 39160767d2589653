"""Load check of the web page's API on loopback: search latency and the time to a usable main page.

Builds an archive of N synthetic articles (sentences of the bundled sample recombined, seeded), or takes
one with --archive, starts the real server (``topicwatch serve`` on 127.0.0.1 and a free port, in its own
process, so the clients here do not share its interpreter), and sends bounded, concurrent requests to it
only:

- main page: GET / and its two static files, then /api/status, /api/topics and /api/map in parallel, as
  the page does; once right after the server answers (its caches still cold or warming up), then
  --page-loads more times;
- search: --requests calls of /api/search (mixed queries, modes and filters) from --concurrency
  clients, stopped early after --max-seconds.

It prints one Markdown table (p50 / p95 / max in milliseconds). Targets: search p95 < 100 ms and the
main page < 1 s on a 100,000-article archive.

    .venv/bin/python bench/web_load.py --articles 2000                # build, fit, measure
    .venv/bin/python bench/web_load.py --archive demo/topicwatch.db   # an existing archive
    .venv/bin/python bench/web_load.py --articles 100000 --keep bench/.cache/web-100k.db
    .venv/bin/python bench/web_load.py --corpus ../shared/data/20newsgroups.jsonl.gz --text-field text_clean

The synthetic articles reuse a few hundred sentences, so every query word is in a large share of them:
a harder case for keyword ranking (which scores every matching article) than real news.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import httpx

from topicwatch.archive.archive import Archive
from topicwatch.present.web.server import free_port

QUERIES = [
    "rice prices", "missile launch", "cryptocurrency hackers", "border smuggling", "remittance brokers",
    "public trial", "harvest", "flooding", "South Korean dramas", "Kim Jong Un", "food shortages in markets",
    "people punished for watching foreign films", "stolen digital money", "corn", "Hyesan",
    "\"state security\"",
]
SOURCES = ["Border Monitor", "Seoul Wire", "Yalu Daily", "Northern Desk", "Radio East"]
_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+")


def synthetic_corpus(n: int, out: Path, seed: int = 0) -> Path:
    """N articles recombined from the bundled sample's sentences (same seed, same corpus)."""
    rows = [json.loads(line) for line in resources.files("topicwatch").joinpath(
        "data/sample_articles.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    sentences = [[s for s in _SENTENCE_RE.split(r["text"].replace("\n", " ")) if len(s) > 20] for r in rows]
    rng = random.Random(seed)
    with open(out, "w", encoding="utf-8") as handle:
        for i in range(n):
            k = rng.randrange(len(rows))
            own = sentences[k]
            picked = rng.sample(own, min(len(own), rng.randint(3, 6)))
            picked.append(rng.choice(sentences[rng.randrange(len(rows))]))
            year, month, day = rng.randint(2019, 2025), rng.randint(1, 12), rng.randint(1, 28)
            record = {"id": f"syn-{i:07d}", "title": rows[k]["title"], "text": " ".join(picked),
                      "date": f"{year}-{month:02d}-{day:02d}", "source": rng.choice(SOURCES)}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return out


def build_archive(n: int, path: Path, corpus: Path | None = None, text_field: str = "text") -> None:
    """A fitted archive of ``corpus`` (any input ``topicwatch ingest`` reads), or of N synthetic articles."""
    from topicwatch.read import ReaderOptions

    source = corpus or synthetic_corpus(n, path.with_suffix(".jsonl"))
    with Archive(path) as archive:
        started = time.perf_counter()
        archive.ingest([source], ReaderOptions(text_field=text_field))
        fit = archive.fit("fast", seed=0)
        print(f"built {path}: {fit.articles} articles, {fit.topics} topics in "
              f"{time.perf_counter() - started:.0f} s", file=sys.stderr)


@contextmanager
def server(path: Path, start_timeout: float = 120) -> Iterator[str]:
    """``topicwatch serve`` in a child process on 127.0.0.1; yields its URL once /api/status answers."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-c", "from topicwatch.present.cli import main; main()", "--archive", str(path),
               "serve", "--host", "127.0.0.1", "--port", str(port)]
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            if child.poll() is not None:
                raise RuntimeError(f"the server exited with status {child.returncode}")
            try:
                if httpx.get(url + "/api/status", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not answer on {url} within {start_timeout:.0f} s")
            time.sleep(0.1)
        yield url
    finally:
        child.terminate()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


async def page_load(client: httpx.AsyncClient) -> float:
    """Seconds until the main page has its HTML, assets, topics and map (the page's own requests)."""
    started = time.perf_counter()
    (await client.get("/")).raise_for_status()
    for response in await asyncio.gather(client.get("/static/app.js"), client.get("/static/style.css")):
        response.raise_for_status()
    for response in await asyncio.gather(client.get("/api/status"), client.get("/api/topics?limit=200"),
                                         client.get("/api/map")):
        response.raise_for_status()
    return time.perf_counter() - started


def search_params(rng: random.Random, topics: int) -> dict[str, str]:
    params = {"q": rng.choice(QUERIES), "mode": rng.choice(["combined", "combined", "keywords", "meaning"]),
              "limit": "20"}
    if rng.random() < 0.25 and topics:
        params["topic"] = str(rng.randrange(topics))
    if rng.random() < 0.2:
        params["from"], params["to"] = "2021-01-01", "2023-12-31"
    if rng.random() < 0.1:
        params["offset"] = "20"
    return params


async def search_load(client: httpx.AsyncClient, requests: int, concurrency: int, max_seconds: float,
                      topics: int) -> dict[str, list[float]]:
    rng = random.Random(0)
    jobs = [search_params(rng, topics) for _ in range(requests)]
    timings: dict[str, list[float]] = {"all": []}
    deadline = time.perf_counter() + max_seconds

    async def worker() -> None:
        while jobs and time.perf_counter() < deadline:
            params = jobs.pop()
            started = time.perf_counter()
            response = await client.get("/api/search", params=params)
            response.raise_for_status()
            elapsed = time.perf_counter() - started
            timings["all"].append(elapsed)
            timings.setdefault(params["mode"], []).append(elapsed)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return timings


async def measure(url: str, args: argparse.Namespace) -> list[tuple[str, list[float]]]:
    limits = httpx.Limits(max_connections=args.concurrency, max_keepalive_connections=args.concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        cold = await page_load(client)
        first_search_started = time.perf_counter()
        (await client.get("/api/search", params={"q": "rice prices"})).raise_for_status()
        first_search = time.perf_counter() - first_search_started
        topics = (await client.get("/api/status")).json()["topics"]
        warm = [await page_load(client) for _ in range(args.page_loads)]
        started = time.perf_counter()
        searches = await search_load(client, args.requests, args.concurrency, args.max_seconds, topics)
        wall = time.perf_counter() - started
    rows = [("main page, first load after start", [cold]), ("main page, warm", warm),
            ("first search (builds the meaning index)", [first_search])]
    rows += [(f"search ({mode})", values) for mode, values in sorted(searches.items()) if mode != "all"]
    rows.append((f"search, all ({len(searches['all']) / wall:.0f} req/s at concurrency {args.concurrency})",
                 searches["all"]))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--archive", type=Path, help="An existing, fitted archive (else one is built).")
    parser.add_argument("--articles", type=int, default=2_000, help="Size of the archive to build.")
    parser.add_argument("--corpus", type=Path, help="Build from this file instead (JSONL, CSV, ...).")
    parser.add_argument("--text-field", default="text", help="The --corpus field holding the text.")
    parser.add_argument("--keep", type=Path, help="Where to keep the built archive (default: a temp folder).")
    parser.add_argument("--requests", type=int, default=400, help="Search requests in all.")
    parser.add_argument("--concurrency", type=int, default=4, help="Clients sending at once.")
    parser.add_argument("--page-loads", type=int, default=10, help="Warm main-page loads to time.")
    parser.add_argument("--max-seconds", type=float, default=120, help="Stop the search load after this.")
    args = parser.parse_args()
    args.requests = max(1, min(args.requests, 20_000))
    args.concurrency = max(1, min(args.concurrency, 64))

    with tempfile.TemporaryDirectory() as tmp:
        path = args.archive
        if path is None:
            path = args.keep or Path(tmp) / "web-load.db"
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                build_archive(args.articles, path, args.corpus, args.text_field)
        with Archive(path, create=False) as archive:
            articles = archive.store.count_articles()
        with server(path) as url:
            rows = asyncio.run(measure(url, args))

    print(f"\nweb load on {path.name}: {articles:,} articles, loopback, "
          f"{args.concurrency} concurrent clients\n")
    print("| measure | n | p50 ms | p95 ms | max ms |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, values in rows:
        ms = [v * 1000 for v in values]
        p50, p95 = statistics.median(ms), percentile(ms, 95)
        print(f"| {name} | {len(ms)} | {p50:.1f} | {p95:.1f} | {max(ms):.1f} |")


if __name__ == "__main__":
    main()
