"""The Portfolio page and the partner page, driven like a user on the demo workspace."""

from __future__ import annotations

import pytest
from gui_support import ctx, finish_tasks, no_thread_left  # noqa: F401
from PySide6.QtCore import Qt

pytestmark = pytest.mark.gui


@pytest.fixture
def page(qtbot, ctx):
    from ui.portfolio import PortfolioPage

    page = PortfolioPage(ctx)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.refreshed, timeout=20_000):
        pass
    return page


def column_values(page, key: str) -> list[str]:
    col = page.model.column_of(key)
    return [page.proxy.index(r, col).data() for r in range(page.proxy.rowCount())]


def test_scorecard_lists_active_partners_with_program_summary(page):
    assert page.model.rowCount() == 50
    assert page.proxy.rowCount() == 45           # churned partners hidden by default
    assert "ROPI" in page.summary.text() and "CAC via channel" in page.summary.text()
    assert "MDF ROI (revenue ÷ MDF" in page.summary.text()
    assert "45 of 50 partners shown" in page.count.text()
    assert "as of 2026-11-15" in page.count.text()
    assert "as of 2026-11-15 (pinned by the workspace)" in page.as_of_label.text()
    assert "Every source is complete through 2026-10-31" in page.as_of_label.text()


def test_sorting_by_a_money_column(page):
    col = page.model.column_of("sourced_revenue")
    page.view.sortByColumn(col, Qt.SortOrder.AscendingOrder)
    values = [page.proxy.index(r, col).data(Qt.ItemDataRole.UserRole)
              for r in range(page.proxy.rowCount())]
    assert values == sorted(values)
    page.view.sortByColumn(col, Qt.SortOrder.DescendingOrder)
    top = page.proxy.index(0, page.model.column_of("partner")).data()
    assert top == page.model.frame.sort_values("sourced_revenue").iloc[-1]["partner"]


def test_filters(qtbot, page):
    qtbot.keyClicks(page.search, "cloud")
    assert page.proxy.rowCount() > 0
    assert all("cloud" in p.lower() for p in column_values(page, "partner"))
    page.search.clear()
    page.tier_box.setCurrentIndex(page.tier_box.findData("Gold"))
    assert set(column_values(page, "tier")) == {"Gold"}
    page.tier_box.setCurrentIndex(0)
    page.risk_box.setChecked(True)
    flagged = int(page.model.frame["at_risk"].sum())
    assert flagged > 0 and page.proxy.rowCount() == flagged
    assert set(column_values(page, "risk_flag")) == {"at risk"}
    assert all(column_values(page, "risk_reasons"))
    page.risk_box.setChecked(False)
    page.churned_box.setChecked(True)
    assert page.proxy.rowCount() == 50
    assert column_values(page, "risk_flag").count("churned") == 5


def test_tier_gap_column(page):
    frame = page.model.frame
    row = frame[frame["next_tier"] != ""].iloc[0]
    text = row["tier_gap"]
    assert text and text != "top tier"
    assert set(frame[frame["next_tier"] == ""]["tier_gap"]) <= {"top tier"}


def test_double_click_activates_partner_and_opens_partner_page(qtbot, page):
    index = page.proxy.index(0, 0)
    pid = page.model.partner_id(page.proxy.mapToSource(index).row())
    with qtbot.waitSignal(page.partner_activated) as sig:
        page.view.doubleClicked.emit(index)
    assert sig.args == [pid]
    page.view.selectRow(0)
    dialog = page.open_partner(page.selected_partner())
    partner_page = dialog.page
    qtbot.waitUntil(lambda: partner_page.data is not None, timeout=20_000)
    name = page.model.frame.set_index("partner_id").at[pid, "partner"]
    assert name in partner_page.title.text()
    assert partner_page.values["sourced_revenue"].text() not in ("", "…")
    assert len(partner_page.figure.axes) >= 4
    dialog.close()


def test_recomputes_after_an_import(qtbot, ctx, page, tmp_path):
    from jbp import importers

    f = tmp_path / "deals.csv"
    f.write_text("Deal ID,Partner,Customer,Amount,Type,Close date,Source\n"
                 "NEW-1,Bluepeak Systems,Big New Co,5000000,ARR,2026-10-20,sourced\n")
    with qtbot.waitSignal(page.refreshed, timeout=20_000):
        importers.run_import(ctx.workspace, f, "deals")
    frame = page.model.frame.set_index("partner")
    assert frame.at["Bluepeak Systems", "sourced_revenue"] >= 5_000_000
    assert frame.at["Bluepeak Systems", "tier"] == "Platinum" or frame.at[
        "Bluepeak Systems", "gap_sourced_revenue"] == 0


def test_a_partner_window_closed_while_it_computes_raises_nothing(qtbot, ctx, page):
    """Regression: closing a partner window before its figures arrive (or while the
    workspace changes) must not call into its deleted widgets (``RuntimeError … QProgressBar
    already deleted``)."""
    import shiboken6

    page.view.selectRow(0)
    dialog = page.open_partner(page.selected_partner())
    partner_page = dialog.page
    assert partner_page.task is not None and partner_page.task.running
    dialog.close()                            # WA_DeleteOnClose: deleted at the next loop
    qtbot.waitUntil(lambda: not shiboken6.isValid(partner_page), timeout=5_000)
    ctx.data_changed.emit("actuals")          # a long-lived sender fires after the close
    ctx.as_of_changed.emit()
    finish_tasks()                            # the closed window's task ends, too
    qtbot.wait(50)
    assert page.partner_pages == []
