"""Headline tiles: a figure in large type, its label, and its change against the prior
period coloured good (green) or bad (red). The words come from :mod:`jbp.dashboard`."""

from __future__ import annotations

import math

from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from ui import theme


def _n(text: str) -> str:
    """English digits in the user's number style (ui.i18n)."""
    from ui import i18n

    return i18n.number_style().number(text)


def tile_value(value: float, unit: str, currency: str = "") -> str:
    """A tile's figure: money in the workspace currency, ROPI and utilisation in percent."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if unit == "currency":
        from jbp.charts_portfolio import short_money

        return _n(f"{short_money(value)} {currency}".strip())
    if unit in ("ratio", "fraction"):
        return _n(f"{value:.0%}")
    return _n(f"{value:,.0f}")


def change_text(change: float, unit: str, currency: str = "") -> str:
    """The change against the prior period: +1.2M USD, +10 pp, −2."""
    if change is None or (isinstance(change, float) and math.isnan(change)):
        return "no prior figure"
    if change == 0:
        return "no change"
    sign = "+" if change > 0 else "−"
    if unit == "currency":
        from jbp.charts_portfolio import short_money

        return _n(f"{sign}{short_money(abs(change))} {currency}".strip())
    if unit in ("ratio", "fraction"):
        return _n(f"{sign}{abs(change) * 100:.0f} pp")
    return _n(f"{sign}{abs(change):,.0f}")


class Tile(QFrame):
    """One headline figure."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("tile")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        theme.style(self, "QFrame#tile{background:$tile_bg;border:1px solid $tile_border;"
                          "border-radius:6px;}")
        self.label = QLabel(self)
        theme.style(self.label, "color:$muted;font-size:8pt;")
        self.value = QLabel("…", self)
        self.value.setStyleSheet("font-size:15pt;font-weight:600;")
        self.change = QLabel(self)
        self.change.setStyleSheet("font-size:8pt;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 4, 10, 4)
        layout.setSpacing(0)
        for w in (self.label, self.value, self.change):
            # Narrow windows clip a tile's words rather than widen the window.
            w.setMinimumWidth(1)
            layout.addWidget(w)
        self._shown: tuple | None = None
        theme.signals().changed.connect(self._theme_changed)

    def _theme_changed(self) -> None:
        if self._shown is not None:
            self.show_tile(*self._shown)

    def show_tile(self, tile, currency: str, prior_text: str) -> None:
        self._shown = (tile, currency, prior_text)
        self.label.setText(tile.label)
        self.value.setText(tile_value(tile.value, tile.unit, currency))
        role = {True: "good", False: "bad", None: "neutral"}[tile.improved]
        self.change.setText(f"{theme.span(change_text(tile.change, tile.unit, currency), role)}"
                            f" {theme.span('on the year before', 'neutral')}")
        self.setToolTip(f"{tile.label}: {tile_value(tile.value, tile.unit, currency)} in the "
                        f"last 12 months, {tile_value(tile.prior, tile.unit, currency)} "
                        f"{prior_text}")


class TileRow(QWidget):
    """A row of :class:`Tile` (wrapping to two rows when narrow is not needed: six fit)."""

    def __init__(self, count: int, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        self.tiles = [Tile(self) for _ in range(count)]
        for i, t in enumerate(self.tiles):
            layout.addWidget(t, 0, i)
