"""The main window: navigation between pages, the File / Edit / Plan / View / Help menus,
the status bar (who is editing, background work). Wiring only: behaviour lives in the pages.

Adding a page is one line in :data:`PAGES`: a title and a factory ``factory(ctx) ->
QWidget``. The window connects, when a page has them, ``message(str)`` to the status bar
and ``partner_activated(int)`` to opening that partner's plan on the Plans page; a page's
``undo_document`` (a document key, or a method giving one) says which undo history Ctrl+Z
acts on while it is in view (the workspace's data when it has none).

On first start the welcome page (:mod:`ui.welcome`) covers the pages until the user picks
something; Help has the user guide, the shortcut list and the command palette (Ctrl+K).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QByteArray,
    QCoreApplication,
    QDate,
    QSettings,
    QStandardPaths,
    Qt,
)
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from jbp.store import Workspace
from ui import theme
from ui.context import DATA, AppContext
from ui.identity import IdentityBadge, IdentityDialog
from ui.widgets.busy import BusyIndicator
from ui.workers import Task, start_task, wait_all

if TYPE_CHECKING:
    from jbp.coverage import Coverage

PageFactory = Callable[[AppContext], QWidget]
APP_NAME = "JBP Studio"
MAX_RECENT = 8
WORKSPACE_FILTER = "JBP Studio workspaces (*.jbp);;All files (*)"


def _none(_result: object) -> None:
    """Slots return None: PySide6 mishandles a value (a bool) returned by a Python slot."""


# ---------------------------------------------------------------------- pages


def page(module: str, name: str) -> PageFactory:
    """A factory that imports ``module`` only when the window is built (start-up time)."""

    def factory(ctx: AppContext) -> QWidget:
        return getattr(importlib.import_module(module), name)(ctx)

    return factory


#: The pages, in navigation order: (title, factory). Ctrl+1… switches to them. The title is
#: the page's key in code; it is shown translated (:func:`page_title`).
PAGES: list[tuple[str, PageFactory]] = [
    (QT_TRANSLATE_NOOP("MainWindow", "Portfolio"), page("ui.portfolio", "PortfolioPage")),
    (QT_TRANSLATE_NOOP("MainWindow", "Plans"), page("ui.plan_editor.page", "PlansPage")),
    (QT_TRANSLATE_NOOP("MainWindow", "Scenario Lab"),
     page("ui.scenario_lab", "ScenarioLabPage")),
    (QT_TRANSLATE_NOOP("MainWindow", "Program"), page("ui.program_page", "ProgramPage")),
    (QT_TRANSLATE_NOOP("MainWindow", "Partners"), page("ui.partners_page", "PartnersPage")),
    (QT_TRANSLATE_NOOP("MainWindow", "Data"), page("ui.data_page", "DataPage")),
]
#: The View menu's entry of each page, with its mnemonic (unique in the menu).
PAGE_MENU_TEXTS = {
    "Portfolio": QT_TRANSLATE_NOOP("MainWindow", "&Portfolio"),
    "Plans": QT_TRANSLATE_NOOP("MainWindow", "P&lans"),
    "Scenario Lab": QT_TRANSLATE_NOOP("MainWindow", "&Scenario Lab"),
    "Program": QT_TRANSLATE_NOOP("MainWindow", "Pro&gram"),
    "Partners": QT_TRANSLATE_NOOP("MainWindow", "Par&tners"),
    "Data": QT_TRANSLATE_NOOP("MainWindow", "&Data"),
}


def page_title(title: str) -> str:
    """A page's title in the interface's language (the key of :data:`PAGES` in English)."""
    return QCoreApplication.translate("MainWindow", title)


# ---------------------------------------------------------------------- window


def demo_workspace_path() -> Path:
    """Where the demo workspace lives: the user's app data dir / demo.jbp."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base or Path.home() / ".jbp-studio") / "demo.jbp"


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


