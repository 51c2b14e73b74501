"""The coverage strip: one bar per source of actuals, from the first day of its data to the
day it is complete through, against the view's "as of".

A source that ends before the "as of" shows the rest of its bar hatched ("not read as zero").
The figures come from :mod:`jbp.coverage`; this widget only draws them.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from jbp.coverage import Coverage
from jbp.kinds import KINDS
from ui import theme

#: Short names for the bars (the kinds' labels are longer than a bar).
SHORT = {"deals": "Deals", "registrations": "Registrations", "logins": "Logins",
         "certifications": "Certifications", "mdf": "MDF", "program_costs": "Costs"}


class CoverageStrip(QWidget):
    """One bar per kind of actuals; :meth:`set_coverage` fills it."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("coverage_strip")
        self.coverage: Coverage | None = None
        self.as_of: dt.date | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Data coverage per source")

    def sizeHint(self) -> QSize:
        return QSize(600, 38)

    def minimumSizeHint(self) -> QSize:
        return QSize(300, 38)

    def set_coverage(self, coverage: Coverage | None, as_of: dt.date | None) -> None:
        self.coverage, self.as_of = coverage, as_of
        text = self.text()
        self.setToolTip(text)
        self.setAccessibleDescription(text)
        self.update()

    def bars(self) -> list[tuple[str, dt.date | None, dt.date | None]]:
        """(kind, first, through) of each source, in the registry's order."""
        if self.coverage is None:
            return []
        return [(k, self.coverage.first(k), self.coverage.end(k)) for k in KINDS
                if k in self.coverage.sources]

    def text(self) -> str:
        """The strip in words (tooltip and screen readers)."""
        if self.coverage is None:
            return ""
        lines = [self.coverage.summary(self.as_of)]
        for kind, first, end in self.bars():
            if end is None:
                lines.append(f"{KINDS[kind].label}: no data")
                continue
            gap = ""
            if self.as_of is not None and end < self.as_of:
                gap = f" — {(self.as_of - end).days} days before the as-of, not read as zero"
            lines.append(f"{KINDS[kind].label}: {first} – {end}{gap}")
        return "\n".join(lines)

    def paintEvent(self, _event) -> None:
        bars = self.bars()
        if not bars:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        firsts = [f for _, f, _ in bars if f is not None]
        ends = [e for _, _, e in bars if e is not None]
        if not firsts:
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignVCenter, "No actuals yet")
            return
        lo = min(firsts)
        hi = max([*ends, self.as_of] if self.as_of else ends)
        span = max(1, (hi - lo).days)
        n = len(bars)
        gap = 8.0
        width = (self.width() - gap * (n - 1)) / n
        font = painter.font()
        font.setPointSizeF(max(7.0, font.pointSizeF() - 1.5))
        painter.setFont(font)
        text_pen = QPen(self.palette().color(self.foregroundRole()))
        colours = theme.current()  # bars: months with data (covered) and without
        for i, (kind, first, end) in enumerate(bars):
            x = i * (width + gap)
            painter.setPen(text_pen)
            label = SHORT.get(kind, kind)
            label += f" to {end:%d %b}" if end else ": none"
            painter.drawText(QRectF(x, 0, width, 16), Qt.AlignmentFlag.AlignLeft
                             | Qt.AlignmentFlag.AlignVCenter, label)
            bar = QRectF(x, 20, width, 10)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(theme.qcolor(colours.uncovered))
            painter.drawRect(bar)
            if first is None or end is None:
                continue
            x0 = bar.left() + bar.width() * (first - lo).days / span
            x1 = bar.left() + bar.width() * (end - lo).days / span
            painter.setBrush(theme.qcolor(colours.covered))
            painter.drawRect(QRectF(x0, bar.top(), max(1.0, x1 - x0), bar.height()))
            if self.as_of is not None and end < self.as_of:
                xa = bar.left() + bar.width() * (self.as_of - lo).days / span
                painter.setBrush(QBrush(theme.qcolor(colours.covered),
                                        Qt.BrushStyle.BDiagPattern))
                painter.drawRect(QRectF(x1, bar.top(), max(1.0, xa - x1), bar.height()))
        painter.end()
