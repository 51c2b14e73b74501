"""Chart canvases that never freeze the window: each is drawn in its own turn of the event loop.

A :class:`ChartCanvas` is a matplotlib ``FigureCanvasQTAgg`` given a *plot*: a function
that draws on an ``Axes`` (the chart functions of :mod:`simulation.charts`, which live outside
``ui/`` so the exporters reuse them). Setting a plot does not draw; it asks the
:class:`DrawQueue`, which draws one canvas per event-loop turn, visible canvases only (a
hidden tab's charts are drawn when it is shown). One chart costs tens of milliseconds; six
drawn in one go would stall the window for a good part of a second.

Margins are fixed in pixels rather than computed by a layout engine (constrained layout
doubles the cost of a draw).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QSizePolicy, QWidget

Plot = Callable[[Any], None]


class DrawQueue(QObject):
    """Draws pending canvases one per event-loop turn (see the module docstring)."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._pending: list[ChartCanvas] = []
        self._scheduled = False
        self.drawn = 0  # canvases drawn so far (tests and the stall benchmark read it)

    def request(self, canvas: ChartCanvas) -> None:
        if canvas not in self._pending:
            self._pending.append(canvas)
        self._schedule()

    def discard(self, canvas: ChartCanvas) -> None:
        if canvas in self._pending:
            self._pending.remove(canvas)

    def _visible(self) -> list[ChartCanvas]:
        alive = []
        for c in self._pending:
            try:
                if c.isVisible():
                    alive.append(c)
            except RuntimeError:  # the widget was deleted with its page
                self._pending.remove(c)
                return self._visible()
        return alive

    def _schedule(self) -> None:
        if not self._scheduled and self._visible():
            self._scheduled = True
            QTimer.singleShot(0, self._step)

    def busy(self) -> bool:
        """Whether a visible canvas still waits to be drawn."""
        return bool(self._visible())

    def _step(self) -> None:
        self._scheduled = False
        visible = self._visible()
        if visible:
            canvas = visible[0]
            self._pending.remove(canvas)
            canvas.render()
            self.drawn += 1
        self._schedule()


_queue: DrawQueue | None = None


def draw_queue() -> DrawQueue:
    """The process-wide draw queue."""
    global _queue
    if _queue is None:
        _queue = DrawQueue()
    return _queue


class ChartCanvas(FigureCanvasQTAgg):
    """One chart. :meth:`set_plot` gives it a function of an ``Axes`` (or ``None`` and a
    text to show instead); it is drawn through the :class:`DrawQueue`."""

    #: Margins around the axes in pixels: left, right, top, bottom.
    MARGINS = (62, 14, 28, 40)

    def __init__(self, parent: QWidget | None = None, *, name: str = "",
                 min_height: int = 200, margins: tuple[int, int, int, int] | None = None):
        self.figure = Figure(figsize=(4, 3), dpi=96)
        self.figure.patch.set_facecolor("white")
        super().__init__(self.figure)
        if parent is not None:
            self.setParent(parent)
        if name:
            self.setObjectName(name)
        self.margins = margins or self.MARGINS
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(260, min_height)
        self.plot: Plot | None = None
        self.empty_text = ""
        self.dirty = False
        self.axes = None

    def set_plot(self, plot: Plot | None, empty_text: str = "", *,
                 left_labels: list[str] | None = None) -> None:
        """Draw ``plot(ax)`` (soon); with ``None``, show ``empty_text``. ``left_labels``
        are the y tick labels of a horizontal bar chart: the left margin widens to fit
        them."""
        self.plot, self.empty_text = plot, empty_text
        if left_labels is not None:
            widest = max((len(t) for t in left_labels), default=0)
            self.margins = (max(self.MARGINS[0], 16 + round(6.0 * widest)),
                            *self.margins[1:])
        self.dirty = True
        draw_queue().request(self)

    def render(self) -> None:
        """Draw now (the queue calls this)."""
        self.dirty = False
        self.figure.clear()
        self.axes = None
        if self.plot is None:
            self.figure.text(0.5, 0.5, self.empty_text, ha="center", va="center",
                             color="#777777", wrap=True)
        else:
            self.axes = self.figure.add_subplot(1, 1, 1)
            try:
                self.plot(self.axes)
            except Exception as exc:  # a chart that cannot be drawn says so, in place
                self.figure.clear()
                self.axes = None
                self.figure.text(0.5, 0.5, f"Chart not available: {exc}", ha="center",
                                 va="center", color="#aa3333", wrap=True)
            else:
                for text in (self.axes.title, self.axes.xaxis.label, self.axes.yaxis.label):
                    text.set_fontsize(9)
                self.axes.tick_params(labelsize=8)
        self._apply_margins()
        self.draw()

    def _apply_margins(self) -> None:
        w, h = self.figure.bbox.width, self.figure.bbox.height
        if w < 50 or h < 50:
            return
        left, right, top, bottom = self.margins
        self.figure.subplots_adjust(left=min(0.45, left / w), right=max(0.55, 1 - right / w),
                                    top=max(0.55, 1 - top / h), bottom=min(0.45, bottom / h))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._apply_margins()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.dirty:
            draw_queue().request(self)
