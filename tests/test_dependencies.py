"""A user who only loads the data installs only what the package's code imports: every runtime
dependency is imported somewhere under src/, and frictionless and pyarrow (tests, releases) are not
runtime dependencies."""

from __future__ import annotations

import ast
import re
from pathlib import Path


def _imported_top_level_modules(source_dir: Path) -> set[str]:
    found = set()
    for path in source_dir.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module.split(".")[0])
    return found


def _runtime_dependencies(repo_root: Path) -> list[str]:
    # The [project] dependencies array (tomllib is not in Python 3.10's standard library).
    text = (repo_root / "pyproject.toml").read_text(encoding="utf-8")
    block = text.split("\ndependencies = [", 1)[1].split("\n]", 1)[0]
    dependencies = re.findall(r'^\s*"([^"]+)"', block, re.MULTILINE)
    assert dependencies, "no [project] dependencies found"
    return [re.split(r"[<>=!~;\[ ]", dependency, maxsplit=1)[0] for dependency in dependencies]


def test_every_runtime_dependency_is_imported_by_the_package(repo_root: Path) -> None:
    imported = _imported_top_level_modules(repo_root / "src" / "china_ai_claims")
    unused = [
        name for name in _runtime_dependencies(repo_root)
        if name.lower().replace("-", "_") not in imported
    ]  # fmt: skip
    assert unused == []


def test_frictionless_and_pyarrow_are_not_runtime_dependencies(repo_root: Path) -> None:
    runtime = {name.lower() for name in _runtime_dependencies(repo_root)}
    assert not {"frictionless", "pyarrow"} & runtime
    assert "frictionless" not in _imported_top_level_modules(repo_root / "src" / "china_ai_claims")
