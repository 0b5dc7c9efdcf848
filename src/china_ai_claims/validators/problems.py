"""Error records and the catalogue of rules.

Every problem the validator finds is a :class:`Problem` with a stable, kebab-case ``rule`` code.
Codes that mean what a Frictionless code means reuse it (``type-error``, ``constraint-error``,
``primary-key``, ``foreign-key``, ``missing-cell``, ``encoding-error``, ...). Codes are part of the
public contract: a code is never renamed or reused for another meaning.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from china_ai_claims.errors import escaped

MAX_VALUE_LENGTH = 80

# rule code -> (layer, fix hint shown to the contributor)
RULES: dict[str, tuple[str, str]] = {
    # descriptor and paths
    "descriptor-error": (
        "descriptor",
        "datapackage.json must be one JSON object without "
        "duplicate keys or NaN; regenerate it with 'china-ai-claims schemas'",
    ),
    "descriptor-mismatch": (
        "descriptor",
        "datapackage.json is generated: do not edit it by hand; "
        "run 'china-ai-claims schemas' and commit the result",
    ),
    "descriptor-stale": (
        "descriptor",
        "run 'china-ai-claims schemas' after changing sources.csv or the version (the id is "
        "made from it) and commit what it writes",
    ),
    "unsafe-path": (
        "descriptor",
        "a resource path is a plain file name inside the dataset folder, such as "
        "'cost_claims.csv' (no URL, absolute path, '..' or '\\'); a file of the dataset is a "
        "plain file (no FIFO, device or hard link) in a folder that can be listed",
    ),
    "compressed-resource": ("descriptor", "commit the CSV uncompressed"),
    "symlink": ("files", "replace the link with the file itself: links are never followed"),
    "file-too-large": ("files", "split the data or the source; files above the cap are refused"),
    "missing-file": ("files", "add the file, or restore it from the main branch"),
    "too-many-files": ("files", "the dataset folder holds only the tables and sources/"),
    "too-many-problems": (
        "files",
        "fix the problems shown first; the rest of this file's problems were counted, not listed",
    ),
    "unexpected-file": (
        "files",
        "the dataset folder holds datapackage.json, LICENSE, the tables, coverage-exclusions.csv "
        "and sources/ only: remove the file, or name it as the table it was meant to be",
    ),
    "unlisted-source-file": (
        "files",
        "list the file in sources.csv (china-ai-claims add-source does both) or remove it",
    ),
    # bytes and text
    "encoding-error": ("text", "save the file as UTF-8; the bytes at this line are not UTF-8"),
    "byte-order-mark": (
        "text",
        "save as UTF-8 without BOM (in Excel: 'CSV UTF-8' adds one; "
        "use a text editor or the csv module)",
    ),
    "unicode-not-nfc": (
        "text",
        "normalise the text to Unicode NFC (e.g. python: unicodedata.normalize('NFC', text))",
    ),
    "control-character": (
        "text",
        "remove the control character shown as \\uXXXX (tabs, NUL and "
        "carriage returns are not allowed in cells)",
    ),
    "bidi-control": (
        "text",
        "remove the bidirectional control character shown as \\uXXXX: it "
        "can make text display differently from what it is",
    ),
    "zero-width-character": (
        "text",
        "remove the invisible character shown as \\uXXXX (\\UXXXXXXXX beyond U+FFFF)",
    ),
    "crlf-line-endings": (
        "text",
        "the file has Windows (CRLF) line endings: save it with LF line endings (an editor's "
        "line-ending setting, or dos2unix), which keeps your changes; if git's core.autocrlf "
        "converted the whole checkout, run 'git config core.autocrlf input', commit or stash "
        "your changes (the next step discards uncommitted ones), then "
        "'git rm -q --cached -r dataset' and 'git reset -q --hard' to check the files out again "
        "as committed (the repository's .gitattributes keeps new clones byte-exact)",
    ),
    "untrimmed-whitespace": ("text", "remove the spaces at the start or end of the cell"),
    "formula-injection": (
        "text",
        "a cell may not start with = + - or @ (spreadsheets run it as a formula): reword it; "
        "a quote starts after such a mark (a list's '- ' is not part of the passage)",
    ),
    # structure and types
    "format-error": (
        "structure",
        "the file is not readable CSV here: check quotes, which must "
        "be doubled inside a quoted cell",
    ),
    "blank-label": ("structure", "give every header column its name"),
    "duplicate-label": ("structure", "each column appears once in the header"),
    "extra-label": (
        "structure",
        "correct the label (when it is close to a missing column, the message names that "
        "column) or remove the column; a new column is a schema change: propose it in an issue",
    ),
    "missing-label": (
        "structure",
        "add the column to the header (copy the header from the main branch)",
    ),
    "incorrect-label": (
        "structure",
        "put the columns in the schema's order (copy the header from the main branch)",
    ),
    "blank-row": ("structure", "delete the empty row"),
    "extra-cell": (
        "structure",
        "the row has more cells than the header: quote cells that contain commas",
    ),
    "missing-cell": (
        "structure",
        "the row has fewer cells than the header: add the missing commas",
    ),
    "type-error": (
        "structure",
        "write the value in the column's type (see the hint in the message)",
    ),
    "constraint-error": ("structure", "see the message for the constraint the value breaks"),
    "non-finite-number": ("structure", "write a finite number: NaN and infinity are not amounts"),
    "number-out-of-range": ("structure", "the number is too large to store; check its digits"),
    # keys and references
    "primary-key": ("keys", "ids are unique within a table: choose another id"),
    "foreign-key": (
        "keys",
        "use the id of an existing row of the referenced table, or add that row first",
    ),
    # record rules
    "record-rule": ("records", "see the message"),
    "bound-missing": (
        "records",
        "say how the source states the amount: exact, approximate, "
        "at_least, more_than, at_most, less_than, range or unquantified",
    ),
    "amount-text-missing": ("records", "copy the source's words for the amount into amount_text"),
    "bound-amount-mismatch": (
        "records",
        "point bounds take amount; range takes amount_low and "
        "amount_high; unquantified takes no number",
    ),
    "range-order": ("records", "amount_low must not exceed amount_high"),
    "currency-missing": (
        "records",
        "give the ISO 4217 code of the amount's currency (USD, CNY, ...)",
    ),
    "unknown-currency": ("records", "use an ISO 4217 currency code such as USD, CNY or EUR"),
    "incomplete-change": (
        "records",
        "fill change_direction, change_bound and change_text together",
    ),
    "change-bound-mismatch": (
        "records",
        "change_percent goes with every change_bound but unquantified",
    ),
    "incomplete-horizon": ("records", "fill horizon_value, horizon_unit and horizon_text together"),
    "incomplete-time": (
        "records",
        "dates need time_resolved_from and the source's words in time_text",
    ),
    "date-order": ("records", "start_date must not be after end_date"),
    "incomplete-pair": ("records", "fill the value and its *_text words together"),
    "claim-kind-mismatch": (
        "records",
        "the claim_kind needs its quantity columns (see the message)",
    ),
    "source-path-mismatch": ("records", "the path of a source is sources/<id>.txt"),
    "hypothetical-amount": (
        "records",
        "a conditional is not a cost or sum someone paid: empty amount, amount_low and "
        "amount_high, set bound unquantified and keep the words in amount_text",
    ),
    "period-mismatch": (
        "records",
        "say what the amount covers: period_kind one_off, span (with period_unit, period_text "
        "and period_value when the source writes a count), cumulative or not_stated",
    ),
    "unresolvable-date": (
        "records",
        "a date resolved from the publication date needs the "
        "source's published date in sources.csv",
    ),
    # provenance
    "source-missing": (
        "provenance",
        "archive the text at the path sources.csv gives (china-ai-claims add-source)",
    ),
    "hash-count": (
        "provenance",
        "the archived text changed: restore it, or if a new text is meant, add it as a new source",
    ),
    "byte-count": ("provenance", "the archived text changed size: restore it"),
    "quote-not-in-source": (
        "provenance",
        "copy the passage exactly from the source "
        "(china-ai-claims quote SOURCE 'words' prints it); curly ’ “ ” "
        "are not ' \"",
    ),
    "number-not-in-quote": (
        "provenance",
        "the number must be written in the quote: extend the "
        "quote to include it, or correct the number",
    ),
    "text-not-in-quote": (
        "provenance",
        "the cell must be copied from the quote, or the quote extended to include it",
    ),
    "currency-not-in-quote": (
        "provenance",
        "the quote must write the currency ($, yuan, €, ... or the ISO code): check the "
        "currency or extend the quote",
    ),
    "alias-not-in-source": (
        "provenance",
        "an alias is a name the source itself uses: copy it from the source, or remove it",
    ),
    "name-not-in-quote": (
        "provenance",
        "the linked name (or one of its aliases) must appear in "
        "the quote or its paragraph: check the id, or add an alias",
    ),
    # the dataset as a whole
    "hierarchy-cycle": (
        "whole",
        "a row cannot be its own ancestor: correct the parent_id or series_id that closes the "
        "loop (the message lists it)",
    ),
    "self-reference": (
        "whole",
        "the column names another row than the row itself (or than the other party): correct "
        "the id, or leave it empty",
    ),
    "duplicate-source-text": (
        "whole",
        "one text is one source: point the rows of the second at the first, then remove the "
        "second from sources.csv and sources/",
    ),
    "published-after-retrieved": (
        "whole",
        "a text cannot be archived before it is published: check both dates",
    ),
    "date-in-future": ("whole", "the date is after today: check the year, month and day"),
    "resolved-date-mismatch": (
        "whole",
        "a date resolved from the publication date lies where the words say ('last month' "
        "of a text published 2025-03-10 is in February 2025): check the date, the words in "
        "time_text and the source's published date",
    ),
    "duplicate-row": (
        "whole",
        "the row says what another row says: remove it, or record what differs",
    ),
}

# Warnings: hints from the quote's words that a row may misread it. They never fail validation.
# A row's note that names the code (e.g. "modal-in-assertion: 'can' describes a capability")
# explains the warning, which is then counted as explained instead of shown.
WARNING_LAYER = "hints"
RULES.update(
    {
        "modal-in-assertion": (
            WARNING_LAYER,
            "the quote has a conditional or modal word: check the modality (forecast, plan, "
            "hypothetical, opinion), or explain in the note, naming this code",
        ),
        "hypothetical-number": (
            WARNING_LAYER,
            "a hypothetical row states a number (a change or a horizon) as if it were so: "
            "check the modality, or explain in the note, naming this code",
        ),
        "claimant-mismatch": (
            WARNING_LAYER,
            "the quote's speech verb attributes the words to someone the claimed_by columns do "
            "not name: fix the claimant, narrow the quote, or explain in the note, naming this "
            "code",
        ),
    }
)

# The order in which a row's problems are listed: its root cause (its bytes, its shape) before what
# follows from it (types, rules, provenance), and the hints from the words last.
LAYERS = (
    "descriptor",
    "files",
    "text",
    "structure",
    "keys",
    "records",
    "provenance",
    "whole",
    WARNING_LAYER,
)

# The characters the text rules refuse, written once: text.py checks cells with them, and escape()
# shows each of them (and lone surrogates and other invisible format characters) as \uXXXX.
CONTROL_CHARS = "\x00-\x1f\x7f-\x9f\u2028\u2029"
BIDI_CHARS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
# with the format characters that show nothing (deprecated shaping controls, hieroglyph, shorthand
# and musical format controls), variation selectors and the object replacement character
ZERO_WIDTH_CHARS = (
    "\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200d\u2060-\u2065\u206a-\u206f"
    "\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffc\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e007f\U000e0100-\U000e01ef"
)
_INVISIBLE = re.compile(f"[{CONTROL_CHARS}{BIDI_CHARS}{ZERO_WIDTH_CHARS}\ud800-\udfff]")


MAX_SUGGESTIONS = 50  # "did you mean" searches per table (or file)


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` with the choice closest to ``value``, or ``""`` when none is
    close (ignoring case, so that ``At_Least`` finds ``at_least``)."""
    by_folded = {choice.casefold(): choice for choice in sorted(choices)}
    # difflib's ratio is at most 2b / (a + b) for texts of lengths a > b, under the cutoff of 0.6
    # once a > 7b / 3: a value that long is close to no choice, and indexing it would be costly
    if len(value) > 3 * max(map(len, by_folded), default=0):
        return ""
    close = difflib.get_close_matches(value.casefold(), list(by_folded), n=1, cutoff=0.6)
    return f"; did you mean {by_folded[close[0]]!r}?" if close else ""


