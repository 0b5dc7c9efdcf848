"""Download one release file to an open file, bounded in size and in total time, hashing as it goes.

Not pooch: it cannot cap the size of a download or give it a total deadline (its requests
timeout is per read, so a server sending a byte a second holds it forever), and it would bring
requests along. The standard library's ``urllib`` does, with three additions here:

- a watchdog that shuts the connection's socket down when the whole download is over its
  deadline, however the server drips bytes (headers included);
- reads of what has arrived (``read1``), each counted against the size cap as it comes;
- only http(s), and plain ``http://`` (first or after a redirect) only when the caller pins the
  file's SHA-256, since then what travels in clear cannot be changed unseen.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from types import TracebackType
from typing import IO, Any

from china_ai_claims import limits
from china_ai_claims._resources import VERSION
from china_ai_claims.errors import DownloadError

CHUNK = 1 << 16


def check_url(url: str, *, pinned: bool) -> None:
    """Refuse a URL this loader does not fetch: https, or http with a pinned hash."""
    scheme = urllib.parse.urlsplit(url).scheme.lower()
    if scheme == "https" or (scheme == "http" and pinned):
        return
    if scheme == "http":
        raise DownloadError(
            url,
            "plain http:// is accepted only for a file pinned by its SHA-256 (sha256= in "
            "Python): use https://",
        )
    raise DownloadError(url, f"{scheme or 'no'} scheme: only https:// (or pinned http://) URLs")


class _Watchdog:
    """Shuts down every socket of one download once its total time is up."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._timer.cancel()

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                self._shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                self._shut(sock)

    @staticmethod
    def _shut(sock: socket.socket) -> None:
        with contextlib.suppress(OSError):  # already closed: nothing left to wake
            sock.shutdown(socket.SHUT_RDWR)


def _watched(base: type[http.client.HTTPConnection], watchdog: _Watchdog) -> Any:
    class Watched(base):  # type: ignore[valid-type,misc]
        def connect(self) -> None:
            super().connect()
            # Watched once connected: until then each step is bounded by the socket timeout
            # (CPython bounds a whole TLS handshake by it, however the bytes are dripped).
            watchdog.watch(self.sock)

    return Watched


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, watchdog: _Watchdog) -> None:
        super().__init__()
        self._connection = _watched(http.client.HTTPConnection, watchdog)

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self._connection, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, watchdog: _Watchdog) -> None:
        super().__init__()
        self._connection = _watched(http.client.HTTPSConnection, watchdog)

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        context = getattr(self, "_context", None)  # None: the default, verifying context
        return self.do_open(self._connection, req, context=context)


class _RedirectHandler(urllib.request.HTTPRedirectHandler):
    def __init__(self, pinned: bool) -> None:
        super().__init__()
        self.pinned = pinned

    def http_error_302(self, req: Any, fp: Any, code: int, msg: str, headers: Any) -> Any:
        visited = getattr(req, "redirect_dict", {})
        if sum(visited.values()) >= limits.LIMITS.redirects:
            raise DownloadError(
                req.full_url, f"more than {limits.LIMITS.redirects} redirects", code
            )
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        try:
            check_url(newurl, pinned=self.pinned)
        except DownloadError as error:
            raise DownloadError(req.full_url, f"redirected to {error}", code) from None
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener(watchdog: _Watchdog, pinned: bool) -> urllib.request.OpenerDirector:
    """http(s) only: no file:, ftp: or data: handler is installed, so none can be reached."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        _HTTPHandler(watchdog),
        _HTTPSHandler(watchdog),
        _RedirectHandler(pinned),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def _declared_length(url: str, response: http.client.HTTPResponse, cap: int) -> int | None:
    text = response.headers.get("Content-Length")
    if text is None:
        return None
    if not text.strip().isdigit():
        raise DownloadError(url, f"a Content-Length of {text[:40]!r}", response.status)
    declared = int(text)
    if declared > cap:
        raise DownloadError(
            url, f"announces {declared} bytes, more than the {cap} allowed", response.status
        )
    return declared


def download(url: str, destination: IO[bytes], *, pinned: bool, cap: int | None = None) -> str:
    """Write the body of ``url`` to ``destination``; its SHA-256.

    Raises :class:`DownloadError` (with the HTTP status when the server answered) for a refused
    URL or redirect, an HTTP error, a body larger than ``cap`` (default: the release size limit),
    one cut short, or a download that takes longer than the deadline.
    """
    check_url(url, pinned=pinned)
    bounds = limits.LIMITS
    cap = bounds.release_bytes if cap is None else cap
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url, headers={"User-Agent": f"china-ai-claims/{VERSION}", "Accept-Encoding": "identity"}
    )
    digest, size, start = hashlib.sha256(), 0, time.monotonic()
    late = f"took longer than the {bounds.download_seconds:g} s allowed for a download"
    with _Watchdog(bounds.download_seconds) as watchdog:
        try:
            timeout = min(bounds.read_timeout_seconds, bounds.download_seconds)
            with _opener(watchdog, pinned).open(request, timeout=timeout) as response:
                declared = _declared_length(url, response, cap)
                while chunk := response.read1(CHUNK):
                    size += len(chunk)
                    if size > cap:
                        raise DownloadError(url, f"more than the {cap} bytes allowed")
                    if time.monotonic() - start > bounds.download_seconds:
                        raise DownloadError(url, late)
                    digest.update(chunk)
                    destination.write(chunk)
                if watchdog.expired:
                    raise DownloadError(url, late)
                if declared is not None and size != declared:
                    raise DownloadError(url, f"ended after {size} of {declared} bytes")
        except DownloadError:
            raise
        except urllib.error.HTTPError as error:
            error.close()
            raise DownloadError(url, str(error.reason), error.code) from None
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as error:
            if watchdog.expired:
                raise DownloadError(url, late) from None
            reason = getattr(error, "reason", None) or error
            raise DownloadError(url, f"{type(error).__name__}: {reason}") from None
    return digest.hexdigest()
