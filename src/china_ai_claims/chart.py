"""A chart of the cost and funding claims that carry amounts, drawn from the data.

Each amount is a point on a log axis: a length means nothing on a log scale, so no bars. Training
costs and funding sit in separate panels, one per currency (amounts are never converted). A bound
is drawn as the source states it: "at least" or "more than" as an arrow pointing right from the
point, "at most" or "less than" as one pointing left, a range as a line from its low to its high
end, "approximately" as a hollow point. A claim that is not an assertion (a plan, a forecast) is a
diamond, and its label says which; a hypothetical one is left out and listed. Each point is
labelled with what the amount is about, who claims it, the period it covers as the source words
it (a pledge over three years, one quarter), and the source's words for the amount. Claims
without a number ("billions of yuan") are listed under the chart. The axis spans the drawn
amounts. The SVG is reproducible: fixed ids, no date.

matplotlib is an optional dependency: ``pip install "china-ai-claims[chart]"``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from china_ai_claims._resources import install_extra

PANELS = (("cost_claims", "Training cost"), ("funding_claims", "Funding"))
UPWARD = ("at_least", "more_than")  # the true amount is at or above the point
DOWNWARD = ("at_most", "less_than")
LEFT_OUT = ("hypothetical",)  # modalities never drawn as if the money were real
ARROW_DECADES = 0.45  # how far a bound's arrow reaches, in powers of ten
COLOURS = {"cost_claims": "#1f5fa8", "funding_claims": "#b5541c"}


@dataclass(frozen=True)
class Point:
    """One drawn claim."""

    table: str
    label: str
    period: str
    currency: str
    low: float
    high: float
    bound: str
    amount_text: str
    modality: str


def _names(table: str, data_dir: Path | None, column: str = "name") -> dict[str, str]:
    from china_ai_claims.loading import load

    frame = load(table, data_dir=data_dir)
    return dict(zip(frame["id"], frame[column], strict=True))


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _claimant(row: Any, people: dict[str, str], organizations: dict[str, str]) -> str:
    for column, names in (
        ("claimed_by_person_id", people),
        ("claimed_by_organization_id", organizations),
    ):
        value = row[column]
        if isinstance(value, str):
            return names[value]
    return "the source"


def _period(row: Any) -> str:
    """The period the amount covers, in the source's words where it gives them."""
    for column in ("period_text", "horizon_text", "time_text"):
        if column in row and _text(row[column]):
            return _text(row[column])
    if "period_kind" in row and _text(row["period_kind"]) == "one_off":
        return "one-off"
    return "period not stated"


def claims_to_draw(data_dir: Path | None = None) -> tuple[list[Point], list[str]]:
    """The points to draw and the lines listed under the chart (claims without a number, and
    hypothetical claims), from the cost and funding tables of ``data_dir`` (the packaged
    dataset by default)."""
    from china_ai_claims.loading import load

    organizations = _names("organizations", data_dir)
    people, models = _names("people", data_dir), _names("models", data_dir)
    points: list[Point] = []
    words: list[str] = []
    subjects = {
        "cost_claims": ("model_id", "organization_id", "scope"),
        "funding_claims": ("funder_organization_id", "funder_text", "target_text"),
    }
    for table, _ in PANELS:
        for _, row in load(table, data_dir=data_dir).iterrows():
            bound = _text(row["bound"])
            if not bound:
                continue
            what = next(
                (
                    models.get(row[c]) or organizations.get(row[c]) or row[c]
                    for c in subjects[table]
                    if isinstance(row[c], str)
                ),
                "unnamed",
            )
            kind = (
                "" if table == "cost_claims" else f" ({str(row['claim_kind']).replace('_', ' ')})"
            )
            label = f"{what}{kind}, per {_claimant(row, people, organizations)}"
            modality = (_text(row["modality"]) if "modality" in row else "") or "assertion"
            if bound == "unquantified" or modality in LEFT_OUT:
                # The reader of the list, too, must see that a plan or a conditional is not money
                # paid.
                reason = "" if modality == "assertion" else f" [{modality}]"
                words.append(f"{label}: “{row['amount_text']}”{reason}")
                continue
            low = float(row["amount_low"] if bound == "range" else row["amount"])
            high = float(row["amount_high"] if bound == "range" else row["amount"])
            points.append(
                Point(
                    table,
                    label,
                    _period(row),
                    str(row["currency"]),
                    low,
                    high,
                    bound,
                    str(row["amount_text"]),
                    modality,
                )
            )
    return points, words


def _extent(points: list[Point]) -> tuple[float, float]:
    """Axis limits that hold every point and arrow, with a third of a decade to spare."""
    low = min(math.log10(p.low) - (ARROW_DECADES if p.bound in DOWNWARD else 0) for p in points)
    high = max(math.log10(p.high) + (ARROW_DECADES if p.bound in UPWARD else 0) for p in points)
    return 10 ** (low - 0.35), 10 ** (high + 0.35)


