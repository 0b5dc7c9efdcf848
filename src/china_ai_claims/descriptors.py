"""Read a ``datapackage.json`` as a hostile release may write it: bounded JSON, checked shape.

:func:`parse_json` refuses invalid UTF-8, nesting deeper than ``limits.json_depth`` (measured
before parsing, so a document nested a million deep costs one linear scan, not a recursion), and
``NaN``, ``Infinity`` and numbers that overflow to them. :func:`check_descriptor` refuses any
shape the loader does not read, so that no ``KeyError``, ``TypeError`` or ``AttributeError``
can come later from a malformed but hash-consistent descriptor.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any, TypeVar

from china_ai_claims import limits
from china_ai_claims.errors import ReleaseFormatError

FIELD_TYPES = ("string", "integer", "number", "boolean", "date", "list")
_JSON = TypeVar("_JSON")
_HASH = re.compile(r"sha256:[0-9a-f]{64}")
_RESOURCE_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}")  # Frictionless names, and more
# A string, or what is left of the text after a string that never closes: that text matches at
# its first quote, so the search goes on after it, where a pattern needing the closing quote would
# try again at every later quote (time growing with the square of the size).
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)  # each character one way
# A \u escape of a UTF-16 surrogate, with the whole run of backslashes before it (matched from the
# run's first, so a long run is tried once, not once per backslash): an odd number makes it an
# escape. JSON writes a character beyond U+FFFF as a high and a low surrogate, one after the other.
_SURROGATE_ESCAPE = re.compile(r"(?<!\\)(\\+)u([dD][89a-fA-F][0-9a-fA-F]{2})")


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"{text} is too large for a number")
    return value


# JSON as the standard library reads it, without the constants and overflows no file may hold
JSON_DECODER = json.JSONDecoder(parse_constant=_refuse_constant, parse_float=_finite_float)


def _lone_surrogate(text: str) -> str | None:
    """The first surrogate escape of ``text`` that is not half of a pair, if any: parsed, it would
    be a string that no file or terminal can write."""
    if "\\u" not in text:
        return None
    paired_at = -1  # where the low half of the last pair starts
    for match in _SURROGATE_ESCAPE.finditer(text):
        if len(match.group(1)) % 2 == 0:
            continue  # an escaped backslash, then the letters "u" and "d..."
        unit = int(match.group(2), 16)
        if match.start(2) - 1 == paired_at:
            continue
        low = _SURROGATE_ESCAPE.match(text, match.end())
        if (
            unit < 0xDC00
            and low is not None
            and len(low.group(1)) == 1
            and int(low.group(2), 16) >= 0xDC00
        ):
            paired_at = low.start(2) - 1
            continue
        return match.group(2)
    return None


def decoded_json_text(data: bytes, where: str) -> str:
    """The text of a JSON document, once it is strict UTF-8 free of half characters (lone
    surrogate escapes)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ReleaseFormatError(f"{where}: not UTF-8 (byte {error.start})") from None
    lone = _lone_surrogate(text)
    if lone is not None:
        raise ReleaseFormatError(
            f"{where}: \\u{lone}, half of a character (a lone UTF-16 surrogate), not text"
        )
    return text


def check_depth(text: str, where: str, outer: int = 0) -> None:
    """Refuse JSON text nested deeper than ``limits.json_depth``, counting ``outer`` containers
    around it: measured before parsing (strings removed, brackets counted), so that a document
    nested a million deep costs one linear scan, not a recursion."""
    brackets = re.sub(r"[^\[\]{}]+", "", _JSON_STRING.sub("", text))  # runs: one step each
    steps = (1 if bracket in "[{" else -1 for bracket in brackets)
    depth = outer + max(accumulate(steps), default=0)
    if depth > limits.LIMITS.json_depth:
        raise ReleaseFormatError(
            f"{where}: JSON nested {depth} deep, more than the {limits.LIMITS.json_depth} allowed"
        )


def parse_json(data: bytes, where: str) -> Any:
    """Strict UTF-8 JSON nested at most ``limits.json_depth`` deep, without NaN, Infinity or
    half of a character (a lone surrogate escape)."""
    text = decoded_json_text(data, where)
    check_depth(text, where)
    try:
        return JSON_DECODER.decode(text)
    except (ValueError, RecursionError) as error:
        raise ReleaseFormatError(f"{where}: not valid JSON ({error})") from None


