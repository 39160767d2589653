"""``topicwatch report``: one self-contained HTML file (inline CSS and SVG, no scripts, no network) with
the topic list, what happened when (the strongest bursts), the topic map, each topic's trend and its
most typical articles. All archive text is
escaped, so an article holding HTML shows as text.
"""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime
from html import escape
from pathlib import Path

from ..analyze.bursts import burst_headline
from ..analyze.events import archive_events
from ..archive.archive import Archive
from .web import queries
from .web.overview import topic_overview, with_labels
from .web.svg import bar_chart, colour, scatter, sparkline
from .web.topic_map import topic_map

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1d232b;
background:#f6f7f9;margin:0;font-size:15px}
header{background:#16202c;color:#e8edf3;padding:1rem 1.4rem}header h1{margin:0;font-size:1.4rem}
header p{margin:.3rem 0 0;color:#9fb0c3}main{max-width:1200px;margin:0 auto;padding:1rem 1.4rem 3rem}
section{background:#fff;border:1px solid #dfe3e8;border-radius:8px;padding:1rem 1.2rem;margin:1rem 0}
h2{font-size:1.1rem;margin:0 0 .6rem}h3{margin:0;font-size:1.05rem}table{border-collapse:collapse;width:100%}
td,th{padding:.4rem .5rem;border-bottom:1px solid #dfe3e8;text-align:left;vertical-align:middle}
th{font-size:.8rem;color:#677281;font-weight:600}.num{text-align:right}.muted{color:#677281}
.kw{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.86rem;color:#39424e}
.sw{display:inline-block;width:12px;height:12px;border-radius:50%;vertical-align:middle;margin-right:.3rem}
.badge{font-size:.72rem;padding:.05rem .4rem;border-radius:10px;background:#fde8c8;color:#7a4a00;
margin-left:.3rem}td.nowrap{white-space:nowrap}
svg.map{width:100%;max-width:900px;display:block;margin:0 auto;height:auto;background:#fbfcfd;
border-radius:6px}
svg.map circle{stroke:#fff;stroke-width:.4}
svg.chart{width:100%;max-width:820px;height:auto;display:block}.legend{font-size:.85rem;margin:.6rem 0}
.legend span.item{margin-right:1rem;white-space:nowrap}
svg.chart text{fill:#677281;font-size:11px}svg.chart .axis{stroke:#dfe3e8}
ol.top{padding-left:1.2rem}ol.top li{margin:.5rem 0}.meta{font-size:.85rem;color:#677281}
.excerpt{margin:.15rem 0;line-height:1.45}a{color:#1f5fbf;text-decoration:none}
"""


def write_report(archive: Archive, out: str | Path, top: int = 5, map_points: int = 2_000) -> Path:
    """Write the report to ``out`` (whole or not at all) and return its path."""
    html = render_report(archive, top=top, map_points=map_points)
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".report-", suffix=".html", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(html)
        umask = os.umask(0o022)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; a report is an ordinary file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def render_report(archive: Archive, top: int = 5, map_points: int = 2_000) -> str:
    """The report as one HTML string."""
    store = archive.store
    model = queries.current_model(store)
    overview = topic_overview(store, model["id"])
    topics = with_labels(store, overview)
    lines = {t["topic"]: t["keyword_line"] for t in topics}
    status = queries.status(store)
    points = topic_map(store, model, max_points=map_points)
    tips = [f"{title} — {lines.get(topic, '')}" for title, topic in zip(points["title"], points["topic"])]
    shown = (f"{points['shown']:,} of {points['total']:,} articles (a seeded sample)"
             if points["shown"] < points["total"] else f"{points['total']:,} articles")
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    period = f"{overview.periods[0]} – {overview.periods[-1]}" if overview.periods else "no dated articles"
    parts = [
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
        f"<title>topicwatch report: {escape(status['archive'])}</title><style>{_CSS}</style></head><body>",
        f"<header><h1>topicwatch report: {escape(status['archive'])}</h1>",
        (f"<p>{status['articles']:,} articles · {len(topics)} topics · {escape(period)} · "
         f"model {model['id']} ({escape(model['backend'])}, fitted {escape(status['fitted'] or '')}) · "
         f"written {now}</p></header><main>"),
        _topic_table(topics),
        _events_section(archive, top),
        f"<section id=\"map\"><h2>Topic map <span class=\"muted\">{shown}</span></h2>",
        scatter(points["x"], points["y"], points["topic"], tips),
        _legend(topics),
        ("<p class=\"muted\">Each dot is an article placed by meaning (PCA of its embedding); hover for its "
        "title and keyword line.</p></section>"),
    ]
    for t in topics:
        parts.append(_topic_section(store, model["id"], t, overview.periods, top))
    parts.append("</main></body></html>\n")
    return "".join(parts)


def _events_section(archive: Archive, top: int, most: int = 15) -> str:
    """What happened when: the archive's strongest bursts (the one burst model, ``analyze.bursts``),
    in time order, each with its line and first articles; and how many lasting shifts there were."""
    found = archive_events(archive, "week", limit=most, per_event=min(top, 3))
    if not found["bursts"]:
        return ""
    rows = []
    for b in sorted(found["bursts"], key=lambda b: b["start"]):
        titles = "<br>".join(f"{escape(a['date'])} {escape(a['title'] or '')}" for a in b["top_articles"])
        line = burst_headline(b)
        rows.append(f"<tr><td class=\"nowrap\">{escape(b['start'])} – {escape(b['end'])}</td>"
                    f"<td class=\"num\">{b['share']:.1%} <span class=\"muted\">({b['baseline']:.1%})</span></td>"
                    f"<td><span class=\"kw\">{escape(line)}</span><div class=\"meta\">{titles}</div></td></tr>")
    return ("<section id=\"events\"><h2>What happened when <span class=\"muted\">the strongest bursts: the words"
            " that burst together, their share of the week against their usual share around it</span></h2><table><thead><tr><th>weeks</th>"
            "<th class=\"num\">share (usual)</th><th>what burst / first articles</th></tr></thead><tbody>"
            + "".join(rows) + f"</tbody></table><p class=\"muted\">{len(found['shifts'])} lasting shifts of a"
            " topic's level were found too (<code>topicwatch events</code> lists them).</p></section>")


def _name(t: dict) -> str:
    return t["label"] or ", ".join(t["keywords"][:3]) or f"Topic {t['topic']}"


def _legend(topics: list[dict]) -> str:
    items = "".join(f"<span class=\"item\"><span class=\"sw\" style=\"background:{colour(t['topic'])}\">"
                    f"</span>#{t['topic']} {escape(_name(t))}</span>" for t in topics)
    return f"<p class=\"legend\">{items}</p>"


def _topic_table(topics: list[dict]) -> str:
    rows = []
    for t in topics:
        marks = "".join(f"<span class=\"badge\">{escape(m)}</span>" for m in t["marks"])
        rows.append(
            f"<tr><td><span class=\"sw\" style=\"background:{colour(t['topic'])}\"></span>"
            f"<a href=\"#topic-{t['topic']}\">#{t['topic']} {escape(_name(t))}</a>{marks}</td>"
            f"<td class=\"num\">{t['size']:,}</td><td class=\"nowrap\">{escape(t['first_date'] or '')} – "
            f"{escape(t['last_date'] or '')}</td><td>{sparkline(t['trend'], colour(t['topic']))}</td>"
            f"<td class=\"kw\">{escape(t['keyword_line'])}</td></tr>")
    return ("<section id=\"topics\"><h2>Topics</h2><table><thead><tr><th>topic</th><th class=\"num\">articles"
            "</th><th>dates</th><th>per month</th><th>keyword line</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table></section>")


def _topic_section(store, model_id: int, t: dict, periods: list[str], top: int) -> str:
    articles = queries.topic_articles(store, model_id, t["topic"], top, 0, order="score")
    items = "".join(
        f"<li><strong>{escape(a['title'] or a['id'])}</strong><div class=\"meta\">"
        f"{escape(' · '.join(x for x in (a['date'] or 'undated', a['source'], a['language'] or '') if x))}"
        f"</div><p class=\"excerpt\">{escape(a['excerpt'])}</p></li>"
        for a in articles)
    chart = (bar_chart(periods, t["trend"], colour(t["topic"])) if periods
             else "<p class=\"muted\">No dates.</p>")
    return (f"<section id=\"topic-{t['topic']}\"><h3>"
            f"<span class=\"sw\" style=\"background:{colour(t['topic'])}\"></span>"
            f"#{t['topic']} {escape(_name(t))} <span class=\"muted\">{t['size']:,} articles</span></h3>"
            f"<p class=\"kw\">{escape(t['keyword_line'])}</p>{chart}"
            f"<h4>Most typical articles</h4><ol class=\"top\">{items}</ol></section>")
