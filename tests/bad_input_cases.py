"""The malformed inputs of the hostile-input harness, over every entry point of ``jbp``.

Each :class:`Case` is one command line run against files it builds in a fresh folder: a copy
of the demo workspace (or a damaged one), an import file, a mapping, a scenario, a workbook.
``tests/test_bad_inputs.py`` runs them all and asserts the exit code, a message naming the
file or field and the reason, no traceback, and the workspace byte for byte as it was;
``benchmarks/bad_inputs_survey.py`` runs the same cases as real subprocesses against any
checkout (to count clean refusals, tracebacks and hangs before and after a change).

Placeholders in ``argv``: ``{ws}`` the workspace, ``{dir}`` the case folder, ``{plan}`` the
exported plan workbook (an intact copy), ``{base}`` a valid scenario file.
"""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

#: A partner of the demo workspace (rows naming it resolve).
PARTNER = "Acme Integration"


@dataclass
class Case:
    """One malformed input. ``expect``: substrings (case-insensitive) the message on stderr
    must hold, e.g. the file and the reason. ``code``: the exit code (2 = refused; 1 = an
    import whose rows were rejected, nothing imported)."""

    id: str
    argv: list[str]
    files: dict[str, bytes | Callable[[Path], None]] = field(default_factory=dict)
    expect: tuple[str, ...] = ()
    code: int = 2
    workspace: str = "demo"  # or a key of WORKSPACES
    condition: str = ""  # "", "locked", "read_only_file", "read_only_folder"
    env: dict[str, str] = field(default_factory=dict)


# --------------------------------------------------------------------------- workspaces


