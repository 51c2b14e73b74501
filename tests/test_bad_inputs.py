"""The hostile-input harness: every entry point of ``jbp`` fed malformed input.

Each case (``tests/bad_input_cases.py``) runs ``ui.cli.main`` in this process on a fresh copy
of its files and asserts: the exit code (2 = refused, 1 = import rows rejected), a message on
stderr naming the file or field and the reason, no traceback and no "internal error", and every
file of the case (the workspace above all) byte for byte as it was. The lock is held by another
real process; read-only is real (``chattr +i`` as root, file modes otherwise).
Hypothesis then throws generated input at the parsers this harness guards: workspace files,
scenario files and ``--set`` paths/values.
"""

from __future__ import annotations

import math
import re
import shutil
from pathlib import Path

import pytest
from bad_input_cases import Assets, Case, Prepared, all_cases, make_assets
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

CASES = all_cases()
DOCS = Path(__file__).resolve().parents[1] / "docs" / "scenario.md"


@pytest.fixture(scope="session")
def assets(tmp_path_factory, demo_master: Path) -> Assets:
    return make_assets(tmp_path_factory.mktemp("bad-input-assets"), demo_master)


def run_case(case: Case, root: Path, assets: Assets, capsys, monkeypatch):
    from jbp import store
    from ui.cli import main

    prepared = Prepared(case, root, assets)
    try:
        if not prepared.supported:
            pytest.skip("cannot make a file read-only here")
        for key, value in case.env.items():
            monkeypatch.setenv(key, value)
        if "JBP_BUSY_TIMEOUT" in case.env:
            monkeypatch.setattr(store, "BUSY_TIMEOUT_S", float(case.env["JBP_BUSY_TIMEOUT"]))
        before = prepared.snapshot()
        capsys.readouterr()
        try:
            code = main(prepared.argv)
        except SystemExit as exc:  # argparse's own refusals
            code = exc.code
        out, err = capsys.readouterr()
        after = prepared.snapshot()
    finally:
        prepared.close()
    return prepared, before, after, code, out, err


def test_there_are_enough_cases():
    assert len(CASES) >= 150
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_malformed_input_is_refused_cleanly(case: Case, tmp_path: Path, assets: Assets,
                                            capsys, monkeypatch):
    prepared, before, after, code, out, err = run_case(case, tmp_path / "case", assets,
                                                       capsys, monkeypatch)
    # A refusal is on stderr; an import's rejected rows are listed in its report (stdout)
    # with the verdict on stderr.
    text = (err if case.code == 2 else out + err).lower()
    assert "traceback" not in (out + err).lower(), err
    assert "internal error" not in text, err
    assert code == case.code, f"exit {code}, expected {case.code}\n{out}\n{err}"
    for word in prepared.expect:
        assert word in text, f"{word!r} not in the message:\n{err}"
    # Nothing saved changes: the workspace (and every input) byte for byte as it was.
    assert after.keys() == before.keys(), sorted(set(after) ^ set(before))
    changed = [name for name in before if before[name] != after[name]]
    assert not changed, changed


# --------------------------------------------------------------------------- documented ranges


