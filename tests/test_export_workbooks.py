"""What the exported workbooks hold, read with openpyxl: sheets, drop-downs, formats, charts,
hidden ids; the atomic save; ``jbp export``."""

from __future__ import annotations

import datetime as dt
import os

import openpyxl
import pytest

from exporters import plan_workbook as pw
from exporters import portfolio_workbook as fw
from exporters.atomic import atomic_write
from jbp.demo import AS_OF
from jbp.progress import Cancelled, Progress


@pytest.fixture
def plan_book(demo_ws, tmp_path):
    plan = next(p for p in demo_ws.plans() if p.status == "Active")
    path = pw.export_plan(demo_ws, plan.id, tmp_path / "plan.xlsx", as_of=AS_OF)
    return demo_ws, demo_ws.plan_document(plan.id), openpyxl.load_workbook(path)


def validations(sheet) -> dict[str, str]:
    """Data-validation formula by the first cell of each range."""
    out = {}
    for dv in sheet.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            out[rng.coord.split(":")[0]] = dv.formula1
    return out


def test_plan_workbook_sheets_and_cover(plan_book):
    _, doc, wb = plan_book
    assert wb.sheetnames == [pw.COVER, pw.KPIS, pw.CHARTS, pw.INITIATIVES, pw.ACCOUNTS,
                             pw.RULES_RISKS, pw.COMMENTS, pw.HISTORY, "Sources", pw.META]
    assert wb[pw.META].sheet_state == "hidden"
    cover = {row[0]: row[1] for row in wb[pw.COVER].iter_rows(values_only=True) if row[0]}
    assert cover["Status"] == doc.plan.status
    assert cover["Partner owner"] == doc.plan.partner_owner
    assert cover["Partner executive sponsor"] == doc.plan.partner_sponsor
    assert cover["Executive summary"] == doc.plan.executive_summary
    assert cover["Measured as of"] == dt.datetime.combine(AS_OF, dt.time())
    for s in doc.signoffs:
        assert s.name in cover
    names = set(wb.defined_names)
    assert {"AsOf", "RAG_green", "RAG_amber", "Elapsed_Q1", "Elapsed_Q4"} <= names


def test_goals_and_kpis_sheet(plan_book):
    _ws, doc, wb = plan_book
    sheet = wb[pw.KPIS]
    assert sheet.freeze_panes == f"C{pw.FIRST_ROW}"
    headers = [c.value for c in sheet[pw.HEADER_ROW]][:pw.K_MARKS - 1]
    assert headers[pw.K_ATT - 1] == "Attainment" and headers[pw.K_RAG - 1] == "RAG"
    rows = {r[pw.K_MARKS]: r for r in sheet.iter_rows(min_row=pw.FIRST_ROW, values_only=True)
            if r[pw.K_MARKS - 1] == "kpi"}
    assert set(rows) == {k.id for k in doc.kpis}
    money = next(k for k in doc.kpis if k.unit == "currency")
    r = next(c.row for c in sheet["A"] if c.value == money.name)
    assert sheet.cell(r, pw.K_ATT).value.startswith("=IF(")
    assert "$" in sheet.cell(r, pw.K_TARGET).number_format  # currency
    assert sheet.cell(r, pw.K_ATT).number_format == "0.0%"
    pct = next(k for k in doc.kpis if k.unit == "percent")
    r = next(c.row for c in sheet["A"] if c.value == pct.name)
    assert sheet.cell(r, pw.K_ACTUAL).number_format == "0.0%"
    dv = validations(sheet)
    assert dv[f"D{pw.FIRST_ROW}"] == '"currency,count,percent,days"'
    rules = [rule.formula[0] for cf in sheet.conditional_formatting for rule in cf.rules]
    assert f'$S{pw.FIRST_ROW}="Green"' in rules and f'$S{pw.FIRST_ROW}="Red"' in rules
    for col in range(pw.K_MARKS, pw.K_MARKS + 3):
        assert sheet.column_dimensions[openpyxl.utils.get_column_letter(col)].hidden


def test_initiatives_dropdowns_and_totals(plan_book):
    _, doc, wb = plan_book
    sheet = wb[pw.INITIATIVES]
    dv = validations(sheet)
    assert dv[f"G{pw.FIRST_ROW}"] == '"Planned,In progress,Done,On hold,Cancelled"'
    assert dv[f"C{pw.FIRST_ROW}"] == '"vendor,partner,joint"'
    total = next(r for r in sheet.iter_rows() if r[0].value == "Total")
    last = total[0].row - 1
    assert total[7].value == f"=SUM(H{pw.FIRST_ROW}:INDEX(H:H,ROW()-1))"
    assert last - pw.FIRST_ROW + 1 == len(doc.initiatives)
    linked = [r[11] for r in sheet.iter_rows(min_row=pw.FIRST_ROW, max_row=last,
                                             values_only=True)]
    assert linked[0] == ", ".join(pw.ref("goal", g) for g in doc.initiatives[0].goal_ids)


