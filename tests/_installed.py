"""The console scripts installed beside the Python that runs the tests, on any OS, and whether
that installed package is the checkout's data."""

from __future__ import annotations

import contextlib
import json
import shutil
import sys
from pathlib import Path


def script(name: str) -> str:
    """The path of the console script ``name`` of this environment (``name.exe`` on Windows)."""
    folder = Path(sys.executable).parent
    found = shutil.which(name, path=str(folder))
    return found if found is not None else str(folder / name)


CHINA_AI_CLAIMS = script("china-ai-claims")


def _shipped(name: str) -> bool:
    """Whether the wheel carries the file ``name`` of ``dataset/`` (see pyproject.toml's
    package-data and MANIFEST.in, which leaves hidden files out): another file there is no
    reason to install again."""
    folder, _, file = name.rpartition("/")
    if file.startswith("."):
        return False
    if folder == "sources":
        return file.endswith(".txt")
    return not folder and (file in ("datapackage.json", "LICENSE") or file.endswith(".csv"))


def _files(folder: Path) -> dict[str, bytes]:
    """The bytes of each regular file of ``folder`` the wheel carries (a link, say an editor's
    lock file, is left to the validator, which reports it)."""
    found = {path.relative_to(folder).as_posix(): path for path in folder.rglob("*")}
    files: dict[str, bytes] = {}
    for name, path in found.items():
        if _shipped(name) and not path.is_symlink() and path.is_file():
            with contextlib.suppress(OSError):  # gone meanwhile, or unreadable: no reason
                files[name] = path.read_bytes()
    return files


def _version(descriptor: bytes | None) -> object:
    try:
        loaded = json.loads(descriptor or b"{}")
    except ValueError:
        return None  # the validator and the tests say what is wrong with it
    return loaded.get("version") if isinstance(loaded, dict) else None


def stale_install(checkout_data: Path, installed_data: Path, installed_version: str) -> str | None:
    """Why the installed package is not the checkout's data (``None`` when it is). A plain
    ``pip install .`` copies ``dataset/`` once, and any install records the version it was
    installed at: after a change of the data the tests would compare the commands, which read
    the checkout, with a package that holds or reports the old data."""
    checkout = _files(checkout_data)
    wanted = _version(checkout.get("datapackage.json"))
    differing: list[str] = []
    # (an editable install reads the checkout's own folder: only its version can be old)
    if checkout_data.resolve() != installed_data.resolve():
        installed = _files(installed_data)
        differing = sorted(
            name for name in {*checkout, *installed} if checkout.get(name) != installed.get(name)
        )
    if not differing and wanted in (None, installed_version):
        return None
    said = ", ".join(differing[:5]) + (f" and {len(differing) - 5} more" if differing[5:] else "")
    # setuptools builds in build/ and never removes what it built before from there
    leftover = [name for name in differing if name not in checkout]
    old_build = " (remove build/ first: it still holds files you removed)" if leftover else ""
    return (
        f"the installed china-ai-claims {installed_version} is not this checkout's data"
        + (f" (dataset/ differs in {said})" if differing else f" (dataset/ is version {wanted})")
        + f': install it again, with `pip install ".[test]"`{old_build} '
        '(`pip install -e ".[test]"` installs it to read the data where it is, but it too records '
        "the version only when installed), then run the tests"
    )
