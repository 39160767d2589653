"""The API fuzzed from its own OpenAPI description, with schemathesis, against the app in-process.

Every operation of /openapi.json gets valid requests (what the description allows) and, where it
has an input, invalid ones (what it forbids). Each answer is checked against the same description:
no server error, a declared status code and content type, a body of the declared shape, and
invalid input refused with a 4xx. The edits (rename, merge, split) really run: the archive changes
under the fuzzer, as it would under a user. Half of the valid requests are steered to ids the
archive has (topics, articles, words of its titles), so that requests reach past the 404s and 400s.

Generation is derandomized (the same requests every run); the archive is a fitted copy of the
search tests' corpus, built for this module alone.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

from topicwatch.present.web import create_app

from .test_search import make_archive

schemathesis = pytest.importorskip("schemathesis", minversion="4.0")
from schemathesis import GenerationMode
from schemathesis.errors import FailureGroup

BASE_URL = "http://127.0.0.1"  # a loopback Host: the app answers no other on a local server
EXAMPLES = 130  # per operation and mode: 9 operations with inputs, both modes, make over 2,000 requests
MIN_REQUESTS = 2_000
REQUEST_TIMEOUT_S = 30  # one request that hangs fails the run instead of holding it
FITTED_TOPICS = 7  # topic ids 0-6; splits add new ids past them
STEERED = {  # known values of query parameters (one unknown each, to reach the "not there" answers too)
    "from": ("2023", "2024-05", "2024-05-02", "2025-02-30"), "to": ("2024", "2024-12-31", "2025-06", "1999"),
    "lang": ("en", "de", "xx"), "source": ("Border Monitor", "Other Wire", "Nobody"),
    "place": ("Pyongyang", "Hyesan", "Yanggang", "Sinuiju", "nowhere at all"),
}
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_headers_conformance", "response_schema_conformance", "negative_data_rejection")


@dataclass
class FuzzRun:
    """What the fuzzer sent and what came back wrong."""

    sent: Counter = field(default_factory=Counter)  # operation label -> requests
    statuses: Counter = field(default_factory=Counter)  # (operation label, status) -> responses
    server_errors: list[str] = field(default_factory=list)
    schema_violations: list[str] = field(default_factory=list)
    accepted_invalid: list[str] = field(default_factory=list)
    slowest_s: float = 0.0

    def summary(self) -> str:
        return (f"{sum(self.sent.values())} requests; {len(self.server_errors)} server errors, "
                f"{len(self.schema_violations)} schema violations, {len(self.accepted_invalid)} invalid "
                f"requests accepted; slowest answer {self.slowest_s:.2f}s")


@pytest.fixture(scope="module")
def app(tmp_path_factory, monkeypatch_module):
    monkeypatch_module.delenv("TOPICWATCH_TOKEN", raising=False)  # edits open, as on a local server
    return create_app(make_archive(tmp_path_factory.mktemp("fuzz")), warm=False)


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.fixture(scope="module")
def known(app) -> dict[str, list]:
    """Ids and words the archive has, for steering requests past "not found"."""
    with TestClient(app, base_url=BASE_URL) as client:
        points = client.get("/api/map").json()
    words = sorted({w for title in points["title"] for w in title.split() if w.isalpha() and len(w) > 3})
    return {"articles": points["id"], "words": words[:200]}


def test_every_operation_answers_as_its_schema_says(app, known):
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, headers={"Host": "127.0.0.1"})
    checks = [getattr(schemathesis.checks, name) for name in CHECKS]
    operations = [result.ok() for result in schema.get_all_operations()]
    routes = {(method, route.path_format) for route in app.routes
              if isinstance(route, APIRoute) and route.include_in_schema for method in route.methods}
    assert {(op.method.upper(), op.path) for op in operations} == routes  # every route, from the schema
    run = FuzzRun()
    started = time.monotonic()
    for operation in operations:
        for mode in _modes(operation):
            _fuzz(operation, mode, checks, known, run)
    elapsed = time.monotonic() - started
    print(f"\nschemathesis: {run.summary()} in {elapsed:.0f}s")
    print("\n".join(f"  {label} {status}: {n}" for (label, status), n in sorted(run.statuses.items())))

    assert sum(run.sent.values()) >= MIN_REQUESTS, run.summary()
    assert all(run.sent[op.label] > 0 for op in operations), run.sent
    assert not run.server_errors, "\n".join(run.server_errors[:10])
    assert not run.schema_violations, "\n".join(run.schema_violations[:10])
    assert not run.accepted_invalid, "\n".join(run.accepted_invalid[:10])
    # The steering reached real answers: edits that worked, searches that found, articles shown.
    succeeded = {label for (label, status), _ in run.statuses.items() if status == 200}
    assert {"GET /api/articles/{article_id}", "GET /api/topics/{topic}/articles", "GET /api/search",
            "PUT /api/topics/{topic}/label", "POST /api/topics/merge",
            "POST /api/topics/{topic}/split"} <= succeeded, run.statuses


def _modes(operation) -> tuple[GenerationMode, ...]:
    """Valid requests for every operation; invalid ones only where there is an input to spoil."""
    has_input = bool(operation.path_parameters or operation.query or operation.headers or operation.body)
    return (GenerationMode.POSITIVE, GenerationMode.NEGATIVE) if has_input else (GenerationMode.POSITIVE,)


# One health check is suppressed: filter_too_much. Schemathesis's invalid-input strategies filter by
# design (a mutation that leaves the input valid is thrown away), and for an input that takes any
# value everything is filtered: that case ends in Unsatisfiable, which _fuzz expects.
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES, derandomize=True, database=None, deadline=None, print_blob=False,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: every failure is recorded, none raised
    suppress_health_check=[HealthCheck.filter_too_much])


def _fuzz(operation, mode: GenerationMode, checks: list, known: dict[str, list], run: FuzzRun) -> None:
    strategy = operation.as_strategy(generation_mode=mode)
    if mode is GenerationMode.POSITIVE:
        strategy = _steered(strategy, known)

    @FUZZ_SETTINGS
    @given(case=strategy)
    def send(case) -> None:
        run.sent[operation.label] += 1
        where = f"{operation.label} [{mode.value}]"
        started = time.monotonic()
        try:
            response = case.call(base_url=BASE_URL, timeout=REQUEST_TIMEOUT_S)
        except Exception as exc:  # noqa: BLE001 - the app raised (or hung): a server error to report
            run.server_errors.append(f"{where}: {type(exc).__name__}: {str(exc).splitlines()[0][:300]}\n"
                                     f"    {case.as_curl_command()}")
            return
        run.slowest_s = max(run.slowest_s, time.monotonic() - started)
        run.statuses[(operation.label, response.status_code)] += 1
        try:
            case.validate_response(response, checks=checks)
        except FailureGroup as group:
            for failure in group.exceptions:
                line = f"{where} -> {response.status_code}: {failure.title}\n    {case.as_curl_command()}"
                if response.status_code >= 500:
                    run.server_errors.append(line)
                elif type(failure).__name__ == "AcceptedNegativeData":
                    run.accepted_invalid.append(line)
                else:
                    run.schema_violations.append(f"{line}\n    {failure.message[:500]}")

    try:
        send()
    except Unsatisfiable:
        # An input that takes any value (an article id is any text) has no invalid form to generate.
        assert mode is GenerationMode.NEGATIVE, operation.label


def _steered(strategy, known: dict[str, list]):
    """Half the valid requests as generated, half with ids and words the archive has."""
    return st.one_of(strategy, st.tuples(strategy, st.data()).map(lambda drawn: _steer(*drawn, known)))


def _steer(case, data, known: dict[str, list]):
    """Put known values where the case has ids or words (still valid by the schema)."""
    path = case.path_parameters or {}
    if "topic" in path:
        path["topic"] = data.draw(_topic_ids())
    if "article_id" in path:
        path["article_id"] = data.draw(st.sampled_from(known["articles"]))
    if case.operation.path == "/api/search":
        words = data.draw(st.lists(st.sampled_from(known["words"]), min_size=1, max_size=3))
        case.query = {**(case.query or {}), "q": " ".join(words)}
    query = case.query
    if query is not None:
        for name in ("topic", "story"):
            if name in query:
                query[name] = data.draw(_topic_ids())
        for name, values in STEERED.items():
            if name in query:
                query[name] = data.draw(st.sampled_from(values))
    if isinstance(case.body, dict) and "topics" in case.body:
        case.body["topics"] = data.draw(st.lists(_topic_ids(), min_size=2, max_size=3, unique=True))
    return case


def _topic_ids():
    """Mostly the fitted topics' ids, sometimes those that splits made (or will make)."""
    return st.integers(0, FITTED_TOPICS - 1) | st.integers(0, 4 * FITTED_TOPICS)


def test_the_schema_declares_every_error_the_app_answers(app):
    """The description tells the truth: no FastAPI 422 (bad input is answered 400), a Problem for each error."""
    with TestClient(app, base_url=BASE_URL) as client:
        schema = client.get("/openapi.json").json()
        assert client.get("/api/topics", params={"limit": 0}).status_code == 400
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            responses = operation["responses"]
            assert "422" not in responses, (method, path)
            if operation.get("parameters") or "requestBody" in operation:
                assert "400" in responses, (method, path)
            for status, declared in responses.items():
                if status != "200":
                    ref = declared["content"]["application/json"]["schema"]["$ref"]
                    assert ref.endswith("/Problem"), (method, path, status)
    edits = [schema["paths"][p][m] for p, m in (("/api/topics/merge", "post"), ("/api/topics/{topic}/split", "post"),
                                                ("/api/topics/{topic}/label", "put"))]
    assert all({"401", "403", "503"} <= set(op["responses"]) for op in edits)
    assert all(op["responses"]["200"]["content"]["application/json"]["schema"].get("$ref") for op in edits)
