"""Chart widgets that never freeze the window: matplotlib renders off the GUI thread.

A :class:`ChartCanvas` is given a *plot*: a function that draws on an ``Axes`` (the chart
functions of :mod:`simulation.charts`, which live outside ``ui/`` so the exporters reuse
them). The :class:`ChartRenderer` — one background thread for the whole process — builds a
``Figure`` of the canvas's size, calls the plot, renders it with Agg and hands back an
image; the GUI thread only paints that image. Drawing one chart costs 40–150 ms on a busy
machine: on the GUI thread, the six charts of a result would stall the window for a good
part of a second (measured by benchmarks/bench_scenario_lab_stall.py).

Why a thread is safe here: each figure is built, drawn and read by the render thread only,
and matplotlib keeps its font objects per thread (``font_manager.get_font`` keys its cache on
the thread id). Only visible canvases are rendered; a hidden tab's charts are rendered when
it is shown, and a canvas re-renders (once the resizing settles) when its size changes.
Margins are fixed in pixels rather than computed by a layout engine (constrained layout
doubles the cost of a draw).
"""

from __future__ import annotations

import atexit
import itertools
import queue
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

from jbp.chart_style import LIGHT, ChartStyle, style_figure
from jbp.chart_text import describe_axes
from ui import theme

Plot = Callable[[Any], None]

#: Margins around the axes in pixels: left, right, top, bottom.
DEFAULT_MARGINS = (62, 14, 28, 40)


@dataclass
class RenderJob:
    """Everything the render thread needs: no widget is touched off the GUI thread."""

    key: int
    generation: int
    plot: Plot | None
    empty_text: str
    width: int  # physical pixels
    height: int
    dpi: float
    margins: tuple[int, int, int, int]  # logical pixels
    style: ChartStyle = LIGHT  # the theme's, taken on the GUI thread
    error_colour: str = LIGHT.rag["Red"]


