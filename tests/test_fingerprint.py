"""Behaviour unchanged (issue 14): the archive that ingest + fit + update of BBC writes, row for row,
and what search and export hand back, match the fingerprint recorded before the code was moved
(``tests/fingerprints/bbc_ingest_fit_update.json``, written by ``python tests/fingerprint.py``)."""

from __future__ import annotations

import json
from pathlib import Path

from .fingerprint import archive_fingerprint, build_bbc_archive, outputs_fingerprint

RECORDED = Path(__file__).resolve().parent / "fingerprints" / "bbc_ingest_fit_update.json"


def test_archive_rows_match_the_recorded_fingerprint(bbc, tmp_path):
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))
    db = build_bbc_archive(bbc, tmp_path)
    tables = archive_fingerprint(db)
    assert sorted(tables) == sorted(recorded["tables"])
    changed = {name: (tables[name]["rows"], recorded["tables"][name]["rows"])
               for name in tables if tables[name] != recorded["tables"][name]}
    assert changed == {}, f"tables whose rows changed (rows now, rows recorded): {changed}"
    assert outputs_fingerprint(tmp_path) == recorded["outputs"]
