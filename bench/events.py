"""Events found by the burst list on the KCNA archives with a list of known events (issue 16).

    .venv/bin/python bench/events.py [WORKDIR [LEVEL]]
    .venv/bin/python bench/events.py WORKDIR --scale     # bursts and events on 100,000 articles

For each archive (KCNA headlines 1997-2004, KCNA stories 2011-2012, in ../shared/data with their
``*_events.tsv``): ingest and fit (fast, seed 0) into WORKDIR (default /tmp/topicwatch-events; reused
when there), then ``archive_bursts(by="week")`` (LEVEL event by default, as ``topicwatch bursts``),
top 30. An event counts as found when a burst of the 30 starts within 14 days of its date and lasts
at most 8 weeks. Prints, per archive: events found, which, the bursts of the 30 lasting over 26
weeks, the shifts found, the seconds bursts and events (the whole archive's) took, "by chance": how
many events the same 30 bursts would find, on average, were each moved to a random week of the
archive (200 draws; the match is loose enough that chance finds some, most on a short archive), the
titles that each found event's burst leads with (to read whether it is the event's), and "as it
happens": how many of the found topic or story bursts the page's rule (``bursting_now``, by week)
flags had the archive ended in the burst's first week (and a week later; the page marks topics, so
events are not counted there). ``--scale`` builds a 100,000-article
archive (the 1997-2004 headlines, the same re-dated 8 and 16 years on with a marker added to each
text, and the 2011-12 stories) and times ``archive_bursts`` and ``archive_events`` on it: median of 5 calls, with the first
(file cache cold), fastest and slowest (this machine's speed varies by a third from minute to minute).
"""

from __future__ import annotations

import csv
import gzip
import json
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from topicwatch import Archive
from topicwatch.analyze.bursts import archive_bursts, bursting_now, grain_trends
from topicwatch.analyze.events import archive_events
from topicwatch.analyze.shifts import archive_shifts
from topicwatch.archive.trends import TopicTrends

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
ARCHIVES = ["kcna_headlines_1997_2004", "kcna_stories_2011_2012"]
TOP = 30
LEVEL = sys.argv[2] if len(sys.argv) > 2 and not sys.argv[2].startswith("--") else "event"  # or topic, story, both


def week_start(label: str) -> date:
    year, week = label.split("-W")
    return date.fromisocalendar(int(year), int(week), 1)


def matches(bursts: list[dict], events: list[dict]) -> dict[str, dict]:
    """Each found event's first burst of the list: starting within 14 days of it, lasting at most 8 weeks."""
    found = {}
    for event in events:
        day = date.fromisoformat(event["date"])
        for b in bursts:
            start, end = week_start(b["start"]), week_start(b["end"]) + timedelta(days=6)
            if abs((start - day).days) <= 14 and (end - start).days <= 8 * 7:
                found[event["event"]] = b
                break
    return found


def matches_all(bursts: list[dict], event: dict) -> list[dict]:
    """Every burst of the list the rule accepts for ``event`` (to read which, if any, is the event's own)."""
    return [b for b in bursts if matches([b], [event])]


def score(bursts: list[dict], events: list[dict]) -> tuple[list[str], int]:
    found = list(matches(bursts, events))
    long = sum((week_start(b["end"]) - week_start(b["start"])).days > 26 * 7 for b in bursts)
    return found, long


def by_chance(bursts: list[dict], events: list[dict], periods: list[str], draws: int = 200) -> float:
    """The events the same bursts find on average when each starts at a random period of the archive
    (its length kept): what the match gives by luck."""
    rng = random.Random(0)
    lengths = [periods.index(b["end"]) - periods.index(b["start"]) for b in bursts]
    total = 0
    for _ in range(draws):
        starts = [rng.randrange(len(periods) - length) for length in lengths]
        moved = [{"start": periods[start], "end": periods[start + length]} for start, length in zip(starts, lengths)]
        total += len(matches(moved, events))
    return total / draws


