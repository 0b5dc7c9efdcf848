"""The Hugging Face dataset card of a release: the release README with YAML front matter (one
config per table, the licence, languages and tags) and a citation section, so the extracted CSV
zip can be mirrored to the Hugging Face Hub as it is.
"""

from __future__ import annotations

import json
from typing import Any

from china_ai_claims.citation import bibtex


def _yaml(value: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar.
    return json.dumps(value, ensure_ascii=False)


def front_matter(descriptor: dict[str, Any], languages: list[str]) -> str:
    """The card's YAML front matter, between ``---`` lines."""
    lines = [
        "---",
        f"license: {descriptor['licenses'][0]['name'].lower()}",
        f"pretty_name: {_yaml(descriptor['title'])}",
        "language:",
        *(f"- {_yaml(language)}" for language in languages),
        "tags:",
        *(f"- {_yaml(keyword)}" for keyword in descriptor["keywords"]),
        "configs:",
    ]
    for resource in descriptor["resources"]:
        lines += [
            f"- config_name: {_yaml(resource['name'])}",
            f"  data_files: {_yaml(resource['path'])}",
        ]
    lines.append("---")
    return "\n".join(lines) + "\n"


def dataset_card(descriptor: dict[str, Any], readme: str, languages: list[str]) -> str:
    """``readme`` as a Hugging Face dataset card, with the BibTeX citation appended."""
    return (
        f"{front_matter(descriptor, languages)}\n{readme.rstrip()}\n\n"
        f"## Citation\n\n```bibtex\n{bibtex(descriptor)}```\n"
    )
