"""Serve the SQLite release with Datasette on 127.0.0.1 (``china-ai-claims browse``).

The database is served as ``china-ai-claims`` (no version), so its URLs stay the same from one
release to the next. A busy port is refused before anything starts; the server is stopped when
``browse`` is interrupted (Ctrl-C) or terminated, so no server is left behind.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from china_ai_claims._resources import install_extra
from china_ai_claims.schema_builder import PACKAGE_NAME

STOP_SECONDS = 10  # how long the server may take to stop before it is killed


class BrowseError(Exception):
    """Browsing cannot start (Datasette missing, or the port is busy)."""


class _Stopped(Exception):
    """SIGTERM arrived: stop the server and leave."""


def check_port_free(port: int) -> None:
    """Raise :class:`BrowseError` when something already listens on 127.0.0.1:``port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as error:
            raise BrowseError(
                f"port {port} on 127.0.0.1 is in use ({error.strerror}); "
                "stop what uses it or pick another with --port"
            ) from None


def serving_files(folder: Path, data_dir: Path | None) -> tuple[Path, Path]:
    """Build the release into ``folder``; return the database named ``china-ai-claims.sqlite``
    and Datasette metadata that names it so."""
    from china_ai_claims.release import build_release

    written = build_release(folder, data_dir)
    release_database = next(path for path in written if path.suffix == ".sqlite")
    release_metadata = next(path for path in written if path.name.endswith(".datasette.json"))
    database = release_database.rename(folder / f"{PACKAGE_NAME}.sqlite")
    metadata = json.loads(release_metadata.read_text(encoding="utf-8"))
    metadata["databases"] = {PACKAGE_NAME: metadata["databases"].pop(release_database.stem)}
    served = folder / f"{PACKAGE_NAME}.datasette.json"
    served.write_text(json.dumps(metadata, ensure_ascii=False, indent=2), encoding="utf-8")
    return database, served


def _plugins_dir() -> Path:
    """The folder of the package's Datasette plugins (row pages that link their keys)."""
    from china_ai_claims import datasette_plugins

    return Path(datasette_plugins.__file__).parent


def _raise_stopped(signum: int, frame: FrameType | None) -> None:
    raise _Stopped


def serve(port: int, data_dir: Path | None, announce: Callable[[str], None] = print) -> int:
    """Serve the release until interrupted; return Datasette's exit code (0 when stopped)."""
    import importlib.util

    if importlib.util.find_spec("datasette") is None:
        raise BrowseError(f"browsing needs Datasette: {install_extra('browse')}")
    check_port_free(port)
    with tempfile.TemporaryDirectory(prefix="china-ai-claims-browse-") as folder:
        database, metadata = serving_files(Path(folder), data_dir)
        command = [
            sys.executable, "-m", "datasette", "serve", "--immutable", str(database),
            "--metadata", str(metadata), "--plugins-dir", str(_plugins_dir()),
            "--host", "127.0.0.1", "--port", str(port),
        ]  # fmt: skip
        announce(f"serving {database.name} on http://127.0.0.1:{port}/ (stop with Ctrl-C)")
        previous = signal.signal(signal.SIGTERM, _raise_stopped)
        server = subprocess.Popen(command)
        try:
            return server.wait()
        except (KeyboardInterrupt, _Stopped):
            return 0
        finally:
            signal.signal(signal.SIGTERM, previous)
            if server.poll() is None:
                server.terminate()
                try:
                    server.wait(timeout=STOP_SECONDS)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
