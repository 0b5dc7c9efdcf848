"""A reader opens the claims explorer in a browser: each claim in words with its quote marked in
its paragraph, every cited passage marked in its source, search and filters, working links, and
nothing fetched from anywhere but the site itself.

The pages are opened in headless Chromium (Debian's ``chromium``) driven by Playwright. Facts come
from the dataset's CSVs, so the tests hold for any valid dataset. Screenshots are saved in
$CHINA_AI_CLAIMS_ARTIFACTS (default: a pytest temporary folder).
"""

from __future__ import annotations

import csv
import functools
import html.parser
import http.server
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urlparse

import pytest
from typer.testing import CliRunner

from _serving import serving_in_a_thread
from china_ai_claims.cli import app
from china_ai_claims.site import build_site

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--renderer-process-limit=1",  # one renderer for every page: a tenth less CPU for the tests
]
INSTALL_HINT = (
    "the site tests need Chromium: on Debian or Ubuntu run "
    "'apt-get update && apt-get install -y chromium' (or set CHROMIUM to a Chromium binary)"
)
WIDTH = 1280


def _rows(dataset: Path, table: str) -> list[dict[str, str]]:
    with (dataset / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _tables(dataset: Path) -> list[str]:
    import json

    descriptor = json.loads((dataset / "datapackage.json").read_text(encoding="utf-8"))
    return [resource["name"] for resource in descriptor["resources"]]


def _version(dataset: Path) -> str:
    import json

    return str(json.loads((dataset / "datapackage.json").read_text(encoding="utf-8"))["version"])


def _schema(dataset: Path, table: str) -> dict[str, Any]:
    import json

    descriptor = json.loads((dataset / "datapackage.json").read_text(encoding="utf-8"))
    return next(r["schema"] for r in descriptor["resources"] if r["name"] == table)


def _references(dataset: Path, table: str) -> dict[str, str]:
    keys = _schema(dataset, table).get("foreignKeys", [])
    return {key["fields"][0]: key["reference"]["resource"] or table for key in keys}


def _claim(dataset: Path) -> tuple[str, dict[str, str]]:
    """A row that quotes a source and names the most other rows: the richest page to look at."""
    candidates = [
        (table, row)
        for table in _tables(dataset)
        if table != "sources"
        for row in _rows(dataset, table)
        if row.get("quote")
    ]
    assert candidates, "the dataset has no quoted row"
    return max(
        candidates,
        key=lambda pair: sum(bool(pair[1][c]) for c in _references(dataset, pair[0])),
    )


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    build_site(out)
    return out


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("CHINA_AI_CLAIMS_ARTIFACTS")
    target = Path(folder) / "site" if folder else tmp_path_factory.mktemp("screenshots")
    target.mkdir(parents=True, exist_ok=True)
    return target


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if executable is None:
        pytest.fail(INSTALL_HINT)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the site tests need Playwright: pip install '.[test]'")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Visit:
    """A browser page that records console errors, page errors and every request it makes."""

    def __init__(self, browser: Any, allowed_prefix: str, width: int = WIDTH) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.page = self.context.new_page()
        self.allowed_prefix = allowed_prefix
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        self.context.route("**/*", self._route)

    def _console(self, message: Any) -> None:
        if message.type in ("error", "warning"):
            self.errors.append(f"console {message.type}: {message.text}")

    def _route(self, route: Any) -> None:
        url = route.request.url
        self.requests.append(url)
        if url.startswith(self.allowed_prefix):
            route.continue_()
        else:
            route.abort()

    def open(self, url: str) -> Any:
        self.page.goto(url)
        return self.page

    def outside(self) -> list[str]:
        return [url for url in self.requests if not url.startswith(self.allowed_prefix)]

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser: Any, site_dir: Path) -> Iterator[Visit]:
    """A page on the site opened from file://, checked for errors and outside requests after."""
    opened = Visit(browser, site_dir.as_uri() + "/")
    yield opened
    try:
        assert opened.errors == []
        assert opened.outside() == []
    finally:
        opened.close()


