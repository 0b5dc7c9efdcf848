"""An analyst loads a published version by number, from the cache once downloaded; the cache heals.

A server on 127.0.0.1 stands in for the release host ($CHINA_AI_CLAIMS_RELEASES_URL); the registry
of published releases is the one a release of the current data would write.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import china_ai_claims as cac
from _release_fixtures import Server, serving, sha256
from china_ai_claims import cache, registry
from china_ai_claims.cli import app

VERSION = cac.__version__
ZIP = registry.zip_name(VERSION)


# Downloads go to each test's own cache (tmp_path / "cache") and trust the test CA only.
pytestmark = pytest.mark.usefixtures("isolated_downloads")


@pytest.fixture
def host(release_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Server]:
    """The release host, serving the current build at /releases/v<version>/, and a registry
    that lists that build as published."""
    written = tmp_path / "releases.json"
    written.write_text('{"releases": {}}\n', encoding="utf-8")
    registry.add_release(written, release_dir, VERSION)
    monkeypatch.setattr(registry, "published", lambda: registry.read_registry(written))
    with serving() as server:
        server.serve_bytes(f"/releases/v{VERSION}/{ZIP}", (release_dir / ZIP).read_bytes())
        monkeypatch.setenv("CHINA_AI_CLAIMS_RELEASES_URL", server.base + "/releases/")
        yield server


def test_a_published_version_loads_by_number_then_offline(host: Server) -> None:
    path = f"/releases/v{VERSION}/{ZIP}"
    pd.testing.assert_frame_equal(cac.load("cost_claims", version=VERSION), cac.load("cost_claims"))
    assert host.count(path) == 1
    assert "/releases/v{VERSION}/SHA256SUMS" not in host.requests  # the registry vouches
    host.routes.clear()  # the host goes away: the verified copy is enough
    dataset = cac.load_all(version=VERSION)
    assert dataset.version == VERSION
    assert len(cac.records("events", version=VERSION)) == len(cac.records("events"))
    assert host.count(path) == 1


def test_refresh_downloads_again(host: Server) -> None:
    cac.load("models", version=VERSION)
    cac.load("models", version=VERSION, refresh=True)
    assert host.count(f"/releases/v{VERSION}/{ZIP}") == 2


def test_an_altered_mirror_is_refused_and_nothing_is_cached(host: Server, tmp_path: Path) -> None:
    host.serve_bytes(f"/releases/v{VERSION}/{ZIP}", b"<html>mirror maintenance</html>")
    with pytest.raises(cac.ChecksumError, match=f"the published {ZIP}"):
        cac.load("models", version=VERSION)
    assert not list((tmp_path / "cache").rglob(ZIP))


def test_an_unknown_version_is_refused_naming_the_published_ones(host: Server) -> None:
    with pytest.raises(cac.UnknownVersionError, match=VERSION):
        cac.load("models", version="999.0.0")
    assert host.requests == []


def test_a_copy_that_no_longer_verifies_is_fetched_again_once_then_names_the_cached_path(
    host: Server, release_dir: Path
) -> None:
    path = f"/releases/v{VERSION}/{ZIP}"
    cac.load("models", version=VERSION)
    (cached,) = (entry.path for entry in cache.entries())
    cached.write_bytes(b"bit rot")
    pd.testing.assert_frame_equal(cac.load("models", version=VERSION), cac.load("models"))
    assert host.count(path) == 2
    assert cached.read_bytes() == (release_dir / ZIP).read_bytes()
    cached.write_bytes(b"bit rot")
    host.serve_bytes(path, b"still broken")
    with pytest.raises(cac.ChecksumError) as caught:
        cac.load("models", version=VERSION)
    assert str(cached) in str(caught.value)
    assert host.count(path) == 3


def test_a_url_whose_sums_failed_once_is_verified_when_the_server_is_mended(
    host: Server, release_dir: Path
) -> None:
    data = (release_dir / ZIP).read_bytes()
    url = host.base + "/mirror/" + ZIP
    host.serve_bytes("/mirror/" + ZIP, b"<html>error</html>")
    host.serve_bytes("/mirror/SHA256SUMS", f"{sha256(data)}  {ZIP}\n".encode())
    with pytest.raises(cac.ChecksumError):
        cac.load("models", release=url)
    host.serve_bytes("/mirror/" + ZIP, data)
    pd.testing.assert_frame_equal(cac.load("models", release=url), cac.load("models"))


def test_diff_accepts_a_published_version(host: Server, packaged_dataset: Path) -> None:
    result = CliRunner().invoke(app, ["diff", VERSION, str(packaged_dataset)])
    assert result.exit_code == 0, result.output
    assert result.output.endswith("no differences\n")
    unknown = CliRunner().invoke(app, ["diff", "999.0.0", str(packaged_dataset)])
    assert unknown.exit_code == 2
    assert unknown.output.startswith("china-ai-claims: error: version '999.0.0'")


def test_the_cache_command_lists_shows_and_clears(host: Server, tmp_path: Path) -> None:
    runner = CliRunner()
    location = runner.invoke(app, ["cache", "path"])
    assert location.output.strip() == str(tmp_path / "cache")
    cac.load("models", version=VERSION)
    listed = runner.invoke(app, ["cache", "list"])
    assert listed.exit_code == 0
    assert ZIP in listed.output
    assert "1 cached downloads" in listed.output
    assert f"/releases/v{VERSION}/{ZIP}" in listed.output
    cleared = runner.invoke(app, ["cache", "clear"])
    assert cleared.output.strip() == "removed 1 cached downloads"
    assert "0 cached downloads" in runner.invoke(app, ["cache"]).output


def test_the_cache_is_the_user_cache_folder_unless_configured(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import platformdirs

    monkeypatch.delenv("CHINA_AI_CLAIMS_CACHE")
    assert cache.cache_dir() == Path(platformdirs.user_cache_dir("china-ai-claims", False))
    monkeypatch.setenv("CHINA_AI_CLAIMS_CACHE", str(tmp_path / "elsewhere"))
    assert cache.cache_dir() == tmp_path / "elsewhere"


def test_the_registry_entry_of_the_current_version_matches_a_fresh_build(
    release_dir: Path,
) -> None:
    """Releases are reproducible, so a published entry must be what the data builds today; an
    unreleased version (no entry yet) is fine."""
    published = registry.read_registry(registry.REGISTRY_FILE)
    fresh = registry.registry_entry(release_dir, VERSION)
    assert set(fresh) == {ZIP, registry.json_name(VERSION), registry.DESCRIPTOR_KEY}
    if VERSION in published:
        assert published[VERSION] == fresh, (
            f"the data no longer builds the published {VERSION}: bump the version in "
            "dataset/datapackage.json (see CONTRIBUTING.md)"
        )


def test_a_published_entry_is_never_changed(release_dir: Path, tmp_path: Path) -> None:
    written = tmp_path / "releases.json"
    entry = registry.add_release(written, release_dir, VERSION)
    assert registry.read_registry(written) == {VERSION: entry}
    assert registry.add_release(written, release_dir, VERSION) == entry  # again: no change
    document = json.loads(written.read_text(encoding="utf-8"))
    document["releases"][VERSION][ZIP] = "0" * 64
    written.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ValueError, match="never changes"):
        registry.add_release(written, release_dir, VERSION)


def test_the_registry_module_writes_an_entry_from_a_release_folder(
    release_dir: Path, tmp_path: Path
) -> None:
    written = tmp_path / "releases.json"
    assert registry.main([str(release_dir), str(written)]) == 0
    assert registry.read_registry(written)[VERSION][ZIP] == sha256((release_dir / ZIP).read_bytes())


def test_cite_names_a_published_version(host: Server) -> None:
    result = CliRunner().invoke(app, ["cite", "--release", VERSION])
    assert result.exit_code == 0, result.output
    assert f"version = {{{VERSION}}}" in result.stdout
    unknown = CliRunner().invoke(app, ["cite", "--release", "999.0.0"])
    assert unknown.exit_code == 2
    assert "999.0.0" in unknown.output