def _fail(where: str, problem: str) -> ReleaseFormatError:
    return ReleaseFormatError(f"{where}: {problem}; not a china-ai-claims data package")


def _is_text_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _check_field(field: Any, where: str) -> None:
    if not isinstance(field, dict) or not isinstance(field.get("name"), str) or not field["name"]:
        raise _fail(where, "a field without a name")
    name = field["name"]
    if field.get("type") not in FIELD_TYPES:
        raise _fail(where, f"field {name!r} has type {field.get('type')!r}")
    constraints = field.get("constraints", {})
    if not isinstance(constraints, dict):
        raise _fail(where, f"field {name!r} has constraints that are not an object")
    if "enum" in constraints and not _is_text_list(constraints["enum"]):
        raise _fail(where, f"field {name!r} has an enum that is not a list of texts")
    if "enum" in constraints and len(set(constraints["enum"])) < len(constraints["enum"]):
        raise _fail(where, f"field {name!r} has an enum that lists a value twice")
    for key in ("trueValues", "falseValues"):
        if key in field and not _is_text_list(field[key]):
            raise _fail(where, f"field {name!r} has {key} that are not a list of texts")
    delimiter = field.get("delimiter", ",")
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        raise _fail(where, f"field {name!r} has a delimiter that is not one character")


def check_descriptor(descriptor: Any, where: str, *, paths: bool, hashes: bool) -> dict[str, Any]:
    """``descriptor`` if it has the shape the loader reads, else :class:`ReleaseFormatError`:
    a version, and resources with unique names (and paths), each a schema of typed fields (and,
    for a release, its ``hash`` and ``bytes``)."""
    if not isinstance(descriptor, dict):
        raise _fail(where, "the descriptor is not an object")
    if not isinstance(descriptor.get("version"), str):
        raise _fail(where, "no version")
    resources = descriptor.get("resources")
    if not isinstance(resources, list) or not resources:
        raise _fail(where, "no resources")
    seen: set[str] = set()
    for resource in resources:
        if not isinstance(resource, dict) or not isinstance(resource.get("name"), str):
            raise _fail(where, "a resource without a name")
        name = resource["name"]
        if not _RESOURCE_NAME.fullmatch(name):
            raise _fail(where, f"resource name {name!r} is not letters, digits, '.', '-' or '_'")
        keys = [name, *([resource.get("path")] if paths else [])]
        if paths and not isinstance(resource.get("path"), str):
            raise _fail(where, f"resource {name!r} has no path")
        if seen & set(map(str, keys)):
            raise _fail(where, f"resource {name!r} is listed twice (by name or path)")
        seen.update(map(str, keys))
        schema = resource.get("schema")
        fields = schema.get("fields") if isinstance(schema, dict) else None
        if not isinstance(fields, list) or not fields:
            raise _fail(where, f"resource {name!r} has no schema fields")
        for field in fields:
            _check_field(field, f"{where}: resource {name!r}")
        if len({field["name"] for field in fields}) != len(fields):
            raise _fail(where, f"resource {name!r} names a field twice")
        if hashes:
            _check_recorded(resource, name, where)
    return descriptor


def _check_recorded(resource: dict[str, Any], name: str, where: str) -> None:
    recorded = resource.get("hash")
    if not isinstance(recorded, str) or not _HASH.fullmatch(recorded):
        raise ReleaseFormatError(
            f"{where}: resource {name!r} has no sha256 hash: not a release "
            "(pass data_dir= to read an unreleased dataset folder)"
        )
    size = resource.get("bytes")
    if type(size) is not int or not 0 <= size <= limits.LIMITS.table_bytes:
        raise ReleaseFormatError(
            f"{where}: resource {name!r} records {size!r} bytes, not a size up to "
            f"{limits.LIMITS.table_bytes}"
        )


def copy_json(value: _JSON) -> _JSON:
    """A deep copy of JSON values (a descriptor, a schema), for a caller that may change it. Made
    by pickle, whose loops are in C: copying value by value in Python made a call per dict and
    list (some 1,900 for a descriptor of the dataset at 100 times its size, a tenth of what
    ``load_all()`` added to reading its tables; ``copy.deepcopy``, which keeps a memo for any
    object graph, took a tenth of a validation of the packaged dataset)."""
    import pickle

    # Safe to unpickle: the bytes are made here, from JSON values, never read from anywhere.
    copied: _JSON = pickle.loads(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))  # noqa: S301
    return copied
