"""A tiny threaded HTTP server that records requests and fails on purpose.

Provider stubs subclass :class:`StubServer` and implement :meth:`respond`.
Faults are queued and consumed one per matching request, in order:

* ``fail_next(status, payload)`` answers with that status instead of handling;
* ``stall_next(seconds)`` *handles* the request (the message is created), then
  waits before answering: a client with a shorter timeout sees a read timeout
  although the provider did the work -- the "ambiguous" case;
* ``drop_next()`` handles the request, then closes the connection without a
  word (a reset after the request went out).
"""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    form: dict[str, list[str]] = field(default_factory=dict)
    json: Any = None

    def form_value(self, key: str) -> str | None:
        values = self.form.get(key)
        return values[0] if values else None


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
        data = json.dumps(payload).encode("utf-8")
        return cls(status, data, {"Content-Type": "application/json", **(headers or {})})


@dataclass
class Fault:
    kind: str  # "status" | "stall" | "drop"
    method: str | None
    response: Response | None = None
    seconds: float = 0.0


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    stub: StubServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that gave up (timeouts) make writes fail: expected here."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the tests read ``stub.requests`` instead."""

    def _handle(self) -> None:
        stub = self.server.stub
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = RecordedRequest(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers={k: v for k, v in self.headers.items()},
            body=body,
        )
        content_type = self.headers.get("Content-Type", "")
        if content_type.startswith("application/x-www-form-urlencoded"):
            request.form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
        elif content_type.startswith("application/json") and body:
            request.json = json.loads(body)
        stub.record(request)

        fault = stub.take_fault(self.command)
        if fault is not None and fault.kind == "status":
            assert fault.response is not None
            self._write(fault.response)
            return
        response = stub.respond(request)
        if fault is not None and fault.kind == "drop":
            self.close_connection = True
            return
        if fault is not None and fault.kind == "stall":
            stub.stopping.wait(fault.seconds)
        self._write(response)

    def _write(self, response: Response) -> None:
        try:
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            self.wfile.write(response.body)
        except OSError:
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = _handle


class StubServer:
    """Base class: bind 127.0.0.1 on a free port, serve in a daemon thread."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.stopping = threading.Event()
        self._faults: deque[Fault] = deque()
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------
    def start(self) -> Self:
        server = _Server(("127.0.0.1", 0), _Handler)
        server.stub = self
        self._server = server
        # A short poll keeps shutdown() (and so every test's teardown) quick.
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "stub not started"
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}"

    # -- recording and faults ----------------------------------------------
    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def take_fault(self, method: str) -> Fault | None:
        with self._lock:
            for fault in list(self._faults):
                if fault.method is None or fault.method == method:
                    self._faults.remove(fault)
                    return fault
        return None

    def fail_next(
        self, status: int, payload: Any = None, *, times: int = 1, method: str | None = "POST"
    ) -> None:
        """The next ``times`` matching requests get ``status`` (JSON ``payload``)."""
        response = Response.json(status, payload if payload is not None else {"status": status})
        with self._lock:
            self._faults.extend(Fault("status", method, response) for _ in range(times))

    def stall_next(self, seconds: float, *, times: int = 1, method: str | None = "POST") -> None:
        """Handle the request, then answer only after ``seconds`` (or at stop)."""
        with self._lock:
            self._faults.extend(Fault("stall", method, seconds=seconds) for _ in range(times))

    def drop_next(self, *, times: int = 1, method: str | None = "POST") -> None:
        """Handle the request, then close the connection without answering."""
        with self._lock:
            self._faults.extend(Fault("drop", method) for _ in range(times))

    def respond(self, request: RecordedRequest) -> Response:
        raise NotImplementedError
