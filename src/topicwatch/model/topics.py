"""What the model says of each topic and story, and of each labelled text."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .article_lines import ArticleLine
from .describe import keyword_line


@dataclass
class Topic:
    topic: int
    keywords: list[str]
    size: int
    # language -> the topic's keywords in it, for each language its articles use (languages.py);
    # empty where the model knows no languages.
    lines: dict[str, list[str]] = field(default_factory=dict)

    @property
    def keyword_line(self) -> str:
        return keyword_line(self.keywords)

    def keywords_in(self, language: str | None) -> list[str]:
        """The topic's keywords in ``language`` where it has a line in it, else its main keywords."""
        return self.lines.get(language or "", self.keywords)


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
