"""A contributor's pull request is checked: every bad contribution is refused with an error that
names the rule, the file, the line and the column."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from _mutations import (
    Mutation,
    Row,
    both,
    cell,
    descriptor,
    duplicate_row,
    raw,
    resource,
    text,
)
from china_ai_claims.validators import RULES, render, validate

SOURCE = "sources/deepseek-impact-on-china-ai-industry.txt"
DEEPSEEK = Row("cost_claims", "deepseek-v3-training-cost")
GPT4 = Row("cost_claims", "gpt-4-training-cost")
LI = Row("cost_claims", "model-training-cost-reduction")
PLEDGE = Row("funding_claims", "alibaba-cloud-ai-pledge")
VC = Row("funding_claims", "china-ai-venture-capital-first-quarter")
BAICHUAN = Row("events", "baichuan-halts-pretraining")
MANUS = Row("models", "manus")
CLAUDE_BASE = Row("other_claims", "manus-built-on-claude")
THE_SOURCE = Row("sources", "deepseek-impact-on-china-ai-industry")


EXCLUSIONS = "coverage-exclusions.csv"
# a source and sentence the exclusions list already (the title), for a row that differs in its reason
LISTED = f"{THE_SOURCE.row_id},DeepSeek’s Impact on China’s AI Industry"


def exclusion(line: str) -> Mutation:
    """Insert ``line`` into coverage-exclusions.csv right after its header (as line 2)."""
    return raw(
        EXCLUSIONS, lambda data: data.replace(b"\n", b"\n" + line.encode("utf-8") + b"\n", 1)
    )


@dataclass(frozen=True)
class Bad:
    """A bad contribution and the error it must produce."""

    case: str
    mutation: Mutation
    rule: str
    file: str
    line: int | Row
    column: str | None = None


BAD_CONTRIBUTIONS = [
    # the reviewed list of sentences left out on purpose (a row inserted after the header)
    Bad("exclusion-unknown-source", exclusion("no-such-source,A sentence.,A reason."),
        "foreign-key", EXCLUSIONS, 2, "source_id"),
    Bad("exclusion-not-in-source", exclusion(f"{THE_SOURCE.row_id},A sentence the source never wrote.,A reason."),
        "quote-not-in-source", EXCLUSIONS, 2, "sentence"),
    Bad("exclusion-without-reason", exclusion(f"{LISTED},"),
        "constraint-error", EXCLUSIONS, 2, "reason"),
    Bad("exclusion-formula", exclusion(f"{LISTED},=HYPERLINK(\"x\")"),
        "formula-injection", EXCLUSIONS, 2, "reason"),
    Bad("exclusion-bidi", exclusion(f"{LISTED},A \u202ereason."),
        "bidi-control", EXCLUSIONS, 2, "reason"),
    Bad("exclusion-control", exclusion(f"{LISTED},A\x1b[31m reason."),
        "control-character", EXCLUSIONS, 2, "reason"),
    Bad("exclusion-zero-width", exclusion(f"{THE_SOURCE.row_id},DeepSeek’s Impact\u200b on China’s AI Industry,A reason."),
        "zero-width-character", EXCLUSIONS, 2, "sentence"),
    Bad("exclusion-not-nfc", exclusion(f"{LISTED},Cafe\u0301."),
        "unicode-not-nfc", EXCLUSIONS, 2, "reason"),
    Bad("exclusion-untrimmed", exclusion(f"{LISTED},\"  A reason. \""),
        "untrimmed-whitespace", EXCLUSIONS, 2, "reason"),
    Bad("exclusion-twice", exclusion(f"{LISTED},Again."),
        "duplicate-row", EXCLUSIONS, 3, "sentence"),
    Bad("exclusion-over-lines", exclusion("no-such-source,A sentence.,\"A reason\nover lines.\""),
        "foreign-key", EXCLUSIONS, 2, "source_id"),
    Bad("exclusion-header", raw(EXCLUSIONS, lambda data: data.replace(b"source_id,sentence,reason", b"source,sentence,why", 1)),
        "incorrect-label", EXCLUSIONS, 1),
    # descriptor and paths
    Bad("url-resource-path", resource("people", path="https://example.com/people.csv"),
        "unsafe-path", "datapackage.json", -1, "path"),
    Bad("file-url-resource-path", resource("people", path="file:///etc/passwd"),
        "unsafe-path", "datapackage.json", -1, "path"),
    Bad("parent-resource-path", resource("people", path="../people.csv"),
        "unsafe-path", "datapackage.json", -1, "path"),
    Bad("absolute-resource-path", resource("people", path="/etc/passwd"),
        "unsafe-path", "datapackage.json", -1, "path"),
    Bad("backslash-resource-path", resource("people", path="data\\people.csv"),
        "unsafe-path", "datapackage.json", -1, "path"),
    Bad("schema-by-path", resource("people", schema="../schemas/people.schema.json"),
        "unsafe-path", "datapackage.json", -1),
    Bad("compressed-resource", resource("people", path="people.csv.gz"),
        "compressed-resource", "datapackage.json", -1, "path"),
    Bad("descriptor-not-json", text("datapackage.json", '"name"', 'name', 1),
        "descriptor-error", "datapackage.json", 3),
    Bad("descriptor-duplicate-key", text("datapackage.json", '"$schema"', '"name": "x",\n  "$schema"'),
        "descriptor-error", "datapackage.json", 1),
    Bad("descriptor-nan", raw("datapackage.json", lambda data: re.sub(rb'"version": "[^"]*"', b'"version": NaN', data, count=1)),
        "descriptor-error", "datapackage.json", 1),
    Bad("latin-1-encoding", resource("events", encoding="latin-1"),
        "descriptor-mismatch", "datapackage.json", -1),
    Bad("stale-descriptor", cell("sources", "deepseek-impact-on-china-ai-industry", title="Other"),
        "descriptor-stale", "datapackage.json", 1),
    Bad("missing-table", lambda root: (root / "events.csv").unlink(),
        "missing-file", "events.csv", 0),
    Bad("missing-licence", lambda root: (root / "LICENSE").unlink(),
        "missing-file", "LICENSE", 0),
    Bad("unlisted-source", lambda root: (root / "sources" / "extra.txt").write_text("x\n"),
        "unlisted-source-file", "sources/extra.txt", 0),
    Bad("table-named-twice", lambda root: (root / "Organizations.csv").write_bytes((root / "organizations.csv").read_bytes()),
        "unexpected-file", "Organizations.csv", 0),
    Bad("sources-in-another-folder", lambda root: (root / "SOURCES").mkdir() or (root / "SOURCES" / "x.txt").write_text("x\n"),
        "unexpected-file", "SOURCES/x.txt", 0),
    Bad("symlinked-source", lambda root: (root / "sources" / "link.txt").symlink_to("/etc/hostname"),
        "symlink", "sources/link.txt", 0),
    # bytes and text
    Bad("invalid-utf8", raw("people.csv", lambda data: data.replace(b"Robin Li", b"Robin \xff")),
        "encoding-error", "people.csv", Row("people", "robin-li")),
    Bad("byte-order-mark", raw("organizations.csv", lambda data: b"\xef\xbb\xbf" + data),
        "byte-order-mark", "organizations.csv", 1),
    Bad("nul-in-cell", cell("people", "robin-li", role="C\x00EO"),
        "control-character", "people.csv", Row("people", "robin-li"), "role"),
    Bad("tab-in-cell", cell("people", "robin-li", role="C\tEO"),
        "control-character", "people.csv", Row("people", "robin-li"), "role"),
    Bad("bidi-override", cell("organizations", "openai", name="Open\u202eIA"),
        "bidi-control", "organizations.csv", Row("organizations", "openai"), "name"),
    Bad("zero-width-in-id", cell("organizations", "nvidia", id="nvi\u200bdia"),
        "zero-width-character", "organizations.csv", Row("organizations", "nvidia"), "id"),
    Bad("decomposed-accent", cell("people", "rui-ma", note=unicodedata.normalize("NFD", "Café")),
        "unicode-not-nfc", "people.csv", Row("people", "rui-ma"), "note"),
    Bad("untrimmed-name", cell("models", "manus", name="Manus "),
        "untrimmed-whitespace", "models.csv", MANUS, "name"),
    Bad("formula-in-note", cell("models", "manus", note="=HYPERLINK(\"http://x\")"),
        "formula-injection", "models.csv", MANUS, "note"),
    Bad("at-formula-in-name", cell("models", "manus", name="@SUM(A1)"),
        "formula-injection", "models.csv", MANUS, "name"),
    Bad("source-text-altered", text(SOURCE, "Nvidia", "NVIDIA", 1),
        "hash-count", "sources.csv", THE_SOURCE, "sha256"),
    # structure and types
    Bad("amount-in-words", cell("cost_claims", "deepseek-v3-training-cost", amount="6 million"),
        "type-error", "cost_claims.csv", DEEPSEEK, "amount"),
    Bad("amount-nan", cell("cost_claims", "deepseek-v3-training-cost", amount="NaN"),
        "non-finite-number", "cost_claims.csv", DEEPSEEK, "amount"),
    Bad("amount-overflow", cell("cost_claims", "deepseek-v3-training-cost", amount="1e999"),
        "non-finite-number", "cost_claims.csv", DEEPSEEK, "amount"),
    Bad("amount-thousands-separator", cell("cost_claims", "gpt-4-training-cost", amount="100,000,000"),
        "type-error", "cost_claims.csv", GPT4, "amount"),
    Bad("deal-count-exponent", cell("funding_claims", VC.row_id, deal_count="1e3"),
        "type-error", "funding_claims.csv", VC, "deal_count"),
    Bad("integer-overflow", cell("funding_claims", VC.row_id, deal_count="9" * 25),
        "number-out-of-range", "funding_claims.csv", VC, "deal_count"),
    Bad("url-that-breaks-out-of-a-link", cell("sources", THE_SOURCE.row_id, url='https://example.com/"><b>'),
        "constraint-error", "sources.csv", THE_SOURCE, "url"),
    Bad("impossible-date", cell("sources", THE_SOURCE.row_id, retrieved="2025-02-30"),
        "type-error", "sources.csv", THE_SOURCE, "retrieved"),
    Bad("boolean-yes", cell("models", "manus", named_in_source="yes"),
        "type-error", "models.csv", MANUS, "named_in_source"),
    Bad("unknown-bound", cell("cost_claims", GPT4.row_id, bound="roughly"),
        "constraint-error", "cost_claims.csv", GPT4, "bound"),
    Bad("look-alike-id", cell("organizations", "openai", id="openаi"),
        "constraint-error", "organizations.csv", Row("organizations", "openai"), "id"),
    Bad("upper-case-id", cell("models", "manus", id="Manus"),
        "constraint-error", "models.csv", MANUS, "id"),
    Bad("empty-quote", cell("models", "manus", quote=""),
        "constraint-error", "models.csv", MANUS, "quote"),
    Bad("note-too-long", cell("models", "manus", note="x" * 1001),
        "constraint-error", "models.csv", MANUS, "note"),
    Bad("extra-column", text("people.csv", ",note\n", ",note,twitter\n"),
        "extra-label", "people.csv", 1),
    Bad("missing-column", text("people.csv", ",role,", ","),
        "missing-label", "people.csv", 1, "role"),
    Bad("columns-reordered", text("people.csv", "id,name,", "name,id,"),
        "incorrect-label", "people.csv", 1),
    Bad("blank-row", text("people.csv", "\nmelanie-tng,", "\n,,,,,,,\nmelanie-tng,"),
        "blank-row", "people.csv", 3),
    Bad("extra-cell", text("people.csv", "Baidu CEO Robin Li,", "Baidu CEO Robin Li,,"),
        "extra-cell", "people.csv", Row("people", "robin-li")),
    Bad("missing-cells", text("people.csv", "\nwang-xing,", "\nwang-xing\nwang-xing-2,"),
        "missing-cell", "people.csv", Row("people", "wang-xing")),
    Bad("unterminated-quote", raw("people.csv", lambda data: data + b'x,"never closed\n'),
        "format-error", "people.csv", 10),
    Bad("empty-file", lambda root: (root / "people.csv").write_bytes(b""),
        "format-error", "people.csv", 1),
    # keys and references
    Bad("duplicate-id", duplicate_row("models", "manus"),
        "primary-key", "models.csv", -2, "id"),
    Bad("dangling-reference", cell("cost_claims", GPT4.row_id, model_id="gpt-5"),
        "foreign-key", "cost_claims.csv", GPT4, "model_id"),
    Bad("dangling-self-reference", cell("organizations", "tiktok", parent_id="bytedance-ltd"),
        "foreign-key", "organizations.csv", Row("organizations", "tiktok"), "parent_id"),
    # record rules
    Bad("range-without-ends", cell("cost_claims", GPT4.row_id, bound="range"),
        "bound-amount-mismatch", "cost_claims.csv", GPT4, "bound"),
    Bad("range-reversed", cell("cost_claims", GPT4.row_id, bound="range", amount="",
                               amount_low="200", amount_high="100"),
        "range-order", "cost_claims.csv", GPT4, "amount_low"),
    Bad("amount-without-currency", cell("cost_claims", GPT4.row_id, currency=""),
        "currency-missing", "cost_claims.csv", GPT4, "currency"),
    Bad("unknown-currency", cell("cost_claims", GPT4.row_id, currency="XYZ"),
        "unknown-currency", "cost_claims.csv", GPT4, "currency"),
    Bad("unquantified-with-number", cell("cost_claims", GPT4.row_id, bound="unquantified"),
        "bound-amount-mismatch", "cost_claims.csv", GPT4, "bound"),
    Bad("dates-reversed", cell("events", "manus-rollout", start_date="2025-03-31",
                               end_date="2025-03-01", time_resolved_from="stated"),
        "date-order", "events.csv", Row("events", "manus-rollout"), "end_date"),
    Bad("date-from-missing-publication", cell("events", "manus-rollout", start_date="2025-03-01",
                                              time_resolved_from="publication_date"),
        "unresolvable-date", "events.csv", Row("events", "manus-rollout"), "time_resolved_from"),
    Bad("change-without-words", cell("cost_claims", LI.row_id, change_text=""),
        "incomplete-change", "cost_claims.csv", LI, "change_text"),
    Bad("horizon-without-unit", cell("cost_claims", LI.row_id, horizon_unit=""),
        "incomplete-horizon", "cost_claims.csv", LI, "horizon_text"),
    Bad("access-without-words", cell("models", "manus", access_text=""),
        "incomplete-pair", "models.csv", MANUS, "access_text"),
    Bad("source-path-not-its-id", cell("sources", THE_SOURCE.row_id, path="sources/other.txt"),
        "source-path-mismatch", "sources.csv", THE_SOURCE, "path"),
    # provenance
    Bad("straight-apostrophe", cell("cost_claims", GPT4.row_id,
                                    quote="the $100 million+ cost of training OpenAI's GPT-4 model"),
        "quote-not-in-source", "cost_claims.csv", GPT4, "quote"),
    Bad("amount-not-in-quote", cell("cost_claims", DEEPSEEK.row_id, amount="5600000"),
        "number-not-in-quote", "cost_claims.csv", DEEPSEEK, "amount"),
    Bad("amount-a-dollar-off", cell("funding_claims", PLEDGE.row_id, amount="53000000001"),
        "number-not-in-quote", "funding_claims.csv", PLEDGE, "amount"),
    Bad("deal-count-not-in-quote", cell("funding_claims", VC.row_id, deal_count="141"),
        "number-not-in-quote", "funding_claims.csv", VC, "deal_count"),
    Bad("percent-not-in-quote", cell("cost_claims", LI.row_id, change_percent="80"),
        "number-not-in-quote", "cost_claims.csv", LI, "change_percent"),
    Bad("horizon-not-in-quote", cell("funding_claims", PLEDGE.row_id, horizon_value="5"),
        "number-not-in-quote", "funding_claims.csv", PLEDGE, "horizon_value"),
    Bad("year-not-in-quote", cell("events", BAICHUAN.row_id, year="2023"),
        "number-not-in-quote", "events.csv", BAICHUAN, "year"),
    Bad("amount-text-not-in-quote", cell("cost_claims", DEEPSEEK.row_id, amount_text="about $6M"),
        "text-not-in-quote", "cost_claims.csv", DEEPSEEK, "amount_text"),
    Bad("wrong-claimant", cell("other_claims", CLAUDE_BASE.row_id, claimed_by_person_id="rui-ma"),
        "name-not-in-quote", "other_claims.csv", CLAUDE_BASE, "claimed_by_person_id"),
    Bad("wrong-model", cell("cost_claims", DEEPSEEK.row_id, model_id="claude"),
        "name-not-in-quote", "cost_claims.csv", DEEPSEEK, "model_id"),
    Bad("entity-not-in-its-quote", cell("organizations", "openai", quote="using less-advanced Nvidia chips"),
        "name-not-in-quote", "organizations.csv", Row("organizations", "openai"), "name"),
    Bad("wrong-sha256", cell("sources", THE_SOURCE.row_id, sha256="0" * 64),
        "hash-count", "sources.csv", THE_SOURCE, "sha256"),
    Bad("wrong-size", cell("sources", THE_SOURCE.row_id, bytes="19521"),
        "byte-count", "sources.csv", THE_SOURCE, "bytes"),
    Bad("source-file-removed", lambda root: (root / SOURCE).unlink(),
        "source-missing", "sources.csv", THE_SOURCE, "path"),
    # found by review: each once let a bad contribution through or crashed
    Bad("integer-of-5000-digits", cell("sources", THE_SOURCE.row_id, bytes="1" * 5000),
        "number-out-of-range", "sources.csv", THE_SOURCE, "bytes"),
    Bad("unscaled-amount-proved-by-a-scaled-one", cell("cost_claims", DEEPSEEK.row_id, amount="6"),
        "number-not-in-quote", "cost_claims.csv", DEEPSEEK, "amount"),
    Bad("currency-not-in-quote", cell("funding_claims", PLEDGE.row_id, currency="EUR"),
        "currency-not-in-quote", "funding_claims.csv", PLEDGE, "currency"),
    Bad("punctuation-alias", cell("organizations", "nvidia", aliases="."),
        "record-rule", "organizations.csv", Row("organizations", "nvidia"), "aliases"),
    Bad("alias-not-in-source", cell("organizations", "nvidia", aliases="NVIDIA Corporation"),
        "alias-not-in-source", "organizations.csv", Row("organizations", "nvidia"), "aliases"),
    Bad("formula-in-a-list-item", cell("people", "kevin-xu", aliases='Xu|=HYPERLINK("http://x")'),
        "formula-injection", "people.csv", Row("people", "kevin-xu"), "aliases"),
    Bad("tag-characters", cell("people", "kevin-xu", note="Kevin\U000e0049\U000e0047"),
        "zero-width-character", "people.csv", Row("people", "kevin-xu"), "note"),
    Bad("hangul-filler", cell("people", "kevin-xu", note="a\u3164b"),
        "zero-width-character", "people.csv", Row("people", "kevin-xu"), "note"),
    Bad("shaping-control", cell("people", "kevin-xu", note="Kevin\u206e Xu"),
        "zero-width-character", "people.csv", Row("people", "kevin-xu"), "note"),
    Bad("variation-selector", cell("people", "kevin-xu", note="Kevin\ufe0f Xu"),
        "zero-width-character", "people.csv", Row("people", "kevin-xu"), "note"),
    Bad("mongolian-variation-selector", cell("people", "kevin-xu", note="Kevin\u180b Xu"),
        "zero-width-character", "people.csv", Row("people", "kevin-xu"), "note"),
    Bad("ideographic-variation-selector", cell("people", "kevin-xu", note="Kevin\U000e0100 Xu"),
        "zero-width-character", "people.csv", Row("people", "kevin-xu"), "note"),
    Bad("musical-format-control", cell("people", "kevin-xu", note="Kevin\U0001d173 Xu"),
        "zero-width-character", "people.csv", Row("people", "kevin-xu"), "note"),
    Bad("object-replacement", cell("people", "kevin-xu", note="Kevin\ufffc Xu"),
        "zero-width-character", "people.csv", Row("people", "kevin-xu"), "note"),
    Bad("cell-longer-than-csv-field-limit", cell("people", "kevin-xu", note="x" * 140_000),
        "constraint-error", "people.csv", Row("people", "kevin-xu"), "note"),
    Bad("symlink-in-pycache", lambda root: (root / "__pycache__").mkdir() or (root / "__pycache__" / "x").symlink_to("/etc/hostname"),
        "symlink", "__pycache__/x", 0),
    Bad("amount-proved-by-an-unrelated-number", cell("funding_claims", PLEDGE.row_id, amount="3"),
        "number-not-in-quote", "funding_claims.csv", PLEDGE, "amount"),
    Bad("too-many-aliases", cell("organizations", "nvidia", aliases="|".join(["Nvidia"] * 21)),
        "record-rule", "organizations.csv", Row("organizations", "nvidia"), "aliases"),
    Bad("bare-carriage-return", raw("people.csv", lambda data: data.replace(b"\nrobin-li,", b"\rrobin-li,")),
        "format-error", "people.csv", Row("people", "melanie-tng")),
    Bad("created-not-a-time", descriptor(lambda d: d.update(created="not a date")),
        "descriptor-mismatch", "datapackage.json", 1, "created"),
    Bad("created-not-a-day", descriptor(lambda d: d.update(created="2026-02-30T00:00:00Z")),
        "descriptor-mismatch", "datapackage.json", 1, "created"),
    Bad("created-offset-out-of-range", descriptor(lambda d: d.update(created="2026-11-30T00:00:00+99:99")),
        "descriptor-mismatch", "datapackage.json", 1, "created"),
    # 1, 1.0 and true are equal in Python, not in JSON that other tools read
    Bad("required-as-a-number", descriptor(lambda d: d["resources"][0]["schema"]["fields"][0]["constraints"].update(required=1)),
        "descriptor-mismatch", "datapackage.json", -1, "schema"),
    Bad("max-length-as-a-float", descriptor(lambda d: d["resources"][0]["schema"]["fields"][0]["constraints"].update(maxLength=80.0)),
        "descriptor-mismatch", "datapackage.json", -1, "schema"),
    Bad("dialect-header-as-a-number", descriptor(lambda d: d["resources"][0]["dialect"].update(header=1)),
        "descriptor-stale", "datapackage.json", 1),
    Bad("too-many-resources", descriptor(lambda d: d["resources"].extend({"name": f"r{i}"} for i in range(200))),
        "descriptor-mismatch", "datapackage.json", -1),
]  # fmt: skip


def _expected_line(case: Bad, original: Path, mutated: Path) -> int:
    if isinstance(case.line, Row):
        return case.line.line(original)
    if case.line == -1:  # the descriptor line that holds the offending resource's value
        return -1
    if case.line == -2:  # the line of the row appended at the end
        return len((mutated / case.file).read_text(encoding="utf-8").splitlines())
    return case.line


@pytest.mark.parametrize("case", BAD_CONTRIBUTIONS, ids=lambda case: case.case)
def test_bad_contribution_is_refused_with_rule_file_line_and_column(
    case: Bad, dataset_copy: Path, packaged_dataset: Path
) -> None:
    case.mutation(dataset_copy)
    report = validate(dataset_copy)
    assert not report.valid
    found = {(e.rule, e.file, e.line, e.column) for e in report.errors}
    line = _expected_line(case, packaged_dataset, dataset_copy)
    matching = [
        e
        for e in report.errors
        if e.rule == case.rule
        and e.file == case.file
        and (case.column is None or e.column == case.column)
        and (line == -1 or e.line == line)
    ]
    assert matching, f"expected {case.rule} at {case.file}:{line} [{case.column}], got {found}"
    if line == -1:  # a descriptor problem points at the line of the offending value
        (error,) = matching[:1]
        assert error.line > 1


@pytest.mark.parametrize("count", ["9223372036854775807", "9007199254740993"])
def test_an_integer_not_in_the_quote_is_named_as_written(count: str, dataset_copy: Path) -> None:
    """Beyond 2**53 a float rounds an integer: the message shows the cell's own number."""
    cell("funding_claims", VC.row_id, deal_count=count)(dataset_copy)
    (error,) = [e for e in validate(dataset_copy).errors if e.rule == "number-not-in-quote"]
    assert error.message.startswith(f"{count} is not written in the quote")


