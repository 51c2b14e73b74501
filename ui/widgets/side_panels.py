"""Side panels that give way in a narrow window: the panel collapses to the splitter's
handle (drag it or double-click it to bring the panel back) instead of squeezing the
tables beside it into horizontal scrolling, and a collapsed panel does not hold the window
wider than the screen (:func:`let_panels_collapse`)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize
from PySide6.QtWidgets import QSplitter, QWidget

from ui import theme

HANDLE_STYLE = ("QSplitter::handle{background:$handle;}"
                "QSplitter::handle:hover{background:$handle_hover;}")


class PanelSplitter(QSplitter):
    """A splitter whose minimum size counts only the parts that cannot collapse: a side
    panel that collapses to its handle must not make the window's minimum width (a
    QSplitter counts every part's minimum, collapsed or not)."""

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        horizontal = self.orientation().value == 1  # Qt.Orientation.Horizontal
        spare = 0
        for i in range(self.count()):
            w = self.widget(i)
            if w is None or w.isHidden() or not self.isCollapsible(i):
                continue
            size = w.minimumSizeHint().expandedTo(w.minimumSize())
            spare += size.width() if horizontal else size.height()
        if horizontal:
            return QSize(max(0, hint.width() - spare), hint.height())
        return QSize(hint.width(), max(0, hint.height() - spare))


class CollapsingPanel(QObject):
    """Collapses widget ``index`` of ``splitter`` while the splitter is narrower than
    ``below`` pixels, and gives it back ``width`` pixels when it is wide again. Acts only
    when the width crosses the threshold, so a panel the user opened or closed stays so.
    A double-click on the panel's handle opens or closes it."""

    def __init__(self, splitter: QSplitter, index: int, below: int, width: int):
        super().__init__(splitter)
        self.splitter, self.index, self.below, self.width = splitter, index, below, width
        self.narrow: bool | None = None
        splitter.setCollapsible(index, True)
        splitter.setStretchFactor(index, 0)  # a wider window widens the main part only
        splitter.setHandleWidth(7)
        theme.style(splitter, HANDLE_STYLE)
        splitter.installEventFilter(self)
        self.handle = splitter.handle(index if index > 0 else 1)
        self.handle.setToolTip("Drag or double-click to show or hide the panel")
        self.handle.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.splitter and event.type() == QEvent.Type.Resize:
            self.fit(event.size().width())
        elif obj is self.handle and event.type() == QEvent.Type.MouseButtonDblClick:
            self.toggle()
            return True
        return False

    def _set_panel(self, panel: int) -> None:
        sizes = self.splitter.sizes()
        if len(sizes) <= self.index:
            return
        total = sum(sizes) or self.splitter.width()
        sizes[self.index] = panel
        others = [i for i in range(len(sizes)) if i != self.index]
        for i in others:
            sizes[i] = max(0, total - panel) // len(others)
        self.splitter.setSizes(sizes)

    def _open_width(self) -> int:
        total = sum(self.splitter.sizes()) or self.splitter.width()
        return self.width if total > 2 * self.width else total // 3

    def fit(self, width: int) -> None:
        narrow = width < self.below
        if narrow == self.narrow:
            return
        self.narrow = narrow
        self._set_panel(0 if narrow else self._open_width())

    def toggle(self) -> None:
        """Open a collapsed panel (over the main part in a narrow window), or close it."""
        widget: QWidget | None = self.splitter.widget(self.index)
        if self.collapsed:
            want = self._open_width()
            if widget is not None:
                want = max(want, widget.minimumSizeHint().width())
            self._set_panel(want)
        else:
            self._set_panel(0)

    @property
    def collapsed(self) -> bool:
        return self.splitter.sizes()[self.index] == 0