def _draw_point(axis: Any, position: int, point: Point, colour: str) -> None:
    hollow = point.bound == "approximate"
    shape = "o" if point.modality == "assertion" else "D"  # a forecast, plan or opinion
    if point.bound == "range":
        axis.plot([point.low, point.high], [position, position], color=colour, linewidth=2)
        axis.plot([point.low, point.high], [position] * 2, "|", color=colour, markersize=10)
        return
    axis.plot(
        point.high,
        position,
        shape,
        markersize=7 if shape == "o" else 6,
        color=colour,
        markerfacecolor="white" if hollow else colour,
        markeredgewidth=1.6,
    )
    if point.bound in UPWARD + DOWNWARD:
        sign = 1 if point.bound in UPWARD else -1
        axis.annotate(
            "",
            xy=(point.high * 10 ** (sign * ARROW_DECADES), position),
            xytext=(point.high * 10 ** (sign * 0.06), position),
            arrowprops={"arrowstyle": "-|>", "color": colour, "linewidth": 1.4},
        )


def _tick_label(point: Point) -> str:
    marked = "" if point.modality == "assertion" else f" [{point.modality}]"
    return f"{point.label}{marked}\n“{point.amount_text}”, {point.period}"


SCALES = ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"), (1e3, "thousand"))


def amount_words(value: float) -> str:
    """An axis tick as a reader says it: "10 million", "1 billion", "500" (not 10⁷)."""
    if not math.isfinite(value) or value < 0:
        return f"{value:g}"
    value = float(f"{value:.6g}")  # as shown: 999999.9 is "1 million", not "1000 thousand"
    for size, word in SCALES:
        if value >= size:
            scaled = value / size
            return f"{value:g}" if scaled >= 1000 else f"{scaled:g} {word}"
    return f"{value:g}"


def _words_formatter() -> Any:
    """A formatter of a log axis that labels the ticks matplotlib's own would label (every
    decade; a few minor ticks where an axis spans little more than one), in words."""
    from matplotlib.ticker import LogFormatter

    class WordsFormatter(LogFormatter):
        def __call__(self, x: float, pos: int | None = None) -> str:
            return amount_words(x) if super().__call__(x, pos) else ""

    return WordsFormatter(labelOnlyBase=False)


def draw(out: Path, data_dir: Path | None = None) -> Path:
    """Write the chart of ``data_dir`` (the packaged dataset by default) as SVG to ``out``."""
    try:
        import matplotlib
    except ImportError:
        raise ImportError(f"the chart needs matplotlib: {install_extra('chart')}") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from china_ai_claims._resources import dataset_dir, read_version

    version = read_version(dataset_dir() if data_dir is None else data_dir)
    points, words = claims_to_draw(data_dir)
    panels = [
        (table, title, currency, sorted(shown, key=lambda p: (p.high, p.label)))
        for table, title in PANELS
        for currency in sorted({p.currency for p in points if p.table == table})
        for shown in [[p for p in points if p.table == table and p.currency == currency]]
    ]
    matplotlib.rcParams.update(
        {"svg.hashsalt": "china-ai-claims", "svg.fonttype": "none", "font.size": 9}
    )
    heights = [len(shown) + 0.6 for *_, shown in panels]
    figure, axes = plt.subplots(
        len(panels),
        1,
        figsize=(9, 1.2 + 0.62 * sum(heights) + 0.13 * len(words)),
        gridspec_kw={"height_ratios": heights},
        squeeze=False,
    )
    for axis, (table, title, currency, shown) in zip(axes[:, 0], panels, strict=True):
        for position, point in enumerate(shown):
            _draw_point(axis, position, point, COLOURS[table])
        axis.set_yticks(range(len(shown)), [_tick_label(point) for point in shown])
        axis.set_ylim(-0.6, len(shown) - 0.4)
        axis.set_xscale("log")
        axis.set_xlim(*_extent(shown))
        axis.xaxis.set_major_formatter(_words_formatter())
        axis.xaxis.set_minor_formatter(_words_formatter())
        axis.grid(axis="x", color="#dddddd", linewidth=0.6)
        axis.set_axisbelow(True)
        axis.spines[["top", "right"]].set_visible(False)
        axis.set_title(f"{title} claims, {currency} as stated", loc="left", fontweight="bold")
        axis.set_xlabel(f"{currency} (log scale)")
    figure.suptitle(
        f"Claimed amounts, china-ai-claims {version}\n"
        "● exact   ○ approximate   ◆ ◇ not an assertion (its label says what)   "
        "→ at least / more than   ← at most / less than   |—| range",
        fontsize=9,
    )
    if words:
        figure.text(
            0.01,
            0.01,
            "Stated without a number, not drawn:\n" + "\n".join(words),
            fontsize=7.5,
            va="bottom",
        )
    bottom = (0.2 + 0.13 * len(words)) / figure.get_figheight() if words else 0
    figure.tight_layout(rect=(0, bottom, 1, 0.95))
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, format="svg", metadata={"Date": None, "Creator": "china-ai-claims"})
    plt.close(figure)
    return out
