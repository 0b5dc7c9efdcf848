"""Validation reports of damaged datasets at several scales, to prove a change keeps them identical.

The damage comes from the tests' own tables of bad contributions, imported, not copied: every
module-level list of cases (items with ``case`` and ``mutation``) in ``tests/_mutations.py``,
``tests/test_validate.py`` (``BAD_CONTRIBUTIONS``), ``tests/test_whole.py`` (``BAD_WHOLES``) and
``tests/test_claim_modality.py`` (``REFUSED``, ``WARNED``). At each scale the base is the real
dataset followed by ``scale - 1`` synthetic copies (``make_synthetic.make(keep_real=True)``), so
the edits aimed at real rows apply; the cases of ``test_whole`` and ``test_claim_modality`` get
the fictional sources and rows those tests add first. Each case edits a fresh copy of its base;
the copy is validated and the report written in every format to
``OUT/<scale>x/<module>.<TABLE>/<case>.<format>`` (each base is reported too, as ``untouched``).
A case whose edit no longer applies is written as ``<case>.not-applied``, and an exception the
validator raises as ``<case>.crash``, so that both show in a comparison.

Build the corpus before a change and after it, then compare (exit 1 on any difference):

    python benchmarks/damaged_corpus.py OUT [--scales 1 10 100] [--cli]
    python benchmarks/damaged_corpus.py --compare BEFORE AFTER

By default the reports are rendered in process, as ``china-ai-claims validate --format F`` prints
them; ``--cli`` runs that command for each format instead and also writes its exit code and
standard error to ``<case>.exit`` (slower: one process per report).
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from china_ai_claims.validators import FORMATS, UsageError, render, validate
from make_synthetic import make

TESTS = Path(__file__).resolve().parents[1] / "tests"
COMMAND = str(Path(sys.executable).with_name("china-ai-claims"))
UNTOUCHED = "untouched"
DIFF_LINES = 12  # lines of each differing report shown by --compare

Base = Callable[[Path, Path], None]  # turns the copy of the real base into the base of a table


def _real(folder: Path, scratch: Path) -> None:
    """The real rows and their synthetic copies, as built."""


def _fictional_sources(folder: Path, scratch: Path) -> None:
    """The three fictional sources and rows of ``tests/_fictional.py`` added."""
    import _fictional

    _fictional.build(folder, scratch / "articles")


def _fictional_article(folder: Path, scratch: Path) -> None:
    """The fictional article and rows of ``tests/_claims.py`` added."""
    from _claims import add_fiction

    add_fiction(folder, scratch)


# Each module of tables and the base its cases edit, as in the module's own fixtures.
MODULE_BASES: dict[str, Base] = {
    "_mutations": _real,
    "test_validate": _real,
    "test_whole": _fictional_sources,
    "test_claim_modality": _fictional_article,
}


@dataclass(frozen=True)
class CaseTable:
    """One table of cases and the base its edits apply to."""

    name: str
    base: Base
    cases: list[Any]


def case_tables() -> list[CaseTable]:
    """Every table of cases in the modules of ``MODULE_BASES``, in module order."""
    if str(TESTS) not in sys.path:
        sys.path.insert(0, str(TESTS))
    found = []
    for module_name, base in MODULE_BASES.items():
        module = importlib.import_module(module_name)
        for name, value in vars(module).items():
            if (
                isinstance(value, list)
                and value
                and all(hasattr(item, "case") and hasattr(item, "mutation") for item in value)
            ):
                found.append(CaseTable(f"{module_name}.{name}", base, value))
    return found


def _reports_in_process(folder: Path) -> dict[str, str]:
    try:
        report = validate(folder)
    except UsageError as error:
        return {"usage-error": f"{error}\n"}
    return {fmt: render(report, fmt, folder.name) for fmt in FORMATS}


def _reports_from_cli(folder: Path) -> dict[str, str]:
    reports, exits = {}, []
    for fmt in FORMATS:
        done = subprocess.run(  # run beside the folder: the github format names its path
            [COMMAND, "validate", folder.name, "--format", fmt],
            cwd=folder.parent,
            capture_output=True,
            text=True,
            check=False,
        )
        reports[fmt] = done.stdout
        exits.append(f"{fmt}: exit {done.returncode}\n{done.stderr}")
    reports["exit"] = "".join(exits)
    return reports


def _write_reports(folder: Path, out: Path, name: str, cli: bool) -> None:
    try:
        reports = _reports_from_cli(folder) if cli else _reports_in_process(folder)
    except Exception:  # the validator must never raise: record it, as a difference would show
        reports = {"crash": traceback.format_exc(limit=3)}
    for suffix, content in reports.items():
        (out / f"{name}.{suffix}").write_text(content, encoding="utf-8", newline="")


def build(out: Path, scales: list[int], cli: bool) -> int:
    """Write the corpus into ``out``; returns the number of cases reported."""
    tables = case_tables()
    count = 0
    with tempfile.TemporaryDirectory(prefix="damaged-corpus-") as scratch_name:
        scratch = Path(scratch_name)
        for scale in scales:
            started = time.perf_counter()
            real = scratch / f"real-{scale}"
            make(scale, real, keep_real=True)
            bases: dict[Base, Path] = {}
            for table in tables:
                if table.base not in bases:
                    base = scratch / f"base-{scale}-{len(bases)}" / "dataset"
                    shutil.copytree(real, base)
                    (base.parent / "scratch").mkdir()
                    table.base(base, base.parent / "scratch")
                    bases[table.base] = base
                folder = out / f"{scale}x" / table.name
                folder.mkdir(parents=True, exist_ok=True)
                _write_reports(bases[table.base], folder, UNTOUCHED, cli)
                for case in table.cases:
                    count += _report_case(bases[table.base], case, folder, scratch, cli)
            for base in bases.values():
                shutil.rmtree(base.parent)
            shutil.rmtree(real)
            elapsed = time.perf_counter() - started
            print(f"{scale}x: {len(tables)} tables reported in {elapsed:.0f} s", flush=True)
    return count


def _report_case(base: Path, case: Any, out: Path, scratch: Path, cli: bool) -> int:
    work = scratch / "case"
    copy = work / "dataset"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(base, copy, symlinks=True)
    try:
        case.mutation(copy)
    except Exception:  # the case's edit no longer fits the data: worth seeing in a comparison
        # the scratch folder's random name aside, so that two builds compare equal
        text = traceback.format_exc(limit=2).replace(str(scratch), "<scratch>")
        (out / f"{case.case}.not-applied").write_text(text, encoding="utf-8")
        print(f"{out.name}/{case.case}: the edit does not apply", file=sys.stderr)
        shutil.rmtree(work, ignore_errors=True)
        return 0
    _write_reports(copy, out, case.case, cli)
    shutil.rmtree(work, ignore_errors=True)
    return 1


def compare(before: Path, after: Path) -> int:
    """Print every report that differs, or is in one corpus only; the number of them."""
    old = {path.relative_to(before) for path in before.rglob("*") if path.is_file()}
    new = {path.relative_to(after) for path in after.rglob("*") if path.is_file()}
    problems = 0
    for path in sorted(old - new):
        print(f"only in {before}: {path}")
        problems += 1
    for path in sorted(new - old):
        print(f"only in {after}: {path}")
        problems += 1
    for path in sorted(old & new):
        left, right = (before / path).read_bytes(), (after / path).read_bytes()
        if left == right:
            continue
        problems += 1
        print(f"differs: {path}")
        lines = difflib.unified_diff(
            left.decode("utf-8", errors="replace").splitlines(),
            right.decode("utf-8", errors="replace").splitlines(),
            fromfile=f"before/{path}",
            tofile=f"after/{path}",
            lineterm="",
        )
        for number, line in enumerate(lines):
            if number == DIFF_LINES:
                print("  ...")
                break
            print(f"  {line}")
    print(f"{len(old & new)} reports in both; {problems} differences")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, nargs="?", help="folder to write the corpus into")
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--cli", action="store_true", help="report through the command")
    parser.add_argument("--compare", type=Path, nargs=2, metavar=("BEFORE", "AFTER"))
    arguments = parser.parse_args()
    if arguments.compare:
        sys.exit(1 if compare(*arguments.compare) else 0)
    if arguments.out is None:
        parser.error("give OUT, or --compare BEFORE AFTER")
    if arguments.out.exists() and any(arguments.out.iterdir()):
        parser.error(f"{arguments.out} is not empty: reports of an earlier run would mix in")
    count = build(arguments.out, arguments.scales, arguments.cli)
    print(f"wrote the reports of {count} damaged datasets to {arguments.out}")


if __name__ == "__main__":
    main()
