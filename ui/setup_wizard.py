"""File ▸ New workspace: a short setup that ends on the Portfolio with the user's own data.

1. **Your program**: where the file goes, the program's name, its currency (one per
   workspace: every amount imported must be in it), the month its fiscal year starts, and
   its tiers from a template or copied from another workspace (:func:`jbp.setup.new_workspace`).
2. **Your partners**: the partner list from the PRM or CRM (the import wizard's ``partners``
   kind), or partners added by hand later.
3. **Your actuals**: deals, registrations, logins, certifications, MDF and program costs,
   each through the import wizard; the page lists what each source now covers.

Finishing emits :attr:`SetupWizard.finished_on_portfolio`; the main window shows the
Portfolio.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from jbp.errors import JbpError
from jbp.kinds import KINDS
from jbp.setup import DEFAULT_TEMPLATE, MONTHS, TIER_TEMPLATES, new_workspace
from ui.context import AppContext
from ui.widgets.part_table import ErrorLine

CURRENCIES = ("USD", "EUR", "GBP", "CAD", "AUD", "JPY", "CHF", "SEK", "NOK", "DKK", "INR",
              "BRL", "SGD", "NZD")
#: The actuals the last page offers, with the kind the import wizard starts on.
ACTUAL_SOURCES = (("Closed deals (CRM opportunities)", "deals"),
                  ("Deal registrations (PRM)", "registrations"),
                  ("Portal logins (PRM)", "logins"),
                  ("Certifications (LMS)", "certifications"),
                  ("MDF requests and claims", "mdf"),
                  ("Program costs (finance)", "costs"))


class ProgramSetupPage(QWizardPage):
    def __init__(self, wizard: SetupWizard, start_dir: str):
        super().__init__()
        self.wiz = wizard
        self.setTitle("Your program")
        self.setSubTitle("A workspace holds one partner program in one currency. You can "
                         "change the name, fiscal year and tiers later on the Program page.")
        self.path = QLineEdit(str(Path(start_dir) / "partner-program.jbp"), self)
        self.path.setObjectName("setup_path")
        browse = QPushButton("Browse…", self)
        browse.clicked.connect(self.browse)
        self.name = QLineEdit(self)
        self.name.setObjectName("setup_name")
        self.name.setPlaceholderText("e.g. Contoso Partner Network")
        self.currency = QComboBox(self)
        self.currency.setObjectName("setup_currency")
        self.currency.setEditable(True)
        self.currency.addItems(list(CURRENCIES))
        self.fiscal = QComboBox(self)
        self.fiscal.setObjectName("setup_fiscal_year_start")
        self.fiscal.addItems(list(MONTHS))
        self.use_template = QRadioButton("From a template", self)
        self.use_template.setObjectName("setup_tiers_template")
        self.use_template.setChecked(True)
        self.use_copy = QRadioButton("Copied from another workspace", self)
        self.use_copy.setObjectName("setup_tiers_copy")
        group = QButtonGroup(self)
        group.addButton(self.use_template)
        group.addButton(self.use_copy)
        self.template = QComboBox(self)
        self.template.setObjectName("setup_template")
        for key, (label, _tiers) in TIER_TEMPLATES.items():
            self.template.addItem(label, key)
        self.template.setCurrentIndex(self.template.findData(DEFAULT_TEMPLATE))
        self.copy_from = QLineEdit(self)
        self.copy_from.setObjectName("setup_copy_from")
        self.copy_from.setPlaceholderText("another .jbp workspace")
        copy_browse = QPushButton("Browse…", self)
        copy_browse.clicked.connect(self.browse_copy)
        self.error = ErrorLine(self)
        self.error.setObjectName("setup_error")
        where = QHBoxLayout()
        where.addWidget(self.path, 1)
        where.addWidget(browse)
        copy = QHBoxLayout()
        copy.addWidget(self.copy_from, 1)
        copy.addWidget(copy_browse)
        form = QFormLayout()
        form.addRow("Workspace file", where)
        form.addRow("Program name", self.name)
        form.addRow("Currency", self.currency)
        form.addRow("Fiscal year starts in", self.fiscal)
        form.addRow("Tiers", self.use_template)
        form.addRow("", self.template)
        form.addRow("", self.use_copy)
        form.addRow("", copy)
        note = QLabel("Every amount you import (deals, MDF, costs) must be in this currency; "
                      "a file naming another currency is refused with the column and "
                      "currency named.", self)
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addStretch(1)
        self.name.textChanged.connect(self.completeChanged)

    def browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "New workspace", self.path.text(),
                                              "JBP Studio workspaces (*.jbp)")
        if path:
            self.path.setText(path if path.endswith(".jbp") else path + ".jbp")

    def browse_copy(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Copy the tiers of", "",
                                              "JBP Studio workspaces (*.jbp)")
        if path:
            self.copy_from.setText(path)
            self.use_copy.setChecked(True)

    def isComplete(self) -> bool:
        return bool(self.name.text().strip() and self.path.text().strip())

    def validatePage(self) -> bool:
        if self.wiz.created is not None:
            return True  # came back to this page: the workspace exists already
        path = self.path.text().strip()
        path = path if path.endswith(".jbp") else path + ".jbp"
        try:
            ws = new_workspace(
                path, name=self.name.text(), currency=self.currency.currentText(),
                fiscal_year_start_month=self.fiscal.currentIndex() + 1,
                template=self.template.currentData(),
                tiers_from=self.copy_from.text().strip() if self.use_copy.isChecked()
                else None)
        except (JbpError, OSError) as exc:
            self.error.show_message(str(exc))
            return False
        self.error.show_message("")
        self.wiz.created = ws
        self.wiz.workspace_created.emit(ws)
        return True


class PartnersSetupPage(QWizardPage):
    def __init__(self, wizard: SetupWizard):
        super().__init__()
        self.wiz = wizard
        self.setTitle("Your partners")
        self.setSubTitle("Import the partner list from your PRM or CRM (a partner or account "
                         "report as CSV or XLSX): name, account id, type, region, sign-up and "
                         "onboarded dates, tier, partner manager, competencies, churned date.")
        self.import_button = QPushButton("Import the partner list…", self)
        self.import_button.setObjectName("setup_import_partners")
        self.import_button.clicked.connect(lambda: self.import_partners() and None)
        button_row = QHBoxLayout()
        button_row.addWidget(self.import_button)
        button_row.addStretch(1)
        self.count = QLabel(self)
        self.count.setObjectName("setup_partner_count")
        self.count.setWordWrap(True)
        note = QLabel("Importing the list again later updates partners by their account id "
                      "(a new tier, a new manager) and never adds one twice.", self)
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(button_row)
        layout.addWidget(self.count)
        layout.addWidget(note)
        layout.addStretch(1)
        self.import_wizard = None

    def initializePage(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        ws = self.wiz.ctx.workspace
        n = len(ws.partners()) if ws is not None else 0
        self.count.setText(f"<b>{n}</b> partners in the workspace." if n else
                           "<b>No partners yet.</b> Every row of your actuals names its "
                           "partner, so import the list first (or add partners by hand on "
                           "the Partners page and import the actuals later).")

    def import_partners(self):
        from ui.import_wizard import ImportWizard

        self.import_wizard = ImportWizard(self.wiz.ctx, self, kind="partners")
        self.import_wizard.setWindowTitle("Import the partner list")
        self.import_wizard.imported.connect(lambda _r: self.refresh())
        self.import_wizard.show()
        return self.import_wizard


class ActualsSetupPage(QWizardPage):
    def __init__(self, wizard: SetupWizard):
        super().__init__()
        self.wiz = wizard
        self.setTitle("Your actuals")
        self.setSubTitle("Import what your tools export; each file is mapped once and its "
                         "mapping remembered for next month's file.")
        form = QFormLayout()
        self.buttons: dict[str, QPushButton] = {}
        self.coverage: dict[str, QLabel] = {}
        for label, kind in ACTUAL_SOURCES:
            button = QPushButton("Import…", self)
            button.setObjectName(f"setup_import_{kind}")
            button.clicked.connect(lambda _c=False, k=kind: self.import_kind(k) and None)
            cover = QLabel(self)
            cover.setObjectName(f"setup_coverage_{kind}")
            row = QHBoxLayout()
            row.addWidget(button)
            row.addWidget(cover, 1)
            form.addRow(label, row)
            self.buttons[kind] = button
            self.coverage[kind] = cover
        note = QLabel("You can import more later (Data page ▸ Import actuals…). Finish "
                      "shows the Portfolio: each partner's scorecard from these sources.",
                      self)
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addStretch(1)
        self.import_wizard = None
        self.setFinalPage(True)

    def initializePage(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        ws = self.wiz.ctx.workspace
        if ws is None:
            return
        info = ws.info()["actuals"]
        currency = ws.program().currency
        for _label, kind in ACTUAL_SOURCES:
            if kind == "costs":
                n, lo, hi = ws.rows("SELECT COUNT(*), MIN(month), MAX(month) "
                                    "FROM program_costs")[0]
                a = {"rows": n, "from": lo, "to": hi}
            else:
                a = info[kind]
            text = (f"{a['rows']:,} rows, {a['from'][:10]} to {a['to'][:10]}" if a["rows"]
                    else "nothing yet")
            if kind in ("deals", "registrations", "mdf", "costs"):
                text += f" (amounts in {currency})"
            self.coverage[kind].setText(text)

    def import_kind(self, kind: str):
        from ui.import_wizard import ImportWizard

        self.import_wizard = ImportWizard(self.wiz.ctx, self, kind=kind)
        label = KINDS[kind].label if kind in KINDS else "Program costs"
        self.import_wizard.setWindowTitle(f"Import {label.lower()}")
        self.import_wizard.imported.connect(lambda _r: self.refresh())
        self.import_wizard.show()
        return self.import_wizard


class SetupWizard(QWizard):
    """See the module docstring. The main window connects :attr:`workspace_created` to open
    the new workspace (so the imports go into it) and :attr:`finished_on_portfolio`."""

    workspace_created = Signal(object)
    finished_on_portfolio = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, start_dir: str = ""):
        super().__init__(parent)
        self.ctx = ctx
        self.created = None
        self.setObjectName("setup_wizard")
        self.setWindowTitle("New workspace")
        self.program_page = ProgramSetupPage(self, start_dir or str(Path.home()))
        self.partners_page = PartnersSetupPage(self)
        self.actuals_page = ActualsSetupPage(self)
        for page in (self.program_page, self.partners_page, self.actuals_page):
            self.addPage(page)
        self.program_page.setCommitPage(True)  # the file exists once this page is done
        self.program_page.setButtonText(QWizard.WizardButton.CommitButton,
                                        "Create workspace")
        self.setButtonText(QWizard.WizardButton.FinishButton, "Show the Portfolio")
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.resize(760, 520)
        self.accepted.connect(self.finished_on_portfolio)
