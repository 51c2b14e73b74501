"""Right after a partner list is imported (tiers as the PRM holds them, no deals yet) the
Portfolio's tier moves do not paint every partner red: nobody is judged until there are
deals, and the chart and its words say so; once deals are imported, moves are judged."""

from __future__ import annotations

import datetime as dt
import pickle

from matplotlib.figure import Figure

from jbp.chart_text import portfolio_charts_text
from jbp.charts_portfolio import draw_tier_moves
from jbp.dashboard import NO_DEALS, dashboard_from
from jbp.demo import PROGRAM
from jbp.metrics import Actuals
from jbp.model import Partner
from jbp.store import Workspace

AS_OF = dt.date(2026, 6, 30)


def _workspace(tmp_path):
    ws = Workspace.create(tmp_path / "own.jbp", PROGRAM)
    for i, tier in enumerate(["Gold", "Gold", "Silver", "Registered", "Platinum"]):
        ws.add_partner(Partner(name=f"Partner {i}", type="Reseller", region="EMEA",
                               signup_date=dt.date(2024, 1, 1),
                               activated_on=dt.date(2024, 2, 1), tier=tier))
    return ws


def _moves(ws):
    data = dashboard_from(Actuals.load(ws), AS_OF)
    return data, data["moves"]


def test_without_deals_no_partner_would_move(tmp_path):
    ws = _workspace(tmp_path)
    try:
        data, moves = _moves(ws)
        assert moves.attrs["not_judged"] == NO_DEALS
        assert int(moves["down"].sum()) == 0 and int(moves["up"].sum()) == 0
        assert int(moves.loc["Gold", "stay"]) == 2  # held, counted
        # The Portfolio's figures process sends the dashboard pickled: the flag survives.
        assert pickle.loads(pickle.dumps(moves)).attrs["not_judged"] == NO_DEALS
        text = portfolio_charts_text({**data, "currency": "USD"})
        assert "would move down" not in text and "no deals imported yet" in text
        ax = Figure().subplots()
        draw_tier_moves(ax, moves)
        assert ax.get_legend() is None
        assert any("no deals imported yet" in t.get_text() for t in ax.texts)
    finally:
        ws.close()


def test_with_deals_moves_are_judged(tmp_path):
    ws = _workspace(tmp_path)
    try:
        pid = ws.partner_by_name("Partner 0").id
        with ws.transaction():
            ws.execute("INSERT INTO deals (ext_id, partner_id, customer, amount, recurring, "
                       "close_date, created_date, attribution, natural_key) VALUES "
                       "('D1', ?, 'C', 1000, 0, '2026-05-01', '2026-04-01', 'sourced', 'k1')",
                       (pid,))
        _data, moves = _moves(ws)
        assert "not_judged" not in moves.attrs
        assert int(moves["down"].sum()) >= 3  # Gold, Gold, Platinum fall short by the rules
    finally:
        ws.close()


def test_charts_with_nothing_to_draw_say_so_instead_of_a_scale_of_zeros():
    import pandas as pd

    from jbp.charts_portfolio import draw_revenue_by, draw_ropi_waterfall

    ax = Figure().subplots()
    draw_revenue_by(ax, pd.DataFrame({"Gold": [0.0, 0.0]}, index=["Q1 26", "Q2 26"]), "Revenue")
    assert [t.get_text() for t in ax.texts] == ["No revenue yet"] and not ax.get_yticks().size
    ax = Figure().subplots()
    draw_ropi_waterfall(ax, [("Revenue", 0.0), ("Margins", 0.0)], float("nan"))
    assert [t.get_text() for t in ax.texts] == ["No revenue or costs yet"]
    ax = Figure().subplots()
    draw_revenue_by(ax, pd.DataFrame({"Gold": [0.0, 5.0]}, index=["Q1 26", "Q2 26"]), "Revenue")
    assert "No revenue yet" not in [t.get_text() for t in ax.texts]
