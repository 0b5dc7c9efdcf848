"""A downloader copies a line from README's "Use it with..." section and it works: pandas, polars
and DuckDB on the Parquet files, pandas on the JSON file, mlcroissant on the Croissant file,
Datasette on the SQLite file, frictionless on the CSV zip. Every line is run here as README writes
it."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import china_ai_claims as cac

STEM = f"china-ai-claims-{cac.__version__}"
README_STEM = re.compile(r"china-ai-claims-\d+\.\d+\.\d+")


def _section(repo_root: Path) -> str:
    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    return readme.split("## Use it with...", 1)[1].split("\n## ", 1)[0]


def _block(section: str, language: str) -> list[str]:
    (block,) = re.findall(rf"```{language}\n(.*?)```", section, re.DOTALL)
    # README names one version; the lines must work for the version being built.
    return [README_STEM.sub(STEM, line) for line in block.strip().splitlines() if line.strip()]


def _cost_claim_ids(release_dir: Path) -> list[str]:
    with zipfile.ZipFile(release_dir / f"{STEM}-csv.zip") as archive:
        text = archive.read("cost_claims.csv").decode("utf-8")
    return [row["id"] for row in csv.DictReader(io.StringIO(text, newline=""))]


def test_the_section_names_every_tool(repo_root: Path) -> None:
    section = _section(repo_root)
    for tool in ("pd.read_parquet", "pd.DataFrame(json.loads", "pl.read_parquet", "duckdb.sql",
                 "mlc.Dataset", "datasette ", "frictionless validate"):  # fmt: skip
        assert tool in section, tool


# mlcroissant calls APIs of rdflib and pandas that those deprecate: warnings not ours to fix.
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_every_python_line_reads_the_cost_claims(
    repo_root: Path, release_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    imports, *lines = _block(_section(repo_root), "python")
    monkeypatch.chdir(release_dir)  # README's lines name files in the release folder
    namespace: dict[str, object] = {}
    exec(imports, namespace)  # noqa: S102 - README's own import line
    expected = len(_cost_claim_ids(release_dir))
    assert len(lines) == 5
    for line in lines:
        result = eval(line.split("  #", 1)[0], namespace)  # noqa: S307 - README's own line
        assert len(result) == expected, line  # type: ignore[arg-type]


def _shell_line(repo_root: Path, command: str) -> str:
    (line,) = [line for line in _block(_section(repo_root), "sh") if line.startswith(command)]
    return line


def _tool(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def _datasette_get(line: str, path: str, folder: Path) -> object:
    command = [_tool("datasette"), *line.split()[1:], "--get", path]
    result = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


def test_the_datasette_line_serves_the_cost_claims(repo_root: Path, release_dir: Path) -> None:
    line = _shell_line(repo_root, "datasette ")
    index = _datasette_get(line, "/.json", release_dir)
    assert isinstance(index, dict)
    (database,) = index.values()
    rows = _datasette_get(
        line, f"{database['path']}/cost_claims.json?_shape=array&_size=max", release_dir
    )
    assert isinstance(rows, list)
    assert sorted(row["id"] for row in rows) == sorted(_cost_claim_ids(release_dir))


def test_the_frictionless_line_reports_the_zip_valid(repo_root: Path, release_dir: Path) -> None:
    (line,) = [
        line for line in _block(_section(repo_root), "sh") if line.startswith("frictionless")
    ]
    command = [_tool("frictionless"), *line.split()[1:], "--json"]
    result = subprocess.run(command, cwd=release_dir, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-2000:]
    report = json.loads(result.stdout)
    assert report["valid"] is True
    assert len(report["tasks"]) == len(cac.tables())
