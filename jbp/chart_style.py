"""The colours a chart is drawn in: a plain object, so the domain's chart functions follow
the app's theme without knowing of a screen.

``LIGHT`` is the style of every chart by default, and the one workbooks and exported images
keep. The desktop app fills a :class:`ChartStyle` from its palette (``ui/theme.py``) and
passes it to the drawing functions, then calls :func:`style_figure`, which recolours what
every chart draws in neutral ink — the figure and axes backgrounds, titles, tick labels,
annotations, spines, grid lines and black or grey reference lines — so a dark window gets a
dark chart. Series colours (RAG, tiers, partner types, scenarios) are mid-tones that read on
both backgrounds and stay as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # matplotlib is heavy; imported where a chart is drawn
    from matplotlib.figure import Figure
    from matplotlib.typing import ColorType


def _light_rag() -> Mapping[str, str]:
    return {"Green": "#2e9d57", "Amber": "#e0a526", "Red": "#d1453b", "": "#5b7fa6"}


@dataclass(frozen=True)
class ChartStyle:
    """Colours of a chart (any colour matplotlib understands; hex RGB here).

    ``foreground``: titles, tick labels, values; ``muted``: subtitles, annotations, axis
    lines; ``grid``: grid lines; ``target``/``forecast``: the KPI chart's target bars and
    run-rate outline; ``rag``: an actual's colour by its RAG ("" when not judged);
    ``tiers``: one colour per tier, lowest first (None: the charts' own tier colours)."""

    background: str = "#ffffff"
    foreground: str = "#000000"
    muted: str = "#555555"
    grid: str = "#e6e8eb"
    target: str = "#c9ced6"
    forecast: str = "#8fb0d3"
    rag: Mapping[str, str] = field(default_factory=_light_rag)
    tiers: tuple[str, ...] | None = None
    dark: bool = False


#: The light style: the app in a light palette, workbooks and exported images.
LIGHT = ChartStyle()


def _luminance(rgba: tuple[float, float, float, float]) -> float:
    r, g, b = rgba[:3]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _neutral_ink(color: object) -> float | None:
    """The luminance of ``color`` when it is a dark neutral (black or a grey darker than
    mid-grey: the ink of text, axes and reference lines on a white chart), else None."""
    from matplotlib.colors import to_rgba

    try:
        rgba = to_rgba(color)  # type: ignore[arg-type]
    except ValueError:
        return None
    if rgba[3] == 0 or max(rgba[:3]) - min(rgba[:3]) > 0.02:
        return None
    lum = _luminance(rgba)
    return lum if lum < 0.5 else None


def _channel(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def contrast(a: ColorType, b: ColorType) -> float:
    """WCAG contrast ratio of two matplotlib colours (1 … 21)."""
    from matplotlib.colors import to_rgb

    def lum(c: ColorType) -> float:
        r, g, b_ = (_channel(v) for v in to_rgb(c))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b_

    la, lb = lum(a), lum(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def readable(color: ColorType, style: ChartStyle, floor: float = 3.0) -> ColorType:
    """``color``, mixed towards the foreground until a line of it stands out from the
    background by ``floor`` (a dark purple line on a dark chart becomes a lighter purple);
    unchanged when it already does."""
    from matplotlib.colors import to_rgb

    if contrast(color, style.background) >= floor:
        return color
    rgb, fg = to_rgb(color), to_rgb(style.foreground)
    for step in range(1, 11):
        t = step / 10
        mixed = (rgb[0] + (fg[0] - rgb[0]) * t, rgb[1] + (fg[1] - rgb[1]) * t,
                 rgb[2] + (fg[2] - rgb[2]) * t)
        if contrast(mixed, style.background) >= floor:
            return mixed
    return style.foreground


def style_figure(fig: Figure, style: ChartStyle) -> None:
    """Recolour a drawn figure's neutral ink and backgrounds in ``style`` (see the module
    docstring). Call after the chart functions and before the canvas draws."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.text import Text

    def ink(lum: float) -> str:
        return style.foreground if lum < 0.2 else style.muted

    fig.patch.set_facecolor(style.background)
    for ax in fig.axes:
        ax.set_facecolor(style.background)
        for spine in ax.spines.values():
            spine.set_edgecolor(style.muted)
        ax.tick_params(which="both", colors=style.muted, labelcolor=style.foreground)
        for line in (*ax.xaxis.get_gridlines(), *ax.yaxis.get_gridlines()):
            line.set_color(style.grid)
        legend = ax.get_legend()
        if legend is not None:
            legend.get_frame().set_facecolor(style.background)
            legend.get_frame().set_edgecolor(style.grid)
    for text in fig.findobj(Text):
        lum = _neutral_ink(text.get_color())
        if lum is not None:
            text.set_color(ink(lum))
    for line in fig.findobj(Line2D):
        if line.axes is not None and line in (*line.axes.xaxis.get_gridlines(),
                                              *line.axes.yaxis.get_gridlines()):
            continue
        lum = _neutral_ink(line.get_color())
        if lum is not None:
            line.set_color(ink(lum))
        elif style.dark:  # a series line: it must stand out from a dark background too
            line.set_color(readable(line.get_color(), style))
        face = line.get_markerfacecolor()
        if isinstance(face, str) and face in ("white", "w", "#ffffff"):
            line.set_markerfacecolor(style.background)
        lum = _neutral_ink(line.get_markeredgecolor())
        if lum is not None:
            line.set_markeredgecolor(ink(lum))
    for patch in fig.findobj(Patch):
        if patch.get_hatch():  # a hatch is drawn in the edge colour
            lum = _neutral_ink(patch.get_edgecolor())
            if lum is not None:
                patch.set_edgecolor(ink(lum))
        elif style.dark and (alpha := patch.get_alpha()) is not None and alpha < 0.6:
            # a pale bar behind a line fades into a dark background: more of its colour
            patch.set_alpha(0.7)
