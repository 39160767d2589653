"""The command line as a user runs it: the installed console script, in a subprocess."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import load_corpus

TOPICWATCH = shutil.which("topicwatch", path=str(Path(sys.executable).parent)) or "topicwatch"


def run(*args, cwd, check=True):
    env = dict(os.environ, TERM="dumb", COLUMNS="200")
    result = subprocess.run([TOPICWATCH, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=300,
                            check=False)
    if check and result.returncode != 0:
        raise AssertionError(f"{args} failed ({result.returncode}): {result.stderr}")
    return result


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    run("sample", "--out", "sample.jsonl", cwd=folder)
    return folder


def test_demo_flow_on_the_bundled_sample(workdir):
    ingest = run("ingest", "sample.jsonl", cwd=workdir)
    assert ingest.stdout.strip() == "ingested 84 / duplicates 0 / rejected 0"
    assert (workdir / "topicwatch.db").exists()
    assert "topics over 84 articles" in run("fit", "--seed", "0", cwd=workdir).stdout
    topics = json.loads(run("topics", "--json", cwd=workdir).stdout)
    assert len(topics) >= 4 and all(t["keyword_line"] for t in topics)
    assert all(t["first_date"] and t["first_date"] >= "2023" for t in topics)
    shown = run("show", "sample-001", cwd=workdir).stdout.splitlines()
    article = json.loads(run("show", "sample-001", "--json", cwd=workdir).stdout)
    # The header is the article's own line; its topic's line is there beside it.
    assert shown[0] == article["article_line"] and article["line_source"] == "article"
    assert article["topic_line"] in {t["keyword_line"] for t in topics} and shown[0] != article["topic_line"]
    assert len(run("show", "sample-001", "--terms", "3", cwd=workdir).stdout.splitlines()[0].split()) < len(
        shown[0].split())
    stories = json.loads(run("topics", "--level", "story", "--json", cwd=workdir).stdout)
    assert json.loads(run("topics", "--level", "stories", "--json", cwd=workdir).stdout) == stories
    assert len(stories) >= len(topics) and all(st["keyword_line"] for st in stories)
    assert sum(st["size"] for st in stories) == 84
    first_topic = topics[0]["topic"]
    own = json.loads(run("topics", "--topic", str(first_topic), "--json", cwd=workdir).stdout)
    assert own and {st["topic"] for st in own} == {first_topic}
    assert article["story"] in {st["story"] for st in stories}
    run("export", "--format", "seed", "--out", "out", cwd=workdir)
    seeds = sorted((workdir / "out" / "seed").glob("*.txt"))
    assert len(seeds) == 84
    assert (workdir / "out" / "seed" / "sample-001.txt").read_text().splitlines()[0] == shown[0]
    scores = json.loads(run("eval", "--label-field", "section", "--json", cwd=workdir).stdout)
    assert scores["outlier_share"] == 0.0 and scores["nmi"] > 0.5


def test_variant_spellings_are_one_name_in_keyword_lines(workdir):
    topics = json.loads(run("topics", "--json", cwd=workdir).stdout)
    words = " ".join(t["keyword_line"] for t in topics).split()
    assert "yanggang" not in words


def test_user_mistakes_are_one_line_errors(tmp_path, workdir):
    missing = run("--archive", str(tmp_path / "none.db"), "topics", cwd=tmp_path, check=False)
    assert missing.returncode == 1
    assert missing.stderr.strip().count("\n") == 0 and "no archive here" in missing.stderr
    assert "Traceback" not in missing.stderr
    unknown = run("show", "no-such-id", cwd=workdir, check=False)
    assert unknown.returncode == 1 and "no article with id 'no-such-id'" in unknown.stderr
    bad_path = run("--archive", str(tmp_path / "x.db"), "ingest", "does/not/exist.jsonl", cwd=tmp_path,
                   check=False)
    assert "does/not/exist.jsonl: no such file or directory" in bad_path.stderr
    assert "rejected 1" in bad_path.stdout


def test_keyword_trends_before_a_fit_and_export_onto_a_file_are_one_line_errors(tmp_path, workdir):
    run("--archive", "unfitted.db", "ingest", str(workdir / "sample.jsonl"), cwd=tmp_path)
    early = run("--archive", "unfitted.db", "trends", "--topic", "3", "--keywords", cwd=tmp_path, check=False)
    assert early.returncode == 1 and "Traceback" not in early.stderr
    assert early.stderr.strip().count("\n") == 0 and "no topics yet (run 'topicwatch fit' first)" in early.stderr
    (tmp_path / "taken").write_text("a file, not a folder")
    onto_file = run("export", "--out", str(tmp_path / "taken"), cwd=workdir, check=False)
    assert onto_file.returncode == 1 and "Traceback" not in onto_file.stderr
    assert onto_file.stderr.strip().count("\n") == 0 and "exists and is not a folder" in onto_file.stderr
    assert (tmp_path / "taken").read_text() == "a file, not a folder"


def test_topic_ids_past_sqlite_integers_are_usage_errors(workdir):
    huge = str(2**63)
    for args in (("search", "border", "--topic", huge), ("trends", "--topic", huge), ("topic", "history", huge),
                 ("places", "--topic", huge), ("topic", "rename", huge, "x"), ("topic", "merge", "1", huge)):
        result = run(*args, cwd=workdir, check=False)
        assert result.returncode == 2 and "Traceback" not in result.stderr, args


def test_archive_text_is_shown_as_text_never_as_markup_or_terminal_codes(tmp_path, workdir):
    tricky = tmp_path / "tricky.jsonl"
    tricky.write_text(json.dumps({"id": "esc-1", "title": "Clear \x1b[2J screen \x1b]0;pwned\x07 [red]loud[/]",
                                  "text": "A text with \x1b]8;;http://evil.example\x1b\\a hidden link\x1b]8;;\x1b\\ in it."})
                      + "\n" + '{"id": "bad", "text": [/] }\n', encoding="utf-8")
    run("--archive", "t.db", "ingest", str(workdir / "sample.jsonl"), str(tricky), cwd=tmp_path)
    rejects = run("--archive", "t.db", "rejects", cwd=tmp_path)
    assert "[/]" in rejects.stdout
    run("--archive", "t.db", "fit", "--seed", "0", cwd=tmp_path)
    run("--archive", "t.db", "topic", "rename", "0", "[/] [red]named[/red] [link=http://x]", cwd=tmp_path)
    topics = run("--archive", "t.db", "topics", cwd=tmp_path)
    assert "[/] [red]named[/red] [link=http://x]" in topics.stdout  # the label, literally
    for args in (("show", "esc-1"), ("search", "screen"), ("topics",)):
        shown = run("--archive", "t.db", *args, cwd=tmp_path)
        assert "\x1b" not in shown.stdout and "\x07" not in shown.stdout, args


def test_articles_ingested_after_a_fit_say_to_run_update(tmp_path, workdir):
    rows = [json.loads(line) for line in (workdir / "sample.jsonl").read_text().splitlines()]
    (tmp_path / "first.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows[:60]))
    (tmp_path / "later.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows[60:]))
    run("--archive", "a.db", "ingest", "first.jsonl", cwd=tmp_path)
    run("--archive", "a.db", "fit", "--seed", "0", cwd=tmp_path)
    run("--archive", "a.db", "ingest", "later.jsonl", cwd=tmp_path)
    for args in (("export", "--format", "seed", "--out", "out"), ("eval",)):
        result = run("--archive", "a.db", *args, cwd=tmp_path, check=False)
        assert result.returncode == 1 and result.stderr.strip().count("\n") == 0, args
        assert "24 articles are not labelled yet (run 'topicwatch update')" in result.stderr, args
    shown = run("--archive", "a.db", "show", rows[70]["id"], cwd=tmp_path)
    assert "run 'topicwatch update'" in shown.stdout.splitlines()[0]
    run("--archive", "a.db", "update", cwd=tmp_path)
    run("--archive", "a.db", "export", "--format", "seed", "--out", "out", cwd=tmp_path)
    assert len(list((tmp_path / "out" / "seed").iterdir())) == 84


def test_strict_ingest_exits_non_zero(tmp_path):
    (tmp_path / "in.jsonl").write_text('{"id": 1, "text": "fine"}\n{"id": 2, "text": ""}\n')
    result = run("ingest", "--strict", "in.jsonl", cwd=tmp_path, check=False)
    assert result.returncode == 1 and "nothing ingested" in result.stdout
    assert "in.jsonl:2" in result.stderr


def test_rejects_listing_and_help(tmp_path):
    (tmp_path / "in.jsonl").write_text('{"id": 1, "text": "fine text here"}\n{oops\n')
    run("ingest", "in.jsonl", cwd=tmp_path)
    rows = json.loads(run("rejects", "--json", cwd=tmp_path).stdout)
    assert len(rows) == 1 and rows[0]["where"].endswith("in.jsonl:2")
    assert "--text-field" in run("ingest", "--help", cwd=tmp_path).stdout


def test_csv_and_field_mapping(tmp_path):
    rows = load_corpus("kcna_english.jsonl.gz", limit=120)
    import csv

    with open(tmp_path / "k.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["uid", "headline", "body", "published"])
        for r in rows:
            writer.writerow([r["id"], r["title"], r["text"], r["date"] or ""])
    out = run("ingest", "k.csv", "--id-field", "uid", "--title-field", "headline", "--text-field", "body",
              "--date-field", "published", cwd=tmp_path)
    assert "rejected 0" in out.stdout
    run("fit", "--topics", "4", cwd=tmp_path)
    run("export", "--format", "jsonl", "--out", "o", cwd=tmp_path)
    ids = [json.loads(line)["id"] for line in (tmp_path / "o" / "assignments.jsonl").read_text().splitlines()]
    assert ids == [r["id"] for r in rows]


def test_search_can_keep_only_articles_that_mention_a_place(workdir):
    hits = json.loads(run("search", "smuggling brokers", "--place", "ryanggang", "--json", cwd=workdir).stdout)
    assert hits
    for hit in hits:
        text = run("show", hit["id"], cwd=workdir).stdout.lower()
        assert any(name in text for name in ("ryanggang", "yanggang", "hyesan", "samjiyon", "pochon", "kimjongsuk",
                                             "kimhyonggwon", "unhung", "paekam", "taehongdan", "kapsan"))
    unknown = run("search", "x", "--place", "nowhere", cwd=workdir, check=False)
    assert unknown.returncode == 1 and "unknown place 'nowhere'" in unknown.stderr


def test_cluster_flag_label_and_parquet_export(tmp_path):
    """--cluster local:1 on the real console script; label a corpus into Parquet; errors in one line."""
    import pyarrow.parquet as pq

    run("sample", "--out", "sample.jsonl", cwd=tmp_path)
    run("ingest", "sample.jsonl", "--cluster", "local:1", cwd=tmp_path)
    run("fit", "--cluster", "local:1", cwd=tmp_path)
    labelled = run("label", "sample.jsonl", "missing.jsonl", "--out", "labelled", cwd=tmp_path)
    assert "labelled 84 articles" in labelled.stdout and "rejected 1" in labelled.stdout
    assert "missing.jsonl: no such file or directory" in labelled.stderr
    run("export", "--format", "parquet", "--out", "out", "--cluster", "local:1", cwd=tmp_path)
    exported = pq.read_table(tmp_path / "out" / "assignments").to_pydict()
    labels = pq.read_table(tmp_path / "labelled" / "labels").to_pydict()
    assert len(exported["id"]) == 84 and all(exported["article_line"]) and all(exported["topic_line"])
    assert dict(zip(labels["id"], labels["topic"])) == dict(zip(exported["id"], exported["topic"]))
    # Labelling the archive's own articles gives each the line the archive holds for it.
    assert dict(zip(labels["id"], labels["article_line"])) == dict(zip(exported["id"], exported["article_line"]))
    again = run("label", "sample.jsonl", "--out", "labelled", cwd=tmp_path, check=False)
    assert again.returncode == 1 and again.stderr.count("\n") == 1 and "not empty" in again.stderr
    bad = run("fit", "--cluster", "my-cluster", cwd=tmp_path, check=False)
    assert bad.returncode == 1 and "expected local, local:N or a scheduler address" in bad.stderr
