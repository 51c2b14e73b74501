"""Start the desktop app: ``jbp`` (last used workspace, else the demo) or
``jbp --workspace PATH``."""

from __future__ import annotations

import sys
from pathlib import Path

ORGANIZATION = "JBP Studio"
APPLICATION = "JBP Studio"


def create_application(argv: list[str] | None = None):
    """The QApplication (created once), named so QSettings and the app data dir are ours."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName(APPLICATION)
    from ui import gc_guard

    gc_guard.install(app)  # cycles holding Qt objects are freed on the GUI thread only
    return app


def run_app(workspace: str | Path | None = None) -> int:
    """Show the main window on ``workspace`` (or the last used one, or the demo) and run
    the event loop; returns the exit code."""
    app = create_application()
    from ui.main_window import MainWindow

    window = MainWindow()
    window.ctx.ask_retry = lambda text: ask_retry_busy(window, text)
    window.show()
    window.start(workspace)
    code = int(app.exec())
    # Delete the window (and the widgets and threads it owns) while Qt is still up, not
    # during interpreter shutdown.
    import shiboken6

    shiboken6.delete(window)
    return code


def open_workspace_file(path: str | Path):
    """Open the workspace at ``path`` and read its coverage (where each source of actuals
    ends): the work of opening, done by the opening task off the GUI thread. The coverage
    is one COUNT/MIN/MAX per actuals table — seconds on a program of 20,000 partners — and
    every page states it, so it is read here rather than by the first page that asks.
    Returns ``(workspace, coverage)``; the coverage is ``None`` when it cannot be read (the
    context reads it again when asked)."""
    from jbp.coverage import coverage_of
    from jbp.store import Workspace

    _import_for_pages()
    ws = Workspace.open(path)
    try:
        coverage = coverage_of(ws)
    except Exception:  # opening does not fail on it: the pages read it when they ask
        coverage = None
    return ws, coverage


#: Modules the pages import when a workspace opens: imported by the opening task, so the
#: GUI thread does not stall importing them (a few hundred milliseconds on a busy machine).
OPEN_IMPORTS = ("jbp.importers", "jbp.dashboard", "jbp.bindings", "simulation.backtest",
                "simulation.calibrate")


def _import_for_pages() -> None:
    import importlib

    for name in OPEN_IMPORTS:
        importlib.import_module(name)


def ask_retry_busy(parent, text: str) -> bool:
    """Ask whether to try an edit again that another process's write lock refused (another
    window or a command is writing to the workspace). True to retry."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Warning, "Workspace busy",
                      f"{text}.\n\nRetry, or Cancel to drop this edit.",
                      QMessageBox.StandardButton.Retry | QMessageBox.StandardButton.Cancel,
                      parent)
    box.setObjectName("workspace_busy")
    box.setDefaultButton(QMessageBox.StandardButton.Retry)
    return box.exec() == QMessageBox.StandardButton.Retry
