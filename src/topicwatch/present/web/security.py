"""Who may edit, which Host headers are served, and the headers every response carries."""

from __future__ import annotations

import hmac

from fastapi import HTTPException, Request
from starlette.types import ASGIApp, Receive, Scope, Send

from .state import WebState, is_loopback

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def require_editor(request: Request) -> None:
    """FastAPI dependency of every editing endpoint.

    Bound to loopback without a token: anyone on this machine may edit. With a token (``--token`` or
    TOPICWATCH_TOKEN): the request must carry ``Authorization: Bearer <token>`` (401 otherwise).
    Bound beyond loopback without a token: editing is refused (403). From a browser, only the page
    this server serves may edit (``refuse_cross_site``).
    """
    state: WebState = request.app.state.web
    refuse_cross_site(request)
    if state.token:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        matches = hmac.compare_digest(given.strip().encode(), state.token.encode())
        if scheme.lower() != "bearer" or not matches:
            raise HTTPException(401, "editing needs the server's token: send 'Authorization: Bearer <token>'",
                                headers={"WWW-Authenticate": "Bearer"})
        return
    if not state.local_only:
        raise HTTPException(403, "editing is off: this server is reachable beyond localhost and has no token "
                                 "(restart it with --token or TOPICWATCH_TOKEN)")


def refuse_cross_site(request: Request) -> None:
    """403 for an edit a browser sends on behalf of another site. A page elsewhere (another port on
    this machine too) can send a "simple" POST that needs no preflight; the browser still names where
    it came from, in ``Origin`` and ``Sec-Fetch-Site``, and neither can be forged by the page.
    Requests without them (curl, scripts on this machine) are judged by the token rules alone."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        raise HTTPException(403, f"editing from another site is refused (Sec-Fetch-Site: {site[:40]})")
    origin = request.headers.get("origin")
    if origin is not None and origin != f"{request.url.scheme}://{request.headers.get('host', '')}":
        raise HTTPException(403, f"editing from another origin is refused (Origin: {origin[:200]})")


def host_of(header: str) -> str:
    """The host name of a Host header, without the port (IPv6 literals keep no brackets)."""
    header = header.strip()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


class GuardMiddleware:
    """Security headers on every response; on a loopback server, only loopback Host headers.

    The Host check stops DNS-rebinding: a web page elsewhere cannot reach this server under a name of its own.
    """

    def __init__(self, app: ASGIApp, local_only: bool):
        self.app = app
        self.local_only = local_only

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        host = headers.get(b"host", b"").decode("latin-1")
        if self.local_only and not is_loopback(host_of(host)):
            await _plain(send, 400, b"invalid Host header: this server answers on localhost only")
            return

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                extra = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
                         (b"content-security-policy", CONTENT_SECURITY_POLICY.encode())]
                message["headers"] = list(message.get("headers") or []) + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _plain(send: Send, status: int, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