def _documented_ranges() -> dict[str, str]:
    rows = {}
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\| `([^`<]+)` \|", line)
        if m:
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) == 5:
                rows[m.group(1)] = cells[3]
    return rows


def test_every_documented_range_is_the_validators():
    """docs/scenario.md's "Allowed" column is what the validator (and the GUI's tooltip,
    which formats it with the same function) enforces, for every field."""
    from simulation.scenario import field_reference

    documented = _documented_ranges()
    for row in field_reference():
        assert documented.get(row["path"]) == row["allowed"], row["path"]


@pytest.mark.parametrize("row", [r for r in __import__("simulation.scenario", fromlist=["x"])
                                 .field_reference() if r["type"] in ("int", "float")],
                         ids=lambda r: r["path"])
def test_each_range_edge_is_enforced(row):
    """Just inside each bound is accepted; just outside is refused naming the field."""
    from jbp.errors import ValidationError
    from simulation.scenario import Scenario

    lo, hi, step = row["min"], row["max"], 1 if row["type"] == "int" else 1e-9
    path = row["path"]
    ok = Scenario()
    if lo is not None and not row["lo_open"]:
        ok.with_changes({path: lo}) if path != "seed" else None
    for bad in ([hi + max(step, abs(hi) * 1e-9)] if hi is not None else []) + (
            [lo - step] if lo is not None and not row["lo_open"] else [lo] if row["lo_open"]
            else []):
        with pytest.raises(ValidationError) as err:
            ok.with_changes({path: bad})
        assert err.value.field == path


# --------------------------------------------------------------------------- hypothesis


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300), keep_header=st.booleans())
def test_any_bytes_as_a_workspace_are_refused_or_opened(tmp_path, demo_master, data,
                                                        keep_header):
    """A file of any bytes (or a real workspace's header followed by noise) opens or is
    refused with a WorkspaceError naming it, and is not changed."""
    from jbp.errors import WorkspaceError
    from jbp.store import Workspace

    path = tmp_path / "w.jbp"
    content = (demo_master.read_bytes()[:100] + data) if keep_header else data
    path.write_bytes(content)
    try:
        Workspace.open(path).close()
    except WorkspaceError as exc:
        assert str(path) in str(exc)
    assert path.read_bytes() == content


_toml_scalars = st.one_of(st.integers(-10**20, 10**20), st.floats(allow_nan=True),
                          st.booleans(), st.text(max_size=8))
_field_names = st.sampled_from(["horizon_months", "replications", "seed", "deals",
                                "win_probability", "initial_partners", "recruitment",
                                "mdf", "budget_per_period", "x"])


@settings(max_examples=80, deadline=None)
@given(doc=st.dictionaries(_field_names, st.one_of(
    _toml_scalars, st.dictionaries(_field_names, _toml_scalars, max_size=3)), max_size=4))
def test_any_scenario_document_is_valid_or_refused_by_field(doc):
    from jbp.errors import ValidationError
    from simulation.scenario import Scenario

    try:
        sc = Scenario.from_dict(doc)
    except ValidationError as exc:
        assert exc.field
        return
    for value in (sc.deals.deal_size_mean, sc.mdf.budget_per_period):
        assert math.isfinite(value)
    assert 1 <= sc.replications <= 100_000


@settings(max_examples=80, deadline=None)
@given(path=st.text(alphabet="abcdefghilmnoprstuvwy._G", min_size=0, max_size=30),
       value=st.text(max_size=12))
def test_any_set_is_applied_or_refused_by_field(path, value):
    from jbp.errors import ValidationError
    from simulation.scenario import Scenario, parse_value

    try:
        Scenario().with_changes({path: parse_value(value)})
    except ValidationError as exc:
        assert exc.field


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400))
def test_any_bytes_as_a_scenario_file_are_refused_naming_it(tmp_path, data):
    from jbp.errors import ValidationError
    from simulation.scenario import Scenario

    for suffix in (".toml", ".json"):
        path = tmp_path / f"s{suffix}"
        path.write_bytes(data)
        try:
            Scenario.load(path)
        except ValidationError as exc:
            assert str(path) in str(exc) or exc.field


def test_hot_journal_is_recovered_and_told(tmp_path: Path, demo_master: Path, capsys):
    """A write killed half-way leaves a hot journal; the next command rolls it back, says
    "recovered from an interrupted write" and works on the last saved state."""
    import hashlib
    import subprocess
    import sys

    from ui.cli import main

    path = tmp_path / "w.jbp"
    shutil.copyfile(demo_master, path)
    saved = hashlib.sha256(path.read_bytes()).hexdigest()
    killer = ("import sqlite3, os, sys\n"
              "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
              "c.execute('PRAGMA cache_size = 2')\n"
              "c.execute('BEGIN IMMEDIATE')\n"
              "c.execute(\"UPDATE deals SET customer = customer || ' (half-written)'\")\n"
              "os._exit(9)\n")
    subprocess.run([sys.executable, "-c", killer, str(path)], check=False)
    assert Path(f"{path}-journal").exists()
    capsys.readouterr()
    assert main(["info", str(path)]) == 0
    err = capsys.readouterr().err
    assert "recovered from an interrupted write" in err
    assert not Path(f"{path}-journal").exists()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == saved


_csv_cells = st.text(alphabet=st.sampled_from(list("Partner,Amount;|\t\"\n 0123.e-xé€\x00")),
                     max_size=200)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_csv_cells, encoding=st.sampled_from(["utf-8", "utf-16", "cp1252", "latin-1"]))
def test_any_text_as_an_export_is_read_or_refused_naming_it(tmp_path, text, encoding):
    """read_table (with the duplicate-header guard) on any small text: a table, or a
    JbpError naming the file — never another exception."""
    from jbp.errors import JbpError
    from jbp.importers import read_table

    path = tmp_path / "in.csv"
    path.write_bytes(text.encode(encoding, errors="replace"))
    try:
        table = read_table(path)
    except JbpError as exc:
        assert "in.csv" in str(exc)
        return
    keys = [h.strip().casefold() for h in table.headers]
    assert len(keys) == len(set(keys))


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8)),
                        lambda kids: st.lists(kids, max_size=3)
                        | st.dictionaries(st.sampled_from(["kind", "partner", "amount",
                                                           "columns", "date_format", "x"]),
                                          kids, max_size=4), max_leaves=8))
def test_any_json_as_a_mapping_file_is_taken_or_refused_naming_it(tmp_path, doc):
    import json

    from jbp.errors import JbpError
    from jbp.importers import ColumnMapping

    path = tmp_path / "map.json"
    path.write_text(json.dumps(doc))
    try:
        ColumnMapping.from_file(path, "deals")
    except JbpError as exc:
        assert path.name in str(exc)
