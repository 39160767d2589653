"""Where locally built models live (the fast model, the multilingual word table)."""

from __future__ import annotations

import os
from pathlib import Path


def model_cache_dir() -> Path:
    """$TOPICWATCH_CACHE/models, else ~/.cache/topicwatch/models."""
    root = os.environ.get("TOPICWATCH_CACHE") or Path.home() / ".cache" / "topicwatch"
    return Path(root) / "models"
