"""The environment block and the Markdown table of a benchmark results file."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib import metadata
from typing import Any

PACKAGES = ("topicwatch", "bertopic", "turftopic", "fastopic", "sentence-transformers", "torch", "numpy",
            "scikit-learn")
COLUMNS = ("system", "K", "wall s", "embed s", "peak MB", "topics", "NPMI", "C_V", "diversity", "outliers",
           "NMI", "ARI")


def package_versions() -> dict[str, str]:
    """Installed versions of topicwatch, the peers and the shared libraries."""
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gib() -> float | None:
    try:
        with open("/proc/meminfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    return None


def _date_utc() -> str:
    return subprocess.run(["date", "-u"], capture_output=True, text=True, check=True).stdout.strip()


def environment() -> dict[str, Any]:
    """Date, machine and software versions, recorded with every results file."""
    return {
        "date": _date_utc(),
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": _cpu_model(),
        "ram_gib": _ram_gib(),
        "python": platform.python_version(),
        "versions": package_versions(),
    }


def header(results: dict[str, Any]) -> str:
    """The block above the table: command line, date, machine, versions."""
    env = results["environment"]
    corpus = results["corpus"]
    versions = ", ".join(f"{name} {version}" for name, version in env["versions"].items())
    lines = [
        f"- command: `{results['command']}`",
        f"- date: {env['date']}",
        f"- machine: {env['nproc']} cores ({env['cpu']}), {env['ram_gib']} GiB RAM; Python {env['python']}",
        f"- versions: {versions}",
        f"- corpus: {corpus['name']}, {corpus['documents']} documents{_sample_note(corpus)}, "
        + f"{corpus['labels']} labels",
    ]
    prep = results["preparation"]
    if "embedding_seconds" in prep:
        cached = " (read from cache; measured when it was built)" if prep.get("embedding_cached") else ""
        lines.append(f"- shared MiniLM embedding pass (max_seq_length 256, batch 64): "
                     f"{prep['embedding_seconds']:.1f} s encode{cached}")
    if "distill_seconds" in prep:
        lines.append(f"- topicwatch-fast one-time distillation: {prep['distill_seconds']:.1f} s "
                     "(0 = already cached; not part of wall s)")
    return "\n".join(lines)


def _sample_note(corpus: dict[str, Any]) -> str:
    if corpus.get("limit") is None:
        return ""
    return f" (seeded random subset of {corpus['limit']}, seed {corpus['sample_seed']})"


def _fmt(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def topics_cell(scores: dict[str, Any]) -> str:
    """The topic count, and how many of them the coherence scores rest on when that is fewer."""
    scored = scores.get("scored_topics", scores["topics"])
    return str(scores["topics"]) + (f" ({scored} scored)" if scored < scores["topics"] else "")


def system_label(row: dict[str, Any]) -> str:
    """The system's name; a BERTopic reduction that had nothing to reduce says so."""
    info = row.get("info") or {}
    if info.get("reduced") is False:
        return f"{row['system']} (not reduced: {info['topics_before']} found)"
    return row["system"]


def row_cells(row: dict[str, Any]) -> list[str]:
    """One table row: the measurements and the scores of one system variant."""
    if row.get("error"):
        return [row["system"], str(row.get("k") or "auto"), "failed: " + row["error"]] + [""] * 9
    wall = f"{row['wall_seconds']:.1f}"
    if row.get("extra_seconds") is not None:
        wall += f" + {row['extra_seconds']:.1f}"
    embed = "-" if row.get("embed_seconds") is None else f"{row['embed_seconds']:.1f}"
    if row.get("embed_shared"):
        embed += " (shared)"
    scores = row["scores"]
    if scores.get("scored_topics", 1) == 0:  # nothing left to score: the scorer's zeros mean nothing
        scores = {**scores, "npmi": None, "c_v": None, "diversity": None}
    return [
        system_label(row), str(row.get("k") or "auto"), wall, embed, f"{row['peak_rss_kib'] / 1024:.0f}",
        topics_cell(scores), _fmt(scores["npmi"]), _fmt(scores["c_v"]), _fmt(scores["diversity"]),
        _fmt(scores["outlier_share"]), _fmt(scores["nmi"]), _fmt(scores["ari"]),
    ]


NOTES = """\
- wall s: one fresh process per system, including importing its library (the JSON has each stage's
  seconds under "timings"). topicwatch: ingest + fit, with model load and embedding. bertopic:
  `fit_transform` with its own embedding; `+ X` is `reduce_topics`. keynmf, fastopic: fit alone on
  the shared embeddings (embed s, computed once, not included).
- embed s: topicwatch's own embedding stage inside its fit (model load + encode); "(shared)" is the
  separate MiniLM pass (full documents, 256 word pieces, encode only) that keynmf and fastopic are
  given and that bertopic's run repeats internally.
- peak MB: `ru_maxrss` of the system's own process. Exception: the result files named `*-s3` (third
  session) add the largest child process's peak once per core; where their JSON has
  `peak_rss_kib_parts`, the own and largest-child peaks are there apart.
- every system is scored by `topicwatch.evaluate.score_topics` on the same texts and labels: NPMI and
  C_V (gensim) of the top-10 words, diversity, share of documents in an outlier topic (BERTopic's -1),
  and NMI/ARI of the document topics against the labels (BERTopic's -1 counts as one cluster).
  The scorer drops stop words from the top-10 words and computes NPMI and C_V only over topics left
  with 2+ words: "N (M scored)" means they rest on M of the N topics ("-" when M is 0); diversity,
  too, counts only the words left (the JSON has `mean_scored_words`).
- BERTopic runs with its true defaults, which are unseeded (UMAP): its rows vary from run to run.
  Its default CountVectorizer keeps stop words, which the scorer drops from the top-10 words.
  `nr_topics=K` is `reduce_topics(docs, nr_topics=K + 1)` when there is an outlier topic, because
  BERTopic counts -1 among nr_topics; the row then has K topics besides -1.
- topicwatch uses seed 0, KeyNMF random_state 0, FASTopic torch/numpy seed 0 and
  `Preprocess(vocab_size=10000)` (its README's setting); every system process runs with
  PYTHONHASHSEED=0 (FASTopic's vocabulary cut otherwise changes from run to run)."""


def markdown(results: dict[str, Any]) -> str:
    """The header block, the table and its notes."""
    lines = [header(results), "", "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(row_cells(row)) + " |" for row in results["rows"]]
    return "\n".join(lines + ["", NOTES])
