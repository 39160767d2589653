#!/usr/bin/env bash
# The blind comparison of keyword lines (issue 13), on the four corpora, with ../shared/judge/.
#
#   bash bench/judge.sh WORKDIR            # corpora, every system, scores and blinded packets
#
# WORKDIR (outside the repository: it holds corpus text) gets one folder per corpus (a.jsonl = the
# fit half, b.jsonl = the unseen half, one folder per system), WORKDIR/packets/ (what raters read) and
# WORKDIR/keys/ (who is who: never shown to raters). Then start two or more raters per corpus, each
# given only ../shared/judge/rater_instructions.md with PREFIX=WORKDIR/packets/CORPUS and a rater
# name, one reading the topics in reverse, and tally with
#   .venv-bench/bin/python ../shared/judge/tally.py PREFIX r1 r2      (with the key copied beside it)
# Needs .venv-bench (bench/README.md) with keybert and yake installed.
set -euo pipefail
work=${1:?usage: bench/judge.sh WORKDIR}
here=$(cd "$(dirname "$0")/.." && pwd)
judge=$here/../shared/judge
data=$here/../shared/data
py=$here/.venv-bench/bin/python
export HF_HUB_OFFLINE=1
mkdir -p "$work/packets" "$work/keys"
cd "$work"
# 20 Newsgroups is judged on its cleaned text (headers, signatures and quotes stripped).
$py - "$data/20newsgroups.jsonl.gz" 20ng_clean.jsonl.gz <<'EOF'
import gzip, json, sys
with gzip.open(sys.argv[2], "wt") as out:
    for line in gzip.open(sys.argv[1], "rt"):
        d = json.loads(line)
        d.update(text=d.get("text_clean") or "", title=None)
        out.write(json.dumps(d) + "\n")
EOF
$py "$judge/prepare.py" "$data/bbc_news.jsonl.gz" bbc 1000 --labeled
$py "$judge/prepare.py" 20ng_clean.jsonl.gz 20ng 1500 --labeled
$py "$judge/prepare.py" "$data/kcna_stories_2011_2012.jsonl.gz" kcna 1500
$py "$judge/prepare.py" "$data/abc_news_headlines_sample.jsonl.gz" abc 290
systems="topicwatch topicwatch-stories bertopic keynmf keybert yake"
for c in abc bbc kcna 20ng; do
  $py "$here/bench/judge_systems.py" $c topicwatch        # also writes $c/topicwatch-stories
  $py "$here/bench/judge_systems.py" $c bertopic
  $py "$here/bench/judge_systems.py" $c keynmf            # at topicwatch's topic count
  $py "$judge/run_keyphrases.py" keybert $c/a.jsonl $c/keybert
  $py "$judge/run_keyphrases.py" yake $c/a.jsonl $c/yake
  for s in $systems; do echo "$s $($py "$judge/score.py" $c/a.jsonl $c/b.jsonl $c/$s 2>/dev/null)"; done > $c/scores.txt
  # shellcheck disable=SC2086
  $py "$judge/packets.py" $c packets/$c $systems && mv packets/$c.key.json keys/
done
