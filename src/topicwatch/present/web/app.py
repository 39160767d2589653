"""The routes: the JSON API under /api/ and the one page (static files served by this package)."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from ...analyze.search import MAX_LIMIT, MAX_OFFSET, MODES, SearchError, search
from ...store import ArchiveError
from .edits import MAX_ID, set_topic_label
from .overview import with_labels
from .queries import article as article_detail
from .queries import current_model, filter_values, topic_row, topic_stories
from .queries import status as archive_status
from .queries import topic_articles as topic_article_items
from .schemas import (
    Article,
    ArticlePage,
    EventList,
    FilterValues,
    LabelIn,
    LabelOut,
    MapPoints,
    MergeIn,
    MergeOut,
    Problem,
    SearchResults,
    SplitIn,
    SplitOut,
    Status,
    TopicDetail,
    TopicList,
)
from .security import GuardMiddleware, require_editor
from .state import WebState
from .topic_map import MAX_POINTS

STATIC = Path(__file__).parent / "static"
DEFAULT_LIMIT = 50

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Items per page (at most {MAX_LIMIT}).")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip.")]
# Ids are SQLite integers: beyond 2^63 - 1 a request is answered 400, never a server error.
TopicId = Annotated[int, PathParam(ge=0, le=MAX_ID, description="A topic id.")]
SearchMode = Literal[MODES]  # the schema lists the modes, so a client (or a fuzzer) knows them
# What the app answers besides 200, each as a Problem: 400 is every bad request (FastAPI's 422 is
# answered 400 here, and taken out of the schema), 404 an unknown topic, story or article, 409 what
# the archive cannot do as it is (no topics yet; an edit of a read-only file); edits add 401 (no
# token), 403 (refused) and 503 (another topicwatch is writing).
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "Bad request"},
    404: {"model": Problem, "description": "Not found"},
    409: {"model": Problem, "description": "Not possible in this archive as it is (no topics yet)"},
}
EDIT_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    401: {"model": Problem, "description": "The server's token is needed"},
    403: {"model": Problem, "description": "Editing refused"},
    503: {"model": Problem, "description": "Another topicwatch is writing"},
}


def create_app(archive_path: str | Path, host: str = "127.0.0.1", token: str | None = None,
               warm: bool = True) -> FastAPI:
    """The FastAPI app over one archive file. ``host`` is where the server is bound (it decides who may
    edit); ``token`` (default: $TOPICWATCH_TOKEN) is required for edits when set; ``warm`` fills the
    caches in a background thread at start.
    """
    state = WebState(archive_path, host, token)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if warm:
            threading.Thread(target=state.warm_up, name="topicwatch-warm-up", daemon=True).start()
        yield

    # /docs and /redoc would load scripts from a CDN: the page works offline, so only the JSON is served.
    app = FastAPI(title="topicwatch", version="1", lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Topics, trends, a map, search and labels of one topicwatch archive.")
    app.state.web = state
    app.add_middleware(GZipMiddleware, minimum_size=2_000)
    app.add_middleware(GuardMiddleware, local_only=state.local_only)
    _error_handlers(app)
    _routes(app, state)
    _schema_without_422(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def _error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def bad_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        parts = []
        for error in exc.errors()[:5]:
            where = ".".join(str(p) for p in error.get("loc", ())[1:]) or "request"
            parts.append(f"{where}: {error.get('msg', 'invalid')}")
        return JSONResponse({"detail": "; ".join(parts) or "invalid request"}, status_code=400)

    @app.exception_handler(SearchError)
    async def bad_search(_request: Request, exc: SearchError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    @app.exception_handler(ArchiveError)
    async def archive_problem(_request: Request, exc: ArchiveError) -> JSONResponse:
        busy = "busy" in str(exc)
        return JSONResponse({"detail": str(exc)}, status_code=503 if busy else 409)


def _schema_without_422(app: FastAPI) -> None:
    """/openapi.json as the app answers: FastAPI declares a 422 on every route with parameters, but
    ``bad_request`` answers those requests 400 with a Problem (declared in ERRORS)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        schema = build()  # built once, then FastAPI's cached dict: the removal is idempotent
        for route in schema.get("paths", {}).values():
            for operation in route.values():
                operation.get("responses", {}).pop("422", None)
        for name in ("HTTPValidationError", "ValidationError"):
            schema.get("components", {}).get("schemas", {}).pop(name, None)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _routes(app: FastAPI, state: WebState) -> None:
    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")

    @app.get("/api/status", response_model=Status, tags=["archive"])
    def status() -> dict:
        """The archive, its size, its current model and whether this server lets you edit."""
        return {**archive_status(state.archive().store), "edit": state.edit_mode}

    @app.get("/api/topics", response_model=TopicList, responses=ERRORS, tags=["topics"])
    def topics(limit: Limit = DEFAULT_LIMIT, offset: Offset = 0) -> dict:
        """Topics of the current model with labels, sizes, keyword lines, monthly counts and marks."""
        overview = state.overview()
        items = with_labels(state.archive().store, overview)
        return {"total": len(items), "limit": limit, "offset": offset, "periods": overview.periods,
                "items": items[offset : offset + limit]}

    @app.get("/api/topics/{topic}", response_model=TopicDetail, responses=ERRORS, tags=["topics"])
    def topic(topic: TopicId) -> dict:
        """One topic: its trend by month and its keyword line history (newest last)."""
        overview = state.overview()
        store = state.archive().store
        found = next((t for t in with_labels(store, overview) if t["topic"] == topic), None)
        if found is None:
            raise HTTPException(404, f"no topic {topic} in the current model")
        model = current_model(store)
        versions = store.topic_versions(model["id"], topic)
        history = [{"version": v["version"], "model": model["id"], "keyword_line": " ".join(v["keywords"]),
                    "keywords": v["keywords"], "since": datetime.fromtimestamp(v["created"], UTC).date().isoformat(),
                    "first_date": v["first_date"], "last_date": v["last_date"], "current": i == len(versions) - 1}
                   for i, v in enumerate(versions)]
        trend = {"periods": overview.periods, "counts": found["trend"], "totals": overview.totals}
        stories = topic_stories(store, model["id"], topic)
        return {**found, "trend_by_month": trend, "keyword_lines": history, "stories": stories}

    @app.get("/api/topics/{topic}/articles", response_model=ArticlePage, responses=ERRORS,
             tags=["topics"])
    def topic_articles(topic: TopicId, limit: Limit = DEFAULT_LIMIT, offset: Offset = 0,
                       story: Annotated[int | None, Query(ge=0, le=MAX_ID, description="Only this story's articles.")]
                       = None) -> dict:
        """A topic's articles (or one of its stories'), newest first (undated last), one page at a time."""
        store = state.archive().store
        model = current_model(store)
        try:
            row = topic_row(store, model["id"], topic)
        except KeyError as exc:
            raise HTTPException(404, exc.args[0]) from None
        total = row["size"]
        if story is not None:
            sizes = {st["story"]: st["size"] for st in topic_stories(store, model["id"], topic)}
            if story not in sizes:
                raise HTTPException(404, f"no story {story} in topic {topic}")
            total = sizes[story]
        items = topic_article_items(store, model["id"], topic, limit, offset, story=story)
        return {"total": total, "limit": limit, "offset": offset, "items": items}

    @app.get("/api/articles/{article_id:path}", response_model=Article, responses=ERRORS,
             tags=["articles"])
    def article(article_id: str) -> dict:
        """One article, whole, with its keyword line and its seed-format text."""
        try:
            return article_detail(state.archive().store, article_id)
        except KeyError as exc:
            raise HTTPException(404, exc.args[0]) from None

    @app.get("/api/map", response_model=MapPoints, responses=ERRORS, tags=["topics"])
    def topic_map(
        size: Annotated[int, Query(ge=1, le=MAX_POINTS, description="Most points to return (a seeded sample "
                                   f"past it; at most {MAX_POINTS}).")] = MAX_POINTS,
        accept_encoding: Annotated[str, Header(include_in_schema=False)] = "",
    ) -> Response:
        """Articles in 2-D (PCA of their embeddings) with their topics, as columns."""
        body = state.topic_map(size)  # built once per model: sent as stored, gzipped when the client takes it
        if "gzip" in accept_encoding.lower():
            return Response(body.gzipped, media_type="application/json",
                            headers={"Content-Encoding": "gzip", "Vary": "Accept-Encoding"})
        return Response(body.plain, media_type="application/json", headers={"Vary": "Accept-Encoding"})

    @app.get("/api/search", response_model=SearchResults, responses=ERRORS, tags=["search"])
    def search_articles(
        q: Annotated[str, Query(description="Words to look for (any text; at most 1,000 characters).")] = "",
        mode: Annotated[SearchMode, Query(description="How to search.")] = "combined",
        topic: Annotated[int | None, Query(ge=0, le=MAX_ID, description="Only this topic.")] = None,
        date_from: Annotated[str | None, Query(alias="from", description="From date (YYYY[-MM[-DD]]).")]
        = None,
        date_to: Annotated[str | None, Query(alias="to", description="To date, inclusive.")] = None,
        lang: Annotated[str | None, Query(max_length=50, description="Only this language.")] = None,
        source: Annotated[str | None, Query(max_length=2_000, description="Only this source.")] = None,
        place: Annotated[str | None, Query(max_length=200, description="Only articles naming this place "
                                                                        "(a province includes its places).")] = None,
        limit: Limit = DEFAULT_LIMIT,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    ) -> dict:
        """Keyword (bm25), meaning (embedding) or combined search, with filters; hits show the match."""
        hits = search(state.archive(), q, topic=topic, date_from=date_from, date_to=date_to, language=lang,
                      source=source, limit=limit, offset=offset, mode=mode, place=place)
        return {"query": q, "mode": mode, "limit": limit, "offset": offset,
                "items": [h.as_dict() for h in hits]}

    @app.get("/api/events", response_model=EventList, responses=ERRORS, tags=["topics"],
             response_model_by_alias=True)
    def events(
        on: Annotated[str | None, Query(max_length=40, description="What was under way on this day (YYYY-MM-DD).")]
        = None,
        week: Annotated[str | None, Query(max_length=40, description="... in this ISO week (2011-W51).")] = None,
        since: Annotated[str | None, Query(max_length=40, description="... from this day (YYYY-MM-DD).")] = None,
        until: Annotated[str | None, Query(max_length=40, description="... to this day (YYYY-MM-DD).")] = None,
        by: Annotated[Literal["day", "week", "month", "year"], Query(description="Period length.")] = "week",
        limit: Annotated[int, Query(ge=1, le=200, description="Most bursts to return.")] = 20,
        level: Annotated[Literal["event", "topic", "story", "both"], Query(
            description="Bursts of events (words that burst together), topics, stories, or both of these.")] = "event",
    ) -> dict:
        """What spiked in a period (bursts against their local baseline, strongest first, with their
        stories) and the topics whose level shifted for good then."""
        try:
            return state.events(by, on, week, since, until, limit, level)
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from None

    @app.get("/api/filters", response_model=FilterValues, tags=["search"])
    def filters() -> dict:
        """The languages and (at most 200, most frequent first) sources to filter a search by."""
        return filter_values(state.archive().store)

    @app.put("/api/topics/{topic}/label", response_model=LabelOut, responses=EDIT_ERRORS,
             dependencies=[Depends(require_editor)], tags=["edits"])
    def rename(topic: TopicId, body: LabelIn) -> dict:
        """Name a topic of the current model (an empty label clears it)."""
        try:
            label = set_topic_label(state.archive(), topic, body.label)
        except KeyError as exc:
            raise HTTPException(404, exc.args[0]) from None
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from None
        return {"topic": topic, "label": label}

    @app.post("/api/topics/merge", response_model=MergeOut, responses=EDIT_ERRORS,
              dependencies=[Depends(require_editor)], tags=["edits"])
    def merge(body: MergeIn) -> dict:
        """Merge topics into the first one listed: their articles move to it, and so will future ones."""
        archive = state.archive()
        try:
            archive.merge_topics(body.topics[0], body.topics[1:], label=body.label)
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from None
        return {"topic": body.topics[0], "merged": body.topics[1:]}

    @app.post("/api/topics/{topic}/split", response_model=SplitOut, responses=EDIT_ERRORS,
              dependencies=[Depends(require_editor)], tags=["edits"])
    def split(topic: TopicId, body: SplitIn | None = None) -> dict:
        """Split a topic into new topics (new ids); its old id is retired."""
        try:
            parts = state.archive().split_topic(topic, (body or SplitIn()).parts)
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from None
        return {"topic": topic, "parts": parts}