def test_the_table_covers_every_layer() -> None:

    layers = {RULES[case.rule][0] for case in BAD_CONTRIBUTIONS}
    assert {"descriptor", "files", "text", "structure", "keys", "records", "provenance"} <= layers
    assert layers <= {layer for layer, _ in RULES.values()}
    assert len(BAD_CONTRIBUTIONS) >= 40
    assert len({case.case for case in BAD_CONTRIBUTIONS}) == len(BAD_CONTRIBUTIONS)


def test_a_problem_in_one_cell_hides_no_check_of_the_others(dataset_copy: Path) -> None:
    cell("cost_claims", DEEPSEEK.row_id, note="a note ", amount="999", amount_text="for free")(
        dataset_copy
    )
    rules = {(e.rule, e.column) for e in validate(dataset_copy).errors}
    assert ("untrimmed-whitespace", "note") in rules
    assert ("number-not-in-quote", "amount") in rules
    assert ("text-not-in-quote", "amount_text") in rules


def test_a_cell_problem_hides_no_record_rule(dataset_copy: Path) -> None:
    cell("cost_claims", GPT4.row_id, note="trailing ", bound="range")(dataset_copy)
    rules = {(e.rule, e.column) for e in validate(dataset_copy).errors}
    assert ("untrimmed-whitespace", "note") in rules
    assert ("bound-amount-mismatch", "bound") in rules


