"""One way to report progress and to cancel long work (Orange's pattern).

A long function (an import, a simulation run, an export, a metrics pass) takes a ``state``
argument and calls :meth:`Progress.report` between steps and :meth:`Progress.check` where it
can stop cleanly. The CLI and tests pass a plain :class:`Progress` (records the last report,
never cancelled); the GUI's worker passes one whose ``on_report`` forwards to the window
through a queued signal and whose :meth:`cancel` is wired to the Cancel button.

There is one :class:`Cancelled` exception for all of them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from .errors import JbpError


class Cancelled(JbpError):
    """The user cancelled; nothing was written (every long write is one transaction or
    goes to a temporary file first)."""

    def __init__(self, what: str = "cancelled; nothing was changed") -> None:
        super().__init__(what)


class Progress:
    """Progress (a fraction 0-1 and a short text) and cancellation of one piece of long work.

    Thread-safe: :meth:`cancel` from any thread; ``on_report`` is called from the thread
    doing the work.
    """

    def __init__(self, on_report: Callable[[float, str], None] | None = None):
        self._cancel = threading.Event()
        self.on_report = on_report
        self.fraction = 0.0
        self.text = ""

    def report(self, fraction: float, text: str | None = None) -> None:
        """Say how much is done (clamped to 0-1) and, optionally, what is being done."""
        self.fraction = min(1.0, max(0.0, float(fraction)))
        if text is not None:
            self.text = text
        if self.on_report is not None:
            self.on_report(self.fraction, self.text)

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        """Raise :class:`Cancelled` once the user asked to stop."""
        if self._cancel.is_set():
            raise Cancelled()

    def step(self, fraction: float, text: str | None = None) -> None:
        """:meth:`report`, then :meth:`check`."""
        self.report(fraction, text)
        self.check()

    def part(self, start: float, width: float) -> Progress:
        """A view of this progress for one part of the work: its 0-1 maps onto
        ``[start, start + width]`` here; cancelling is shared."""
        return _Part(self, start, width)


class _Part(Progress):
    def __init__(self, parent: Progress, start: float, width: float):
        super().__init__()
        self._parent, self._start, self._width = parent, start, width
        self._cancel = parent._cancel

    def report(self, fraction: float, text: str | None = None) -> None:
        self.fraction = min(1.0, max(0.0, float(fraction)))
        if text is not None:
            self.text = text
        self._parent.report(self._start + self._width * self.fraction, text)
