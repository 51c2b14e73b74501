"""File → Export and File → Import of Excel workbooks: the GUI face of :mod:`exporters`.

The main window calls the module functions :func:`export_plan`, :func:`export_portfolio`,
:func:`export_scenarios` and :func:`import_plan_workbook` with itself and the
:class:`~ui.context.AppContext`. Exports read the workspace on the GUI thread (quick) and
write the workbook on a worker thread with a progress dialog that can cancel; the file
appears only when it is complete. An import lists every change in a
:class:`WorkbookChangesDialog` to accept or reject, and applies the accepted ones as one
undoable command recorded under the name and side the user gives.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from exporters.roundtrip import WorkbookChange, WorkbookError, WorkbookReview
from ui import theme
from ui.workers import Progress, Task, start_task

XLSX_FILTER = "Excel workbook (*.xlsx)"


# ---------------------------------------------------------------------- file choosers
# Module functions so tests can replace them (no native dialogs in tests).


#: Where the folder of the last export or import is remembered (QSettings key).
LAST_FOLDER_KEY = "files/last_folder"


def ask_save_path(parent: QWidget | None, caption: str, suggested: str) -> Path | None:
    path, _ = QFileDialog.getSaveFileName(parent, caption, suggested, XLSX_FILTER)
    if not path:
        return None
    path = Path(path)
    remember_folder(path.parent)
    return path if path.suffix.lower() == ".xlsx" else path.with_suffix(".xlsx")


def ask_open_path(parent: QWidget | None, caption: str) -> Path | None:
    path, _ = QFileDialog.getOpenFileName(parent, caption, str(start_folder()),
                                          XLSX_FILTER + ";;All files (*)")
    if not path:
        return None
    remember_folder(Path(path).parent)
    return Path(path)


def documents_folder() -> Path:
    """The user's documents folder (the home folder where there is none)."""
    from PySide6.QtCore import QStandardPaths

    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(found) if found and Path(found).is_dir() else Path.home()


def start_folder() -> Path:
    """Where a file dialog opens: the folder used last, else the documents folder — never
    the hidden app-data folder the demo workspace lives in."""
    from PySide6.QtCore import QSettings

    last = QSettings().value(LAST_FOLDER_KEY, "")
    if last and Path(str(last)).is_dir():
        return Path(str(last))
    return documents_folder()


def remember_folder(folder: Path) -> None:
    from PySide6.QtCore import QSettings

    QSettings().setValue(LAST_FOLDER_KEY, str(folder))


def _folder(_ctx) -> Path:
    return start_folder()


#: Characters no file system takes in a name (Windows is the strictest).
_FORBIDDEN = set('<>:"/\\|?*')


def _safe(name: str) -> str:
    """A readable file name from a title: keeps letters of any script, "×", "&" and
    spaces; replaces only what a file system refuses (and control characters) by "-"."""
    text = "".join("-" if c in _FORBIDDEN or ord(c) < 32 else c for c in name)
    text = " ".join(text.split()).strip(" .")
    return text or "export"


def saved(parent: QWidget | None, path: Path) -> QMessageBox:
    """After an export: say where the file is, with "Open" and "Show in folder"."""
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QDesktopServices

    _tell(parent, f"Saved {path.name}")
    box = QMessageBox(QMessageBox.Icon.Information, "Export finished",
                      f"Saved {path.name}", QMessageBox.StandardButton.Close, parent)
    box.setObjectName("export_saved")
    box.setInformativeText(f"in {path.parent}")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    open_button = box.addButton("Open", QMessageBox.ButtonRole.AcceptRole)
    folder_button = box.addButton("Show in folder", QMessageBox.ButtonRole.ActionRole)
    open_button.setObjectName("export_open")
    folder_button.setObjectName("export_show_folder")
    open_button.clicked.connect(
        lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))))
    folder_button.clicked.connect(
        lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent))))
    box.setDefaultButton(open_button)
    box.open()
    return box


# ---------------------------------------------------------------------- exports


