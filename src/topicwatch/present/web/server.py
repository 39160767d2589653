"""Running the app: in the foreground for ``topicwatch serve``, or in a thread for tests and benchmarks."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import uvicorn

from .app import create_app


def serve(archive_path: str | Path, host: str = "127.0.0.1", port: int = 8765,
          token: str | None = None) -> None:
    """Serve the page and the API until Ctrl-C."""
    app = create_app(archive_path, host, token)
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class BackgroundServer:
    """The real uvicorn server in a daemon thread: ``with BackgroundServer(path) as url: ...``."""

    def __init__(self, archive_path: str | Path, host: str = "127.0.0.1", port: int | None = None,
                 token: str | None = None, warm: bool = True):
        self.host = host
        self.port = port or free_port(host)
        app = create_app(archive_path, host, token, warm=warm)
        config = uvicorn.Config(app, host=host, port=self.port, log_level="warning", server_header=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="topicwatch-server", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 20.0) -> str:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start on {self.url}")
            time.sleep(0.02)
        return self.url

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
