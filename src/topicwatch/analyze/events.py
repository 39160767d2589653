"""Events: what happened when. The bursts under way in a period (``analyze.bursts``, the one burst
definition), each told by the story most of its articles belong to, and the shifts of level that
began in it (``analyze.shifts``), so a lasting change is never read as an event.
"""

from __future__ import annotations

from collections import Counter

from ..archive.archive import Archive
from ..archive.trends import period_dates, period_of
from .bursts import archive_bursts, check_date, grain_trends
from .shifts import archive_shifts


def period_bounds(on: str | None = None, week: str | None = None, since: str | None = None,
                  until: str | None = None) -> tuple[str | None, str | None]:
    """The first and last day asked for: ``on`` one day, ``week`` an ISO week (2011-W51), or the range
    ``since`` .. ``until`` (either open); each checked, a wrong one is a one-line error."""
    for value, option in ((on, "on"), (since, "since"), (until, "until")):
        check_date(value, option)
    if sum(x is not None for x in (on, week)) + (since is not None or until is not None) > 1:
        raise ValueError("give one of on, week, or since/until")
    if on:
        return on[:10], on[:10]
    if week:
        try:
            return period_dates(week.upper(), "week")
        except ValueError:
            raise ValueError(f"week {week!r} is not an ISO week (like 2011-W51)") from None
    return since, until


def archive_events(archive: Archive, by: str = "week", on: str | None = None, week: str | None = None,
                   since: str | None = None, until: str | None = None, limit: int | None = 20,
                   per_event: int = 5) -> dict:
    """The bursts under way between the bounds (``period_bounds``), strongest first, each with its
    story's line beside its topic's, the shifts that began between them, in time order, and how many
    undated articles were left out (``undated``)."""
    first, last = period_bounds(on, week, since, until)
    trends = grain_trends(archive, by)
    bursts = archive_bursts(archive, by, since=first, until=last, per_burst=per_event, limit=limit, trends=trends)
    stories = {s["story"]: s for s in archive.stories()}
    story_of = archive.store.story_of_articles(archive.store.current_model()["id"],
                                               [a["id"] for b in bursts for a in b["top_articles"]])
    for burst in bursts:
        # Its story: the one most of its top articles belong to (a burst is usually one story's).
        counted = Counter(story_of.get(a["id"]) for a in burst["top_articles"] if story_of.get(a["id"]) is not None)
        story = stories.get(counted.most_common(1)[0][0]) if counted else None
        burst["story"] = story["story"] if story else None
        burst["story_line"] = story["keyword_line"] if story else None
    shifts = [s for s in archive_shifts(archive, by, trends["topic"])
              if (first is None or s["period"] >= period_of(first, by))
              and (last is None or s["period"] <= period_of(last, by))]
    return {"by": by, "from": first, "to": last, "bursts": bursts, "shifts": shifts,
            "undated": trends["topic"].undated}
