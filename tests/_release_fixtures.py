"""Releases to attack and servers to serve them: built in tmp_path, served on 127.0.0.1.

The HTTPS server uses the test certificate in tests/data, for 127.0.0.1 only, signed by a test CA
whose key was thrown away (the server key is public and good for nothing else); clients trust the
CA through ``SSL_CERT_FILE``.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import http.server
import io
import json
import ssl
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _serving import serving_in_a_thread

DATA = Path(__file__).resolve().parent / "data"
CERTIFICATE = DATA / "localhost-cert.pem"
TEST_CA = DATA / "test-ca.pem"
KEY = DATA / "localhost-key.pem"

Members = dict[str, bytes]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def unzip(data: bytes) -> Members:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def make_zip(members: Members, compression: int = zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def rehash(members: Members) -> None:
    """Make the descriptor's ``bytes`` and ``hash`` agree with the (changed) members, as an
    attacker who rebuilds the zip would."""
    descriptor = json.loads(members["datapackage.json"])
    for resource in descriptor["resources"]:
        data = members.get(resource["path"])
        if data is not None:
            resource["bytes"] = len(data)
            resource["hash"] = f"sha256:{sha256(data)}"
    members["datapackage.json"] = json.dumps(descriptor).encode()


def edit_descriptor(members: Members, change: Callable[[dict[str, Any]], None]) -> None:
    descriptor = json.loads(members["datapackage.json"])
    change(descriptor)
    members["datapackage.json"] = json.dumps(descriptor).encode()


def set_cell(data: bytes, row: int, column: str, value: str) -> bytes:
    """``data`` (a CSV) with the cell at ``row`` (the header is row 1) set to ``value``."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    rows[row - 1][rows[0].index(column)] = value
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


Handler = Callable[[http.server.BaseHTTPRequestHandler], None]


@dataclass
class Server:
    """A server on 127.0.0.1 whose answer for each path a test chooses; it counts requests."""

    base: str
    routes: dict[str, Handler] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)

    def serve_bytes(self, path: str, data: bytes, status: int = 200) -> None:
        self.routes[path] = lambda handler: send(handler, data, status)

    def count(self, path: str) -> int:
        return sum(1 for request in self.requests if request == path)


def send(handler: http.server.BaseHTTPRequestHandler, data: bytes, status: int = 200) -> None:
    handler.send_response(status)
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


def drip(handler: http.server.BaseHTTPRequestHandler, data: bytes, pause: float) -> None:
    """Send ``data`` one byte at a time, ``pause`` seconds apart, headers and all."""
    for byte in data:
        handler.wfile.write(bytes([byte]))
        handler.wfile.flush()
        time.sleep(pause)


@contextmanager
def serving(*, tls: bool = True) -> Iterator[Server]:
    server_state = Server(base="")

    class RequestHandler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            server_state.requests.append(self.path)
            route = server_state.routes.get(self.path)
            if route is None:
                send(self, b"not found", 404)
                return
            with contextlib.suppress(OSError):  # the client gave up, as it should
                route(self)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RequestHandler)
    server.daemon_threads = True
    if tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(CERTIFICATE, KEY)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    with serving_in_a_thread(server) as address:
        server_state.base = address.replace("http://", "https://") if tls else address
        yield server_state