def test_rows_after_a_bare_carriage_return_are_still_checked(dataset_copy: Path) -> None:
    raw("people.csv", lambda data: data.replace(b"\nrobin-li,", b"\rrobin-li,"))(dataset_copy)
    cell("people", "rui-ma", role="boss")(dataset_copy)
    rules = {(e.rule, e.column) for e in validate(dataset_copy).errors if e.file == "people.csv"}
    assert ("text-not-in-quote", "role") in rules


def test_a_malformed_link_is_one_problem_not_two(dataset_copy: Path) -> None:
    cell("people", "robin-li", organization_id="Baidu")(dataset_copy)
    errors = [e for e in validate(dataset_copy).errors if e.file == "people.csv"]
    assert [(e.rule, e.column) for e in errors] == [("constraint-error", "organization_id")]


def test_no_false_name_errors_when_the_source_row_is_broken(dataset_copy: Path) -> None:
    cell("sources", THE_SOURCE.row_id, language="en ")(dataset_copy)
    rules = {e.rule for e in validate(dataset_copy).errors}
    assert "untrimmed-whitespace" in rules
    assert "name-not-in-quote" not in rules


def test_later_rows_are_checked_after_a_huge_cell(dataset_copy: Path) -> None:
    cell("people", "kevin-xu", note="x" * 140_000)(dataset_copy)
    cell("people", "robin-li", id="Robin_Li")(dataset_copy)
    errors = {(e.rule, e.file, e.column) for e in validate(dataset_copy).errors}
    assert ("constraint-error", "people.csv", "id") in errors
    assert ("foreign-key", "cost_claims.csv", "claimed_by_person_id") in errors


