"""A small WordPress REST stand-in on 127.0.0.1: ``/wp-json/wp/v2/posts`` with pagination.

It serves the given posts the way WordPress does (``X-WP-Total`` / ``X-WP-TotalPages``
headers, ``400 rest_post_invalid_page_number`` past the end, ``401 rest_forbidden`` without
the right basic-auth header), logs every request, and can be told to fail a page a given way
(a status with optional headers, or a dropped connection) a given number of times.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

POSTS_PATH = "/wp-json/wp/v2/posts"
DROP = "drop"


@dataclass
class Failure:
    """One planned failure: an HTTP status (with headers) or ``DROP`` to close the socket."""

    status: int | str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class WordPressStub:
    """The server's state: posts, planned failures, auth and the request log."""

    posts: list[dict[str, Any]]
    credentials: tuple[str, str] | None = None
    send_total_pages: bool = True
    failures: dict[int, list[Failure]] = field(default_factory=dict)
    log: list[dict[str, Any]] = field(default_factory=list)
    base_url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def pages_requested(self) -> list[tuple[int, int | str]]:
        """``(page, status)`` of every request, in order."""
        return [(entry["page"], entry["status"]) for entry in self.log]


def _handler(stub: WordPressStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(url.query).items()}
            page = int(query.get("page", "1"))
            per_page = int(query.get("per_page", "10"))
            entry = {
                "path": url.path,
                "query": query,
                "page": page,
                "authorization": self.headers.get("Authorization"),
            }
            with stub.lock:
                stub.log.append(entry)
                planned = stub.failures.get(page)
                failure = planned.pop(0) if planned else None
            if url.path != POSTS_PATH:
                entry["status"] = 404
                self._send(404, {"code": "rest_no_route"})
                return
            if failure is not None:
                entry["status"] = failure.status
                if failure.status == DROP:
                    self.close_connection = True
                    return
                self._send(int(failure.status), {"code": "planned_failure"}, failure.headers)
                return
            if stub.credentials is not None:
                token = base64.b64encode(":".join(stub.credentials).encode()).decode()
                if self.headers.get("Authorization") != f"Basic {token}":
                    entry["status"] = 401
                    self._send(
                        401,
                        {
                            "code": "rest_forbidden",
                            "message": "Sorry, you are not allowed to do that.",
                            "data": {"status": 401},
                        },
                    )
                    return
            category = query.get("categories", "")
            selected = [
                p for p in stub.posts if category.isdigit() and int(category) in p["categories"]
            ]
            total_pages = max(1, -(-len(selected) // per_page)) if selected else 0
            if page > max(total_pages, 1):
                entry["status"] = 400
                self._send(
                    400,
                    {
                        "code": "rest_post_invalid_page_number",
                        "message": "The page number requested is larger than the number of pages available.",
                        "data": {"status": 400},
                    },
                )
                return
            body = selected[(page - 1) * per_page : page * per_page]
            headers = {"X-WP-Total": str(len(selected))}
            if stub.send_total_pages:
                headers["X-WP-TotalPages"] = str(total_pages)
            entry["status"] = 200
            self._send(200, body, headers)

    return Handler


@contextmanager
def serve(stub: WordPressStub) -> Iterator[WordPressStub]:
    """Run the stub on a free port of 127.0.0.1 for the duration of the block."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stub))
    server.daemon_threads = True
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    stub.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
