"""The shapes of the JSON API (they make FastAPI's OpenAPI description)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from .edits import MAX_ID, MAX_LABEL_CHARS


class Problem(BaseModel):
    detail: str = Field(description="What went wrong, in one sentence.")


class Status(BaseModel):
    archive: str
    articles: int
    model: int | None
    backend: str | None
    fitted: str | None
    topics: int
    edit: str = Field(description="'open' (local, no token), 'token' (send a bearer token) or 'off'.")


class TopicItem(BaseModel):
    topic: int
    label: str | None
    size: int
    keywords: list[str]
    keyword_line: str
    lines: dict[str, str] = Field(default_factory=dict, description=(
        "The topic's line in each language its articles use (language code -> line); empty for a topic "
        "of one language, whose keyword_line is its line."))
    first_date: str | None
    last_date: str | None
    trend: list[int] = Field(description="Articles per month, aligned with the list's 'periods'.")
    marks: list[str] = Field(description="Signals such as 'new' or 'bursting' (may be empty).")


class TopicList(BaseModel):
    total: int
    limit: int
    offset: int
    periods: list[str]
    items: list[TopicItem]


class KeywordLineVersion(BaseModel):
    version: int
    model: int
    keyword_line: str
    keywords: list[str]
    since: str | None
    current: bool


class Trend(BaseModel):
    periods: list[str]
    counts: list[int]
    totals: list[int]


class StoryItem(BaseModel):
    story: int
    topic: int
    size: int
    first_date: str | None
    last_date: str | None
    keyword_line: str


class TopicDetail(TopicItem):
    trend_by_month: Trend
    keyword_lines: list[KeywordLineVersion]
    stories: list[StoryItem] = Field(description="The stories inside the topic, largest first.")


class ArticleItem(BaseModel):
    id: str
    title: str
    date: str | None
    source: str
    language: str | None
    excerpt: str
    article_line: str = Field(description="What this article is about: its own keyword line.")
    line_source: str = Field(description="'article': its own terms; 'topic': too short, its topic's line.")


class ArticlePage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[ArticleItem]


class Article(BaseModel):
    id: str
    title: str
    date: str | None
    source: str
    language: str | None
    topic: int | None
    keyword_line: str | None = Field(description="The header shown above the article: its own line.")
    article_line: str | None = Field(description="What this article is about (its topic's line when too short).")
    topic_line: str | None = Field(description="Its topic's keyword line.")
    line_source: str | None = Field(description="'article': its own terms; 'topic': too short, its topic's line.")
    text: str
    seed: str = Field(description="The article in the seed format: its own keyword line, then title and text.")


class MapPoints(BaseModel):
    model: int
    total: int = Field(description="Articles in the model.")
    shown: int = Field(description="Points below (a seeded sample past the size limit).")
    id: list[str]
    title: list[str]
    topic: list[int]
    x: list[float]
    y: list[float]


class MatchPart(BaseModel):
    text: str
    hit: bool = Field(description="Whether this piece matched the query (show it highlighted).")


class SearchHit(BaseModel):
    id: str
    title: str
    date: str | None
    language: str | None
    source: str
    topic: int | None
    keyword_line: str | None
    score: float
    keyword_rank: int | None
    meaning_rank: int | None
    similarity: float | None
    match: list[MatchPart]


class SearchResults(BaseModel):
    query: str
    mode: str
    limit: int
    offset: int
    items: list[SearchHit]


class FilterValues(BaseModel):
    languages: list[str]
    sources: list[str]


class LabelIn(BaseModel):
    label: str | None = Field(max_length=MAX_LABEL_CHARS, description="The new name; empty clears it.")


class LabelOut(BaseModel):
    topic: int
    label: str | None


class MergeIn(BaseModel):
    topics: list[Annotated[int, Field(ge=0, le=MAX_ID)]] = Field(min_length=2, max_length=50)
    label: str | None = Field(None, max_length=MAX_LABEL_CHARS)


class MergeOut(BaseModel):
    topic: int = Field(description="The topic the others went into.")
    merged: list[int]


class SplitIn(BaseModel):
    parts: int = Field(2, ge=2, le=10)


class SplitOut(BaseModel):
    topic: int = Field(description="The topic split (its id is retired).")
    parts: list[int] = Field(description="The new topics' ids.")


class BurstArticle(BaseModel):
    id: str
    date: str
    title: str | None


class BurstOut(BaseModel):
    level: str = Field(description="'event' (words that burst together), 'topic' or 'story': what burst.")
    topic: int = Field(description="The topic that burst, or the one most of its articles belong to.")
    story: int | None = Field(description="The story most of its articles belong to (or the story that burst).")
    keyword_line: str = Field(description="The line of what burst: an event's words, strongest first.")
    story_line: str | None = None
    label: str | None
    start: str = Field(description="First period of the burst.")
    end: str = Field(description="Last period.")
    weight: float = Field(description="How much better a burst explains these periods (log-likelihood ratio).")
    articles: int
    share: float = Field(description="The topic's share of the archive in the burst.")
    baseline: float = Field(description="Its usual (local) share around the burst.")
    top_articles: list[BurstArticle]


class ShiftOut(BaseModel):
    topic: int
    keyword_line: str
    label: str | None
    period: str = Field(description="The first period at the new level.")
    before: float = Field(description="The topic's share of the archive before.")
    after: float = Field(description="And after.")


class EventList(BaseModel):
    by: str
    from_: str | None = Field(alias="from", description="First day asked for (None: the start).")
    to: str | None = Field(description="Last day asked for (None: the end).")
    bursts: list[BurstOut]
    shifts: list[ShiftOut]
    undated: int = Field(description="Articles without a date, left out of the counts.")