def test_a_flood_of_problems_is_capped_and_counted(dataset_copy: Path) -> None:
    with (dataset_copy / "organizations.csv").open("a", encoding="utf-8") as handle:
        handle.write("\n" * 5000)
    report = validate(dataset_copy)
    from china_ai_claims.validators.files import MAX_PROBLEMS_PER_FILE

    blank = [e for e in report.errors if e.rule == "blank-row"]
    assert len(blank) == MAX_PROBLEMS_PER_FILE
    (summary,) = [e for e in report.errors if e.rule == "too-many-problems"]
    assert summary.file == "organizations.csv"
    assert "4000 more problems" in summary.message


def test_closest_passage_searches_are_capped(dataset_copy: Path) -> None:
    from china_ai_claims.validators.provenance import MAX_NEAR_MISS_SEARCHES

    for _ in range(MAX_NEAR_MISS_SEARCHES + 3):
        duplicate_row("other_claims", "chinese-models-catching-up")(dataset_copy)
    text = (dataset_copy / "other_claims.csv").read_text(encoding="utf-8")
    head, *rows = text.rstrip("\n").split("\n")
    rows = rows[: -(MAX_NEAR_MISS_SEARCHES + 3)] + [
        row.replace("chinese-models-catching-up", f"copy-{n}", 1).replace(
            "While China", "Whilst China"
        )
        for n, row in enumerate(rows[-(MAX_NEAR_MISS_SEARCHES + 3) :])
    ]
    (dataset_copy / "other_claims.csv").write_text("\n".join([head, *rows]) + "\n", "utf-8")
    misses = [e for e in validate(dataset_copy).errors if e.rule == "quote-not-in-source"]
    assert len(misses) == MAX_NEAR_MISS_SEARCHES + 3
    assert sum("closest passage" in e.message for e in misses) == MAX_NEAR_MISS_SEARCHES


