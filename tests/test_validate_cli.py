"""Contributors and CI run 'china-ai-claims validate': exit codes and the three output formats."""

from __future__ import annotations

import http.server
import json
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from typer.testing import CliRunner

from _mutations import cell, descriptor, resource
from _serving import serving_in_a_thread
from china_ai_claims import cli
from china_ai_claims.cli import app
from china_ai_claims.validators import validate

GPT4 = "gpt-4-training-cost"


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["validate", *args])
    return result.exit_code, result.output


def _data_dir_line(output: str) -> str:
    return output.splitlines()[-1]


def test_packaged_dataset_is_valid_by_default() -> None:
    code, output = _run()
    assert code == 0
    assert output.startswith("valid: ")


def test_text_format_is_one_line_per_problem_then_a_summary(
    dataset_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cell("cost_claims", GPT4, currency="XYZ", amount="7")(dataset_copy)
    monkeypatch.chdir(dataset_copy.parent)
    code, output = _run("dataset")
    assert code == 1
    lines = output.splitlines()
    # paths as typed, so that a terminal or an editor opens them; the record rule, an earlier
    # layer, before the provenance check that follows from it
    assert lines[0].startswith("dataset/cost_claims.csv:3: unknown-currency [currency] ")
    assert lines[1].startswith("dataset/cost_claims.csv:3: number-not-in-quote [amount] ")
    assert all(" hint: " in line for line in lines[:2])
    assert lines[2].startswith("invalid: 2 problems in 1 file")
    assert lines[2].endswith(" in dataset/ (checkout)")  # dataset/ of the folder it is in


def test_json_format_holds_the_same_records(dataset_copy: Path) -> None:
    cell("cost_claims", GPT4, currency="XYZ")(dataset_copy)
    code, output = _run(str(dataset_copy), "--format", "json")
    assert code == 1
    document = json.loads(output)
    assert document["valid"] is False
    assert document["counts"] == {"unknown-currency": 1}
    (error,) = document["errors"]
    assert error == {
        "file": "cost_claims.csv",
        "line": 3,
        "column": "currency",
        "rule": "unknown-currency",
        "layer": "records",
        "value": "XYZ",
        "message": "currency 'XYZ' is not an ISO 4217 code",
        "hint": validate(dataset_copy).errors[0].hint,
    }


def test_github_format_annotates_the_file_as_seen_from_the_repository(
    dataset_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cell("cost_claims", GPT4, currency="XYZ")(dataset_copy)
    monkeypatch.chdir(dataset_copy.parent)
    code, output = _run("dataset", "--format", "github")
    assert code == 1
    first = output.splitlines()[0]
    assert first.startswith(
        "::error file=dataset/cost_claims.csv,line=3,title=unknown-currency [currency]::"
    )


def test_values_are_printed_as_they_are_without_emoji_codes(dataset_copy: Path) -> None:
    cell("people", "kevin-xu", note="ratio 3:x:2 :warning: ")(dataset_copy)
    _, output = _run(str(dataset_copy))
    assert 'value: "ratio 3:x:2 :warning: "' in output


def test_cell_text_cannot_inject_a_workflow_command(dataset_copy: Path) -> None:
    evil = "=x\n::error file=evil.csv::pwned\r\n::add-mask::%0A"
    cell("models", "manus", note=evil)(dataset_copy)
    code, output = _run(str(dataset_copy), "--format", "github")
    assert code == 1
    lines = output.splitlines()
    assert all(line.startswith("::error file=") for line in lines[:-1])
    assert not any(line.startswith(("::error file=evil", "::add-mask")) for line in lines)


def test_missing_folder_and_bad_format_are_usage_errors(tmp_path: Path) -> None:
    code, output = _run(str(tmp_path / "nope"))
    assert code == 2
    assert "no such folder" in output
    code, output = _run("")
    assert code == 2
    assert "empty string" in output
    code, _ = _run(str(tmp_path), "--format", "xml")
    assert code == 2


def test_an_internal_error_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def explode(path: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("china_ai_claims.validators.validate", explode)
    monkeypatch.setattr("sys.argv", ["china-ai-claims", "validate"])
    with pytest.raises(SystemExit) as exited:
        cli.main()
    assert exited.value.code == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert "internal error: RuntimeError: boom" in captured.err


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).requests.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"id\n")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def local_server() -> Iterator[str]:
    _Recorder.requests = []
    with serving_in_a_thread(
        http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    ) as address:
        yield address


def test_urls_in_a_contributed_descriptor_are_never_fetched(
    dataset_copy: Path, local_server: str
) -> None:
    resource("people", path=f"{local_server}/people.csv")(dataset_copy)
    resource("events", schema=f"{local_server}/schema.json")(dataset_copy)
    descriptor(lambda d: d.update({"$schema": f"{local_server}/profile.json"}))(dataset_copy)
    report = validate(dataset_copy)
    assert not report.valid
    assert _Recorder.requests == []
