"""KPI charts drawn on a matplotlib ``Axes`` (no pyplot state, no Qt).

The same drawing serves the desktop app (inside a ``FigureCanvasQTAgg``), exports and tests:
the caller owns the figure, these functions only draw on the axes they are given.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

# The KPI formatters live with every other unit's in jbp.formatting; the old names stay.
from .chart_style import LIGHT, ChartStyle, style_figure
from .formatting import attainment as format_attainment
from .formatting import kpi_value as format_kpi_value
from .kpi import KpiStatus, is_additive
from .model import Kpi

if TYPE_CHECKING:  # matplotlib is heavy; import it only where a chart is drawn
    from matplotlib.axes import Axes

#: RAG colours of the light chart style (hex RGB); the app's tables take theirs from its theme.
RAG_COLORS = dict(LIGHT.rag)
TARGET_COLOR = LIGHT.target
FORECAST_COLOR = LIGHT.forecast




PARTIAL_ALPHA = 0.35


def kpi_chart_data(kpi: Kpi, status: KpiStatus,
                   quarter_labels: Sequence[str]) -> list[dict]:
    """What a KPI chart draws, per quarter: ``label``, ``target`` (the quarter's),
    ``target_to_date`` (pro-rated to the day measured for the quarter in progress of an
    additive KPI; the target otherwise), ``actual``, and ``partial`` — True for the quarter
    in progress, drawn "to date" (outlined and hatched, labelled "Q4 to date, 45 of 92
    days"), never as a finished quarter."""
    partial = status.partial
    out = []
    for q in range(4):
        target = kpi.targets[q]
        this = partial if partial is not None and partial.quarter == q else None
        is_partial = this is not None
        to_date = target
        if this is not None and target is not None and is_additive(kpi):
            to_date = target * this.fraction
        label = list(quarter_labels)[q] if q < len(quarter_labels) else f"Q{q + 1}"
        out.append({"quarter": q, "label": label, "target": target,
                    "target_to_date": to_date, "actual": kpi.actuals[q],
                    "partial": is_partial,
                    "partial_label": this.label() if this is not None else ""})
    return out


def draw_kpi(ax: Axes, kpi: Kpi, status: KpiStatus, quarter_labels: Sequence[str],
             *, compact: bool = False, style: ChartStyle = LIGHT) -> None:
    """Draw one KPI: target and actual per quarter, and the run-rate forecast.

    Grey bars are the quarterly targets; coloured bars the actuals (coloured by the KPI's
    RAG to date). The quarter in progress (:func:`kpi_chart_data`) is drawn "to date": its
    actual outlined and hatched against the pro-rated target (solid grey, the full
    quarter's target as an outline), labelled "Q4 to date, 45 of 92 days". Dashed bars fill
    the quarters without an actual at the run-rate the forecast implies (for additive units: what is still needed spread evenly, i.e.
    (forecast − actual to date) ÷ remaining quarters; for rate units: the latest actual).
    The title carries attainment to date and the forecast against the full-year target.
    Colours come from ``style`` (the app's theme; workbooks and exports keep ``LIGHT``).
    """
    from matplotlib.ticker import FuncFormatter

    data = kpi_chart_data(kpi, status, quarter_labels)
    actuals = kpi.actuals
    x = list(range(4))
    width = 0.38
    color = style.rag.get(status.rag, style.rag[""])
    to_date = [d["target_to_date"] if d["target_to_date"] is not None else 0.0 for d in data]
    ax.bar([i - width / 2 for i in x], to_date, width, color=style.target, label="Target",
           zorder=2)
    partial = next((d for d in data if d["partial"]), None)
    if partial is not None and partial["target"] is not None and (
            partial["target_to_date"] != partial["target"]):
        q = partial["quarter"]  # the whole quarter's target, as an outline
        ax.bar([q - width / 2], [partial["target"]], width, color="none",
               edgecolor=style.target, linewidth=1.0, linestyle="--", zorder=2)
    done = [(i, a) for i in x if (a := actuals[i]) is not None and not data[i]["partial"]]
    ax.bar([i + width / 2 for i, _ in done], [a for _, a in done], width,
           color=color, label="Actual", zorder=2)
    if partial is not None and actuals[partial["quarter"]] is not None:
        q = partial["quarter"]
        ax.bar([q + width / 2], [actuals[q]], width, color=color, alpha=PARTIAL_ALPHA,
               edgecolor=color, hatch="//", linewidth=1.2, zorder=2,
               label="To date" if compact else partial["partial_label"])
        ax.annotate("to date" if compact else partial["partial_label"],
                    (q + width / 2, actuals[q]), textcoords="offset points", xytext=(0, 3),
                    ha="center", va="bottom", fontsize=7, color=style.muted)
    reported = [i for i in x if actuals[i] is not None]
    missing = [i for i in x if actuals[i] is None]
    if status.forecast is not None and missing and reported:
        if is_additive(kpi):
            per_quarter = max(0.0, (status.forecast - (status.actual_to_date or 0.0))
                              / len(missing))
        else:
            per_quarter = status.forecast
        ax.bar([i + width / 2 for i in missing], [per_quarter] * len(missing), width,
               color="none", edgecolor=style.forecast, linestyle=":", linewidth=1.2,
               label="Run-rate forecast", zorder=2)
    labels = list(quarter_labels)[:4]
    if compact:  # "Q1 (Jan–Mar)" → "Q1"
        labels = [label.split(" ")[0] for label in labels]
    if partial is not None:
        labels[partial["quarter"]] += " to date"
    ax.set_xticks(x)
    ax.set_xticklabels(labels)
    ax.yaxis.set_major_formatter(FuncFormatter(
        lambda v, _pos: format_kpi_value(v, kpi.unit, short=True)))
    if not any(v for v in (*to_date, *kpi.targets, *actuals) if v is not None):
        # nothing to draw yet (a KPI just added): no axis of "0, 0, -0" around nothing
        ax.set_ylim(0, 1)
        ax.set_yticks([])
    ax.grid(axis="y", color=style.grid, linewidth=0.8, zorder=0)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    size = 8 if compact else 10
    title = kpi.name
    if compact and len(title) > 34:
        title = title[:32] + "…"
    ax.set_title(title, fontsize=size + 1, loc="left", fontweight="bold",
                 pad=size + 8)
    parts = []
    if status.attainment is not None:
        parts.append(f"{format_attainment(status.attainment)} of "
                     f"{'target' if compact else 'pro-rated target'} ({status.rag})")
    elif status.actual_to_date is not None:  # reported, but nothing to judge it against
        parts.append("no target set" if status.full_target is None else "not judged")
    else:
        parts.append("no actuals yet")
    if status.forecast is not None and status.full_target:
        parts.append(f"{'fcst' if compact else 'forecast'} "
                     f"{format_kpi_value(status.forecast, kpi.unit, short=True)} "
                     f"{'/' if compact else 'vs'} "
                     f"{format_kpi_value(status.full_target, kpi.unit, short=True)}")
    ax.text(0.0, 1.02, " · ".join(parts), transform=ax.transAxes, fontsize=size - 1,
            color=style.muted, va="bottom", ha="left")
    ax.tick_params(labelsize=size - 1)
    if not compact:
        ax.legend(fontsize=size - 1, frameon=False, loc="upper left",
                  bbox_to_anchor=(0.0, -0.08), ncol=3)


def render_kpi_grid(items: Sequence[tuple[Kpi, KpiStatus]], quarter_labels: Sequence[str],
                    width_px: int, dpi: float = 96.0, columns: int = 3,
                    row_height_px: int = 210, *, style: ChartStyle = LIGHT,
                    pixel_ratio: float = 1.0) -> tuple[bytes, int, int]:
    """Render small multiples of :func:`draw_kpi` off-screen (Agg) and return
    ``(rgba_bytes, width, height)``. ``width_px`` and ``row_height_px`` are logical pixels;
    the image has ``pixel_ratio`` device pixels per logical pixel (2 on a 2× screen: drawn
    sharp at that resolution, not stretched), so its width and height are in device pixels.
    Thread-safe: it builds its own figure."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    n = max(1, len(items))
    columns = max(1, min(columns, n))
    rows = math.ceil(n / columns)
    width_px = max(300, int(width_px))
    height_px = max(160, rows * row_height_px)
    fig = Figure(figsize=(width_px / dpi, height_px / dpi), dpi=dpi * max(1.0, pixel_ratio))
    canvas = FigureCanvasAgg(fig)
    if not items:
        fig.text(0.5, 0.5, "This plan has no KPIs yet", ha="center", va="center")
    for i, (kpi, status) in enumerate(items):
        ax = fig.add_subplot(rows, columns, i + 1)
        draw_kpi(ax, kpi, status, quarter_labels, compact=True, style=style)
    style_figure(fig, style)
    fig.subplots_adjust(left=0.05, right=0.99, top=1 - 52 / height_px,
                        bottom=28 / height_px, wspace=0.3, hspace=0.62)
    canvas.draw()
    buffer = bytes(canvas.buffer_rgba())
    w, h = canvas.get_width_height()
    return buffer, w, h
