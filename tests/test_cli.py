"""The jbp command line: real processes, real files, messages on stderr, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def jbp(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ui.cli", *args], capture_output=True,
                          text=True, timeout=300)


def test_demo_then_info(tmp_path: Path):
    path = tmp_path / "w.jbp"
    out = jbp("demo", str(path))
    assert out.returncode == 0, out.stderr
    info = jbp("info", str(path))
    assert info.returncode == 0, info.stderr
    assert "Partners   50" in info.stdout
    assert "Platinum" in info.stdout and "Gold" in info.stdout
    data = json.loads(jbp("info", str(path), "--json").stdout)
    assert data["partners"] >= 40
    assert len(data["partners_by_tier"]) >= 3
    assert len(data["plans_by_status"]) >= 3
    assert data["actuals"]["deals"]["rows"] > 100


def test_user_mistakes_get_a_message_and_exit_2(tmp_path: Path):
    missing = tmp_path / "nope.jbp"
    out = jbp("info", str(missing))
    assert out.returncode == 2
    assert f"jbp info: {missing}: no such file" in out.stderr
    assert "Traceback" not in out.stderr

    text = tmp_path / "notes.jbp"
    text.write_text("hello")
    out = jbp("info", str(text))
    assert out.returncode == 2 and "not an SQLite database" in out.stderr

    out = jbp("demo", str(text))
    assert out.returncode == 2 and "already exists" in out.stderr
    out = jbp("demo", str(text), "--force")  # never replaces a file that is not a workspace
    assert out.returncode == 2 and "not an SQLite database" in out.stderr
    assert text.read_text() == "hello"

    out = jbp("demo", str(tmp_path / "no" / "such" / "dir" / "w.jbp"))
    assert out.returncode == 2 and "does not exist" in out.stderr
    assert "Traceback" not in out.stderr


def test_demo_is_reproducible(tmp_path: Path):
    a, b = tmp_path / "a.jbp", tmp_path / "b.jbp"
    assert jbp("demo", str(a)).returncode == 0
    assert jbp("demo", str(b)).returncode == 0
    ja = json.loads(jbp("info", str(a), "--json").stdout)
    jb = json.loads(jbp("info", str(b), "--json").stdout)
    ja.pop("workspace"), jb.pop("workspace")
    assert ja == jb


def test_gui_without_a_display_says_so(tmp_path: Path):
    import os

    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    out = subprocess.run([sys.executable, "-m", "ui.cli"], capture_output=True, text=True,
                         timeout=60, env=env)
    assert out.returncode == 2
    assert "no display" in out.stderr and "Traceback" not in out.stderr


def test_every_command_declares_workspace_and_as_of_the_shared_way():
    """`workspace` and `--as-of` come from ui.cli.args: one spelling, one meaning."""
    import argparse

    from ui.cli import build_parser
    from ui.cli.args import AS_OF_HELP, iso_date

    def commands(parser, prefix=""):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, command in action.choices.items():
                    yield f"{prefix}{name}", command
                    yield from commands(command, f"{prefix}{name} ")

    workspaces, as_ofs = [], []
    for name, command in commands(build_parser()):
        for action in command._actions:
            if action.dest == "workspace":
                workspaces.append(name)
                assert action.metavar == "WORKSPACE" and not action.option_strings, name
            if "--as-of" in action.option_strings:
                as_ofs.append(name)
                assert action.type is iso_date and action.help == AS_OF_HELP, name
    assert {"info", "import", "scorecard", "refresh-kpis", "export", "import-plan",
            "scenario baseline"} <= set(workspaces)
    assert {"scorecard", "refresh-kpis", "export"} <= set(as_ofs)


def test_as_of_is_stated_with_its_reason_and_a_bad_date_is_refused(demo_path, capsys):
    import re

    from ui.cli import main

    assert main(["scorecard", str(demo_path)]) == 0
    # The demo's pinned "today" (not capped: each source is read to its own end, listed).
    assert re.match(r"Figures as of \d{4}-\d{2}-\d{2} \(pinned by the workspace\)",
                    capsys.readouterr().out)
    assert main(["scorecard", str(demo_path), "--as-of", "2026-06-30"]) == 0
    assert capsys.readouterr().out.startswith("Figures as of 2026-06-30 (set by you)")
    out = jbp("scorecard", str(demo_path), "--as-of", "20260630")
    assert out.returncode == 2 and "'20260630' is not a date (use YYYY-MM-DD)" in out.stderr
    assert "Traceback" not in out.stderr


def test_a_missing_or_foreign_workspace_is_refused_cleanly(tmp_path):
    for args in (["info", str(tmp_path / "nope.jbp")],
                 ["refresh-kpis", str(tmp_path / "nope.jbp")]):
        out = jbp(*args)
        assert out.returncode == 2 and "nope.jbp: no such file" in out.stderr
        assert "Traceback" not in out.stderr


def test_workbooks_and_the_scorecard_state_one_as_of_with_one_reason(demo_path, tmp_path, capsys):
    """`jbp scorecard --json`, the portfolio workbook and the plan workbook of one workspace
    state the same "as of" and the same reason (the demo is pinned; nothing was set)."""
    import json

    import openpyxl

    from ui.cli import main

    assert main(["scorecard", str(demo_path), "--json"]) == 0
    card = json.loads(capsys.readouterr().out)
    stated = f"{card['as_of']} ({card['as_of_reason']})"
    assert stated == "2026-11-15 (pinned by the workspace)"
    for args in (["--portfolio"], ["--plan", "1"]):
        out = tmp_path / f"{args[0].strip('-')}.xlsx"
        assert main(["export", str(demo_path), *args, "--out", str(out)]) == 0
        assert stated in capsys.readouterr().out
        texts = [c.value for sheet in openpyxl.load_workbook(out).worksheets
                 for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
        assert any(stated in t for t in texts), (args, [t for t in texts if "as of" in t.lower()])
        assert not any("set by you" in t for t in texts)
