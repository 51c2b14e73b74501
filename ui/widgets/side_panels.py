"""Side panels that give way in a narrow window: the panel collapses to the splitter's
handle (drag it or double-click it to bring the panel back) instead of squeezing the
tables beside it into horizontal scrolling."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QSplitter

from ui import theme

HANDLE_STYLE = ("QSplitter::handle{background:$handle;}"
                "QSplitter::handle:hover{background:$handle_hover;}")


class CollapsingPanel(QObject):
    """Collapses widget ``index`` of ``splitter`` while the splitter is narrower than
    ``below`` pixels, and gives it back ``width`` pixels when it is wide again. Acts only
    when the width crosses the threshold, so a panel the user opened or closed stays so."""

    def __init__(self, splitter: QSplitter, index: int, below: int, width: int):
        super().__init__(splitter)
        self.splitter, self.index, self.below, self.width = splitter, index, below, width
        self.narrow: bool | None = None
        splitter.setCollapsible(index, True)
        splitter.setStretchFactor(index, 0)  # a wider window widens the main part only
        splitter.setHandleWidth(7)
        theme.style(splitter, HANDLE_STYLE)
        splitter.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.splitter and event.type() == QEvent.Type.Resize:
            self.fit(event.size().width())
        return False

    def fit(self, width: int) -> None:
        narrow = width < self.below
        if narrow == self.narrow:
            return
        self.narrow = narrow
        sizes = self.splitter.sizes()
        if len(sizes) <= self.index:
            return
        total = sum(sizes) or width
        panel = 0 if narrow else (self.width if total > 2 * self.width else total // 3)
        sizes[self.index] = panel
        others = [i for i in range(len(sizes)) if i != self.index]
        for i in others:
            sizes[i] = (total - panel) // len(others)
        self.splitter.setSizes(sizes)

    @property
    def collapsed(self) -> bool:
        return self.splitter.sizes()[self.index] == 0
