"""Shared fixtures. Qt tests run offscreen; nothing writes the user's real settings."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MPLBACKEND", "Agg")

# Hypothesis: "ci" (set by .ci/test) draws the same examples on every run, so a failure in
# CI is the one a developer gets; "dev" (the default) explores new examples each run. Both
# print the @reproduce_failure blob of a failure and have no deadline (the machine is
# shared; speed is measured in benchmarks/, not asserted in tests).
settings.register_profile("ci", derandomize=True, print_blob=True, deadline=None,
                          database=None)
settings.register_profile("dev", print_blob=True, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(scope="session")
def demo_master(tmp_path_factory) -> Path:
    """The demo workspace, generated once per test session. Copy it before writing."""
    from jbp import demo

    path = tmp_path_factory.mktemp("demo") / "demo.jbp"
    demo.generate(path)
    return path


@pytest.fixture
def demo_path(demo_master: Path, tmp_path: Path) -> Path:
    """A private copy of the demo workspace for one test."""
    path = tmp_path / "demo.jbp"
    shutil.copy2(demo_master, path)
    return path


@pytest.fixture
def demo_ws(demo_path: Path):
    from jbp.store import Workspace

    ws = Workspace.open(demo_path)
    yield ws
    ws.close()


@pytest.fixture
def small_ws(tmp_path: Path):
    """A fresh workspace with the demo program, two partners and no plans."""
    from jbp.demo import PROGRAM
    from jbp.model import Partner
    from jbp.store import Workspace

    ws = Workspace.create(tmp_path / "small.jbp", PROGRAM)
    ws.add_partner(Partner(name="Acme", type="Reseller", region="EMEA",
                           signup_date=dt.date(2024, 3, 1), manager="Dana"))
    ws.add_partner(Partner(name="Bluepeak", type="SI", region="APAC",
                           signup_date=dt.date(2025, 1, 15)))
    yield ws
    ws.close()


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path_factory, monkeypatch):
    """Keep QSettings and the app data dir of tests away from the user's real ones."""
    home = tmp_path_factory.getbasetemp() / "home"
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    yield


@pytest.fixture(autouse=True)
def _collect_garbage_on_the_main_thread(request):
    """As the app does (ui.gc_guard): automatic collection is off while a test runs Qt, so a
    worker thread (a task, the chart renderer) never frees a cycle holding Qt objects; the
    test's garbage is collected here, on the main (GUI) thread, after each test."""
    import gc

    gc.disable()
    try:
        yield
    finally:
        gc.collect()
        gc.enable()

