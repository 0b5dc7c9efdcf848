"""A chart of the cost and funding claims that carry amounts, drawn from the data.

One panel per currency (amounts are never converted), on a log scale. A bar is labelled with what
the claim is about and who makes it; a lower bound ("$100 million+", "more than") ends in an
arrow pointing right, an upper bound in one pointing left, a range is drawn from its low to its
high end, and the source's own words for the amount stand beside each bar. Claims without a
number ("billions of yuan") are listed under the chart rather than drawn. The SVG is
reproducible: fixed ids, no date.

matplotlib is an optional dependency: ``pip install "china-ai-claims[chart]"``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The arrow after a bound's words: the true amount lies beyond the bar in that direction.
BOUND_ARROWS = {"at_least": " →", "more_than": " →", "at_most": " ←", "less_than": " ←"}


@dataclass(frozen=True)
class Bar:
    """One drawn claim."""

    label: str
    currency: str
    low: float
    high: float
    bound: str
    amount_text: str


def _names(table: str, data_dir: Path | None, column: str = "name") -> dict[str, str]:
    from china_ai_claims.loading import load

    frame = load(table, data_dir=data_dir)
    return dict(zip(frame["id"], frame[column], strict=True))


def _claimant(row: Any, people: dict[str, str], organizations: dict[str, str]) -> str:
    for column, names in (
        ("claimed_by_person_id", people),
        ("claimed_by_organization_id", organizations),
    ):
        value = row[column]
        if isinstance(value, str):
            return names[value]
    return "the source"


def claims_to_draw(data_dir: Path | None = None) -> tuple[list[Bar], list[str]]:
    """The bars to draw and the lines of unquantified claims, from the cost and funding tables
    of ``data_dir`` (the packaged dataset by default)."""
    from china_ai_claims.loading import load

    organizations = _names("organizations", data_dir)
    people, models = _names("people", data_dir), _names("models", data_dir)
    bars: list[Bar] = []
    words: list[str] = []
    for table, subject in (
        ("cost_claims", ("model_id", "organization_id", "scope")),
        ("funding_claims", ("funder_organization_id", "funder_text", "target_text")),
    ):
        kind = "training cost" if table == "cost_claims" else "funding"
        for _, row in load(table, data_dir=data_dir).iterrows():
            if row["bound"] is None or str(row["bound"]) == "nan":
                continue
            what = next(
                (
                    models.get(row[c]) or organizations.get(row[c]) or row[c]
                    for c in subject
                    if isinstance(row[c], str)
                ),
                "unnamed",
            )
            label = f"{what} ({kind}), per {_claimant(row, people, organizations)}"
            bound = str(row["bound"])
            if bound == "unquantified":
                words.append(f"{label}: “{row['amount_text']}”")
                continue
            low = float(row["amount_low"] if bound == "range" else row["amount"])
            high = float(row["amount_high"] if bound == "range" else row["amount"])
            bars.append(Bar(label, str(row["currency"]), low, high, bound, str(row["amount_text"])))
    return bars, words


def draw(out: Path, data_dir: Path | None = None) -> Path:
    """Write the chart of ``data_dir`` (the packaged dataset by default) as SVG to ``out``."""
    try:
        import matplotlib
    except ImportError:
        raise ImportError(
            "the chart needs matplotlib: pip install 'china-ai-claims[chart]'"
        ) from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from china_ai_claims._resources import dataset_dir, read_version

    version = read_version(dataset_dir() if data_dir is None else data_dir)
    bars, words = claims_to_draw(data_dir)
    currencies = sorted({bar.currency for bar in bars})
    matplotlib.rcParams.update(
        {"svg.hashsalt": "china-ai-claims", "svg.fonttype": "none", "font.size": 9}
    )
    heights = [sum(bar.currency == currency for bar in bars) for currency in currencies]
    figure, axes = plt.subplots(
        len(currencies),
        1,
        figsize=(10, 1.2 + 0.55 * sum(heights) + 0.22 * len(words)),
        gridspec_kw={"height_ratios": heights},
        squeeze=False,
    )
    for axis, currency in zip(axes[:, 0], currencies, strict=True):
        shown = sorted((bar for bar in bars if bar.currency == currency), key=lambda bar: bar.high)
        for position, bar in enumerate(shown):
            width = max(bar.high - bar.low, 0)
            axis.barh(position, bar.high, color="#4c72b0", height=0.6, alpha=0.85)
            if bar.bound == "range" and width > 0:
                axis.barh(position, width, left=bar.low, color="#dd8452", height=0.6)
            axis.text(
                bar.high * 1.08,
                position,
                f"{bar.amount_text}{BOUND_ARROWS.get(bar.bound, '')}",
                va="center",
            )
        axis.set_yticks(range(len(shown)), [bar.label for bar in shown])
        axis.set_xscale("log")
        right = max(bar.high for bar in shown)
        axis.set_xlim(min(bar.low for bar in shown) / 3, right * 30)
        axis.set_xlabel(
            f"amount in {currency} as stated (log scale; arrows: the source gives a bound)"
        )
    figure.suptitle(f"Training-cost and funding claims with amounts, china-ai-claims {version}")
    if words:
        figure.text(
            0.01, 0.01, "Stated without a number:\n" + "\n".join(words), fontsize=8, va="bottom"
        )
    figure.tight_layout(rect=(0, 0.02 + 0.028 * len(words), 1, 0.97))
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, format="svg", metadata={"Date": None, "Creator": "china-ai-claims"})
    plt.close(figure)
    return out