def test_native_line_charts_per_kpi_are_straight(plan_book):
    _, doc, wb = plan_book
    charts = wb[pw.CHARTS]._charts
    assert len(charts) == len(doc.kpis)
    for chart in charts:
        assert chart.tagname == "lineChart"
        assert [s.smooth for s in chart.series] == [False, False]


def test_comments_and_history(plan_book):
    ws, doc, wb = plan_book
    rows = [r for r in wb[pw.COMMENTS].iter_rows(min_row=pw.FIRST_ROW, values_only=True)
            if r[4]]
    assert [r[4] for r in rows] == [c.text for c in doc.comments]
    assert rows[0][0].startswith("G")  # "G1 · Goal: ..."
    history = list(wb[pw.HISTORY].iter_rows(min_row=pw.FIRST_ROW, values_only=True))
    assert len(history) == len(ws.revisions(doc.plan.id))


def test_portfolio_workbook_layout(demo_ws, tmp_path):
    from jbp.metrics import scorecard

    frame = scorecard(demo_ws, AS_OF)
    path = fw.export_portfolio(demo_ws, tmp_path / "p.xlsx", as_of=AS_OF)
    wb = openpyxl.load_workbook(path)
    tiers = fw.tier_order(frame, demo_ws.program())
    assert wb.sheetnames == [fw.SUMMARY, fw.PARTNERS, *tiers, fw.DEFINITIONS, "Sources"]
    sheet = wb[fw.PARTNERS]
    headers = [c.value for c in sheet[fw.HEADER_ROW]]
    col = headers.index("Sourced revenue T12M") + 1
    assert "$" in sheet.cell(fw.FIRST_ROW, col).number_format
    assert sheet.cell(fw.FIRST_ROW, headers.index("ROPI") + 1).number_format == "0.0%"
    at_risk = headers.index("At risk") + 1
    assert {sheet.cell(r, at_risk).value for r in range(fw.FIRST_ROW,
                                                        fw.FIRST_ROW + len(frame))} <= \
        {"Yes", "No"}
    assert len(wb[fw.SUMMARY]._charts) == 2


def test_column_formats_are_inferred_from_names():
    import pandas as pd

    frame = pd.DataFrame({"partner_revenue": [1.0], "channel_utilisation": [0.5],
                          "joined": pd.to_datetime(["2026-01-01"]), "deals": [3],
                          "flag": [True], "note": ["x"], "cltv": [2.0]})
    units = {c: fw.column_format(c, frame[c]).unit for c in frame.columns}
    assert units == {"partner_revenue": "currency", "channel_utilisation": "fraction",
                     "joined": "date", "deals": "count", "flag": "bool", "note": "",
                     "cltv": "currency"}


def test_atomic_write_leaves_no_half_file(tmp_path):
    target = tmp_path / "book.xlsx"
    target.write_bytes(b"the old, complete file")

    def crash(fh):
        fh.write(b"half a workbook")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        atomic_write(target, crash)
    assert target.read_bytes() == b"the old, complete file"
    assert os.listdir(tmp_path) == ["book.xlsx"]
    atomic_write(target, lambda fh: fh.write(b"new"))
    assert target.read_bytes() == b"new"
    with pytest.raises(FileNotFoundError):
        atomic_write(tmp_path / "nowhere" / "x.xlsx", lambda fh: None)


def test_cancelled_export_writes_nothing(demo_ws, tmp_path):
    state = Progress()
    state.on_report = lambda fraction, text: state.cancel() if text == "Charts" else None

    plan = demo_ws.plans()[0]
    with pytest.raises(Cancelled):
        pw.export_plan(demo_ws, plan.id, tmp_path / "x.xlsx", state=state)
    # Only the open workspace (and SQLite's side files of it): no workbook, no temporary file.
    assert [n for n in os.listdir(tmp_path) if not n.startswith("demo.jbp")] == []


