"""Excel workbooks out of JBP Studio, and plan workbooks back in.

- :mod:`exporters.plan_workbook`: a joint business plan (live KPI formulas, drop-downs, charts,
  hidden ids for the round trip);
- :mod:`exporters.portfolio_workbook`: partner scorecards, a sheet per tier, charts;
- :mod:`exporters.scenario_workbook`: scenario parameters and tiers side by side, monthly
  results with bands, the comparison table, charts;
- :mod:`exporters.roundtrip`: what someone changed in a returned plan workbook, and applying
  the accepted changes as one undoable command;
- :mod:`exporters.front_matter`: the version banner, the Sources sheet, the legend and the
  page header every workbook carries; :mod:`exporters.styles` the look and the page setup;
- :mod:`exporters.stored_values`: formulas written with the value the app computed, and
  user text that stays text; :mod:`exporters.workbook_keys`: the checks of the hidden ids.

Every file is written atomically (:mod:`exporters.atomic`); long exports report to and are
cancelled through :class:`jbp.progress.Progress`. No Qt here.
"""