def test_a_hard_link_in_a_contributed_folder_is_refused(dataset_copy: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("root:x:0:0:root:/root:/bin/sh\n", encoding="utf-8")
    (dataset_copy / SOURCE).unlink()
    os.link(outside, dataset_copy / SOURCE)
    cell("other_claims", "alibaba-models-open", quote="root:x:0:0:root:/root:/bin/sh")(dataset_copy)
    report = validate(dataset_copy)
    assert ("unsafe-path", SOURCE) in {(e.rule, e.file) for e in report.errors}
    assert "root:x:0:0:root:/root" not in json.dumps([e.message for e in report.errors])


def test_names_that_are_not_utf8_or_hold_escapes_are_printed_safely(dataset_copy: Path) -> None:
    from china_ai_claims.validators import render

    (dataset_copy / "sources" / "x\x1b[2J\nvalid: fake.txt").write_text("x", encoding="utf-8")
    os.close(
        os.open(os.fsencode(dataset_copy / "sources") + b"/\xff.txt", os.O_CREAT | os.O_WRONLY)
    )
    report = validate(dataset_copy)
    for fmt in ("text", "json", "github"):
        output = render(report, fmt)
        output.encode("utf-8")
        assert "\x1b" not in output
        assert "\nvalid: fake" not in output
    json.loads(render(report, "json"))


def test_a_folder_that_cannot_be_listed_is_reported_not_a_crash(
    dataset_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(dataset_copy / "sources")
    for _ in range(25):  # a path longer than PATH_MAX
        os.mkdir("d" * 200)
        os.chdir("d" * 200)
    report = validate(dataset_copy)
    assert "unsafe-path" in {e.rule for e in report.errors}


def test_descriptor_problems_point_at_the_resource_they_are_in(dataset_copy: Path) -> None:
    resource("events", path="sources.csv")(dataset_copy)
    text = (dataset_copy / "datapackage.json").read_text(encoding="utf-8")
    events_at = text.index('"name": "events"')
    expected = text.count("\n", 0, text.index('"path": "sources.csv"', events_at)) + 1
    (error,) = [e for e in validate(dataset_copy).errors if e.file == "datapackage.json"]
    assert error.line == expected


def test_validate_is_safe_to_call_from_several_threads(dataset_copy: Path) -> None:
    import threading

    for path in dataset_copy.glob("*.csv"):
        path.write_bytes(path.read_bytes() + b"x\xff,\xfe\n" * 50)
    expected = [e.as_dict() for e in validate(dataset_copy).errors]
    results: list[object] = []

    def run() -> object:
        try:
            return [e.as_dict() for e in validate(dataset_copy).errors]
        except Exception as error:  # a failure is recorded and asserted on below
            return repr(error)

    def work() -> None:
        results.extend(run() for _ in range(10))

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible, to expose races
    try:
        threads = [threading.Thread(target=work) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert results == [expected] * 40


def test_untouched_dataset_is_valid(packaged_dataset: Path) -> None:
    report = validate(packaged_dataset)
    assert report.valid, [e.as_dict() for e in report.errors]
    descriptor = json.loads((packaged_dataset / "datapackage.json").read_text(encoding="utf-8"))
    assert report.tables == len(descriptor["resources"])
    assert report.sources == len(list((packaged_dataset / "sources").glob("*.txt")))
    rows = 0
    for table in descriptor["resources"]:
        with (packaged_dataset / table["path"]).open(encoding="utf-8", newline="") as handle:
            rows += len(list(csv.reader(handle))) - 1
    assert report.rows == rows


def test_crlf_line_endings_are_one_problem_per_file_naming_autocrlf(dataset_copy: Path) -> None:
    converted = [*sorted(dataset_copy.glob("*.csv")), *sorted(dataset_copy.glob("sources/*.txt"))]
    for path in converted:
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    report = validate(dataset_copy)
    assert {error.rule for error in report.errors} == {"crlf-line-endings"}
    named = sorted(error.file for error in report.errors)
    assert named == sorted(path.relative_to(dataset_copy).as_posix() for path in converted)
    assert all("core.autocrlf" in error.hint for error in report.errors)


def test_a_row_after_a_multiline_cell_is_reported_at_its_own_first_line(
    dataset_copy: Path,
) -> None:
    mutate = both(
        cell("cost_claims", DEEPSEEK.row_id, note="first line\nsecond line"),
        cell("cost_claims", GPT4.row_id, amount="7"),
    )
    mutate(dataset_copy)
    report = validate(dataset_copy)
    (error,) = [e for e in report.errors if e.rule == "number-not-in-quote"]
    assert error.line == 4  # the deepseek row now spans lines 2-3; the GPT-4 row starts on 4


def test_every_problem_is_reported_in_one_run_sorted_by_file_and_line(dataset_copy: Path) -> None:
    both(
        lambda root: (root / "events.csv").write_bytes(b'not,a,valid,header\n"broken'),
        cell("people", "robin-li", role=" CEO"),
        cell("models", "manus", named_in_source="maybe"),
        cell("cost_claims", GPT4.row_id, currency="XYZ"),
        cell("cost_claims", DEEPSEEK.row_id, amount="5"),
    )(dataset_copy)
    report = validate(dataset_copy)
    rules = {e.rule for e in report.errors}
    assert {"missing-label", "format-error", "untrimmed-whitespace", "type-error"} <= rules
    assert {"unknown-currency", "number-not-in-quote"} <= rules
    keys = [e.sort_key() for e in report.errors]
    assert keys == sorted(keys)
    assert report.counts["missing-label"] >= 10


def _snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(path.relative_to(root)): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


def test_validation_never_writes(dataset_copy: Path) -> None:
    cell("cost_claims", GPT4.row_id, amount="nan", quote="x'y")(dataset_copy)
    before = _snapshot(dataset_copy)
    listing = sorted(os.listdir(dataset_copy))
    validate(dataset_copy)
    assert _snapshot(dataset_copy) == before
    assert sorted(os.listdir(dataset_copy)) == listing


def test_files_outside_the_dataset_are_never_read(dataset_copy: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text("id,name\nTOP-SECRET-MARKER,x\n", encoding="utf-8")
    (dataset_copy / "people.csv").unlink()
    (dataset_copy / "people.csv").symlink_to(secret)
    resource("events", path=str(secret))(dataset_copy)
    resource("models", path="../secret.csv")(dataset_copy)
    report = validate(dataset_copy)
    rendered = json.dumps([e.as_dict() for e in report.errors])
    assert "TOP-SECRET-MARKER" not in rendered
    assert ("symlink", "people.csv") in {(e.rule, e.file) for e in report.errors}


def test_a_fifo_is_refused_without_blocking(dataset_copy: Path) -> None:
    os.mkfifo(dataset_copy / "sources" / "pipe.txt")
    report = validate(dataset_copy)
    assert ("unsafe-path", "sources/pipe.txt") in {(e.rule, e.file) for e in report.errors}


def test_a_linked_dataset_folder_is_refused(dataset_copy: Path, tmp_path: Path) -> None:
    link = tmp_path / "linked"
    link.symlink_to(dataset_copy)
    report = validate(link)
    assert [(e.rule, e.file) for e in report.errors] == [("symlink", ".")]


def test_files_over_the_size_cap_are_refused(
    dataset_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from china_ai_claims.validators import files

    monkeypatch.setattr(files, "MAX_FILE_BYTES", 4096)
    report = validate(dataset_copy)
    too_large = {e.file for e in report.errors if e.rule == "file-too-large"}
    assert SOURCE in too_large
    assert "people.csv" not in too_large


def test_quote_error_shows_the_closest_passage_and_the_differing_character(
    dataset_copy: Path,
) -> None:
    cell(
        "cost_claims", GPT4.row_id, quote="the $100 million+ cost of training OpenAI's GPT-4 model"
    )(dataset_copy)
    (error,) = [e for e in validate(dataset_copy).errors if e.rule == "quote-not-in-source"]
    assert "U+0027" in error.message
    assert "U+2019" in error.message
    assert "OpenAI’s GPT-4 model" in error.message
    assert "line 6" in error.message


def test_values_are_escaped_and_cut_in_every_error(dataset_copy: Path) -> None:
    cell("models", "manus", name="\x1b[31mred\u202e" + "x" * 200)(dataset_copy)
    errors = [e for e in validate(dataset_copy).errors if e.file == "models.csv"]
    assert errors
    for error in errors:
        assert error.value is not None
        assert "\x1b" not in error.value
        assert "\u202e" not in error.value
        assert len(error.value) <= 80
    assert any("\\u001b" in (error.value or "") for error in errors)


def test_report_counts_and_dataframe_view(dataset_copy: Path) -> None:
    both(
        cell("cost_claims", GPT4.row_id, currency="XYZ"),
        cell("cost_claims", DEEPSEEK.row_id, currency="ABC"),
    )(dataset_copy)
    report = validate(dataset_copy)
    assert report.counts == {"unknown-currency": 2}
    frame = report.to_frame()
    assert list(frame["rule"]) == ["unknown-currency", "unknown-currency"]
    assert list(frame["line"]) == [2, 3]
    assert str(frame["line"].dtype) == "Int64"


def test_an_unreadable_source_is_its_own_problem_not_a_cascade(
    dataset_copy: Path, tmp_path: Path
) -> None:
    """A source text that cannot be read (here a link, never followed) is reported where it is;
    what depends on its text (exclusions, attribution hints) is not judged against nothing."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for archived in sorted((dataset_copy / "sources").glob("*.txt")):
        moved = elsewhere / archived.name
        archived.rename(moved)
        archived.symlink_to(moved)
    report = validate(dataset_copy)
    assert {error.file for error in report.errors} <= {"sources.csv"} | {
        f"sources/{path.name}" for path in elsewhere.iterdir()
    }
    assert {error.rule for error in report.errors} <= {"symlink", "source-missing"}
    assert report.warnings == []


def test_a_header_cut_into_lines_by_bare_carriage_returns_is_reported(dataset_copy: Path) -> None:
    # Found by the fuzz test: the header's first cell "\ra\r" leaves a header with no column.
    path = dataset_copy / "cost_claims.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    rows[0][0] = "\ra\r"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    report = validate(dataset_copy)
    found = {(error.rule, error.file) for error in report.errors}
    assert ("format-error", "cost_claims.csv") in found
    assert ("missing-label", "cost_claims.csv") in found
    assert ("extra-cell", "cost_claims.csv") in found


def test_a_sink_receives_every_table_s_records_in_file_order() -> None:
    from china_ai_claims import records
    from china_ai_claims.models import RECORD_TYPES, Record

    class Collected:
        def __init__(self) -> None:
            self.tables: list[str] = []
            self.records: dict[str, list[Record]] = {}
            self.finished: list[str] = []

        def start(self, table: str) -> None:
            self.tables.append(table)
            self.records[table] = []

        def add(self, record: Record) -> None:
            self.records[self.tables[-1]].append(record)

        def finish(self, table: str) -> None:
            self.finished.append(table)

    sink = Collected()
    assert validate(sink=sink).valid
    assert sink.tables == sink.finished == [record.table for record in RECORD_TYPES]
    for table, received in sink.records.items():
        assert received == records(table), table


@pytest.mark.parametrize(
    "case",
    [case for case in BAD_CONTRIBUTIONS if RULES[case.rule][0] == "text"],
    ids=lambda case: case.case,
)
def test_a_report_is_the_same_whatever_block_of_lines_is_decoded_at_once(
    case: Bad, dataset_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lines are decoded and searched for what the text rules refuse a block at a time; a hit
    sends its block line by line. The report must not depend on where blocks end: every line
    its own block gives the same report as the default blocks."""
    from china_ai_claims.validators import text

    case.mutation(dataset_copy)
    whole_blocks = render(validate(dataset_copy), "json")
    monkeypatch.setattr(text, "CLEAN_BLOCK_BYTES", 1)
    assert render(validate(dataset_copy), "json") == whole_blocks


RECORD_RULE_EDITS = [
    ("", ""),  # every row as it is
    ("amount", "-5"),
    ("bound", "range"),
    ("currency", "usd"),
    ("modality", "hypothetical"),
    ("aliases", "A||B"),
    ("published", "2025-02-30"),
    ("id", "Not A Slug"),
    ("note", ""),
]


@pytest.mark.parametrize(("column", "value"), RECORD_RULE_EDITS)
def test_rows_are_judged_by_the_record_models_own_rules(
    packaged_dataset: Path, column: str, value: str
) -> None:
    """The validator gives each row to its model prepared as the model's before-validator would
    prepare it: the same record, or the same errors, as the model itself gives."""
    from pydantic import ValidationError

    from china_ai_claims.models import RECORD_TYPES, Record
    from china_ai_claims.validators.records import RecordCheck
    from china_ai_claims.validators.tables import Row as TableRow
    from china_ai_claims.validators.tables import Table

    def outcome(validate: Callable[[dict[str, Any]], Record], data: dict[str, Any]) -> object:
        try:
            return validate(data)
        except ValidationError as error:  # what a report says: all but the input (the row's
            # cells as given, without or with the empty ones)
            return [
                {key: value for key, value in detail.items() if key != "input"}
                for detail in error.errors(include_url=False)
            ]

    for model in RECORD_TYPES:
        with (packaged_dataset / f"{model.table}.csv").open(encoding="utf-8", newline="") as file:
            reader = csv.reader(file)
            header = next(reader)
            table = Table(model.table, file.name, {name: n for n, name in enumerate(header)})
            records = RecordCheck(table, model)
            for cells in reader:
                if column in table.index:
                    cells[table.index[column]] = value
                expected = outcome(model.model_validate, dict(zip(header, cells, strict=True)))
                row = TableRow(2, cells, [None] * len(cells))
                got = outcome(records.validate, records.model_input(row))
                assert got == expected, (model.table, cells)


def test_validate_leaves_the_garbage_collector_as_it_found_it(collector_enabled: bool) -> None:
    """The collector is paused while rows are checked, then left as it was found."""
    import gc

    assert validate().valid
    assert gc.isenabled() is collector_enabled


@pytest.mark.parametrize("file", ["cost_claims.csv", EXCLUSIONS])
def test_did_you_mean_is_searched_for_a_bounded_number_of_unknown_ids(
    dataset_copy: Path, file: str
) -> None:
    from china_ai_claims.validators.keys import MAX_SUGGESTIONS

    # ids close to a real one, each compared with every id known: bounded, so that a hostile
    # file of unknown ids cannot make validation slow
    close = THE_SOURCE.row_id[:-1]
    if file == EXCLUSIONS:
        lines = [f"{close},A sentence {n}.,A reason." for n in range(MAX_SUGGESTIONS + 20)]
        exclusion("\n".join(lines))(dataset_copy)
    else:
        table = dataset_copy / file
        with table.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        rows[0]["source_id"] = close
        with table.open("a", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, list(rows[0]), lineterminator="\n")
            for n in range(MAX_SUGGESTIONS + 20):
                writer.writerow({**rows[0], "id": f"{rows[0]['id']}-{n}"})
    unknown = [
        error for error in validate(dataset_copy).errors
        if error.rule == "foreign-key" and error.file == file and close in error.message
    ]  # fmt: skip
    assert len(unknown) >= MAX_SUGGESTIONS + 20
    suggested = [error for error in unknown if "did you mean" in error.message]
    assert 0 < len(suggested) <= MAX_SUGGESTIONS


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("C:\\data\\people.csv", "the path is absolute"),
        ("c:/data/people.csv", "the path is absolute"),
        ("C:people.csv", "the path is absolute"),
        ("\\\\server\\share\\people.csv", "the path contains a backslash"),
        ("https://example.com/people.csv", "the path carries a URL scheme; nothing is fetched"),
        ("people.csv", None),
    ],
)
def test_a_resource_path_is_refused_for_what_it_is(path: str, reason: str | None) -> None:
    from china_ai_claims.validators.files import unsafe_reason

    assert unsafe_reason(path) == reason


@pytest.mark.parametrize("kind", ["link", "folder"])
def test_a_source_that_is_no_regular_file_is_one_problem_at_its_path(
    dataset_copy: Path, kind: str
) -> None:
    text = sorted((dataset_copy / "sources").glob("*.txt"))[0]
    kept = dataset_copy.parent / "kept.txt"
    text.rename(kept)
    if kind == "link":
        text.symlink_to(kept)
    else:
        text.mkdir()
    errors = validate(dataset_copy).errors
    named = f"sources/{text.name}"
    assert any(error.file == named and error.rule in ("symlink", "unsafe-path") for error in errors)
    assert not [error for error in errors if error.rule == "source-missing"]


def test_many_unlisted_source_files_are_listed_up_to_the_cap_then_counted(
    dataset_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from china_ai_claims.validators import provenance

    monkeypatch.setattr(provenance, "MAX_PROBLEMS_PER_FILE", 3)
    for number in range(5):
        (dataset_copy / "sources" / f"extra-{number}.txt").write_text("x\n", encoding="utf-8")
    unlisted = [e for e in validate(dataset_copy).errors if e.rule == "unlisted-source-file"]
    assert [error.file for error in unlisted] == [
        "sources/",
        "sources/extra-0.txt",
        "sources/extra-1.txt",
        "sources/extra-2.txt",
    ]
    assert unlisted[0].message == "and 2 more files that sources.csv does not list"


def test_a_created_that_is_no_time_is_one_problem(dataset_copy: Path) -> None:
    descriptor(lambda d: d.update(created=5))(dataset_copy)
    errors = validate(dataset_copy).errors
    assert [(e.rule, e.column) for e in errors] == [("descriptor-mismatch", "created")]