def test_cli_export(demo_path, tmp_path, capsys):
    from ui.cli import main

    out = tmp_path / "plan.xlsx"
    assert main(["export", str(demo_path), "--plan", "1", "--out", str(out),
                 "--as-of", "2026-11-15"]) == 0
    assert openpyxl.load_workbook(out).sheetnames[0] == pw.COVER
    assert main(["export", str(demo_path), "--plan", "1", "--out", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["export", str(demo_path), "--portfolio", "--out",
                 str(tmp_path / "p.xlsx")]) == 0
    assert main(["export", str(demo_path), "--plan", "99", "--out",
                 str(tmp_path / "x.xlsx")]) == 2
    assert main(["export", str(demo_path), "--scenarios", "Nope", "--out",
                 str(tmp_path / "s.xlsx")]) == 2
    assert "no scenario named 'Nope'" in capsys.readouterr().err
    assert main(["export", str(demo_path), "--portfolio", "--out",
                 str(tmp_path / "p.csv")]) == 2
    assert not (tmp_path / "x.xlsx").exists() and not (tmp_path / "s.xlsx").exists()


def test_cli_export_scenarios(demo_path, tmp_path):
    from jbp.commands import History
    from jbp.scenarios import CreateScenario
    from jbp.store import Workspace
    from simulation.runner import run
    from simulation.scenario import Scenario
    from ui.cli import main

    base = Scenario().to_dict()
    variant = {**base, "name": "More managers",
               "onboarding": {**base["onboarding"], "managers": base["onboarding"]["managers"]
                              + 2}}
    with Workspace.open(demo_path) as ws:
        for params in (base, variant):
            result = run(Scenario.from_dict(params), replications=3)
            History(ws).run(CreateScenario(params["name"], params, result.to_bytes()))
        History(ws).run(CreateScenario("Never run", base))
    out = tmp_path / "s.xlsx"
    assert main(["export", str(demo_path), "--scenarios", "Baseline", "More managers",
                 "--out", str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    assert "Monthly ARR" in wb.sheetnames
    sheet = wb["Parameters"]
    params = {(r[0], r[1]): r[3:5] for r in sheet.iter_rows(min_row=5, values_only=True)}
    managers = params[("Onboarding", "Managers")]
    assert managers[1] == managers[0] + 2
    # The difference is highlighted, the unchanged values are not; no JSON anywhere.
    row = next(r for r in range(5, sheet.max_row + 1) if sheet.cell(r, 2).value == "Managers")
    assert sheet.cell(row, 5).style.startswith("jbp changed")
    assert not sheet.cell(row, 4).style.startswith("jbp changed")
    texts = [c.value for r in sheet.iter_rows() for c in r if isinstance(c.value, str)]
    assert not any(t.lstrip().startswith(("{", "[")) for t in texts)
    assert ("Gold", "Margin") in params
    assert main(["export", str(demo_path), "--scenarios", "Never run", "--out",
                 str(tmp_path / "n.xlsx")]) == 2


def test_exported_workbook_gets_ordinary_file_permissions(tmp_path):
    import os
    import stat

    from exporters.atomic import atomic_write

    path = atomic_write(tmp_path / "out.xlsx", lambda fh: fh.write(b"x"))
    umask = os.umask(0o022)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


def _banner(sheet) -> dict:
    rows = list(sheet.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == "Version")
    return {r[0]: r[1] for r in rows[start + 1:start + 7]}


def test_plan_and_portfolio_state_one_as_of_with_its_reason_and_their_sources(demo_ws,
                                                                               tmp_path):
    from jbp.asof import resolve_as_of

    plan = demo_ws.plans()[0]
    plan_book = openpyxl.load_workbook(pw.export_plan(demo_ws, plan.id, tmp_path / "p.xlsx"))
    portfolio = openpyxl.load_workbook(fw.export_portfolio(demo_ws, tmp_path / "f.xlsx"))
    expected = resolve_as_of(demo_ws)
    text = f"{expected.date.isoformat()} ({expected.reason})"
    assert _banner(plan_book[pw.COVER])["As of"] == text
    assert _banner(portfolio[fw.SUMMARY])["As of"] == text
    assert set(_banner(plan_book[pw.COVER])) >= {"Exported at", "Exported by", "Workspace",
                                                 "Exported with"}
    for book in (plan_book, portfolio):
        for sheet in book.worksheets:
            if sheet.sheet_state == "visible":
                assert text in sheet.oddHeader.left.text, sheet.title
                assert sheet.oddFooter.right.text == "Page &P of &N"
                assert sheet.page_setup.fitToWidth == 1 and sheet.print_area
    sources = list(plan_book["Sources"].iter_rows(min_row=5, values_only=True))
    imports = demo_ws.import_sources()
    assert [r[0] for r in sources] == [s["kind"] for s in imports] and imports
    deals = next(r for r in sources if r[0] == "deals")
    assert deals[3] > 0 and deals[5] <= deals[6] and deals[7] == demo_ws.program().currency


def test_the_quarter_in_progress_is_marked_partial(demo_ws, tmp_path):
    plan = next(p for p in demo_ws.plans() if p.status == "Active")
    book = openpyxl.load_workbook(pw.export_plan(demo_ws, plan.id, tmp_path / "p.xlsx",
                                                 as_of=AS_OF))
    cover = {r[0]: r for r in book[pw.COVER].iter_rows(values_only=True) if r[0]}
    assert cover["Q4 to date"][5] == "to date, 46 of 92 days"  # 2026-11-15 in Oct-Dec
    assert cover["Q3"][5] == "complete" and "Q4" not in cover
    captions = [c.value for c in book[pw.KPIS][3] if c.value]
    assert captions == ["Q4 to date, 46 of 92 days"] * 2


ROW_VALUES = [1, 2.5, -0.1 + 0.2, float("nan"), None, "", "plain", " padded ", "a & <b>",
              "=HYPERLINK(\"http://x\")", "+1", "@sum", "tab\tinside", True, False,
              dt.date(2026, 11, 15), dt.datetime(2026, 11, 15, 13, 30), "=A1*2"]


def _save_both(tmp_path):
    """The same row written cell by cell through openpyxl (row 1) and whole with
    ``put_row`` (row 2), in two workbooks, saved by the exporters' writer."""
    from openpyxl import Workbook

    from exporters import styles
    from exporters.atomic import save_workbook
    from exporters.stored_values import put_formula, put_row, register

    paths = []
    for whole in (False, True):
        wb = Workbook()
        styles.register_styles(wb, "EUR")
        ws = wb.active
        names = ["jbp money" if isinstance(v, float) else "jbp date" if isinstance(v, dt.date)
                 else "jbp input text" for v in ROW_VALUES]
        fast = styles.FastStyles()
        last = len(ROW_VALUES)
        if whole:
            register(ws, 1, last, 2)
            put_row(ws, 1, ROW_VALUES, [fast.array(ws, n) for n in names])
        else:
            for c, (value, name) in enumerate(zip(ROW_VALUES, names, strict=True), start=1):
                if c == last:
                    put_formula(ws, 1, c, value, 2, name)
                else:
                    fast(ws.cell(1, c, None if value != value else value), name)
        ws["A3"] = "a cell below the row"
        paths.append(save_workbook(wb, tmp_path / f"whole-{whole}.xlsx"))
    return paths


def test_rows_written_whole_read_back_as_cells_written_one_by_one(tmp_path):
    """``put_row`` (no cell object per value, the sheet writer writes text) gives the very
    cells openpyxl's own cells give: values, types, formats, quote prefix on text that looks
    like a formula, a formula with its stored value, the sheet's dimension."""
    by_cell, whole = _save_both(tmp_path)
    for data_only in (False, True):
        a = openpyxl.load_workbook(by_cell, data_only=data_only).active
        b = openpyxl.load_workbook(whole, data_only=data_only).active
        assert a.dimensions == b.dimensions == "A1:R3"
        for c in range(1, len(ROW_VALUES) + 1):
            x, y = a.cell(1, c), b.cell(1, c)
            assert (x.value, x.data_type, x.number_format, x.quotePrefix, x.font.i) \
                == (y.value, y.data_type, y.number_format, y.quotePrefix, y.font.i), c
            font = [(f.sz, f.b, f.color.rgb if f.color else None) for f in (x.font, y.font)]
            assert x.fill.fgColor.rgb == y.fill.fgColor.rgb and font[0] == font[1], c
    b = openpyxl.load_workbook(whole).active
    assert b["J1"].value == '=HYPERLINK("http://x")' and b["J1"].data_type == "s"
    assert b["J1"].quotePrefix and b["K1"].quotePrefix and not b["G1"].quotePrefix
    assert b["R1"].value == "=A1*2"
    assert openpyxl.load_workbook(whole, data_only=True).active["R1"].value == 2


def test_a_row_written_twice_is_refused(tmp_path):
    from openpyxl import Workbook

    from exporters.atomic import save_workbook
    from exporters.stored_values import put_row

    wb = Workbook()
    ws = wb.active
    put_row(ws, 2, [1, 2], [None, None])
    with pytest.raises(ValueError, match="already written"):
        put_row(ws, 2, [3], [None])
    ws["B2"] = "clash"
    with pytest.raises(ValueError, match="written twice"):
        save_workbook(wb, tmp_path / "clash.xlsx")
    assert not (tmp_path / "clash.xlsx").exists()