def _write(write: Callable[..., Path], data: Any, path: Path, *, state: Progress) -> Path:
    """Worker-thread body: write ``data`` to ``path`` with ``write(data, path, state)``."""
    return write(data, path, state)


def run_export(parent: QWidget | None, title: str, write: Callable[..., Path], data: Any,
               path: Path) -> Task:
    """Write a workbook off the GUI thread with a cancellable progress dialog."""
    dialog = QProgressDialog(f"{title}…", "Cancel", 0, 100, parent)
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(400)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setValue(0)
    task = start_task(_write, write, data, path, title=title, parent=parent)
    task.progress.connect(lambda f, text: (dialog.setValue(int(f * 100)),
                                           dialog.setLabelText(text or title)))
    dialog.canceled.connect(task.cancel)

    def done() -> None:
        dialog.reset()
        dialog.close()
        dialog.deleteLater()

    task.finished.connect(done)
    task.succeeded.connect(lambda p: saved(parent, Path(p)))
    task.failed.connect(lambda msg, _exc: message(parent, title, msg))
    task.was_cancelled.connect(lambda: _tell(parent, f"{title} cancelled; no file written"))
    return task


def _tell(parent: QWidget | None, text: str) -> None:
    show = getattr(parent, "show_message", None)
    if callable(show):
        show(text)
        return
    bar = getattr(parent, "statusBar", None)
    if callable(bar):
        bar().showMessage(text, 8000)


def message(parent: QWidget | None, title: str, text: str, informative: str = "",
            icon: QMessageBox.Icon = QMessageBox.Icon.Warning, name: str = "") -> QMessageBox:
    """Show a message box without blocking (``open``, not ``exec``) and return it."""
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName(name or "workbook_message")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if informative:
        box.setInformativeText(informative)
    box.open()
    return box


def _refuse(parent: QWidget | None, title: str, exc: Exception) -> None:
    message(parent, title, str(exc))


def export_plan(parent: QWidget | None, ctx, plan_id: int, path: Path | None = None,
                as_of: dt.date | None = None) -> Task | None:
    """File → Export plan: ask where, then write the plan workbook in the background."""
    from exporters.plan_workbook import collect_plan, write_plan
    from jbp.errors import JbpError

    ws = ctx.workspace
    if ws is None:
        return None
    try:
        plan = ws.plan(plan_id)
    except JbpError as exc:
        _refuse(parent, "Export plan", exc)
        return None
    if path is None:
        suggested = str(_folder(ctx) / f"{_safe(plan.title)}.xlsx")
        path = ask_save_path(parent, "Export plan to Excel", suggested)
        if path is None:
            return None
    try:
        data = collect_plan(ws, plan_id, as_of or getattr(ctx, "as_of_set", None))
    except JbpError as exc:
        _refuse(parent, "Export plan", exc)
        return None
    return run_export(parent, "Export plan", write_plan, data, path)


def export_portfolio(parent: QWidget | None, ctx, path: Path | None = None,
                     as_of: dt.date | None = None) -> Task | None:
    """File → Export portfolio: every partner's scorecard, a sheet per tier, charts."""
    from exporters.portfolio_workbook import collect_portfolio, write_portfolio

    ws = ctx.workspace
    if ws is None:
        return None
    if path is None:
        suggested = str(_folder(ctx) / f"{_safe(ws.name)} portfolio.xlsx")
        path = ask_save_path(parent, "Export portfolio to Excel", suggested)
        if path is None:
            return None
    as_of = as_of or getattr(ctx, "as_of_set", None)

    def collect_and_write(ws, path: Path, state: Progress) -> Path:
        # Worker thread: the scorecard of every partner is computed here, not in the GUI.
        state.report(0.0, "Computing the scorecards")
        data = collect_portfolio(ws, as_of)
        state.check()
        return write_portfolio(data, path, state)

    return run_export(parent, "Export portfolio", collect_and_write, ws, path)