def as_it_happens(trends: dict[str, TopicTrends], found: dict[str, dict]) -> tuple[int, int, int]:
    """Of the found events, how many the page's rule flags as bursting (``bursting_now``, by week) had
    the archive ended in the first week of the burst that found it, and a week later: what a live
    feed shows (``trends``: the weekly counts of topics and stories); and how many were asked about
    (events are not: the page marks topics)."""
    flagged = [0, 0]
    asked = 0
    for burst in found.values():
        if burst["level"] not in trends:
            continue
        asked += 1
        counted = trends[burst["level"]]
        unit = burst["story"] if burst["level"] == "story" else burst["topic"]
        for lag in (0, 1):
            end = counted.periods.index(burst["start"]) + lag + 1
            cut = {t: series[:end] for t, series in counted.counts.items()}
            flagged[lag] += unit in bursting_now(counted.periods[:end], cut, counted.totals[:end])
    return flagged[0], flagged[1], asked


def scale(work: Path) -> None:
    db = work / "100k.db"
    if not db.exists():
        source = work / "100k.jsonl"
        with open(source, "w", encoding="utf-8") as out:
            n = 0
            for name, years in ((ARCHIVES[0], 0), (ARCHIVES[0], 8), (ARCHIVES[1], 0), (ARCHIVES[0], 16)):
                with gzip.open(DATA / f"{name}.jsonl.gz", "rt", encoding="utf-8") as lines:
                    rows = [json.loads(line) for line in lines]
                for record in rows:
                    if years and record.get("date"):
                        record.update(id=f"s{years}-{record['id']}", date=str(int(record["date"][:4]) + years)
                                      + record["date"][4:], text=record["text"] + f" (re-dated {years})")
                    out.write(json.dumps(record) + "\n")
                    n += 1
                    if n == 100_000:
                        break
                if n == 100_000:
                    break
        with Archive(db) as archive:
            archive.ingest([source])
            archive.fit("fast", seed=0)
    with Archive(db, create=False) as archive:
        for what, call in (("bursts", lambda: archive_bursts(archive, "week", limit=20)),
                           ("events", lambda: archive_events(archive, "week"))):
            times = []
            for _ in range(5):
                start = time.perf_counter()
                call()
                times.append(time.perf_counter() - start)
            print(f"100k articles: {what} {statistics.median(times):.2f} s (median of 5; first {times[0]:.2f},"
                  f" fastest {min(times):.2f}, slowest {max(times):.2f})")


def main() -> None:
    work = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/topicwatch-events")
    work.mkdir(parents=True, exist_ok=True)
    if "--scale" in sys.argv:
        scale(work)
        return
    for name in ARCHIVES:
        db = work / f"{name}.db"
        if not db.exists():
            with Archive(db) as archive:
                archive.ingest([DATA / f"{name}.jsonl.gz"])
                archive.fit("fast", seed=0)
        with open(DATA / f"{name}_events.tsv", encoding="utf-8") as handle:
            events = list(csv.DictReader(handle, delimiter="\t"))
        with Archive(db, create=False) as archive:
            start = time.perf_counter()
            bursts = archive_bursts(archive, "week", level=LEVEL, limit=TOP)
            seconds = time.perf_counter() - start
            shifts = archive_shifts(archive, "week")
            start = time.perf_counter()
            archive_events(archive, "week")
            event_seconds = time.perf_counter() - start
            leads = matches(bursts, events)
            weekly = grain_trends(archive, "week", ("topic", "story"))
            now, week_on, asked = as_it_happens(weekly, leads)
            chance = by_chance(bursts, events, weekly["topic"].periods)
        found, long = score(bursts, events)
        print(f"{name}: {len(found)} of {len(events)} events found (by chance {chance:.1f}); {long} of the top {TOP}"
              f" bursts last over 26 weeks; {len(shifts)} shifts; bursts took {seconds:.2f} s, events"
              f" {event_seconds:.2f} s; as it happens: {now} of {asked} topic bursts found flagged in their first week,"
              f" {week_on} a week on")
        for event in events:
            burst = leads.get(event["event"])
            titles = " / ".join(a["title"][:40] for a in burst["top_articles"][:2]) if burst else ""
            print(f"  {'found' if burst else 'MISSED'}  {event['date']}  {event['event'][:34]:34}  {titles}")
            for other in matches_all(bursts, event):  # every burst of the list the rule accepts, by its line
                print(f"        {other['start']}..{other['end']}  {other['keyword_line'][:80]}")
        for b in bursts[:12]:
            print(f"    {b['level'][:2]} {b['start']}..{b['end']}  x{b['share'] / max(b['baseline'], 1e-9):.1f}  {b['keyword_line'][:70]}")


if __name__ == "__main__":
    main()
