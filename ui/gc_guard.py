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

#: How often the GUI thread looks at the collector's counts (ms). Often: a worker reading
#: a large workspace allocates millions of objects a second, and the young generation the
#: timer then collects is all that was allocated since the last look — once a second, a
#: pause of a few hundred milliseconds; every 50 ms, a few milliseconds each.
INTERVAL_MS = 50

_installed: GuiThreadCollector | None = None


class GuiThreadCollector(QObject):
    """Disables automatic garbage collection and collects on a GUI-thread timer."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS):
        super().__init__(parent)
        gc.disable()
        #: Objects in the oldest generation after the last full collection.
        self.full_size = 0
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(interval_ms)

    def check(self) -> None:
        """Collect the generations whose counts passed Python's own thresholds; the oldest
        generation, as Python does, only once it has grown by a quarter since its last
        collection (a full collection walks every object of the process: with the figures
        of 20,000 partners in memory, each would stall the window for a good part of a
        second, and without this rule they come every few seconds)."""
        counts, thresholds = gc.get_count(), gc.get_threshold()
        if counts[2] > thresholds[2]:
            size = len(gc.get_objects(generation=2))
            if size - self.full_size > self.full_size // 4:
                gc.collect(2)
                self.full_size = len(gc.get_objects(generation=2))
                return
        for generation in (1, 0):
            if counts[generation] > thresholds[generation]:
                gc.collect(generation)
                return


def install(app: QObject) -> GuiThreadCollector:
    """Install the collector once, owned by the application (call on the GUI thread)."""
    global _installed
    if _installed is None:
        _installed = GuiThreadCollector(app)
    return _installed
