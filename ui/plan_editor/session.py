"""The plan being edited: read from the store, re-read whenever the store says it changed
(our own edits, undo/redo), with the derived things every tab needs."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from jbp.kpi import KpiStatus, status_on
from jbp.model import Kpi, PlanDocument, Program
from jbp.plans import Amendment, amendments
from jbp.qbr import quarter_labels
from ui.context import AppContext


class PlanSession(QObject):
    """One open plan. ``doc`` is None when no plan is open (or it was deleted)."""

    #: The document was (re)loaded: every view refreshes from :attr:`doc`.
    loaded = Signal()
    #: The element whose comments are shown changed: (kind, id, label).
    focus_changed = Signal(str, int, str)

    def __init__(self, ctx: AppContext, parent: QObject | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.plan_id: int | None = None
        self.doc: PlanDocument | None = None
        self.program: Program | None = None
        self.amendments: list[Amendment] = []
        self._status: dict[int, KpiStatus] = {}
        self.focus: tuple[str, int, str] = ("plan", 0, "")
        ctx.plan_changed.connect(self._on_plan_changed)
        ctx.data_changed.connect(self._on_data_changed)
        ctx.as_of_changed.connect(self.reload)
        ctx.workspace_changed.connect(self._on_workspace_changed)
        # Statuses measured while the coverage was being read are measured again with it.
        ctx.coverage_changed.connect(self._on_coverage_changed)

    def _on_workspace_changed(self) -> None:
        self.open(None)

    def open(self, plan_id: int | None) -> None:
        self.plan_id = plan_id
        self.reload()
        if self.doc is not None:
            self.set_focus("plan", self.doc.plan.id, f"Plan: {self.doc.plan.title}")

    def reload(self) -> None:
        ws = self.ctx.workspace
        self._status.clear()
        if ws is None or self.plan_id is None:
            self.doc = None
        else:
            try:
                self.doc = ws.plan_document(self.plan_id)
            except Exception:  # the plan was deleted (e.g. its creation undone)
                self.doc, self.plan_id = None, None
        if self.doc is not None:
            self.program = ws.program()
            self.amendments = amendments(ws, self.doc)
        else:
            self.amendments = []
        self.loaded.emit()

    def _on_plan_changed(self, plan_id: int) -> None:
        if self.plan_id is not None and plan_id in (0, self.plan_id):
            self.reload()

    def _on_data_changed(self, what: str) -> None:
        if what in ("program", "actuals") and self.plan_id is not None:
            self.reload()

    def _on_coverage_changed(self) -> None:
        if self._status and self.plan_id is not None:
            self.reload()

    # ------------------------------------------------------------------ derived

    def status_of(self, kpi: Kpi) -> KpiStatus:
        """Attainment, RAG and forecast of ``kpi`` as of the context's date (cached per
        load)."""
        cached = self._status.get(kpi.id)
        if cached is None:
            cached = status_on(kpi, self.program, self.doc.plan.fiscal_year, self.ctx.as_of,
                               self.ctx.coverage())
            self._status[kpi.id] = cached
        return cached

    def quarter_labels(self) -> list[str]:
        if self.doc is None or self.program is None:
            return ["Q1", "Q2", "Q3", "Q4"]
        return quarter_labels(self.doc.plan.fiscal_year, self.program.fiscal_year_start_month)

    def open_comment_count(self, kind: str, element_id: int) -> int:
        if self.doc is None:
            return 0
        return sum(1 for c in self.doc.comments
                   if c.element_kind == kind and c.element_id == element_id and not c.resolved)

    def set_focus(self, kind: str, element_id: int, label: str) -> None:
        self.focus = (kind, element_id, label)
        self.focus_changed.emit(kind, element_id, label)

    @property
    def is_amendment(self) -> bool:
        """True once the plan was approved: edits are then amendments to the baseline."""
        return self.doc is not None and bool(self.doc.plan.baseline)