def _sql(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for s in statements:
            conn.execute(s)
    finally:
        conn.close()


def _truncate(fraction: float) -> Callable[[Path, Path], None]:
    def make(src: Path, dst: Path) -> None:
        data = src.read_bytes()
        dst.write_bytes(data[: int(len(data) * fraction)])
    return make


def _damage_pages(src: Path, dst: Path) -> None:
    data = bytearray(src.read_bytes())
    page = 4096
    for n in (3, 7, 11, 19, 40):  # B-tree pages of tables, overwritten with noise
        start = n * page
        data[start:start + page] = bytes((i * 37 + 11) % 256 for i in range(page))
    dst.write_bytes(bytes(data))


def _zip_file(src: Path, dst: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("demo.jbp", src.read_bytes()[:5000])
    dst.write_bytes(buf.getvalue())


def _copy_then(*statements: str) -> Callable[[Path, Path], None]:
    def make(src: Path, dst: Path) -> None:
        shutil.copyfile(src, dst)
        _sql(dst, *statements)
    return make


def _foreign(src: Path, dst: Path) -> None:
    _sql(dst, "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)",
         "INSERT INTO notes (text) VALUES ('someone else''s database')")


def _folder(src: Path, dst: Path) -> None:
    dst.mkdir()


def _missing(src: Path, dst: Path) -> None:
    pass


#: name -> (builder(demo, target), words the refusal must hold)
WORKSPACES: dict[str, tuple[Callable[[Path, Path], None], tuple[str, ...]]] = {
    "text": (lambda s, d: d.write_text("partner,amount\nAcme,100\n"), ("not an sqlite",)),
    "empty": (lambda s, d: d.write_bytes(b""), ("empty file",)),
    "header_only": (_truncate(0.0002), ("damaged",)),
    "truncated_half": (_truncate(0.5), ("damaged",)),
    "zip": (_zip_file, ("not an sqlite",)),
    "folder": (_folder, ("folder",)),
    "missing": (_missing, ("no such",)),
    "newer": (_copy_then("PRAGMA user_version = 999"), ("newer jbp studio",)),
    "no_app_id": (_copy_then("PRAGMA application_id = 0"), ("not a jbp studio workspace",)),
    "foreign": (_foreign, ("not a jbp studio workspace",)),
    "damaged_pages": (_damage_pages, ("damaged",)),
    "missing_table": (_copy_then("DROP TABLE deals"), ("missing table 'deals'",)),
    "missing_column": (_copy_then("ALTER TABLE kpis DROP COLUMN to_date"),
                       ("table 'kpis' is missing column 'to_date'",)),
    "no_version": (_copy_then("PRAGMA user_version = 0"), ("no schema version",)),
}

#: Commands that open a workspace, with the arguments they need besides it.
WORKSPACE_COMMANDS: dict[str, list[str]] = {
    "info": ["info", "{ws}"],
    "scorecard": ["scorecard", "{ws}"],
    "refresh": ["refresh-kpis", "{ws}"],
    "import": ["import", "{ws}", "{dir}/deals.csv", "--kind", "deals"],
    "export": ["export", "{ws}", "--portfolio", "--out", "{dir}/out.xlsx"],
    "baseline": ["scenario", "baseline", "{ws}", "{dir}/base.toml"],
    "import_plan": ["import-plan", "{ws}", "{plan}", "--dry-run"],
}

GOOD_DEALS = (
    "Deal ID,Partner,Customer,Amount,Revenue Type,Close Date,Created Date,Sourced or Influenced\n"
    f"X1,{PARTNER},New Corp,1000,ARR,2026-01-15,2025-12-01,Sourced\n").encode()


def workspace_cases() -> list[Case]:
    cases = []
    for kind, (_, words) in WORKSPACES.items():
        for cmd, argv in WORKSPACE_COMMANDS.items():
            cases.append(Case(f"ws-{kind}-{cmd}", argv, {"deals.csv": GOOD_DEALS},
                              expect=("{ws}", *words), workspace=kind))
    for cmd in ("refresh", "import"):
        argv = WORKSPACE_COMMANDS[cmd]
        # refresh-kpis reads in a snapshot without the lock and writes only what changed
        # (optimistically, retried when a plan changed meanwhile): on the demo nothing has,
        # so a lock held elsewhere rightly does not stop it. Import always writes.
        if cmd == "import":
            cases.append(Case(f"ws-locked-{cmd}", argv, {"deals.csv": GOOD_DEALS},
                              expect=("{ws}", "busy in another process"), condition="locked",
                              env={"JBP_BUSY_TIMEOUT": "0.3"}))
        cases.append(Case(f"ws-readonly-file-{cmd}", argv, {"deals.csv": GOOD_DEALS},
                          expect=("{ws}", "read-only"), condition="read_only_file"))
        cases.append(Case(f"ws-readonly-folder-{cmd}", argv, {"deals.csv": GOOD_DEALS},
                          expect=("{ws}", "read-only"), condition="read_only_folder"))
    edited = ["import-plan", "{ws}", "{dir}/changed.xlsx", "--accept-all", "--author", "Pat"]
    cases.append(Case("ws-locked-import-plan", edited, {"changed.xlsx": _changed_plan},
                      expect=("{ws}", "busy in another process"), condition="locked",
                      env={"JBP_BUSY_TIMEOUT": "0.3"}))
    cases.append(Case("ws-readonly-import-plan", edited, {"changed.xlsx": _changed_plan},
                      expect=("{ws}", "read-only"), condition="read_only_file"))
    cases.append(Case("demo-force-over-text", ["demo", "{dir}/notes.jbp", "--force"],
                      {"notes.jbp": b"my notes, not a workspace\n"},
                      expect=("notes.jbp", "not an sqlite")))
    cases.append(Case("demo-exists", ["demo", "{ws}"], expect=("{ws}", "already exists")))
    cases.append(Case("demo-missing-folder", ["demo", "{dir}/nope/new.jbp"],
                      expect=("new.jbp", "does not exist")))
    cases.append(Case("demo-readonly-folder", ["demo", "{dir}/ro/new.jbp"],
                      {"ro/.keep": b""}, expect=("new.jbp", "read-only"),
                      condition="read_only_subfolder"))
    return cases


# --------------------------------------------------------------------------- imports

_KIND_FILES = {
    "deals": (
        "Deal ID,Partner,Customer,Amount,Revenue Type,Close Date,Created Date,"
        "Sourced or Influenced\n", f"D9,{PARTNER},Z Corp,{{amount}},ARR,2026-01-15,2025-12-01,"
        "Sourced\n"),
    "registrations": (
        "Registration ID,Partner,Registration date,Value,Status,Channel conflict\n",
        f"R9,{PARTNER},2026-01-15,{{amount}},Closed Won,no\n"),
    "logins": ("Partner,User,Login date\n", f"{PARTNER},ann@acme,2026-01-10 09:00\n"),
    "certifications": ("Partner,Learner,Course,Completion date\n",
                       f"{PARTNER},Pat One,Sales Foundations,2026-01-10\n"),
    "mdf": ("MDF ID,Partner,Type,Date,Amount,Status,Activity\n",
            f"M9,{PARTNER},Request,2026-01-10,{{amount}},Approved,Webinar\n"),
}


def _xlsx_bytes(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _ods_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")
    return buf.getvalue()


def import_cases() -> list[Case]:
    cases = []
    for kind, (header, row) in _KIND_FILES.items():
        good_row = row.format(amount="1000")
        argv = ["import", "{ws}", "{dir}/in.csv", "--kind", kind]
        bad = {
            "binary": (bytes(range(256)) * 8, ("in.csv",)),
            "empty": (b"", ("in.csv", "empty")),
            "header-only": (header.encode(), ("in.csv", "no data rows")),
            "blank-lines": (b"\n\n\n\n", ("in.csv",)),
            "zip-as-csv": (_ods_bytes(), ("in.csv",)),
            "xlsx-as-csv": (_xlsx_bytes([["a", "b"], [1, 2]]), ("in.csv",)),
            "one-column": (b"Partner\nAcme\n", ("in.csv",)),
            "missing-columns": (b"Foo,Bar\n1,2\n", ("in.csv",)),
            "extra-fields": ((header + good_row.rstrip("\n") + ",x,y,z\n").encode(),
                             ("in.csv",)),
            "utf16-no-bom": ((header + good_row).encode("utf-16-le"), ("in.csv", "binary")),
            "duplicate-headers": ((header.rstrip("\n") + "," + header.split(",")[1] + "\n"
                                   + good_row.rstrip("\n") + ",Other\n").encode(),
                                  ("in.csv", header.split(",")[1], "both named")),
        }
        for name, (data, words) in bad.items():
            cases.append(Case(f"import-{kind}-{name}", argv, {"in.csv": data}, expect=words))
        if "{amount}" in row:
            for name, amount in (("nan", "nan"), ("inf", "inf"), ("huge", "1e308"),
                                 ("absurd", "5e15"), ("negative", "-5"), ("text", "lots")):
                data = (header + row.format(amount=amount)).encode()
                cases.append(Case(f"import-{kind}-amount-{name}", argv, {"in.csv": data},
                                  expect=("row", amount if amount != "1e308" else "1e308"),
                                  code=1))
        data = (header + good_row.replace("2026-01", "2026-13")).encode()
        cases.append(Case(f"import-{kind}-bad-date", argv, {"in.csv": data},
                          expect=("row", "2026-13"), code=1))
        xargv = ["import", "{ws}", "{dir}/in.xlsx", "--kind", kind]
        for name, data, words in (
                ("corrupt-zip", _xlsx_bytes([["a"], [1]])[:300], ("in.xlsx",)),
                ("ods-as-xlsx", _ods_bytes(), ("in.xlsx",)),
                ("text-as-xlsx", b"just text\n", ("in.xlsx",))):
            cases.append(Case(f"import-{kind}-{name}", xargv, {"in.xlsx": data},
                              expect=words))
    cases.append(Case("import-ods", ["import", "{ws}", "{dir}/in.ods", "--kind", "deals"],
                      {"in.ods": _ods_bytes()}, expect=("in.ods",)))
    cases.append(Case("import-xls", ["import", "{ws}", "{dir}/in.xls", "--kind", "deals"],
                      {"in.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500)},
                      expect=("in.xls",)))
    cases.append(Case("import-missing-file", ["import", "{ws}", "{dir}/nope.csv", "--kind",
                                              "deals"], expect=("nope.csv",)))
    cases.append(Case("import-folder-file", ["import", "{ws}", "{dir}/sub", "--kind",
                                             "deals"], {"sub/.keep": b""},
                      expect=("sub", "is a folder")))
    cases.append(Case("import-xlsx-no-sheet",
                      ["import", "{ws}", "{dir}/in.xlsx", "--kind", "deals", "--sheet", "Nope"],
                      {"in.xlsx": _xlsx_bytes([["Deal ID"], ["D1"]])}, expect=("nope",)))
    return cases


def mapping_cases() -> list[Case]:
    argv = ["import", "{ws}", "{dir}/deals.csv", "--kind", "deals", "--mapping",
            "{dir}/map.json"]
    maps = {
        "not-json": (b"partner = Partner\n", ("map.json",)),
        "empty": (b"", ("map.json",)),
        "list": (b'["Partner", "Amount"]', ("map.json", "json object")),
        "unknown-field": (json.dumps({"kind": "deals", "partner": "Partner",
                                      "colour": "Red"}).encode(), ("map.json", "colour")),
        "missing-column": (json.dumps({"kind": "deals", "partner": "Reseller Name",
                                       "amount": "Amount", "close_date": "Close Date",
                                       "customer": "Customer"}).encode(),
                           ("map.json", "reseller name", "partner")),
        "wrong-kind": (json.dumps({"kind": "logins", "partner": "Partner"}).encode(),
                       ("map.json", "logins")),
        "bad-date-format": (json.dumps({"kind": "deals", "partner": "Partner",
                                        "date_format": "%Q"}).encode(), ("map.json", "%q")),
        "binary": (bytes(range(256)), ("map.json",)),
        "number": (b"42", ("map.json",)),
    }
    return [Case(f"mapping-{name}", argv, {"deals.csv": GOOD_DEALS, "map.json": data},
                 expect=words) for name, (data, words) in maps.items()]


# --------------------------------------------------------------------------- scenarios


def scenario_cases() -> list[Case]:
    toml = {
        "invalid-toml": (b"horizon_months = = 3\n", ("bad.toml", "not a valid")),
        "empty-file-is-default": None,
        "binary": (bytes(range(256)), ("bad.toml",)),
        "utf16": ('horizon_months = 12\n'.encode("utf-16"), ("bad.toml",)),
        "unknown-key": (b"horizon_monts = 12\n", ("bad.toml", "horizon_monts", "horizon_months")),
        "unknown-section": (b"[dealz]\nwin_probability = 0.2\n", ("bad.toml", "dealz")),
        "wrong-type": (b'horizon_months = "soon"\n', ("bad.toml", "horizon_months")),
        "nan": (b"[deals]\ndeal_size_mean = nan\n", ("bad.toml", "deals.deal_size_mean")),
        "inf": (b"[deals]\ndeal_size_mean = inf\n", ("bad.toml", "deals.deal_size_mean")),
        "huge-amount": (b"[deals]\ndeal_size_mean = 1e308\n",
                        ("bad.toml", "deals.deal_size_mean", "at most")),
        "ten-million-partners": (b"[recruitment]\ninitial_partners = 10000000\n",
                                 ("bad.toml", "recruitment.initial_partners", "at most")),
        "billion-replications": (b"replications = 1000000000\n",
                                 ("bad.toml", "replications", "at most")),
        "zero-horizon": (b"horizon_months = 0\n", ("bad.toml", "horizon_months")),
        "negative-budget": (b"[mdf]\nbudget_per_period = -1\n",
                            ("bad.toml", "mdf.budget_per_period", "negative")),
        "probability-2": (b"[deals]\nwin_probability = 2\n",
                          ("bad.toml", "deals.win_probability")),
        "zero-deal-size": (b"[deals]\ndeal_size_mean = 0\n",
                           ("bad.toml", "deals.deal_size_mean", "greater than 0")),
        "tier-mix-sum": (b'[recruitment]\ninitial_tier_mix = { Gold = 0.7 }\n',
                         ("bad.toml", "initial_tier_mix")),
        "unknown-tier": (b'[mdf]\ntier_weights = { Diamond = 2 }\n', ("bad.toml", "diamond")),
        "section-not-table": (b"deals = 3\n", ("bad.toml", "deals")),
        "bad-choice": (b'[onboarding]\ndistribution = "uniform"\n',
                       ("bad.toml", "onboarding.distribution", "uniform")),
        "huge-seed": (b"seed = 99999999999999999999\n", ("bad.toml", "seed")),
    }
    cases = []
    for name, spec in toml.items():
        if spec is None:
            continue
        data, words = spec
        for cmd in (["scenario", "check"], ["simulate"]):
            cases.append(Case(f"scenario-toml-{name}-{cmd[-1]}", [*cmd, "{dir}/bad.toml"],
                              {"bad.toml": data}, expect=words))
    jsons = {
        "invalid-json": (b'{"horizon_months": }', ("bad.json", "not a valid")),
        "json-list": (b"[1, 2]", ("bad.json", "one table")),
        "json-nan": (b'{"deals": {"deal_size_mean": NaN}}', ("bad.json", "deal_size_mean")),
        "json-huge": (b'{"deals": {"deal_size_mean": 1e999}}', ("bad.json", "deal_size_mean")),
        "json-partners": (b'{"recruitment": {"initial_partners": 1e7}}',
                          ("bad.json", "initial_partners")),
        "json-null": (b'{"horizon_months": null}', ("bad.json", "horizon_months")),
        "json-nested": (b'{"deals": {"win_probability": {"a": 1}}}',
                        ("bad.json", "win_probability")),
    }
    for name, (data, words) in jsons.items():
        cases.append(Case(f"scenario-{name}", ["scenario", "check", "{dir}/bad.json"],
                          {"bad.json": data}, expect=words))
    cases.append(Case("scenario-missing", ["scenario", "check", "{dir}/nope.toml"],
                      expect=("nope.toml",)))
    cases.append(Case("scenario-folder", ["scenario", "check", "{dir}"], expect=("{dir}",)))
    return cases


def set_cases() -> list[Case]:
    sets = {
        "unknown-section": ("nosuch.field=1", ("nosuch.field", "valid names")),
        "typo": ("deals.win_probabilty=0.3", ("deals.win_probabilty", "win_probability")),
        "unknown-field": ("deals.zzz=1", ("deals.zzz", "fields of [deals]")),
        "no-equals": ("deals.win_probability", ("--set", "path=value")),
        "no-path": ("=3", ("--set", "names no field")),
        "probability": ("deals.win_probability=2", ("deals.win_probability", "between 0 and 1")),
        "nan": ("deals.deal_size_mean=nan", ("deals.deal_size_mean", "finite")),
        "inf": ("mdf.budget_per_period=inf", ("mdf.budget_per_period", "finite")),
        "huge": ("deals.deal_size_mean=1e308", ("deals.deal_size_mean", "at most")),
        "partners": ("recruitment.initial_partners=10000000",
                     ("recruitment.initial_partners", "at most")),
        "replications": ("replications=0", ("replications", "at least 1")),
        "unknown-tier": ("tiers.Diamond.margin=0.1", ("tiers.diamond", "diamond")),
        "tier-typo": ("tiers.Gold.margn=0.1", ("tiers.gold.margn", "margin")),
        "text-for-number": ("horizon_months=soon", ("horizon_months", "whole number")),
        "fractional-int": ("onboarding.managers=2.5", ("onboarding.managers", "whole number")),
        "section-as-field": ("deals=3", ("deals", "table")),
        "too-deep": ("deals.win_probability.x=1", ("deals.win_probability.x",)),
    }
    return [Case(f"set-{name}", ["scenario", "variant", "{base}", "{dir}/v.toml", "--set",
                                 item], expect=words) for name, (item, words) in sets.items()]


def flag_cases() -> list[Case]:
    flags = {
        "n-zero": (["-n", "0"], ("--replications", "between 1 and 100,000")),
        "n-negative": (["-n", "-1"], ("--replications",)),
        "n-billion": (["-n", "1000000000"], ("--replications", "between 1 and 100,000")),
        "n-text": (["-n", "many"], ("-n", "invalid int")),
        "workers-negative": (["--workers", "-1"], ("--workers", "between 1 and 64")),
        "workers-zero": (["--workers", "0"], ("--workers", "between 1 and 64")),
        "workers-huge": (["--workers", "100000"], ("--workers", "between 1 and 64")),
        "months-zero": (["--months", "0"], ("--months", "between 1 and 600")),
        "months-huge": (["--months", "100000"], ("--months", "between 1 and 600")),
        "seed-negative": (["--seed", "-5"], ("--seed",)),
        "out-suffix": (["--out", "{dir}/r.txt"], ("--out", "r.txt")),
        "out-missing-folder": (["--out", "{dir}/nope/r.json"], ("--out", "does not exist")),
        "out-folder": (["--out", "{dir}/sub/"], ("--out",)),
        "two-without-compare": (["{base}"], ("scenario", "--compare")),
    }
    cases = [Case(f"simulate-{name}", ["simulate", "{base}", *extra], {"sub/.keep": b""},
                  expect=words) for name, (extra, words) in flags.items()]
    cases += [
        Case("baseline-months", ["scenario", "baseline", "{ws}", "{dir}/b.toml", "--months",
                                 "100000"], expect=("--months", "between 1 and 600")),
        Case("baseline-replications", ["scenario", "baseline", "{ws}", "{dir}/b.toml",
                                       "--replications", "0"], expect=("--replications",)),
        Case("baseline-suffix", ["scenario", "baseline", "{ws}", "{dir}/b.txt"],
             expect=("b.txt", ".toml")),
        Case("variant-exists", ["scenario", "variant", "{base}", "{base}"],
             expect=("already exists",)),
    ]
    return cases


# --------------------------------------------------------------------------- exports, workbooks


def export_cases() -> list[Case]:
    exp = ["export", "{ws}"]
    return [
        Case("export-suffix", [*exp, "--portfolio", "--out", "{dir}/x.txt"],
             expect=("--out", "x.txt", ".xlsx")),
        Case("export-exists", [*exp, "--portfolio", "--out", "{dir}/x.xlsx"],
             {"x.xlsx": b"keep"}, expect=("x.xlsx", "already exists")),
        Case("export-missing-folder", [*exp, "--portfolio", "--out", "{dir}/no/x.xlsx"],
             expect=("x.xlsx", "does not exist")),
        Case("export-folder", [*exp, "--portfolio", "--out", "{dir}/d.xlsx"],
             {"d.xlsx/.keep": b""}, expect=("d.xlsx", "folder")),
        Case("export-readonly-folder", [*exp, "--portfolio", "--out", "{dir}/ro/x.xlsx"],
             {"ro/.keep": b""}, expect=("x.xlsx", "permission denied"),
             condition="read_only_subfolder"),
        Case("export-unknown-plan", [*exp, "--plan", "999", "--out", "{dir}/x.xlsx"],
             expect=("999",)),
        Case("export-unknown-scenario", [*exp, "--scenarios", "Nope", "--out",
                                         "{dir}/x.xlsx"], expect=("nope",)),
        Case("export-bad-date", [*exp, "--portfolio", "--as-of", "2026-02-30", "--out",
                                 "{dir}/x.xlsx"], expect=("--as-of",)),
    ]


def _mutated_plan(edit: Callable[[dict[str, bytes]], None]) -> Callable[[Path], None]:
    """A builder writing the exported plan workbook with its zip members edited."""
    def make(target: Path) -> None:
        src = target.parent / "_plan.xlsx"
        with zipfile.ZipFile(src) as z:
            members = {n: z.read(n) for n in z.namelist()}
        edit(members)
        with zipfile.ZipFile(target, "w") as z:
            for n, data in members.items():
                z.writestr(n, data)
    return make


def _first_sheet(members: dict[str, bytes]) -> str:
    return sorted(n for n in members if n.startswith("xl/worksheets/sheet"))[0]


def workbook_cases() -> list[Case]:
    argv = ["import-plan", "{ws}", "{dir}/edited.xlsx", "--dry-run"]
    books: dict[str, tuple[bytes | Callable[[Path], None], tuple[str, ...]]] = {
        "text": (b"not a workbook\n", ("edited.xlsx",)),
        "empty": (b"", ("edited.xlsx",)),
        "csv": (b"a,b\n1,2\n", ("edited.xlsx",)),
        "ods": (_ods_bytes(), ("edited.xlsx",)),
        "truncated": (lambda t: t.write_bytes((t.parent / "_plan.xlsx").read_bytes()[:2000]),
                      ("edited.xlsx",)),
        "blank-workbook": (_xlsx_bytes([["hello"]]), ("edited.xlsx",)),
        "broken-xml": (_mutated_plan(lambda m: m.__setitem__(_first_sheet(m),
                                                             b"<worksheet><sheetData><row")),
                       ("edited.xlsx",)),
        "no-workbook-part": (_mutated_plan(lambda m: m.pop("xl/workbook.xml")),
                             ("edited.xlsx",)),
        "no-sheets": (_mutated_plan(lambda m: [m.pop(n) for n in list(m)
                                               if n.startswith("xl/worksheets/")]),
                      ("edited.xlsx",)),
    }
    cases = [Case(f"import-plan-{name}", argv, {"edited.xlsx": data}, expect=words)
             for name, (data, words) in books.items()]
    cases += [
        Case("import-plan-other-plan", ["import-plan", "{ws}", "{plan}", "--plan", "2",
                                        "--dry-run"], expect=("plan",)),
        Case("import-plan-missing", ["import-plan", "{ws}", "{dir}/nope.xlsx", "--dry-run"],
             expect=("nope.xlsx",)),
        Case("import-plan-bad-accept", ["import-plan", "{ws}", "{dir}/changed.xlsx",
                                        "--accept", "x"], {"changed.xlsx": _changed_plan},
             expect=("--accept", "'x'")),
        Case("import-plan-accept-range", ["import-plan", "{ws}", "{dir}/changed.xlsx",
                                          "--accept", "99"], {"changed.xlsx": _changed_plan},
             expect=("--accept", "99")),
    ]
    return cases


def _changed_plan(target: Path) -> None:
    """The exported plan with its partner owner edited (one change to review)."""
    from openpyxl import load_workbook

    wb = load_workbook(target.parent / "_plan.xlsx")
    cover = wb["Cover"]
    for row in cover.iter_rows(max_col=1):
        if row[0].value == "Partner owner":
            cover.cell(row[0].row, 2).value = "Someone Else"
    wb.save(target)


def all_cases() -> list[Case]:
    return (workspace_cases() + import_cases() + mapping_cases() + scenario_cases()
            + set_cases() + flag_cases() + export_cases() + workbook_cases())


# --------------------------------------------------------------------------- running a case


@dataclass
class Assets:
    """Files every case may start from (made once per session)."""

    demo: Path
    plan_workbook: Path  # plan 1 exported from ``demo``
    scenario: Path  # a valid scenario file


LOCK_HOLDER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("UPDATE meta SET value = value WHERE key = 'created_at'")
print("locked", flush=True)
sys.stdin.read()  # hold the write lock until the test closes our stdin
conn.execute("ROLLBACK")
"""


def _make_read_only(path: Path, undo: list) -> bool:
    """Make ``path`` (file or folder) read-only for this process, even as root (the immutable
    attribute); False where that cannot be done."""
    import os
    import subprocess

    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(0o555 if path.is_dir() else 0o444)
        undo.append(lambda: path.chmod(mode))
        return True
    r = subprocess.run(["chattr", "+i", str(path)], capture_output=True)
    if r.returncode != 0:
        return False
    undo.append(lambda: subprocess.run(["chattr", "-i", str(path)], capture_output=True))
    return True


class Prepared:
    """A case's folder, built; :meth:`close` undoes its condition (lock, read-only)."""

    def __init__(self, case: Case, root: Path, assets: Assets):
        import subprocess
        import sys

        self.case = case
        self.dir = root
        self.undo: list[Callable[[], object]] = []
        self.supported = True
        root.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(assets.plan_workbook, root / "_plan.xlsx")
        self.ws = root / "work.jbp"
        if case.workspace == "demo":
            shutil.copyfile(assets.demo, self.ws)
        else:
            WORKSPACES[case.workspace][0](assets.demo, self.ws)
        self.plan = root / "plan.xlsx"
        shutil.copyfile(assets.plan_workbook, self.plan)
        self.base = root / "base_scenario.toml"
        shutil.copyfile(assets.scenario, self.base)
        for name, content in case.files.items():
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if callable(content):
                content(target)
            else:
                target.write_bytes(content)
        self.argv = [self.fill(a) for a in case.argv]
        self.expect = [self.fill(e).lower() for e in case.expect]
        if case.condition == "locked":
            proc = subprocess.Popen([sys.executable, "-c", LOCK_HOLDER, str(self.ws)],
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            assert proc.stdout.readline().strip() == "locked"

            def release() -> None:
                proc.stdin.close()
                proc.wait(timeout=30)
            self.undo.append(release)
        elif case.condition == "read_only_file":
            self.supported = _make_read_only(self.ws, self.undo)
        elif case.condition == "read_only_folder":
            self.supported = _make_read_only(root, self.undo)
        elif case.condition == "read_only_subfolder":
            self.supported = _make_read_only(root / "ro", self.undo)

    def fill(self, text: str) -> str:
        return (text.replace("{ws}", str(self.ws)).replace("{dir}", str(self.dir))
                .replace("{plan}", str(self.plan)).replace("{base}", str(self.base)))

    def snapshot(self) -> dict[str, bytes]:
        """Every file of the case folder (the workspace, its journal if any, inputs)."""
        return {str(p.relative_to(self.dir)): p.read_bytes()
                for p in sorted(self.dir.rglob("*")) if p.is_file()}

    def close(self) -> None:
        for undo in reversed(self.undo):
            undo()
        self.undo.clear()


def make_assets(folder: Path, demo: Path | None = None) -> Assets:
    """The demo workspace (generated unless given), plan 1 exported from it, and a scenario."""
    from exporters.plan_workbook import export_plan
    from jbp.store import Workspace
    from simulation.scenario import Scenario

    folder.mkdir(parents=True, exist_ok=True)
    if demo is None:
        from jbp import demo as demo_mod

        demo = demo_mod.generate(folder / "demo.jbp")
    else:  # exporting gives a workspace its identity: never write the caller's master
        demo = Path(shutil.copyfile(demo, folder / "demo.jbp"))
    plan = folder / "plan1.xlsx"
    with Workspace.open(demo) as ws:
        export_plan(ws, 1, plan)
    scenario = Scenario().with_changes(replications=2, horizon_months=6).save(
        folder / "base.toml")
    return Assets(demo, plan, scenario)
