"""Real faults for reliability tests: a moto server that can be stopped and restarted on the
same port, and a TCP proxy that cuts chosen HTTP requests in the middle of their body.

Nothing is patched in-process: the platform's own boto3/s3fs clients talk HTTP to these.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

from moto.server import ThreadedMotoServer

from fitness_platform_tests.support.aws import free_port

HEAD_END = b"\r\n\r\n"


class RestartableMoto:
    """A moto server on a fixed port of 127.0.0.1 that a test may stop and start again.

    moto keeps its state in process-wide backends, so buckets and objects survive a restart,
    as they would survive an outage of S3 itself.
    """

    def __init__(self) -> None:
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._server: ThreadedMotoServer | None = None
        self._lock = threading.Lock()
        self.stops = 0

    def start(self) -> None:
        """Listen on the fixed port (again)."""
        with self._lock:
            if self._server is None:
                self._server = ThreadedMotoServer(
                    ip_address="127.0.0.1", port=self.port, verbose=False
                )
                self._server.start()

    def stop(self) -> None:
        """Stop listening: every request is refused until :meth:`start`."""
        with self._lock:
            if self._server is not None:
                self._server.stop()
                self._server = None
                self.stops += 1

    @property
    def running(self) -> bool:
        """Whether the server listens right now."""
        return self._server is not None


@contextmanager
def restartable_moto() -> Iterator[RestartableMoto]:
    """A started :class:`RestartableMoto`, stopped at the end whatever happened."""
    server = RestartableMoto()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _content_length(head: bytes) -> int | None:
    """The request's Content-Length; ``None`` for a body framed otherwise (chunked)."""
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"transfer-encoding":
            return None
        if name == b"content-length":
            length = int(value.strip())
    return length


class FaultProxy:
    """An HTTP/1.1 TCP proxy on 127.0.0.1 in front of ``upstream_port``.

    For every request it calls ``on_request(head)``; when ``cut(head)`` is true it forwards
    the head and only the first half of the body, then drops both connections, as a network
    failure in the middle of an upload would. Every other request passes unchanged.
    """

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.cut: Callable[[bytes], bool] = lambda head: False
        self.on_request: Callable[[bytes], None] = lambda head: None
        self.cut_requests: list[str] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._closed = False
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop accepting connections."""
        self._closed = True
        with suppress(OSError):
            self._listener.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=30)
        except OSError:
            client.close()  # the server is down: the client sees the connection dropped
            return
        threading.Thread(target=_pipe, args=(upstream, client), daemon=True).start()
        try:
            self._forward_requests(client, upstream)
        finally:
            for sock in (client, upstream):
                with suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()

    def _forward_requests(self, client: socket.socket, upstream: socket.socket) -> None:
        buffer = b""
        while True:
            while HEAD_END not in buffer:
                chunk = client.recv(65536)
                if not chunk:
                    return
                buffer += chunk
            head, _, buffer = buffer.partition(HEAD_END)
            head += HEAD_END
            self.on_request(head)
            length = _content_length(head)
            # The head goes first, so a client waiting for "100 Continue" is not stuck.
            upstream.sendall(head)
            if length is None:  # a body we do not frame: pass everything through from here
                upstream.sendall(buffer)
                _pipe(client, upstream)
                return
            cut = self.cut(head)
            if cut:
                # Recorded before forwarding: the upstream may be gone by the next send.
                self.cut_requests.append(request_line(head))
            remaining = length // 2 if cut else length
            while remaining > 0:
                if not buffer:
                    buffer = client.recv(65536)
                    if not buffer:
                        return
                part, buffer = buffer[:remaining], buffer[remaining:]
                upstream.sendall(part)
                remaining -= len(part)
            if cut:
                return


def _pipe(source: socket.socket, target: socket.socket) -> None:
    with suppress(OSError):
        while chunk := source.recv(65536):
            target.sendall(chunk)
    with suppress(OSError):
        target.shutdown(socket.SHUT_WR)


def request_line(head: bytes) -> str:
    """``METHOD /path HTTP/1.1`` of a request head."""
    return head.split(b"\r\n", 1)[0].decode("latin-1")


def is_put_to(fragment: str) -> Callable[[bytes], bool]:
    """A predicate: the request is a PUT whose path contains ``fragment``."""

    def matches(head: bytes) -> bool:
        line = request_line(head)
        return line.startswith("PUT ") and fragment in line

    return matches