def test_a_claim_page_says_the_row_in_words_and_marks_the_quote_in_its_paragraph(
    visit: Visit, site_dir: Path, packaged_dataset: Path, artifacts: Path
) -> None:
    table, row = _claim(packaged_dataset)
    page = visit.open((site_dir / table / f"{row['id']}.html").as_uri())
    page.screenshot(path=str(artifacts / "claim.png"), full_page=True)
    source = (packaged_dataset / "sources" / f"{row['source_id']}.txt").read_text(encoding="utf-8")
    start = source.index(row["quote"])
    paragraph = source[source.rfind("\n", 0, start) + 1 :].split("\n")[0]
    marks = page.locator("figure.in-source blockquote mark")
    assert marks.count() == 1
    assert marks.first.text_content() == row["quote"]
    assert page.locator("figure.in-source blockquote").text_content() == paragraph
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").count() == 1
    for column, target in _references(packaged_dataset, table).items():
        if row[column]:
            link = page.locator(f'dl.fields a[href="../{target}/{row[column]}.html"]')
            assert link.count() >= 1, column


def test_links_lead_to_the_pages_they_name(
    visit: Visit, site_dir: Path, packaged_dataset: Path
) -> None:
    table, row = _claim(packaged_dataset)
    claim_page = (site_dir / table / f"{row['id']}.html").as_uri()
    for column, target in _references(packaged_dataset, table).items():
        if not row[column] or target == "sources":
            continue
        page = visit.open(claim_page)
        page.locator(f'dl.fields a[href="../{target}/{row[column]}.html"]').first.click()
        assert page.url == (site_dir / target / f"{row[column]}.html").as_uri()
        (linked,) = [r for r in _rows(packaged_dataset, target) if r["id"] == row[column]]
        assert page.locator("h1").text_content() == (linked.get("name") or linked["id"])
        back = page.locator(f'a[href="../{table}/{row["id"]}.html"]')
        assert back.count() >= 1, f"{target}/{row[column]} does not list {row['id']}"
    page = visit.open(claim_page)
    page.locator("figure.in-source figcaption a").click()
    assert urldefrag(page.url).url == (site_dir / "sources" / f"{row['source_id']}.html").as_uri()
    anchored = page.locator(f"#{urldefrag(page.url).fragment}")
    assert anchored.locator(f'a.cite[href="../{table}/{row["id"]}.html"]').count() == 1


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("href", "src"):
            if values.get(name):
                self.links.append(str(values[name]))
        if values.get("id"):
            self.ids.add(str(values["id"]))


def test_every_link_in_the_site_leads_to_a_page_in_it(site_dir: Path) -> None:
    parsed: dict[Path, _Links] = {}
    for page in sorted(site_dir.rglob("*.html")):
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        parsed[page] = parser
    for page, parser in parsed.items():
        for link in parser.links:
            assert not urlparse(link).scheme, f"{page}: {link} leaves the site"
            path, fragment = urldefrag(link)
            target = (page.parent / path).resolve() if path else page
            assert target.is_file(), f"{page}: {link} is broken"
            if fragment and target.suffix == ".html":
                assert fragment in parsed[target].ids, f"{page}: {link} has no anchor"


def test_every_row_and_table_has_a_page_at_a_url_made_of_its_id(
    site_dir: Path, packaged_dataset: Path
) -> None:
    assert (site_dir / "index.html").is_file()
    for table in _tables(packaged_dataset):
        assert (site_dir / table / "index.html").is_file()
        for row in _rows(packaged_dataset, table):
            assert (site_dir / table / f"{row['id']}.html").is_file()
    # URLs are made of ids, never of the version, so links survive the next release.
    version = _version(packaged_dataset)
    assert not [page for page in site_dir.rglob("*") if version in page.name]


def _filter_case(dataset: Path) -> tuple[str, str, str]:
    """A table, an enumerated column and a value that some but not all rows have."""
    for table in _tables(dataset):
        rows = _rows(dataset, table)
        for spec in _schema(dataset, table)["fields"]:
            for value in spec.get("constraints", {}).get("enum", []):
                if 0 < sum(row[spec["name"]] == value for row in rows) < len(rows):
                    return table, spec["name"], value
    raise AssertionError("no enumerated column splits any table")


def _shown_ids(page: Any) -> list[str]:
    return list(
        page.locator("tbody tr:not([hidden]) th a").evaluate_all(
            "links => links.map(a => a.getAttribute('href').replace(/\\.html$/, ''))"
        )
    )