def export_scenarios(parent: QWidget | None, ctx, names: list[str],
                     path: Path | None = None) -> Task | None:
    """Export the named scenarios (the first is the baseline) with their comparison."""
    from exporters.scenario_workbook import collect_scenarios, write_scenarios
    from jbp.errors import JbpError

    ws = ctx.workspace
    if ws is None or not names:
        return None
    try:
        data = collect_scenarios(ws, list(names))
    except JbpError as exc:
        _refuse(parent, "Export scenarios", exc)
        return None
    if path is None:
        suggested = str(_folder(ctx) / f"{_safe(' vs '.join(names))[:80]}.xlsx")
        path = ask_save_path(parent, "Export scenarios to Excel", suggested)
        if path is None:
            return None
    return run_export(parent, "Export scenarios", write_scenarios, data, path)


# ---------------------------------------------------------------------- import


class ChangesModel(QAbstractTableModel):
    """The changes of a returned workbook, each with an accept checkbox (column 0)."""

    HEADERS = ("Accept", "Where", "Change", "Element", "Field", "Workspace now",
               "Workbook", "Note")

    def __init__(self, changes: list[WorkbookChange], parent: QObject | None = None):
        super().__init__(parent)
        self.changes = changes
        # A change to a value the workspace also changed since the export is left for the
        # user to decide: not accepted by default.
        self.accepted = [not c.conflict for c in changes]

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.changes)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation, role: int = Qt.ItemDataRole.DisplayRole
                   ):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        c = self.changes[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.CheckStateRole and col == 0:
            return (Qt.CheckState.Checked if self.accepted[index.row()]
                    else Qt.CheckState.Unchecked)
        if role == Qt.ItemDataRole.BackgroundRole and c.conflict:
            return theme.brush(theme.current().amended_bg)
        if role == Qt.ItemDataRole.ForegroundRole and c.conflict:
            return theme.brush(theme.current().amended_fg)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            values = ("", c.where, {"edit": "change", "add": "add row", "delete": "delete row",
                                    "comment": "comment"}.get(c.action, c.action),
                      c.element, c.field_label, c.old_text if c.action != "delete" else "",
                      c.new_text, c.conflict)
            return values[col]
        return None

    def flags(self, index: QModelIndex):
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == 0:
            base |= Qt.ItemFlag.ItemIsUserCheckable
        return base

    def setData(self, index: QModelIndex, value, role: int = Qt.ItemDataRole.EditRole
                ) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or index.column() != 0:
            return False
        state = value.value if hasattr(value, "value") else value
        self.accepted[index.row()] = state == Qt.CheckState.Checked.value
        self.dataChanged.emit(index, index, [role])
        return True

    def set_all(self, accepted: bool) -> None:
        self.accepted = [accepted] * len(self.changes)
        if self.changes:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.changes) - 1, 0))

    def chosen(self) -> list[WorkbookChange]:
        return [c for c, ok in zip(self.changes, self.accepted, strict=True) if ok]


