"""Excel workbooks out of JBP Studio, and plan workbooks back in.

- :mod:`exporters.plan_workbook`: a joint business plan (live KPI formulas, drop-downs, charts,
  hidden ids for the round trip);
- :mod:`exporters.portfolio_workbook`: partner scorecards, a sheet per tier, charts;
- :mod:`exporters.scenario_workbook`: scenario parameters, monthly results with bands, the
  comparison table, charts;
- :mod:`exporters.roundtrip`: what someone changed in a returned plan workbook, and applying
  the accepted changes as one undoable command.

Every file is written atomically (:mod:`exporters.atomic`). No Qt here.
"""
