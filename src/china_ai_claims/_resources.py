"""Where the packaged dataset and schemas live, and the dataset version.

Standard library only, and importable on its own: setuptools executes this file in isolation at
build time to read ``VERSION`` (see ``[tool.setuptools.dynamic]`` in pyproject.toml), so the version
is written in exactly one place, ``dataset/datapackage.json``.

The data folders are found next to the package (a built wheel, a strict editable install) or,
failing that, at the root of a source checkout (``pip install -e .`` in setuptools' default lenient
mode, which cannot map a sub-package that lives outside ``src/``). A path relative to this file is
what ``importlib.resources.files`` would return for a package on disk, without its import cost
(about 28 ms, half the import budget).
"""

from __future__ import annotations

import json
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
_CHECKOUT_ROOT = _PACKAGE_DIR.parent.parent

DATAPACKAGE_FILE = "datapackage.json"
LIST_DELIMITER = "|"  # between the items of a list cell ("aliases") in the CSV files
# The sentences of the sources that the coverage report is told to skip, and their columns: read
# by the coverage report and checked by the validator, which need not import each other.
EXCLUSIONS_FILE = "coverage-exclusions.csv"
EXCLUSION_COLUMNS = ("source_id", "sentence", "reason")


def _find(folder: str) -> Path:
    for candidate in (_PACKAGE_DIR / folder, _CHECKOUT_ROOT / folder):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"the packaged {folder}/ folder was not found next to {_PACKAGE_DIR} "
        f"nor in a source checkout at {_CHECKOUT_ROOT}; reinstall china-ai-claims"
    )


def installed_package_dir() -> Path:
    """The folder of the installed ``china_ai_claims`` package (nothing is ever written in it)."""
    return _PACKAGE_DIR


def dataset_dir() -> Path:
    """The folder holding ``datapackage.json``, the CSV tables and ``sources/``."""
    return _find("dataset")


def schemas_dir() -> Path:
    """The folder holding the generated Table Schemas and the JSON Schema of the JSON release."""
    return _find("schemas")


def read_version(data_dir: Path) -> str:
    """The ``version`` of the Data Package in ``data_dir``."""
    descriptor = json.loads((data_dir / DATAPACKAGE_FILE).read_text(encoding="utf-8"))
    version = descriptor["version"]
    if not isinstance(version, str):
        raise TypeError(f"{data_dir / DATAPACKAGE_FILE}: version must be a string")
    return version


VERSION = read_version(dataset_dir())


def install_extra(extra: str) -> str:
    """How to install the optional dependencies ``extra``: from the package index, or from a clone
    of the project (the only way before a version is published there)."""
    published, clone = f"'china-ai-claims[{extra}]'", f"'.[{extra}]'"
    return f"pip install {published}, or in a clone of the project: pip install {clone}"
