"""A real-HTTP fixture feed server for tests (loopback only).

Usage::

    from feedserver import FeedServer    # tests/ on sys.path (see tests/fetch/__init__.py)

    with FeedServer() as server:
        server.set("/feed.xml", b"<rss>...</rss>")
        server.redirect("/old", "/feed.xml", status=301)
        url = server.url("/feed.xml")
        ...
        assert server.hits("/feed.xml") == 1
        assert server.requests[0].headers["User-Agent"].startswith("Tidings")

Runs ``http.server.ThreadingHTTPServer`` (HTTP/1.1, keep-alive) in a daemon
thread on ``127.0.0.1`` with an ephemeral port. Conditional requests get a
304 when ``If-None-Match`` matches the ETag or ``If-Modified-Since`` equals
the Last-Modified value; gzip is applied only when the resource asks for it
and the client accepts it. Unknown paths are 404.
"""

from __future__ import annotations

import gzip as gzip_module
import hashlib
import sys
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit

__all__ = ["FeedServer", "Recorded", "Resource"]


@dataclass(frozen=True)
class Resource:
    """What the server answers for one path."""

    body: bytes = b""
    content_type: str | None = "application/rss+xml"
    etag: str | None = None
    last_modified: str | None = None
    gzip: bool = False
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (a slow server)


@dataclass(frozen=True)
class Recorded:
    """One request the server received."""

    method: str
    path: str  # path and query as sent
    headers: dict[str, str]  # names in canonical case: "User-Agent", "If-None-Match"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def _answer(self, *, send_body: bool) -> None:
        owner = self.server.owner
        headers = {_canonical(k): v for k, v in self.headers.items()}
        owner._record(Recorded(self.command, self.path, headers))
        resource = owner._lookup(self.path)
        if resource is not None and resource.delay:
            time.sleep(resource.delay)
        if resource is None:
            self._send(404, {"Content-Type": "text/plain"}, b"not found", send_body)
            return
        out: dict[str, str] = {}
        if resource.content_type:
            out["Content-Type"] = resource.content_type
        if resource.etag:
            out["ETag"] = resource.etag
        if resource.last_modified:
            out["Last-Modified"] = resource.last_modified
        out.update(resource.headers)
        if resource.status == 200 and self._not_modified(resource):
            out.pop("Content-Type", None)
            self._send(304, out, b"", send_body)
            return
        body = resource.body
        accepts = self.headers.get("Accept-Encoding", "")
        if resource.gzip and "gzip" in accepts.lower():
            body = gzip_module.compress(body)
            out["Content-Encoding"] = "gzip"
            out["Vary"] = "Accept-Encoding"
        self._send(resource.status, out, body, send_body)

    def _not_modified(self, resource: Resource) -> bool:
        inm = self.headers.get("If-None-Match")
        if inm is not None and resource.etag is not None:
            return resource.etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
        ims = self.headers.get("If-Modified-Since")
        return (
            ims is not None and resource.last_modified is not None and ims == resource.last_modified
        )

    def _send(self, status: int, headers: dict[str, str], body: bytes, send_body: bool) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body and status != 304:
            self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: FeedServer

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up mid-answer (a killed refresh) is not a server error."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class FeedServer:
    """A scripted feed server on 127.0.0.1; use as a context manager."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self._lock = threading.Lock()
        self._resources: dict[str, Resource] = {}
        self._requests: list[Recorded] = []
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # lifecycle

    def start(self) -> FeedServer:
        server = _Server((self.host, 0), _Handler)
        server.owner = self
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="feedserver", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # scripting

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FeedServer is not running")
        return int(self._server.server_address[1])

    def url(self, path: str = "/") -> str:
        """The absolute URL of ``path`` on this server."""
        if not path.startswith("/"):
            path = "/" + path
        return f"http://{self.host}:{self.port}{path}"

    def set(
        self,
        path: str,
        body: bytes,
        content_type: str | None = "application/rss+xml",
        etag: bool | str = True,
        last_modified: bool | str = True,
        gzip: bool = False,
        status: int = 200,
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
    ) -> Resource:
        """Serve ``body`` at ``path`` (replacing what was there).

        ``etag=True`` derives a strong ETag from the body; a string is sent
        verbatim; ``False`` sends none. ``last_modified`` likewise (``True``:
        the current time as an HTTP date). ``delay`` makes each answer wait that many
        seconds (a slow server: a refresh is still fetching when a test acts).
        """
        digest = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        tag = digest if etag is True else etag or None
        modified = formatdate(usegmt=True) if last_modified is True else last_modified or None
        resource = Resource(
            body, content_type, tag, modified, gzip, status, dict(headers or {}), delay
        )
        with self._lock:
            self._resources[path] = resource
        return resource

    def redirect(self, path: str, to: str, status: int = 301) -> None:
        """Answer ``path`` with a redirect to ``to`` (a path or an absolute URL)."""
        self.set(
            path,
            b"",
            content_type=None,
            etag=False,
            last_modified=False,
            status=status,
            headers={"Location": to},
        )

    def remove(self, path: str) -> None:
        """Stop serving ``path`` (it becomes a 404)."""
        with self._lock:
            self._resources.pop(path, None)

    # inspection

    @property
    def requests(self) -> list[Recorded]:
        """A snapshot of the requests received so far, oldest first."""
        with self._lock:
            return list(self._requests)

    def hits(self, path: str) -> int:
        """How many requests asked for ``path`` (query string ignored unless given)."""
        with self._lock:
            return sum(1 for r in self._requests if _matches(r.path, path))

    def clear(self) -> None:
        """Forget the recorded requests."""
        with self._lock:
            self._requests.clear()

    def _record(self, request: Recorded) -> None:
        with self._lock:
            self._requests.append(request)

    def _lookup(self, raw_path: str) -> Resource | None:
        with self._lock:
            found = self._resources.get(raw_path)
            if found is None:
                found = self._resources.get(urlsplit(raw_path).path)
            return found


def _matches(raw_path: str, wanted: str) -> bool:
    if "?" in wanted:
        return raw_path == wanted
    return urlsplit(raw_path).path == wanted


def _canonical(name: str) -> str:
    return "-".join(part.capitalize() for part in name.split("-"))