def _sample_pages(dataset: Path, rows_per_table: int) -> list[str]:
    """The home page, each table's page and the pages of its first rows."""
    pages = ["index.html"]
    for table in _tables(dataset):
        pages.append(f"{table}/index.html")
        pages += [f"{table}/{row['id']}.html" for row in _rows(dataset, table)[:rows_per_table]]
    return pages


def _data_search(page: Path) -> dict[str, str]:
    """Each row's search text on a table page, by the id its link names."""

    class Rows(html.parser.HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.found: dict[str, str] = {}
            self.search: str | None = None

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            named = dict(attrs)
            if tag == "tr":
                self.search = named.get("data-search")
            elif tag == "a" and self.search is not None:
                self.found[(named.get("href") or "").removesuffix(".html")] = self.search
                self.search = None

    rows = Rows()
    rows.feed(page.read_text(encoding="utf-8"))
    return rows.found


def test_every_table_fits_the_window_without_scrolling_sideways(
    visit: Visit, site_dir: Path, packaged_dataset: Path
) -> None:
    """At the width the site is read at, a table's widest cell (a hash, a path, a heading) wraps
    inside its column rather than pushing the table past the window."""
    for table in _tables(packaged_dataset):
        page = visit.open((site_dir / table / "index.html").as_uri())
        widths = page.evaluate(
            "() => { const t = document.querySelector('table');"
            " return [t.scrollWidth, t.parentElement.clientWidth,"
            " document.documentElement.scrollWidth, window.innerWidth]; }"
        )
        table_width, room, page_width, window_width = widths
        assert table_width <= room, table
        assert page_width <= window_width, table


PHONE_WIDTH = 390


def test_no_page_is_wider_than_a_phone(
    browser: Any, site_dir: Path, packaged_dataset: Path, artifacts: Path
) -> None:
    phone = Visit(browser, site_dir.as_uri() + "/", width=PHONE_WIDTH)
    try:
        for path in _sample_pages(packaged_dataset, rows_per_table=1):
            page = phone.open((site_dir / path).as_uri())
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE_WIDTH:
                page.screenshot(path=str(artifacts / "too-wide-on-a-phone.png"), full_page=True)
            assert width <= PHONE_WIDTH, (path, width)
        assert phone.errors == []
    finally:
        phone.close()


def test_without_javascript_the_search_form_stays_hidden_and_every_row_shows(
    browser: Any, site_dir: Path, packaged_dataset: Path
) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        for table in _tables(packaged_dataset)[-1:]:  # every table page is the same template
            page.goto((site_dir / table / "index.html").as_uri())
            assert not page.locator("form.filters").is_visible(), table
            shown = page.locator("tbody tr").evaluate_all(
                "rows => rows.filter(r => r.offsetParent)"
            )
            assert len(shown) == len(_rows(packaged_dataset, table)), table
    finally:
        context.close()


def test_searching_a_word_of_the_source_title_finds_only_rows_that_hold_it(
    site_dir: Path, packaged_dataset: Path
) -> None:
    """A row is found by its names, quote and words, not by the title of its source, which every
    row of a one-article dataset shares."""
    titles = {row["id"]: row["title"].casefold() for row in _rows(packaged_dataset, "sources")}
    for table in _tables(packaged_dataset):
        if table == "sources":
            continue
        searched = _data_search(site_dir / table / "index.html")
        for row in _rows(packaged_dataset, table):
            title = titles[row["source_id"]]
            own = " ".join(row.get(c, "") for c in ("id", "name", "aliases", "quote")).casefold()
            if title not in own:
                assert title not in searched[row["id"]], (table, row["id"])


def test_a_claim_not_stated_as_true_is_labelled_with_its_modality_on_its_page_and_table(
    site_dir: Path, packaged_dataset: Path
) -> None:
    for table in _tables(packaged_dataset):
        rows = _rows(packaged_dataset, table)
        if not rows or "modality" not in rows[0]:
            continue
        listing = (site_dir / table / "index.html").read_text(encoding="utf-8")
        for row in rows:
            page = (site_dir / table / f"{row['id']}.html").read_text(encoding="utf-8")
            labelled = 'class="modality modality-' in page
            assert labelled == (row["modality"] != "assertion"), (table, row["id"])
            if labelled:
                assert f'<span class="modality modality-{row["modality"]}">' in page
        if '<td class="words">' in listing:  # the table says its rows in words
            labels = listing.count('<span class="modality modality-')
            assert labels == sum(row["modality"] != "assertion" for row in rows), table


def test_a_note_links_the_rows_it_names_by_id_and_escapes_the_rest() -> None:
    from china_ai_claims.site.highlight import linked_ids

    pages = {"gpt-4-training-cost": "../cost_claims/gpt-4-training-cost.html"}
    note = "<b>See</b> gpt-4-training-cost, not gpt-4-training-costs or x.com/gpt-4-training-cost."
    assert str(linked_ids(note, pages)) == (
        "&lt;b&gt;See&lt;/b&gt; "
        '<a href="../cost_claims/gpt-4-training-cost.html">gpt-4-training-cost</a>, '
        "not gpt-4-training-costs or x.com/gpt-4-training-cost."
    )


def test_a_row_page_links_every_row_its_note_names_by_a_unique_id(
    site_dir: Path, packaged_dataset: Path
) -> None:
    tables_of: dict[str, set[str]] = {}
    for table in _tables(packaged_dataset):
        for row in _rows(packaged_dataset, table):
            tables_of.setdefault(row["id"], set()).add(table)
    for table in _tables(packaged_dataset):
        for row in _rows(packaged_dataset, table):
            page = (site_dir / table / f"{row['id']}.html").read_text(encoding="utf-8")
            # an id standing on its own, not inside a word, a path or an address
            alone = r"(?<![\w/.-])[a-z0-9]+(?:-[a-z0-9]+)+(?![\w/-])"
            for named in set(re.findall(alone, row.get("note", ""))):
                if len(tables_of.get(named, ())) == 1:
                    (target,) = tables_of[named]
                    assert f'<a href="../{target}/{named}.html">{named}</a>' in page, named


def test_filters_keep_only_the_rows_with_the_chosen_value(
    visit: Visit, site_dir: Path, packaged_dataset: Path, artifacts: Path
) -> None:
    table, column, value = _filter_case(packaged_dataset)
    rows = _rows(packaged_dataset, table)
    page = visit.open((site_dir / table / "index.html").as_uri())
    assert sorted(_shown_ids(page)) == sorted(row["id"] for row in rows)
    page.get_by_label(column.replace("_", " "), exact=False).select_option(value)
    expected = sorted(row["id"] for row in rows if row[column] == value)
    assert sorted(_shown_ids(page)) == expected
    assert (
        page.locator("[data-count]").text_content() == f"{len(expected)} of {len(rows)} rows match"
    )
    page.screenshot(path=str(artifacts / f"{table}-filtered.png"))
    page.get_by_label(column.replace("_", " "), exact=False).select_option("*")
    assert len(_shown_ids(page)) == len(rows)


def test_search_keeps_only_the_rows_whose_names_or_quotes_hold_the_words(
    visit: Visit, site_dir: Path, packaged_dataset: Path, artifacts: Path
) -> None:
    table, row = _claim(packaged_dataset)
    rows = _rows(packaged_dataset, table)
    page = visit.open((site_dir / table / "index.html").as_uri())
    # Words of the quote, typed with straight apostrophes and in capitals: search folds both.
    words = " ".join(row["quote"].split()[:4]).replace("’", "'").upper()
    page.get_by_label("Search names and quotes").fill(words)
    shown = _shown_ids(page)
    assert row["id"] in shown
    folded = [w.casefold() for w in row["quote"].replace("’", "'").split()[:4]]
    for other in rows:
        text = other["quote"].replace("’", "'").casefold()
        if other["id"] not in shown:
            assert not all(word in text for word in folded), other["id"]
    page.screenshot(path=str(artifacts / f"{table}-search.png"))
    longest = max(rows, key=lambda r: len(r["id"]))["id"]
    page.get_by_label("Search names and quotes").fill(longest)
    for tr in page.locator("tbody tr").all():
        holds = longest in (tr.get_attribute("data-search") or "")
        assert tr.is_visible() == holds


def test_keyboard_reaches_the_skip_link_then_the_search_box(
    visit: Visit, site_dir: Path, packaged_dataset: Path
) -> None:
    table = _tables(packaged_dataset)[-1]
    page = visit.open((site_dir / table / "index.html").as_uri())
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "search"


MARKED_TEXT = """paragraphs => paragraphs.map(p => {
  let text = "", marked = "";
  const walk = node => node.childNodes.forEach(child => {
    if (child.nodeType === Node.TEXT_NODE) {
      const inMark = child.parentElement.closest("mark") !== null;
      text += child.textContent; marked += (inMark ? "1" : "0").repeat(child.textContent.length);
    } else if (!child.classList.contains("cite")) { walk(child); }
  });
  walk(p);
  return [Number(p.parentElement.id.replace("line-", "")), text, marked];
})"""


def test_a_source_page_marks_every_cited_passage_and_links_it_to_its_rows(
    visit: Visit, site_dir: Path, packaged_dataset: Path, artifacts: Path
) -> None:
    (source, *_) = _rows(packaged_dataset, "sources")
    text = (packaged_dataset / source["path"]).read_text(encoding="utf-8")
    page = visit.open((site_dir / "sources" / f"{source['id']}.html").as_uri())
    page.screenshot(path=str(artifacts / "source.png"))
    assert page.locator("code.hash").text_content() == source["sha256"]
    lines = text.split("\n")
    marked = [False] * len(text)
    offsets = [sum(len(line) + 1 for line in lines[:n]) for n in range(len(lines))]
    for number, shown, flags in page.locator(".para p").evaluate_all(MARKED_TEXT):
        assert shown == lines[number - 1]
        for index, flag in enumerate(flags):
            marked[offsets[number - 1] + index] = flag == "1"
    for table in _tables(packaged_dataset):
        for row in _rows(packaged_dataset, table):
            if row.get("source_id") != source["id"] or not row.get("quote"):
                continue
            start = text.index(row["quote"])
            covered = [
                marked[i] for i in range(start, start + len(row["quote"])) if text[i] != "\n"
            ]
            assert all(covered), f"{table} {row['id']}: quote not marked"
            link = page.locator(f'.source-text a.cite[href="../{table}/{row["id"]}.html"]')
            assert link.count() >= 1, f"{table} {row['id']}: no link"


def test_the_site_served_over_http_requests_nothing_but_its_own_files(
    browser: Any, site_dir: Path, packaged_dataset: Path, artifacts: Path
) -> None:
    quiet: Any = type(
        "Quiet", (http.server.SimpleHTTPRequestHandler,), {"log_message": lambda *_: None}
    )
    handler = functools.partial(quiet, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    with serving_in_a_thread(server) as address:
        base = address + "/"
        visited = Visit(browser, base)
        try:
            for path in _sample_pages(packaged_dataset, rows_per_table=2):
                response = visited.page.goto(base + path)
                assert response is not None, path
                assert response.status == 200, path
            visited.page.goto(base + "index.html")
            visited.page.screenshot(path=str(artifacts / "home.png"), full_page=True)
            assert visited.errors == []
            assert visited.outside() == []
            assert any(url.endswith("assets/site.js") for url in visited.requests)
        finally:
            visited.close()


def test_site_command_writes_the_site_and_refuses_invalid_data(
    tmp_path: Path, dataset_copy: Path
) -> None:
    result = CliRunner().invoke(app, ["site", str(dataset_copy), "--out", str(tmp_path / "ok")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "ok" / "index.html").is_file()
    claims = dataset_copy / "cost_claims.csv"
    lines = claims.read_text(encoding="utf-8").split("\n")
    lines[1] = lines[1].replace("million", "billion", 1)
    claims.write_text("\n".join(lines), encoding="utf-8")
    result = CliRunner().invoke(app, ["site", str(dataset_copy), "--out", str(tmp_path / "bad")])
    assert result.exit_code == 1
    assert "invalid" in result.output
    assert not (tmp_path / "bad").exists()


@pytest.mark.parametrize("missing", ["markupsafe", "jinja2"])
def test_without_the_site_extra_the_command_says_what_to_install(
    missing: str, packaged_dataset: Path, tmp_path: Path
) -> None:
    import subprocess
    import sys

    script = (
        "import sys\n"
        f"sys.modules[{missing!r}] = None  # as if the extra were not installed\n"
        "from china_ai_claims.cli import main\n"
        "sys.argv = ['china-ai-claims', 'site', sys.argv[1], '--out', sys.argv[2]]\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(packaged_dataset), str(tmp_path / "site")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "china-ai-claims: error: the site needs Jinja2 and MarkupSafe: "
        "pip install 'china-ai-claims[site]', or in a clone of the project: pip install '.[site]'\n"
    )
