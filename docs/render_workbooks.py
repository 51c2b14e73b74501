"""Render pages of the exported workbooks to PNG for docs/workbooks.md.

Exports the demo's active plan, the portfolio and a two-scenario comparison, lets
LibreOffice (headless) print each workbook to PDF, finds the pages of each sheet by its name in the page footer
and turns it into ``docs/images/workbook-*.png`` (poppler's pdftoppm, ImageMagick), whole
pages with their header and footer, so the images show what a printed page looks like.

Usage: python docs/render_workbooks.py [--out docs/images]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: image name -> (workbook, sheet (its name in the page footer), dpi, which of its pages: a
#: number, or a text the page shows)
PAGES = {
    "workbook-plan-cover": ("plan", "Cover", 80, 1),
    "workbook-plan-kpis": ("plan", "Goals & KPIs", 80, 1),
    "workbook-plan-charts": ("plan", "KPI charts", 80, 1),
    "workbook-plan-initiatives": ("plan", "Initiatives", 80, 1),
    "workbook-plan-accounts": ("plan", "Target accounts", 80, 1),
    "workbook-plan-rules": ("plan", "Rules & risks", 80, 1),
    "workbook-plan-comments": ("plan", "Comments", 80, 1),
    "workbook-plan-history": ("plan", "Revision history", 80, 1),
    "workbook-plan-sources": ("plan", "Sources", 80, 1),
    "workbook-portfolio-summary": ("portfolio", "Summary", 80, 1),
    "workbook-portfolio-summary-chart": ("portfolio", "Summary", 80, 2),
    "workbook-portfolio-partners": ("portfolio", "All partners", 80, 1),
    "workbook-portfolio-tier": ("portfolio", "Gold", 80, 1),
    "workbook-portfolio-definitions": ("portfolio", "Definitions", 80, 1),
    "workbook-scenarios-comparison": ("scenarios", "Comparison", 80, 1),
    "workbook-scenarios-comparison-chart": ("scenarios", "Comparison", 80, 2),
    "workbook-scenarios-parameters": ("scenarios", "Parameters", 80, 1),
    "workbook-scenarios-tiers": ("scenarios", "Parameters", 80, "Tiers: thresholds"),
    "workbook-scenarios-monthly": ("scenarios", "Monthly ARR", 80, 1),
    "workbook-scenarios-monthly-chart": ("scenarios", "Monthly ARR", 80, 2),
    "workbook-scenarios-definitions": ("scenarios", "Definitions", 80, 1),
}


def export_all(folder: Path) -> dict[str, Path]:
    from exporters.plan_workbook import export_plan
    from exporters.portfolio_workbook import export_portfolio
    from exporters.scenario_workbook import export_scenarios
    from jbp import demo
    from jbp.commands import History
    from jbp.scenarios import CreateScenario
    from jbp.store import Workspace
    from simulation.runner import run
    from simulation.scenario import Scenario

    ws_path = folder / "demo.jbp"
    demo.generate(ws_path)
    out = {}
    with Workspace.open(ws_path) as ws:
        plan = next(p for p in ws.plans() if p.status == "Active")
        out["plan"] = export_plan(ws, plan.id, folder / "plan.xlsx")
        out["portfolio"] = export_portfolio(ws, folder / "portfolio.xlsx")
        base = Scenario().to_dict()
        variant = Scenario().to_dict()
        variant["name"] = "Double MDF"
        variant["mdf"]["budget_per_period"] *= 2
        lower = Scenario().to_dict()
        lower["name"] = "Lower Gold"
        for tier in lower["tiers"]["levels"]:
            if tier["name"] == "Gold":
                tier["min_sourced_revenue"] = 200_000
        names = []
        for params in (base, variant, lower):
            result = run(Scenario.from_dict(params), replications=40)
            History(ws).run(CreateScenario(params["name"], params, result.to_bytes()))
            names.append(params["name"])
        out["scenarios"] = export_scenarios(ws, names, folder / "scenarios.xlsx")
    return out


def to_pdf(paths: list[Path], folder: Path) -> None:
    profile = Path(f"/tmp/lo_docs_{os.getpid()}_{uuid.uuid4().hex[:6]}")
    try:
        subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
                        "--convert-to", "pdf", "--outdir", str(folder), *map(str, paths)],
                       check=True, capture_output=True, timeout=300)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def page_of(pdf: Path, sheet: str, nth: int | str) -> int:
    """The ``nth`` page (1-based) whose footer names ``sheet``, or its first page that shows
    the text ``nth``."""
    pages = int(next(line.split()[-1] for line in subprocess.run(
        ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()
        if line.startswith("Pages:")))
    found = 0
    for n in range(1, pages + 1):
        text = subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), "-layout", str(pdf),
                               "-"], capture_output=True, text=True, check=True).stdout
        footer = [line.strip() for line in text.splitlines() if "Page " in line][-1:]
        if footer and footer[0].startswith(sheet + " "):
            found += 1
            if found == nth or (isinstance(nth, str) and nth in text):
                return n
    raise SystemExit(f"{pdf.name}: no page {nth} of sheet {sheet!r}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        books = export_all(folder)
        to_pdf(list(books.values()), folder)
        for name, (book, sheet, dpi, nth) in PAGES.items():
            pdf = folder / f"{books[book].stem}.pdf"
            n = page_of(pdf, sheet, nth)
            stem = folder / name
            subprocess.run(["pdftoppm", "-f", str(n), "-l", str(n), "-r", str(dpi), "-png",
                            "-singlefile", str(pdf), str(stem)], check=True)
            target = args.out / f"{name}.png"
            # The whole page, paper edge included: what a printed page looks like.
            subprocess.run(["convert", f"{stem}.png", "-bordercolor", "#9a9a9a",
                            "-border", "1", str(target)], check=True)
            print(f"{target} (page {n} of {pdf.name})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
