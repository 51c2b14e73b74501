"""The Scenario Lab: what-if modelling of the partner program (issue 6).

``ScenarioLabPage(ctx, parent=None)`` is the page the main window shows. Its parts: the
scenario list and run queue (``models``, ``runs``), the parameter editor (``params``), the
results, comparison and sensitivity views, and chart canvases drawn one per event-loop turn
(``canvas``). Charts themselves are :mod:`simulation.charts` functions; see
docs/scenario-lab.md.
"""

from .page import ScenarioLabPage

__all__ = ["ScenarioLabPage"]
