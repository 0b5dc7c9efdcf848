"""A server on 127.0.0.1 run from a thread for the length of a ``with`` block."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# How often the serving thread looks for a request to stop: ``shutdown()`` waits up to this
# long (the standard library's default, 0.5 s, would add half a second to every test's end).
POLL_SECONDS = 0.01


@contextmanager
def serving_in_a_thread(server: http.server.HTTPServer) -> Iterator[str]:
    """Serve ``server`` until the block ends, then stop and close it; yields its
    ``http://127.0.0.1:PORT`` address (a test that wrapped the socket in TLS says https)."""
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": POLL_SECONDS}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
