"""Progress and cancellation for long exports (Orange's pattern: a pure function takes a
state object; the GUI's worker thread owns the thread and implements the state)."""

from __future__ import annotations

from jbp.errors import JbpError


class ExportCancelled(JbpError):
    """The user cancelled an export; nothing was written under the destination name."""

    def __init__(self) -> None:
        super().__init__("export cancelled; no file was written")


class ExportState:
    """Receives progress (fraction 0-1 and a short text) and says whether to stop.

    The default does nothing and never cancels; the GUI subclasses it.
    """

    cancelled: bool = False

    def progress(self, fraction: float, text: str = "") -> None:
        """Called between steps with the share of the work done (0-1)."""

    def step(self, fraction: float, text: str = "") -> None:
        """Report progress, then raise :class:`ExportCancelled` if the user cancelled."""
        self.progress(max(0.0, min(1.0, fraction)), text)
        if self.cancelled:
            raise ExportCancelled()
