"""Render pages of the exported workbooks to PNG for docs/workbooks.md.

Exports the demo's active plan, the portfolio and a two-scenario comparison, lets
LibreOffice (headless) print each workbook to PDF, finds the page of each sheet by its title
and turns it into ``docs/images/workbook-*.png`` (poppler's pdftoppm, ImageMagick's trim).

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

#: image name -> (workbook, text that starts the page, dpi)
PAGES = {
    "workbook-plan-cover": ("plan", "Joint business plan ·", 90),
    "workbook-plan-kpis": ("plan", "Goals & KPIs", 150),
    "workbook-plan-charts": ("plan", "KPI charts", 90),
    "workbook-plan-initiatives": ("plan", "Initiatives", 110),
    "workbook-portfolio-summary": ("portfolio", "partner portfolio", 90),
    "workbook-portfolio-partners": ("portfolio", "· scorecards as of", 130),
    "workbook-scenarios-comparison": ("scenarios", "Scenario comparison", 110),
    "workbook-scenarios-monthly": ("scenarios", "ARR at month end by month", 90),
}


def export_all(folder: Path) -> dict[str, Path]:
    from exporters.plan_workbook import export_plan
    from exporters.portfolio_workbook import export_portfolio
    from exporters.scenario_workbook import ScenarioExport, write_scenarios
    from jbp import demo
    from jbp.store import Workspace
    from simulation.runner import run
    from simulation.scenario import Scenario

    ws_path = folder / "demo.jbp"
    demo.generate(ws_path)
    out = {}
    with Workspace.open(ws_path) as ws:
        plan = next(p for p in ws.plans() if p.status == "Active")
        out["plan"] = export_plan(ws, plan.id, folder / "plan.xlsx", as_of=demo.AS_OF)
        out["portfolio"] = export_portfolio(ws, folder / "portfolio.xlsx", as_of=demo.AS_OF)
        currency = ws.program().currency
    base = Scenario()
    variant = base.to_dict()
    variant["name"] = "Double MDF"
    variant["mdf"]["budget_per_period"] *= 2
    automated = base.to_dict()
    automated["name"] = "Automated onboarding"
    automated["onboarding"]["automated"] = True
    results = [run(Scenario.from_dict(p), replications=40)
               for p in (base.to_dict(), variant, automated)]
    out["scenarios"] = write_scenarios(ScenarioExport(results, currency, "docs build"),
                                       folder / "scenarios.xlsx")
    return out


def to_pdf(paths: list[Path], folder: Path) -> None:
    profile = Path(f"/tmp/lo_docs_{os.getpid()}_{uuid.uuid4().hex[:6]}")
    try:
        subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
                        "--convert-to", "pdf", "--outdir", str(folder), *map(str, paths)],
                       check=True, capture_output=True, timeout=300)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def page_of(pdf: Path, start: str) -> int:
    pages = int(next(line.split()[-1] for line in subprocess.run(
        ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()
        if line.startswith("Pages:")))
    for n in range(1, pages + 1):
        text = subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), "-layout", str(pdf),
                               "-"], capture_output=True, text=True, check=True).stdout
        if start in text:
            return n
    raise SystemExit(f"{pdf.name}: no page shows {start!r}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        books = export_all(folder)
        to_pdf(list(books.values()), folder)
        for name, (book, start, dpi) in PAGES.items():
            pdf = folder / f"{books[book].stem}.pdf"
            n = page_of(pdf, start)
            stem = folder / name
            subprocess.run(["pdftoppm", "-f", str(n), "-l", str(n), "-r", str(dpi), "-png",
                            "-singlefile", str(pdf), str(stem)], check=True)
            target = args.out / f"{name}.png"
            subprocess.run(["convert", f"{stem}.png", "-trim", "-bordercolor", "white",
                            "-border", "16", str(target)], check=True)
            print(f"{target} (page {n} of {pdf.name})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
