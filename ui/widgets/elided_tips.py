"""The whole text of a cell cut short, shown on hover.

A narrow column elides its text ("Sales and …"); a user then has no way to read it. The
delegate here answers a tool-tip request on such a cell with the cell's whole text when it
does not fit the cell (above the model's own tip, if it has one) — a fitting text gets the
model's tip alone, so hovering a table is not noisy. Used by tables with fixed, narrow columns.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QToolTip


def cut_short(option, text: str) -> bool:
    """Would ``text`` be elided in the cell ``option`` describes (its font and rectangle)?"""
    style = option.widget.style() if option.widget is not None else None
    margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None,
                               option.widget) + 1 if style is not None else 3
    widest = max((option.fontMetrics.horizontalAdvance(line) for line in text.splitlines()),
                 default=0)
    return widest > option.rect.width() - 2 * margin


def tip_for(text: str, own: object) -> str:
    """The whole text, then the model's own tip when it says something else."""
    return f"{text}\n\n{own}" if isinstance(own, str) and own and own != text else text


class ElidedTipDelegate(QStyledItemDelegate):
    """Shows the whole text of a cut-short cell as its tool tip."""

    def helpEvent(self, event, view, option, index) -> bool:
        if event is not None and event.type() == QEvent.Type.ToolTip and index.isValid():
            text = index.data(Qt.ItemDataRole.DisplayRole)
            if isinstance(text, str) and text and cut_short(option, text):
                tip = tip_for(text, index.data(Qt.ItemDataRole.ToolTipRole))
                QToolTip.showText(event.globalPos(), tip, view)
                return True
        return super().helpEvent(event, view, option, index)
