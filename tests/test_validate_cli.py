"""Contributors and CI run 'china-ai-claims validate': exit codes and the three output formats."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from typer.testing import CliRunner

from _mutations import cell, descriptor, resource
from _serving import serving_in_a_thread
from china_ai_claims import cli, command
from china_ai_claims.cli import OutputFormat, app
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
    result = CliRunner().invoke(app, ["validate", str(dataset_copy), "--format", "json"])
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert result.stderr == f"read {document['read']}\n"  # what it read, for a person too
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


# What the validation raises -> the exit code and stderr, for the program's entry point (which
# runs plain validate arguments itself) and the full command line's alike.
ENDINGS = [
    (
        "a bug",
        RuntimeError("boom"),
        2,
        "china-ai-claims: internal error: RuntimeError: boom; please report it\n",
    ),
    ("Ctrl-C", KeyboardInterrupt(), 130, ""),
]


@pytest.mark.parametrize("main", [command.main, cli.main], ids=["program", "full"])
@pytest.mark.parametrize(
    ("raised", "code", "stderr"),
    [ending[1:] for ending in ENDINGS],
    ids=[ending[0] for ending in ENDINGS],
)
def test_a_bug_is_one_line_and_exit_2_and_ctrl_c_exits_130_in_silence(
    main: Callable[[], None],
    raised: BaseException,
    code: int,
    stderr: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def interrupted(path: object) -> None:
        raise raised

    monkeypatch.setattr("china_ai_claims.validators.validate", interrupted)
    monkeypatch.setattr("sys.argv", ["china-ai-claims", "validate"])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == code
    assert capsys.readouterr() == ("", stderr)


# (arguments after "validate"; what plain_validate_arguments makes of them: None sends the
# command line to the full parser)
PLAIN_ARGUMENTS = [
    ([], (None, "text")),
    (["dataset"], ("dataset", "text")),
    ([""], ("", "text")),
    (["dataset", "--format", "json"], ("dataset", "json")),
    (["--format", "github", "dataset"], ("dataset", "github")),
    (["--format=json"], (None, "json")),
    (["--format", "xml"], None),
    (["--format"], None),
    (["--format="], None),
    (["--format", "json", "--format", "text"], None),
    (["a", "b"], None),
    (["--help"], None),
    (["--", "dataset"], None),
    (["-"], None),
    (["--formats", "json"], None),
]


@pytest.mark.parametrize(("arguments", "expected"), PLAIN_ARGUMENTS)
def test_only_plain_validate_arguments_skip_the_full_parser(
    arguments: list[str], expected: tuple[str | None, str] | None
) -> None:
    assert command.plain_validate_arguments(["validate", *arguments]) == expected


@pytest.mark.parametrize(
    "arguments", [[], ["--version"], ["release"], ["show", "validate"], ["Validate"]]
)
def test_other_commands_go_to_the_full_parser(arguments: list[str]) -> None:
    assert command.plain_validate_arguments(arguments) is None


@pytest.mark.parametrize("arguments", [["--version"], ["--version", "validate"], ["--help"]])
def test_the_version_alone_is_printed_as_the_full_command_line_prints_it(
    arguments: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.argv", ["china-ai-claims", *arguments])
    outcomes = []
    for main in (command.main, cli.main):
        with pytest.raises(SystemExit) as exited:
            main()
        outcomes.append((exited.value.code, *capsys.readouterr()))
    assert outcomes[0] == outcomes[1]
    assert (command._plainly(arguments) is not None) == (arguments == ["--version"])


# (arguments after "release"; what plain_release_arguments makes of them)
PLAIN_RELEASE_ARGUMENTS = [
    ([], (None, None)),
    (["dataset"], ("dataset", None)),
    (["dataset", "--out", "build"], ("dataset", Path("build"))),
    (["--out=build"], (None, Path("build"))),
    (["--out", ""], None),
    (["--out"], None),
    (["--out", "--help"], None),
    (["--out", "a", "--out", "b"], None),
    (["a", "b"], None),
    (["--format", "json"], None),
]


@pytest.mark.parametrize(("arguments", "expected"), PLAIN_RELEASE_ARGUMENTS)
def test_only_plain_release_arguments_skip_the_full_parser(
    arguments: list[str], expected: tuple[str | None, Path | None] | None
) -> None:
    assert command.plain_release_arguments(["release", *arguments]) == expected


def test_a_shell_completion_request_goes_to_the_full_parser(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("_CHINA_AI_CLAIMS_COMPLETE", "bash_complete")
    assert command.plain_validate_arguments(["validate"]) is None


def test_the_output_formats_are_the_full_parsers() -> None:
    from china_ai_claims.validators import FORMATS

    assert command.OUTPUT_FORMATS == FORMATS == tuple(member.value for member in OutputFormat)


def _damaged(folder: Path) -> None:
    cell("cost_claims", GPT4, currency="XYZ", amount="7")(folder)


# (case, how the dataset folder is set up, the arguments after "validate", where to run from)
BOTH_WAYS = [
    ("valid, in the checkout", None, [], "checkout"),
    ("valid, named", None, ["{dataset}"], "elsewhere"),
    ("invalid, text", _damaged, ["dataset"], "checkout"),
    ("invalid, json", _damaged, ["{dataset}", "--format", "json"], "elsewhere"),
    ("invalid, github", _damaged, ["--format=github", "dataset"], "checkout"),
    ("no such folder", None, ["{dataset}-missing"], "elsewhere"),
    ("an empty name", None, [""], "elsewhere"),
    ("a release", "release", ["{dataset}"], "elsewhere"),
    ("a bad format", None, ["--format", "xml"], "checkout"),
    ("a folder named with a tab", "tab", ["{dataset}"], "elsewhere"),
]


@pytest.mark.parametrize(
    ("setup", "arguments", "where"),
    [case[1:] for case in BOTH_WAYS],
    ids=[case[0] for case in BOTH_WAYS],
)
def test_the_program_validates_as_the_full_command_line_does(
    setup: Callable[[Path], None] | str | None,
    arguments: list[str],
    where: str,
    dataset_copy: Path,
    built_release: Path,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = dataset_copy
    if setup == "tab":  # rich, which the full command line prints through, expands a tab
        folder = dataset_copy.parent / "da\ttaset"
        dataset_copy.rename(folder)
        _damaged(folder)
    elif setup == "release":
        folder = built_release
    elif callable(setup):
        setup(folder)
    monkeypatch.chdir(
        folder.parent if where == "checkout" else tmp_path_factory.mktemp("elsewhere")
    )
    argv = ["china-ai-claims", "validate", *(a.format(dataset=folder) for a in arguments)]
    monkeypatch.setattr("sys.argv", argv)
    outcomes = []
    for main in (command.main, cli.main):
        with pytest.raises(SystemExit) as exited:
            main()
        outcomes.append((exited.value.code, *capsys.readouterr()))
    program, full = outcomes
    assert program == full
    assert program[0] in (0, 1, 2)
    assert program[1] or program[2]


def test_plain_validate_and_the_version_run_without_the_command_line_framework(
    packaged_dataset: Path,
) -> None:
    script = (
        "import sys\n"
        "from china_ai_claims.command import main\n"
        "sys.argv = ['china-ai-claims', *sys.argv[1:]]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as stop:\n"
        "    assert stop.code == 0, stop.code\n"
        "print(sorted({'typer', 'click', 'rich'} & {m.split('.')[0] for m in sys.modules}))\n"
    )
    for arguments in (["validate", str(packaged_dataset)], ["--version"]):
        done = subprocess.run(
            [sys.executable, "-c", script, *arguments],
            capture_output=True,
            text=True,
            check=True,
        )
        assert done.stdout.splitlines()[-1] == "[]", arguments


def _close(descriptor: int) -> Callable[[], None]:
    return lambda: os.close(descriptor)


# (case, the folder (of a damaged copy, or missing), what the process starts without, its
# environment): the program and the full command line, each run as a program.
STARTED_OTHERWISE = [
    ("stdout closed", "damaged", _close(1), {}),
    ("stderr closed", "missing", _close(2), {}),
    ("a terminal 0 columns wide", "damaged", None, {"COLUMNS": "0"}),
    ("a terminal 0 columns wide, an error", "missing", None, {"COLUMNS": "0"}),
]


@pytest.mark.skipif(os.name == "nt", reason="starts the process with a stream closed (POSIX)")
@pytest.mark.parametrize(
    ("folder", "start", "environment"),
    [case[1:] for case in STARTED_OTHERWISE],
    ids=[case[0] for case in STARTED_OTHERWISE],
)
def test_the_program_ends_as_the_full_command_line_however_it_is_started(
    folder: str,
    start: Callable[[], None] | None,
    environment: dict[str, str],
    dataset_copy: Path,
) -> None:
    _damaged(dataset_copy)
    target = str(dataset_copy) if folder == "damaged" else f"{dataset_copy}-missing"
    outcomes = []
    for separator in ([], ["--"]):  # "--" sends the command line to the full parser
        done = subprocess.run(
            [sys.executable, "-m", "china_ai_claims", "validate", *separator, target],
            capture_output=start is None,
            text=True,
            check=False,
            preexec_fn=start,  # closes a stream in the child only
            env={**os.environ, **environment},
        )
        outcomes.append((done.returncode, done.stdout, done.stderr))
    program, full = outcomes
    assert program == full
    assert program[0] == (1 if folder == "damaged" else 2)


@pytest.mark.parametrize("arguments", [["--format", "json"], ["--format", "json", "--"]])
def test_a_reader_that_stops_reading_ends_the_command_with_1_in_silence(
    arguments: list[str], packaged_dataset: Path
) -> None:
    """``validate | head``: as the full command line (the second case goes to it), exit 1."""
    reading, writing = os.pipe()
    os.close(reading)
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "china_ai_claims",
                "validate",
                *arguments,
                str(packaged_dataset),
            ],
            stdout=writing,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    finally:
        os.close(writing)
    assert (done.returncode, done.stderr) == (1, "")


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
