"""Screenshots of the light and dark themes at 1x and 2x: docs/images/theme-*.png.

Run offscreen, once per scale (Qt reads the scale factor when the application starts):

    QT_QPA_PLATFORM=offscreen python docs/render_themes.py
    QT_QPA_PLATFORM=offscreen QT_SCALE_FACTOR=2 python docs/render_themes.py

Each run writes, for the light and the dark theme, the Portfolio, the plan editor (Goals &
KPIs of the demo's amended plan, a KPI's chart shown) and the QBR view, in a 1366x768 window
(2732x1536 pixels at 2x).

For looking rather than for the docs, ``JBP_THEME_OUT=DIR`` (with ``JBP_THEME_SIZE=1920x1080``)
writes every page and plan tab there, the Scenario Lab with a calibrated baseline.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
IMAGES = ROOT / "docs" / "images"
SIZE = tuple(int(v) for v in os.environ.get("JBP_THEME_SIZE", "1366x768").split("x"))
OUT = os.environ.get("JBP_THEME_OUT", "")


def settle(app, rounds: int = 5) -> None:
    import time

    from ui import workers
    from ui.scenario_lab.canvas import chart_renderer

    for _ in range(rounds):
        for task in workers.running_tasks():
            task.wait(30_000)
        app.processEvents()
    # the charts drawn on the render thread (each at its size), as a user sees them
    deadline = time.monotonic() + 30
    while chart_renderer().busy() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)
    app.processEvents()


def every_page(app, win) -> dict:
    from ui.main_window import PAGES

    shots = {}
    lab = win.pages["Scenario Lab"]
    lab.create_baseline(show_report=False, horizon_months=12, replications=4)
    settle(app, 10)
    for title, _ in PAGES:
        win.show_page(title)
        settle(app)
        if title == "Plans":
            tabs = win.plans().editor.tabs
            for i in range(tabs.count()):
                tabs.setCurrentIndex(i)
                settle(app)
                shots[f"plans-{i}"] = win.grab()
        else:
            shots[title.replace(" ", "-").lower()] = win.grab()
    portfolio = win.pages["Portfolio"]
    win.show_page("Portfolio")
    portfolio.view.selectRow(0)
    partner = portfolio.open_partner(portfolio.selected_partner())
    partner.resize(*SIZE)
    settle(app, 10)
    shots["partner"] = partner.grab()
    partner.close()
    return shots


def main() -> int:
    from PySide6.QtCore import QSettings

    from jbp import demo
    from jbp.commands import Editor
    from ui import theme
    from ui.app import create_application
    from ui.main_window import MainWindow

    app = create_application()
    scale = round(float(os.environ.get("QT_SCALE_FACTOR", "1") or 1))
    tmp = Path(tempfile.mkdtemp(prefix="jbp_themes_"))
    path = tmp / "demo.jbp"
    demo.generate(path)
    for mode in ("light", "dark"):
        settings = QSettings(str(tmp / f"{mode}.ini"), QSettings.Format.IniFormat)
        settings.setValue("welcome/seen", True)
        settings.setValue(theme.SETTING, mode)
        win = MainWindow(settings=settings, ask_identity=False)
        win.resize(*SIZE)
        win.show()
        win.open_workspace(path)
        settle(app)
        win.ctx.set_editor(Editor("Dana Whitfield", "vendor"))
        shots = {}
        win.show_page("Portfolio")
        settle(app)
        shots["portfolio"] = win.grab()
        win.show_page("Plans")
        editor = win.plans().editor
        editor.show_tab("Goals & KPIs")
        settle(app)
        editor.kpis.view.selectRow(0)
        settle(app)
        shots["plan-editor"] = win.grab()
        editor.show_tab("QBR")
        settle(app)
        editor.qbr.wait_for_charts()
        settle(app)
        shots["qbr"] = win.grab()
        if OUT:
            shots = every_page(app, win)
        for name, pixmap in shots.items():
            out = (Path(OUT) if OUT else IMAGES) / f"theme-{mode}-{scale}x-{name}.png"
            pixmap.save(str(out))
            print(out, pixmap.width(), "x", pixmap.height())
        win.ctx.discard_pending()
        win.close()
        win.deleteLater()
        settle(app)
        theme.apply("system")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