def render_figure(job: RenderJob) -> tuple[str, bytes, str]:
    """Build and draw the job's figure with Agg; return the chart's title and the RGBA
    pixels. Pure matplotlib: runs on the render thread (and in tests). The figure is
    cleared afterwards: what it allocated is freed at once rather than left for the
    garbage collector (whose full collections stall every thread)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    scale = job.dpi / 96.0
    fig = Figure(figsize=(job.width / job.dpi, job.height / job.dpi), dpi=job.dpi)
    FigureCanvasAgg(fig)
    axes = None
    if job.plot is None:
        fig.text(0.5, 0.5, job.empty_text, ha="center", va="center", color=job.style.muted,
                 wrap=True)
    else:
        axes = fig.add_subplot(1, 1, 1)
        try:
            job.plot(axes)
        except Exception as exc:  # a chart that cannot be drawn says so, in place
            fig.clear()
            axes = None
            fig.text(0.5, 0.5, f"Chart not available: {exc}", ha="center", va="center",
                     color=job.error_colour, wrap=True)
        else:
            for text in (axes.title, axes.xaxis.label, axes.yaxis.label):
                text.set_fontsize(9)
            axes.tick_params(labelsize=8)
    w, h = job.width / scale, job.height / scale
    left, right, top, bottom = job.margins
    if w > 50 and h > 50:
        fig.subplots_adjust(left=min(0.45, left / w), right=max(0.55, 1 - right / w),
                            top=max(0.55, 1 - top / h), bottom=min(0.45, bottom / h))
    style_figure(fig, job.style)
    fig.canvas.draw()
    # A title placed on the left (the KPI chart's) is a title too.
    title = (axes.get_title() or axes.get_title("left")) if axes is not None else (
        fig.texts[0].get_text() if fig.texts else "")
    described = describe_axes(axes) if axes is not None else title  # the text alternative
    data = bytes(fig.canvas.buffer_rgba())
    fig.clear()
    return title, data, described


class _Bridge(QObject):
    # Emitted from the render thread; delivered queued on the GUI thread.
    done = Signal(int, int, object)


class ChartRenderer(QObject):
    """The process's chart render thread (see the module docstring)."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._jobs: queue.Queue[RenderJob | None] = queue.Queue()
        self._latest: dict[int, int] = {}
        self._canvases: weakref.WeakValueDictionary[int, ChartCanvas] = \
            weakref.WeakValueDictionary()
        self._in_flight = 0
        self._rendering = False
        self._bridge = _Bridge()
        self._bridge.done.connect(self._deliver)
        self._thread = threading.Thread(target=self._loop, name="chart-renderer",
                                        daemon=True)
        self._thread.start()
        self._keys = itertools.count(1)
        self._generations = itertools.count(1)
        self._waiting: list[RenderJob] = []
        self._flush = QTimer(self)
        self._flush.setSingleShot(True)
        self._flush.setInterval(0)
        self._flush.timeout.connect(self._hand_over)
        self.drawn = 0  # charts delivered so far (tests and the stall benchmark read it)

    def register(self, canvas: ChartCanvas) -> int:
        key = next(self._keys)
        self._canvases[key] = canvas
        return key

    def submit(self, canvas: ChartCanvas) -> None:
        """Render ``canvas``'s current plot at its current size (a newer request for the
        same canvas supersedes an older one still waiting)."""
        ratio = canvas.devicePixelRatioF() or 1.0
        width = max(1, round(canvas.width() * ratio))
        height = max(1, round(canvas.height() * ratio))
        job = RenderJob(canvas.key, next(self._generations), canvas.plot, canvas.empty_text,
                        width, height, 96.0 * ratio, canvas.margins,
                        theme.current().chart, theme.current().error_text)
        self._latest[canvas.key] = job.generation
        canvas.pending_generation = job.generation
        self._in_flight += 1
        self._waiting.append(job)
        self._flush.start()

    def _hand_over(self) -> None:
        # One job at a time, handed over from a zero timer: the render thread never
        # competes for the interpreter with the slot that asked for the charts, and the
        # event loop turns between two charts.
        if self._waiting and not self._rendering:
            self._rendering = True
            self._jobs.put(self._waiting.pop(0))

    def busy(self) -> bool:
        """Whether a chart is being rendered or a visible canvas waits to be."""
        if self._in_flight:
            return True
        for canvas in list(self._canvases.values()):
            try:
                if canvas.dirty and canvas.isVisible():
                    return True
            except RuntimeError:  # deleted with its page
                continue
        return False

    def _loop(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            if self._latest.get(job.key) != job.generation:
                self._bridge.done.emit(job.key, job.generation, None)  # superseded
                continue
            try:
                title, data, described = render_figure(job)
                image = QImage(data, job.width, job.height,
                               QImage.Format.Format_RGBA8888).copy()
                image.setDevicePixelRatio(job.dpi / 96.0)
                out = (image, title, described)
            except Exception as exc:  # never let the thread die
                out = exc
            self._bridge.done.emit(job.key, job.generation, out)

    def _deliver(self, key: int, generation: int, out: Any) -> None:
        self._in_flight -= 1
        self._rendering = False
        if self._waiting:
            self._flush.start()
        canvas = self._canvases.get(key)
        if out is None or canvas is None or canvas.pending_generation != generation:
            return
        try:
            canvas.show_rendered(out)
        except RuntimeError:  # deleted meanwhile
            return
        self.drawn += 1


_renderer: ChartRenderer | None = None


def chart_renderer() -> ChartRenderer:
    """The process-wide chart renderer."""
    global _renderer
    if _renderer is None:
        freeze_long_lived_objects()
        _renderer = ChartRenderer()
        # Registered after QApplication's own exit handler, so it runs first (LIFO).
        atexit.register(stop_chart_renderer)
    return _renderer


def stop_chart_renderer(timeout: float = 10.0) -> None:
    """Let the render thread finish the chart it is drawing and end, while Qt is still up.
    A daemon thread left drawing (or emitting its result) as the interpreter tears down
    the renderer's QObjects and the QApplication crashed the process at exit now and then
    (SIGSEGV in a test script that quit right after its charts)."""
    renderer = _renderer
    if renderer is None or not renderer._thread.is_alive():
        return
    renderer._latest.clear()  # whatever still waits is superseded: skip it
    renderer._jobs.put(None)
    renderer._thread.join(timeout)


def freeze_long_lived_objects() -> None:
    """Move every object alive now (imported modules, the window) out of the cyclic
    garbage collector's view (``gc.freeze``), once per process.

    Drawing a chart allocates thousands of short-lived objects; every so often that
    triggers a full collection, which walks every tracked object of the process while
    holding the interpreter lock: about 50 ms with matplotlib, pandas and Qt loaded, a
    stall of the window whichever thread triggered it. Frozen objects are skipped, which
    cuts those pauses to a fraction. Frozen objects are never collected, so this is done
    once, after start-up, when what exists is meant to live: the modules the charts and
    results need are imported first and the garbage already there is collected."""
    import gc

    global _frozen
    if _frozen:
        return
    _frozen = True
    import matplotlib.backends.backend_agg
    import matplotlib.figure  # noqa: F401
    import pandas  # noqa: F401

    import simulation.charts
    import simulation.results  # noqa: F401

    gc.collect()
    gc.freeze()


_frozen = False


class ChartCanvas(QWidget):
    """One chart. :meth:`set_plot` gives it a function of an ``Axes`` (or ``None`` and a
    text to show instead); the :class:`ChartRenderer` draws it off the GUI thread. After
    it arrives, :attr:`image` holds the pixels and :attr:`title` the chart's title."""

    MARGINS = DEFAULT_MARGINS

    def __init__(self, parent: QWidget | None = None, *, name: str = "",
                 min_height: int = 200, margins: tuple[int, int, int, int] | None = None):
        super().__init__(parent)
        if name:
            self.setObjectName(name)
        self.margins = margins or self.MARGINS
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(260, min_height)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.plot: Plot | None = None
        self.empty_text = ""
        self.dirty = False
        self.error = ""
        self.image: QImage | None = None
        self.title = ""
        self.pending_generation = 0
        self.key = chart_renderer().register(self)
        self.setAccessibleName("Chart")  # until drawn: then its title and figures in words
        self._resize = QTimer(self)
        self._resize.setSingleShot(True)
        self._resize.setInterval(120)
        self._resize.timeout.connect(self._request)
        theme.signals().changed.connect(self._theme_changed)

    def _theme_changed(self) -> None:
        if self.image is not None or self.plot is not None or self.empty_text:
            self.dirty = True
            self._request()

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
        self._request()

    def _request(self) -> None:
        if self.isVisible() and self.width() > 0 and self.height() > 0:
            self.dirty = False
            chart_renderer().submit(self)

    def show_rendered(self, out: Any) -> None:
        if isinstance(out, Exception):
            self.error = f"Chart not available: {out}"
            self.image = None
        else:
            self.image, self.title, described = out
            self.error = ""
            self.setAccessibleName(self.title or "Chart")
            self.setAccessibleDescription(described)
        self.update()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), theme.qcolor(theme.current().chart.background))
        if self.image is not None:
            target = QRect(0, 0, self.width(), self.height())
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(target, self.image)
        elif self.error:
            painter.setPen(theme.qcolor(theme.current().error_text))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.error)
        painter.end()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        # Also while a render is in flight (no image yet, not dirty): that render is for
        # the old size, and without a new request the chart stayed stretched from it.
        if self.image is not None or self.dirty or self.plot is not None or self.empty_text:
            self.dirty = True
            self._resize.start()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.dirty:
            self._request()
