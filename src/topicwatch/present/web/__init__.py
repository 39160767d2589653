"""The analyst's web page: a JSON API under /api/ and one static page that uses only that API."""

from __future__ import annotations

from .app import create_app
from .server import serve

__all__ = ["create_app", "serve"]
