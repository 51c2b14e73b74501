"""Python's garbage collector runs on the GUI thread only.

A cycle of Python objects that holds a Qt object (a context with its undo stacks, a page
with its signals) is freed by whichever thread happens to trigger a collection. When that is
a worker thread (a background import, the chart renderer drawing with matplotlib), the Qt
destructor runs there, takes Qt's connection locks, then waits for the GIL — while the GUI
thread holds the GIL and waits for those locks: the app freezes for good. (Seen in the test
suite: the chart renderer's collection deleted an AppContext while the GUI thread set a
line edit's text.)

So automatic collection is switched off and this collector runs it from a timer on the GUI
thread, at the same generation thresholds Python would use (the pattern pyqtgraph ships as
``GarbageCollector``). Reference counting still frees everything that is not in a cycle at
once, on any thread.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

#: How often the GUI thread looks at the collector's counts (ms).
INTERVAL_MS = 1000

_installed: GuiThreadCollector | None = None


class GuiThreadCollector(QObject):
    """Disables automatic garbage collection and collects on a GUI-thread timer."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS):
        super().__init__(parent)
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(interval_ms)

    def check(self) -> None:
        """Collect the generations whose counts passed Python's own thresholds."""
        counts, thresholds = gc.get_count(), gc.get_threshold()
        for generation in (2, 1, 0):
            if counts[generation] > thresholds[generation]:
                gc.collect(generation)
                return


def install(app: QObject) -> GuiThreadCollector:
    """Install the collector once, owned by the application (call on the GUI thread)."""
    global _installed
    if _installed is None:
        _installed = GuiThreadCollector(app)
    return _installed
