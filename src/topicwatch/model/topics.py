"""What the model says of each topic and story, and of each labelled text."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .article_lines import ArticleLine
from .describe import keyword_line


@dataclass
class Topic:
    topic: int
    keywords: list[str]
    size: int

    @property
    def keyword_line(self) -> str:
        return keyword_line(self.keywords)


@dataclass
class Story(Topic):
    """A story: the second grain, inside one topic (``topic``; see ``stories.py``)."""

    story: int = -1


@dataclass
class Labels:
    """What labelling gives each text: its topic, its similarity to the topic's centre, its own line."""

    labels: np.ndarray
    scores: np.ndarray
    lines: list[ArticleLine]
