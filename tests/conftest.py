"""Shared fixtures. Tests never depend on the working directory: paths come from this file."""

from __future__ import annotations

import functools
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def _leave_hypothesis_asserts_plain() -> None:
    """pytest rewrites the asserts of every module of a distribution that installs a pytest
    plugin, as hypothesis does: some 70 modules, none of them ours. Where Python writes no
    bytecode (PYTHONDONTWRITEBYTECODE, as in many containers) the rewritten code is never
    cached, and each of README's three processes redid it, some 0.6 s of CPU each. Our tests'
    asserts are rewritten as before; a pytest without this set leaves everything as it was."""
    for finder in sys.meta_path:
        marked = getattr(finder, "_must_rewrite", None)
        if isinstance(marked, set):
            marked.discard("hypothesis")


_leave_hypothesis_asserts_plain()  # before anything imports hypothesis


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """``--hypothesis-profile=ci`` (README's test command, so CI) draws the full example counts;
    a plain ``python -m pytest`` draws a quarter of them. Registered before hypothesis's own
    plugin loads the profile named on the command line."""
    from hypothesis import settings

    from _fuzzing import CI_EXAMPLES, DEV_EXAMPLES

    settings.register_profile("ci", max_examples=CI_EXAMPLES)
    settings.register_profile("dev", max_examples=DEV_EXAMPLES)
    settings.load_profile("dev")
    _a_crashed_worker_ends_the_run(config)


def _a_crashed_worker_ends_the_run(config: pytest.Config) -> None:
    """Under ``-n``, a test process that dies (killed for its memory, say) ends the run at once,
    naming the test it was running, instead of being replaced: after a replacement the run could
    wait, doing nothing, until CI's time ran out. A limit given on the command line stands."""
    if getattr(config.option, "maxworkerrestart", "unset") is None:
        config.option.maxworkerrestart = "0"


def pytest_sessionstart(session: pytest.Session) -> None:
    """Stop at once, saying why, when the installed package is not this checkout's data (a plain
    install made before the data changed): otherwise a handful of tests fail, each comparing
    new data with old, and none says that the fix is to install again."""
    if hasattr(session.config, "workerinput"):
        return  # the run's main process checks, once
    from importlib.metadata import version

    from _installed import stale_install
    from china_ai_claims._resources import dataset_dir

    reason = stale_install(REPO_ROOT / "dataset", dataset_dir(), version("china-ai-claims"))
    if reason is not None:
        pytest.exit(reason, returncode=pytest.ExitCode.USAGE_ERROR)


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """``--dist loadfile`` hands out the longest files first (see ``_scheduling``)."""
    if config.getvalue("dist") != "loadfile":
        return None
    from _scheduling import LongestFilesFirst

    return LongestFilesFirst(config, log)


@pytest.fixture(autouse=True, scope="session")
def _cli_built_once() -> Iterator[None]:
    """typer's ``CliRunner.invoke`` turns the app into a click command on every call, some 20 to
    40 ms, and the fuzz tests call it hundreds of times: each app is turned into its command once
    per test run, as the console script does once per process."""
    import typer.testing

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(typer.testing, "_get_command", functools.cache(typer.testing._get_command))
        yield


@pytest.fixture
def isolated_downloads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Downloads go to a private cache, ``tmp_path / "cache"``, and trust only the test CA that
    signs the 127.0.0.1 servers the tests start; returns the cache folder."""
    from _release_fixtures import TEST_CA

    cache = tmp_path / "cache"
    monkeypatch.setenv("CHINA_AI_CLAIMS_CACHE", str(cache))
    monkeypatch.setenv("SSL_CERT_FILE", str(TEST_CA))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    return cache


@pytest.fixture(params=[True, False], ids=["collector on", "collector off"])
def collector_enabled(request: pytest.FixtureRequest) -> Iterator[bool]:
    """The garbage collector switched on or off for the test, then back as it was."""
    import gc

    was = gc.isenabled()
    (gc.enable if request.param else gc.disable)()
    try:
        yield request.param
    finally:
        (gc.enable if was else gc.disable)()


@pytest.fixture
def repo_root() -> Path:
    """The checkout the tests belong to (its committed dataset/ and schemas/)."""
    return REPO_ROOT


@pytest.fixture
def packaged_dataset() -> Path:
    """The dataset folder of the installed package."""
    from china_ai_claims._resources import dataset_dir

    return dataset_dir()


@pytest.fixture
def dataset_copy(tmp_path: Path, packaged_dataset: Path) -> Path:
    """A private copy of the real dataset that a test may change."""
    target = tmp_path / "dataset"
    shutil.copytree(packaged_dataset, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


@pytest.fixture(scope="session")
def built_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The packaged dataset's release, built once per test run: never change it, copy it."""
    from china_ai_claims.release import build_release

    out = tmp_path_factory.mktemp("built-release")
    build_release(out)
    return out


@pytest.fixture(scope="module")
def release_dir(built_release: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the built release for one test module, which may change it."""
    out = tmp_path_factory.mktemp("release")
    shutil.copytree(built_release, out, dirs_exist_ok=True)
    return out
