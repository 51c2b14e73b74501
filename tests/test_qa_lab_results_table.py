"""The Results tab's table of totals on a laptop: the metric names are read whole."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QHeaderView

from simulation.runner import run
from simulation.scenario import Scenario
from ui.scenario_lab.results_view import ResultsView

pytestmark = pytest.mark.gui


def test_metric_names_are_not_cut_in_the_table_of_totals(qtbot):
    result = run(Scenario().with_changes({"horizon_months": 6}), replications=3, seed=1)
    view = ResultsView()
    qtbot.addWidget(view)
    view.resize(900, 640)  # the Results tab beside the scenario list at 1366x768
    view.show()
    view.set_result(result, name="Baseline")
    QCoreApplication.processEvents()
    table, model = view.table, view.table_model
    header = table.horizontalHeader()
    assert header.sectionResizeMode(0) == QHeaderView.ResizeMode.ResizeToContents
    names = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert "Partner-sourced revenue (USD)" in names
    widest = max(table.fontMetrics().horizontalAdvance(n) for n in names)
    assert header.sectionSize(0) >= widest, "metric names cut with …"