def escape(text: str, limit: int = MAX_VALUE_LENGTH) -> str:
    """``text`` safe to print: invisible, control and bidi characters as ``\\uXXXX``, cut to
    ``limit`` characters with an ellipsis."""
    shown = _INVISIBLE.sub(lambda match: escaped(match.group()), text)
    if len(shown) > limit:
        shown = shown[: limit - 1] + "…"
    return shown


@dataclass(frozen=True)
class Problem:
    """One problem: where it is, which rule it breaks, and how to fix it."""

    file: str
    line: int
    rule: str
    message: str
    column: str | None = None
    value: str | None = None

    @property
    def hint(self) -> str:
        return RULES[self.rule][1]

    @property
    def layer(self) -> str:
        return RULES[self.rule][0]

    @property
    def severity(self) -> str:
        """``warning`` for a hint from the words (never fails validation), else ``error``."""
        return "warning" if self.layer == WARNING_LAYER else "error"

    def sort_key(self) -> tuple[str, int, int, str, str]:
        """By file and line; within a line, the earlier layer first: a row's root cause (its
        bytes, its shape) is listed before what follows from it (types, rules, provenance)."""
        return (self.file, self.line, LAYERS.index(self.layer), self.column or "", self.rule)

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "rule": self.rule,
            "layer": self.layer,
            "value": self.value,
            "message": self.message,
            "hint": self.hint,
        }


def problem(
    file: str,
    line: int,
    rule: str,
    message: str,
    column: str | None = None,
    value: str | None = None,
) -> Problem:
    """A :class:`Problem` with its value and message made safe to print."""
    if rule not in RULES:
        raise KeyError(f"unknown rule {rule!r}")
    return Problem(
        file=escape(file, limit=200),
        line=line,
        rule=rule,
        message=escape(message, limit=600),
        column=None if column is None else escape(column),
        value=None if value is None else escape(value),
    )