class MainWindow(QMainWindow):
    """Title "JBP Studio — <workspace>"; see the module docstring."""

    def __init__(self, ctx: AppContext | None = None, settings: QSettings | None = None,
                 ask_identity: bool = True):
        super().__init__()
        self.ctx = ctx or AppContext(self)
        self.settings = settings or QSettings()
        from ui import i18n

        i18n.install(self.settings)  # number style and translator, before any page is built
        self.ask_identity = ask_identity
        self.identity_dialog: IdentityDialog | None = None
        self.message_box: QMessageBox | None = None
        self.setWindowTitle("")  # Qt adds the application's display name itself
        self.pages: dict[str, QWidget] = {}
        self.nav = QListWidget(self)
        self.nav.setObjectName("navigation")
        self.nav.setAccessibleName("Pages")
        self.nav.setFixedWidth(150)
        self.nav.setStyleSheet("QListWidget{font-size:11pt;} QListWidget::item{padding:8px;}")
        self.stack = QStackedWidget(self)
        for title, factory in PAGES:
            page = factory(self.ctx)
            page.setObjectName(f"page_{title.replace(' ', '_').lower()}")
            self.pages[title] = page
            self.stack.addWidget(page)
            self.nav.addItem(page_title(title))
            if hasattr(page, "message"):
                page.message.connect(self.show_message)
            if hasattr(page, "partner_activated"):
                page.partner_activated.connect(self.open_partner_plan)
        self.nav.currentRowChanged.connect(self._page_changed)
        from ui.welcome import WelcomePage

        self.welcome = WelcomePage(self)
        self.welcome.chosen.connect(self._welcome_chosen)
        self.stack.addWidget(self.welcome)
        central = QWidget(self)
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        # An explicit minimum: the window fits a 1024×700 screen. Left to the layout, the
        # minimum follows whatever page was laid out last (side panels collapse to their
        # handles below ~1300 pixels, so every page fits in 1024).
        self.setMinimumSize(980, 620)

        self.busy = BusyIndicator(self)
        self.identity = IdentityBadge(self.ctx, self)
        self.identity.switch_requested.connect(lambda: _none(self.switch_editor()))
        self.workspace_label = QLabel(self)
        self.as_of_label = QLabel(self)  # the one "as of" every page's figures use
        self.as_of_label.setObjectName("as_of_label")
        self.statusBar().addPermanentWidget(self.as_of_label)
        self.statusBar().addPermanentWidget(self.busy)
        self.statusBar().addPermanentWidget(self.identity)
        self.statusBar().addPermanentWidget(self.workspace_label)
        self._build_menus()

        self.ctx.error.connect(self._show_error_message)
        self.ctx.stale_write.connect(self._stale_write)
        self.ctx.pending_changed.connect(self._pending_changed)
        self.ctx.workspace_changed.connect(self._workspace_changed)
        self.ctx.workspace_changed.connect(self._show_as_of)
        self.ctx.as_of_changed.connect(self._show_as_of)
        self._restore_state()

    # ------------------------------------------------------------------ menus

    def _action(self, menu, text: str, slot, shortcut=None, name: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcuts(shortcut if isinstance(shortcut, list) else [shortcut])
        action.triggered.connect(lambda _checked=False: _none(slot()))
        if name:
            action.setObjectName(name)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        # Every action has a mnemonic unique in its menu (tests/test_gui_locale.py checks it,
        # in English and German); texts go through self.tr() so a translation can replace them.
        bar = self.menuBar()
        file = bar.addMenu(self.tr("&File"))
        file.setObjectName("menu_file")
        self._action(file, self.tr("&New workspace…"), self.new_workspace,
                     QKeySequence.StandardKey.New, "action_new_workspace")
        self._action(file, self.tr("&Open workspace…"), self.choose_workspace,
                     QKeySequence.StandardKey.Open, "action_open_workspace")
        self.recent_menu = file.addMenu(self.tr("Open &recent"))
        self._action(file, self.tr("New &demo workspace…"), self.new_demo_workspace, None,
                     "action_new_demo")
        file.addSeparator()
        self.workbook_actions = [
            self._action(file, self.tr("&Export plan to Excel…"), lambda: self._workbook(
                "export_plan", self.current_plan_id()), "Ctrl+E", "action_export_plan"),
            self._action(file, self.tr("Export &portfolio to Excel…"),
                         lambda: self._workbook("export_portfolio"), None,
                         "action_export_portfolio"),
            self._action(file, self.tr("&Import partner's plan workbook…"),
                         lambda: self._workbook("import_plan_workbook"), "Ctrl+I",
                         "action_import_plan"),
        ]
        file.addSeparator()
        self._action(file, self.tr("&Quit"), self.close, QKeySequence.StandardKey.Quit,
                     "action_quit")

        edit = bar.addMenu(self.tr("&Edit"))
        edit.setObjectName("menu_edit")
        # The group follows the document in view; texts read "Undo: Target Q1 of …".
        undo = self.ctx.undo_group.createUndoAction(self, self.tr("&Undo:"))
        undo.setShortcuts([QKeySequence("Ctrl+Z")])
        redo = self.ctx.undo_group.createRedoAction(self, self.tr("&Redo:"))
        redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        undo.setObjectName("action_undo")
        redo.setObjectName("action_redo")
        undo.setProperty("static_text", "Undo the last edit of what is in view")
        redo.setProperty("static_text", "Redo it")
        edit.addAction(undo)
        edit.addAction(redo)
        self.undo_action, self.redo_action = undo, redo
        edit.addSeparator()
        self._action(edit, self.tr("&Switch editor…"), self.switch_editor, "Ctrl+Shift+E",
                     "action_switch_editor")

        plan = bar.addMenu(self.tr("&Plan"))
        plan.setObjectName("menu_plan")
        self._action(plan, self.tr("&New plan…"), lambda: self.plans().new_plan(), "Ctrl+Shift+N",
                     "action_new_plan")
        self._action(plan, self.tr("&Roll forward to next year…"),
                     lambda: self.plans().roll_forward(), None, "action_roll_forward")
        plan.addSeparator()
        for title, text, key in (("Overview", self.tr("Show &Overview"), "Ctrl+Alt+1"),
                                 ("Goals && KPIs", self.tr("Show &Goals && KPIs"), "Ctrl+Alt+2"),
                                 ("Agreement", self.tr("Show &Agreement"), "Ctrl+Alt+3"),
                                 ("History", self.tr("Show &History"), "Ctrl+Alt+4"),
                                 ("QBR", self.tr("Show &QBR"), "Ctrl+Alt+5")):
            self._action(plan, text, lambda t=title: self.show_plan_tab(t), key)
        plan.addSeparator()
        self._action(plan, self.tr("Re&load plan"), self.reload_plan,
                     QKeySequence.StandardKey.Refresh, "action_reload")

        view = bar.addMenu(self.tr("&View"))
        view.setObjectName("menu_view")
        for i, (title, _factory) in enumerate(PAGES):
            self._action(view, self.tr(PAGE_MENU_TEXTS.get(title, title)),
                         lambda i=i: self.show_page(i), f"Ctrl+{i + 1}")
        view.addSeparator()
        self._action(view, self.tr("Set “&as of” date…"), self.choose_as_of, None,
                     "action_as_of")
        self._number_format_menu(view)
        view.addMenu(theme.theme_menu(self, self.settings))

        helpm = bar.addMenu(self.tr("&Help"))
        helpm.setObjectName("menu_help")
        self._action(helpm, self.tr("&Welcome"), self.show_welcome, None, "action_welcome")
        self._action(helpm, self.tr("&User guide"), self.show_guide, "F1", "action_user_guide")
        self._action(helpm, self.tr("&Find a command…"), self.show_palette, "Ctrl+K",
                     "action_palette")
        self._action(helpm, self.tr("&Keyboard shortcuts"), self.show_shortcuts, "Ctrl+F1",
                     "action_shortcuts")
        self._action(helpm, self.tr("&About JBP Studio"), self.show_about, None, "action_about")
        self._refresh_recent()

    def _number_format_menu(self, view) -> None:
        """View ▸ Number format: the locale numbers, money and dates are shown and typed in
        (and the interface's language); it applies from the next start."""
        from ui import i18n

        menu = view.addMenu(self.tr("&Number format"))
        menu.setObjectName("menu_number_format")
        group = QActionGroup(menu)
        current = str(self.settings.value(i18n.SETTING, "system") or "system")
        texts = {"system": self.tr("&System"), "en": self.tr("&English"),
                 "de": self.tr("&German")}
        for key, text in texts.items():
            action = QAction(text, menu)
            action.setCheckable(True)
            action.setChecked(key == current)
            action.setObjectName(f"action_number_format_{key}")
            action.triggered.connect(lambda _checked=False, k=key: _none(
                self.set_number_format(k)))
            group.addAction(action)
            menu.addAction(action)

    def set_number_format(self, key: str) -> None:
        """Remember View ▸ Number format; it takes effect when the app starts next."""
        from ui import i18n

        self.settings.setValue(i18n.SETTING, key)
        self.show_message(self.tr("Number format saved: it applies when JBP Studio "
                                  "starts next."))

    def _workbook(self, name: str, *args) -> None:
        if self.ctx.workspace is None:
            return
        if args and args[0] is None:
            self.show_message("Open a plan first (Plans page).")
            return
        from ui import workbook_dialogs

        getattr(workbook_dialogs, name)(self, self.ctx, *args)

    # ------------------------------------------------------------------ pages

    def plans(self):
        """The Plans page, its list read (a hidden page reads it only when asked)."""
        page = self.pages["Plans"]
        page.ensure_read()
        return page

    def show_page(self, index_or_title: int | str) -> None:
        index = (index_or_title if isinstance(index_or_title, int)
                 else [t for t, _ in PAGES].index(index_or_title))
        if self.nav.currentRow() == index:
            self._page_changed(index)  # leaving the welcome page for the page selected
        self.nav.setCurrentRow(index)

    def current_page(self) -> QWidget:
        return self.stack.currentWidget()

    def _page_changed(self, index: int) -> None:
        if not 0 <= index < len(PAGES):
            return
        page = self.pages[PAGES[index][0]]
        self.stack.setCurrentWidget(page)
        document = getattr(page, "undo_document", None)
        self.ctx.activate((document() if callable(document) else document) or DATA)

    # ------------------------------------------------------------------ welcome, help

    def show_welcome(self) -> None:
        self.stack.setCurrentWidget(self.welcome)

    def _welcome_chosen(self, choice: str) -> None:
        self.settings.setValue("welcome/seen", True)
        if choice == "portfolio":
            self.show_page("Portfolio")
        elif choice == "qbr":
            self.show_page("Plans")
            plans = self.plans()
            if plans.editor.plan_id is None and hasattr(plans, "select_first"):
                plans.select_first()
            plans.editor.show_tab("QBR")
        elif choice == "scenarios":
            self.show_page("Scenario Lab")
        else:
            self.show_page(max(self.nav.currentRow(), 0))
            if choice == "open":
                self.choose_workspace()
            elif choice == "new":
                self.new_workspace()
            elif choice == "demo":
                self.open_demo()
        if self.ask_identity and self.ctx.editor is None:
            self.switch_editor()

    def show_guide(self):
        from ui.help import UserGuide

        guide = UserGuide(self)
        guide.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.guide = guide
        guide.show()
        return guide

    def show_palette(self):
        from ui.command_palette import CommandPalette

        palette = CommandPalette(self)
        palette.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.palette = palette
        palette.open()
        return palette

    def show_plan_tab(self, title: str) -> None:
        self.show_page("Plans")
        self.plans().editor.show_tab(title)

    def current_plan_id(self) -> int | None:
        return self.plans().editor.plan_id

    def open_partner_plan(self, partner_id: int) -> None:
        self.show_page("Plans")
        if not self.plans().show_partner(partner_id):
            self.plans().new_plan(partner_id=partner_id)

    def _show_error_message(self, text: str) -> None:
        self.show_message(text, 10_000)

    def show_message(self, text: str, msecs: int = 6000) -> None:
        self.statusBar().showMessage(text, msecs)

    # ------------------------------------------------------------------ workspaces

    def start(self, path: str | Path | None) -> None:
        """First workspace: ``path``, else the last used one, else the demo (made on first
        start). A workspace that fails to open is named in a message, then the demo opens."""
        last = self.settings.value("workspace/last", "")
        target = Path(path) if path else (Path(str(last)) if last else None)
        if target is None:
            self.open_demo()
        else:
            self.open_workspace(target, fall_back_to_demo=True)

    def open_workspace(self, path: str | Path, fall_back_to_demo: bool = False) -> Task | None:
        """Open ``path`` off the GUI thread (its integrity check and any migration may take a
        while); the window switches to it when it is ready."""
        if not self._settle_pending("Open another workspace"):
            return None
        path = Path(path)
        from ui.app import open_workspace_file

        task = start_task(open_workspace_file, path, title=f"Opening {path.name}",
                          uses_state=False, parent=self)
        task.succeeded.connect(self._opened)
        task.failed.connect(lambda msg, _exc: self._open_failed(path, msg, fall_back_to_demo))
        self.open_task = task
        return task

    def _open_failed(self, path: Path, message: str, fall_back_to_demo: bool) -> None:
        self.show_error("Cannot open workspace",
                        f"The workspace {path} could not be opened:\n\n{message}")
        self._forget_recent(path)
        if fall_back_to_demo and (self.ctx.workspace is None
                                  or Path(self.ctx.workspace.path) != demo_workspace_path()):
            self.open_demo()

    def open_demo(self) -> Task | None:
        """Open the demo workspace in the app data dir, creating it on first use."""
        path = demo_workspace_path()
        if path.exists():
            return self.open_workspace(path)
        return self.create_demo(path)

    def create_demo(self, path: Path) -> Task:
        from jbp import demo

        path.parent.mkdir(parents=True, exist_ok=True)
        task = start_task(demo.generate, path, title="Creating the demo workspace",
                          uses_state=False, parent=self)
        task.succeeded.connect(lambda p: _none(self.open_workspace(p)))
        task.failed.connect(lambda msg, _exc: _none(self.show_error(
            "Cannot create the demo workspace", f"{path}: {msg}")))
        self.open_task = task
        return task

    def _opened(self, opened: tuple[Workspace, Coverage | None]) -> None:
        ws, coverage = opened
        self._set_workspace(ws, coverage)

    def _set_workspace(self, ws: Workspace, coverage: Coverage | None = None) -> None:
        self.ctx.as_of = None  # the workspace's own "as of" (pinned, else today)
        self.ctx.set_workspace(ws, coverage=coverage)
        if ws.backup is not None:
            self.show_message(f"Workspace upgraded; the original is kept at {ws.backup}",
                              15_000)
        if ws.recovered:
            from jbp.store import RECOVERED

            self.show_message(f"{ws.path.name}: {RECOVERED}", 30_000)
        elif not ws.writable:
            self.show_message(f"{ws.path.name} is read-only: you can read it, edits will be "
                              "refused", 30_000)

    def _workspace_changed(self) -> None:
        ws = self.ctx.workspace
        name = ws.name if ws is not None else ""
        # Qt appends " — JBP Studio" (the application display name) itself.
        self.setWindowTitle(f"{name}[*]" if name else "")
        self.workspace_label.setText(f"{name}.jbp" if name else "")
        if ws is not None:
            self.welcome.describe(f"{name}.jbp", bool(ws.meta("demo"))
                                  or _same_file(ws.path, demo_workspace_path()))
            self.settings.setValue("workspace/last", str(ws.path))
            self._add_recent(ws.path)
            if self.ask_identity and self.stack.currentWidget() is not self.welcome:
                self.switch_editor()

    def choose_workspace(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open workspace", self._last_dir(),
                                              WORKSPACE_FILTER)
        if path:
            self.open_workspace(path)

    def new_workspace(self) -> None:
        """File ▸ New workspace: the setup wizard (program, partners, actuals), kept in
        :attr:`setup_wizard`."""
        from ui.setup_wizard import SetupWizard

        self.setup_wizard = SetupWizard(self.ctx, self, start_dir=self._last_dir())
        self.setup_wizard.workspace_created.connect(self._set_workspace)
        self.setup_wizard.finished_on_portfolio.connect(lambda: self.show_page("Portfolio"))
        self.setup_wizard.show()

    def new_demo_workspace(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "New demo workspace", self._last_dir(),
                                              WORKSPACE_FILTER)
        if path:
            path = Path(path if path.endswith(".jbp") else path + ".jbp")
            if path.exists():
                self.show_error("Cannot create the demo workspace",
                                f"{path} already exists; choose another name.")
                return
            self.create_demo(path)

    def _last_dir(self) -> str:
        ws = self.ctx.workspace
        return str(Path(ws.path).parent) if ws is not None else str(Path.home())

    # recent workspaces -------------------------------------------------------

    def recent(self) -> list[str]:
        value = self.settings.value("workspace/recent", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or [])]

    def _add_recent(self, path: Path) -> None:
        items = [str(path)] + [p for p in self.recent() if p != str(path)]
        self.settings.setValue("workspace/recent", items[:MAX_RECENT])
        self._refresh_recent()

    def _forget_recent(self, path: Path) -> None:
        self.settings.setValue("workspace/recent", [p for p in self.recent() if p != str(path)])
        if self.settings.value("workspace/last", "") == str(path):
            self.settings.remove("workspace/last")
        self._refresh_recent()

    def _refresh_recent(self) -> None:
        self.recent_menu.clear()
        for i, p in enumerate(self.recent()):
            action = self.recent_menu.addAction(f"&{i + 1} {Path(p).name} — {Path(p).parent}")
            action.triggered.connect(lambda _c=False, p=p: _none(self.open_workspace(p)))
        self.recent_menu.setEnabled(bool(self.recent()))

    # ------------------------------------------------------------------ identity, as of

    def switch_editor(self) -> IdentityDialog:
        """Ask who is editing (non-blocking dialog)."""
        dialog = IdentityDialog(self.ctx, self.settings, self)
        self.identity_dialog = dialog
        dialog.open()
        return dialog

    def _show_as_of(self) -> None:
        ws = self.ctx.workspace
        self.as_of_label.setText("" if ws is None else "Figures " + self.ctx.as_of_info.label())

    def choose_as_of(self) -> None:
        dialog = QDialog(self)
        dialog.setWindowTitle("As of date")
        edit = QDateEdit(dialog)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        d = self.ctx.as_of
        edit.setDate(QDate(d.year, d.month, d.day))
        text = QLabel("Every figure (scorecards, attainment, RAG, forecasts, the QBR) is "
                      "computed as of this date; each source is read only to the end of its "
                      "data. \u201cWorkspace default\u201d goes back to the workspace's pinned "
                      "date, else today.",
                      dialog)
        text.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel
                                   | QDialogButtonBox.StandardButton.Reset, dialog)
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        reset: list[bool] = []
        buttons.button(QDialogButtonBox.StandardButton.Reset).setText("Workspace default")
        buttons.button(QDialogButtonBox.StandardButton.Reset).clicked.connect(
            lambda: (reset.append(True), dialog.reject()))
        layout = QVBoxLayout(dialog)
        layout.addWidget(text)
        layout.addWidget(edit)
        layout.addWidget(buttons)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            q = edit.date()
            self.ctx.as_of = dt.date(q.year(), q.month(), q.day())
        elif reset:
            self.ctx.as_of = None

    # ------------------------------------------------------------------ pending, stale

    def _pending_changed(self) -> None:
        self.setWindowModified(bool(self.ctx.pending()))

    def ask_pending(self, descriptions: list[str]) -> QMessageBox.StandardButton:
        """Ask what to do with edits still being typed: Save, Discard or Cancel."""
        box = QMessageBox(QMessageBox.Icon.Question, APP_NAME,
                          "You have " + ", ".join(descriptions) + ".", parent=self)
        box.setInformativeText("Everything else is already saved in the workspace. "
                               "Save this edit too?")
        box.setStandardButtons(QMessageBox.StandardButton.Save
                               | QMessageBox.StandardButton.Discard
                               | QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        return QMessageBox.StandardButton(box.exec())

    def _settle_pending(self, doing: str) -> bool:
        """Commit or discard edits still being typed (asking the user); False = cancel."""
        pending = self.ctx.pending()
        if not pending:
            return True
        answer = self.ask_pending([d for _, d in pending])
        if answer == QMessageBox.StandardButton.Cancel:
            return False
        if answer == QMessageBox.StandardButton.Save:
            if not self.ctx.commit_pending():
                self.show_message(f"{doing}: an edit was refused; fix it or discard it "
                                  "first.", 10_000)
                return False
        else:
            self.ctx.discard_pending()
        return True

    def ask_reload(self, message: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Warning, "Plan changed elsewhere", message,
                          parent=self)
        box.setInformativeText("Reload the plan now? Your refused edit is not saved; "
                               "make it again after reloading.")
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        box.button(QMessageBox.StandardButton.Yes).setText("Reload plan")
        return box.exec() == QMessageBox.StandardButton.Yes

    def _stale_write(self, _plan_id: int, message: str) -> None:
        if self.ask_reload(message):
            self.reload_plan()

    def reload_plan(self) -> None:
        """Re-read the open plan from the workspace (accepting other sessions' edits)."""
        self.plans().editor.session.reload()
        self.plans().reload()
        self.show_message("Plan reloaded from the workspace.")

    def show_error(self, title: str, text: str) -> QMessageBox:
        """A non-blocking warning (kept in :attr:`message_box`)."""
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, parent=self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.message_box = box
        box.open()
        return box

    # ------------------------------------------------------------------ help

    def shortcut_rows(self) -> list[tuple[str, str]]:
        """(what, keys) of every shortcut: the menus' (named by what they do, not by the
        live text of the moment) and those that are not on a menu."""
        from ui.command_palette import menu_actions
        from ui.help import EXTRA_SHORTCUTS

        rows = []
        for path, action in menu_actions(self):
            keys = ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText)
                             for k in action.shortcuts())
            if keys:
                static = action.property("static_text")
                what = static if static else path.split(" ▸ ")[-1].rstrip("…")
                rows.append((what, keys))
        return rows + [(what, keys) for keys, what in EXTRA_SHORTCUTS]

    def show_shortcuts(self) -> QMessageBox:
        table = "".join(f"<tr><td>{what}</td><td><b>{keys}</b></td></tr>"
                        for what, keys in self.shortcut_rows())
        box = QMessageBox(QMessageBox.Icon.NoIcon, "Keyboard shortcuts",
                          "<table cellspacing=4>" + table + "</table>", parent=self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.message_box = box
        box.open()
        return box

    def about_text(self) -> str:
        import platform
        import sqlite3

        import matplotlib
        import PySide6
        from PySide6.QtCore import qVersion

        from jbp import __version__

        versions = [("JBP Studio", __version__), ("Python", platform.python_version()),
                    ("Qt", qVersion()), ("PySide6", PySide6.__version__),
                    ("matplotlib", matplotlib.__version__), ("SQLite", sqlite3.sqlite_version)]
        for mod in ("pandas", "numpy", "openpyxl", "simpy"):
            with contextlib.suppress(ImportError):
                versions.append((mod, importlib.import_module(mod).__version__))
        table = "".join(f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in versions)
        return (
            f"<h3>JBP Studio {__version__}</h3>"
            "<p>Joint business plans with your partners, tracked against actuals.</p>"
            "<p><b>How saving works:</b> the workspace file is the document. Every edit is "
            "saved the moment you finish it (leave the cell or field), in its own "
            "transaction, under your name and side — there is no Save command. The only "
            "unsaved changes are an edit still being typed or an unsent comment; the title "
            "bar then shows *, and closing asks whether to save it. Undo/redo "
            "(Ctrl+Z / Ctrl+Shift+Z) act on what is in view: the plan open, the scenarios "
            "or the program, each with its own history for this session.</p>"
            f"<table>{table}</table>")

    def show_about(self) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.NoIcon, f"About {APP_NAME}", self.about_text(),
                          parent=self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.message_box = box
        box.open()
        return box

    # ------------------------------------------------------------------ state, close

    def _fit_to_screen(self) -> None:
        """Keep the window on its screen: the first-start size, or a size saved on a larger
        monitor, shrinks to the screen's available area (a 1366×768 laptop included)."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            return
        area = screen.availableGeometry()
        if self.width() <= area.width() and self.height() <= area.height():
            return
        self.resize(min(self.width(), area.width()), min(self.height(), area.height()))
        self.move(area.topLeft())

    def _restore_state(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1480, 900)
        self._fit_to_screen()
        state = self.settings.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        splitter = self.settings.value("window/plans_splitter")
        if isinstance(splitter, QByteArray):
            self.plans().splitter.restoreState(splitter)
        try:
            page = int(self.settings.value("window/page", 0))
        except (TypeError, ValueError):
            page = 0
        self.show_page(page if 0 <= page < len(PAGES) else 0)
        if not self.settings.value("welcome/seen", False, type=bool):
            self.show_welcome()

    def save_state(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.setValue("window/page", self.nav.currentRow())
        self.settings.setValue("window/plans_splitter", self.plans().splitter.saveState())
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._settle_pending("Close"):
            event.ignore()
            return
        self.save_state()
        wait_all()
        self.ctx.set_workspace(None)
        event.accept()