class WorkbookChangesDialog(QDialog):
    """Lists each change of a returned plan workbook (old and new value) with a checkbox;
    Apply takes the checked ones as one undoable step under the named editor."""

    applied = Signal(object)  # the WorkbookImport macro

    def __init__(self, review: WorkbookReview, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.review, self.ctx = review, ctx
        self.setWindowTitle(f"Changes in {review.path.name}")
        self.resize(1100, 560)
        layout = QVBoxLayout(self)
        n = len(review.changes)
        intro = QLabel(f"<b>{review.plan_title}</b><br>{n} change{'s' if n != 1 else ''} in "
                       f"{review.path.name} (exported {review.exported_at}). Tick the changes "
                       "to take; they are applied together and can be undone in one step.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        for note in review.notes:
            label = QLabel(f"⚠ {note}")
            label.setWordWrap(True)
            theme.style(label, "color: $warning_text")
            layout.addWidget(label)
        self.model = ChangesModel(review.changes, self)
        self.table = QTableView(self)
        self.table.setObjectName("changes_table")
        self.table.setModel(self.model)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate((60, 130, 80, 250, 130, 140, 180)):
            self.table.setColumnWidth(col, width)
        layout.addWidget(self.table, 1)

        form = QFormLayout()
        self.author = QLineEdit(self)
        self.author.setObjectName("author")
        self.side = QComboBox(self)
        self.side.setObjectName("side")
        self.side.addItems(["partner", "vendor"])
        self.side.currentTextChanged.connect(self._default_author)
        form.addRow("Record the changes as", self.author)
        form.addRow("Side", self.side)
        layout.addLayout(form)
        self._default_author("partner")

        row = QHBoxLayout()
        select_all = QPushButton("Select all", self)
        select_all.clicked.connect(lambda: self.model.set_all(True))
        select_none = QPushButton("Select none", self)
        select_none.clicked.connect(lambda: self.model.set_all(False))
        row.addWidget(select_all)
        row.addWidget(select_none)
        row.addStretch(1)
        self.buttons = QDialogButtonBox(self)
        self.apply_button = self.buttons.addButton("Apply selected changes",
                                                   QDialogButtonBox.ButtonRole.AcceptRole)
        self.apply_button.setObjectName("apply")
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.apply)
        self.buttons.rejected.connect(self.reject)
        row.addWidget(self.buttons)
        layout.addLayout(row)
        self.error_label = QLabel("", self)
        self.error_label.setObjectName("error")
        self.error_label.setWordWrap(True)
        theme.style(self.error_label, "color: $error_text")
        layout.addWidget(self.error_label)

    def _default_author(self, side: str) -> None:
        ws = self.ctx.workspace
        editor = self.ctx.editor
        if editor is not None and editor.side == side:
            self.author.setText(editor.author)
            return
        try:
            plan = ws.plan(self.review.plan_id)
            self.author.setText((plan.partner_owner if side == "partner"
                                 else plan.vendor_owner) or "")
        except Exception:  # the plan vanished: the user types a name
            self.author.setText("")

    def apply(self) -> bool:
        """Apply the ticked changes; on a refusal show why and stay open."""
        from exporters.roundtrip import build_import
        from jbp.commands import Editor
        from jbp.errors import JbpError

        chosen = self.model.chosen()
        if not chosen:
            self.error_label.setText("No change is ticked: tick the ones to take, or Cancel.")
            return False
        try:
            editor = Editor(self.author.text(), self.side.currentText())
            macro = build_import(self.ctx.workspace, self.review, chosen, editor)
        except JbpError as exc:
            self.error_label.setText(str(exc))
            return False
        errors: list[str] = []
        self.ctx.error.connect(errors.append)
        try:
            ok = self.ctx.run(macro)
        finally:
            self.ctx.error.disconnect(errors.append)
        if not ok:
            self.error_label.setText("Nothing was changed: " + ("; ".join(errors) or
                                                               "the changes were refused"))
            return False
        self.applied.emit(macro)
        self.accept()
        return True


def import_plan_workbook(parent: QWidget | None, ctx, path: Path | None = None
                         ) -> WorkbookChangesDialog | None:
    """File → Import partner's plan workbook: read it, and show its changes to accept.

    Returns the (open, window-modal) dialog, or None when there was nothing to show."""
    from exporters.roundtrip import read_plan_workbook

    ws = ctx.workspace
    if ws is None:
        return None
    if path is None:
        path = ask_open_path(parent, "Import a plan workbook")
        if path is None:
            return None
    try:
        review = read_plan_workbook(ws, path)
    except WorkbookError as exc:
        shown = "\n".join(f"• {p}" for p in exc.problems[:12])
        if len(exc.problems) > 12:
            shown += f"\n… and {len(exc.problems) - 12} more"
        box = message(parent, "Import plan workbook",
                      f"{exc.path.name} cannot be imported; nothing was changed.", shown,
                      name="import_problems")
        box.setDetailedText("\n".join(exc.problems))
        return None
    if not review.changes:
        _tell(parent, f"{path.name}: no changes to take")
        message(parent, "Import plan workbook",
                f"{path.name} holds no changes to '{review.plan_title}'.",
                "\n".join(f"• {n}" for n in review.notes),  # what was left out, and why
                icon=QMessageBox.Icon.Information, name="import_no_changes")
        return None
    dialog = WorkbookChangesDialog(review, ctx, parent)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.open()
    return dialog
