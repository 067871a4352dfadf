"""A local HTTP server that replays recorded files and misbehaves on request.

Each path has a queue of behaviours, consumed one per request (the last one
repeats), so a test can script "500, then the file" or "a partial body".
The faults a real server shows: an error status (with Retry-After), a slow
answer (a timeout), a body cut short and closed (`cut_after`), a connection
reset mid-body (`reset_after`: TCP RST, not a clean close) and a Content-Length
that does not match the body (`content_length`). Bound to 127.0.0.1 only.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0  # sleep before answering (a timeout test sets it above the client's)
    cut_after: int | None = None  # announce the full length, send this many bytes, close
    reset_after: int | None = None  # send this many bytes of the body, then reset (RST)
    content_length: int | None = None  # announce this length instead of the body's, then close
    require_header: tuple[str, str] | None = None  # answer 400 without it (FSA's x-api-version)


class RecordingServer:
    def __init__(self) -> None:
        self.routes: dict[str, list[Reply]] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep pytest output clean
                pass

            def do_GET(self):
                server.requests.append((self.path, dict(self.headers)))
                queue = server.routes.get(self.path)
                if not queue:
                    self._send(Reply(404, b"not found"))
                    return
                reply = queue.pop(0) if len(queue) > 1 else queue[0]
                if reply.require_header:
                    name, value = reply.require_header
                    if self.headers.get(name) != value:
                        self._send(Reply(400, b"missing header " + name.encode()))
                        return
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                self._send(reply)

            def _send(self, reply: Reply):
                faults = (reply.cut_after, reply.reset_after, reply.content_length)
                closes = any(v is not None for v in faults)
                length = len(reply.body) if reply.content_length is None else reply.content_length
                body = reply.body
                for cut in (reply.cut_after, reply.reset_after):
                    body = body if cut is None else body[:cut]
                try:
                    self.send_response(reply.status)
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(length))
                    if closes:
                        self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(body)
                    self.wfile.flush()
                    if reply.reset_after is not None:
                        # Linger 0 makes close() send a reset instead of a clean end of stream.
                        self.connection.setsockopt(
                            socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                        )
                        self.connection.close()
                    if closes:
                        self.close_connection = True
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def route(self, path: str, *replies: Reply) -> None:
        self.routes[path] = list(replies)

    def hits(self, path: str) -> int:
        return sum(1 for p, _ in self.requests if p == path)

    def __enter__(self) -> RecordingServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
