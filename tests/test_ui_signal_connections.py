"""Signals of long-lived senders reach only bound methods (a lambda keeps a dead widget's slot alive).

PySide drops a connection to a bound method when its receiver is deleted; a lambda that
captures a widget keeps calling it after the widget is gone (the closed partner window's
``RuntimeError … already deleted``). The app context outlives every page and dialog, so its
signals must never be connected to a lambda.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def context_signals() -> set[str]:
    from PySide6.QtCore import Signal

    from ui.context import AppContext

    return {name for name, value in vars(AppContext).items() if isinstance(value, Signal)}


def lambda_connections(source: str, signals: set[str]) -> list[int]:
    """Line numbers of ``<…>ctx.<signal>.connect(lambda …)`` in ``source``."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "connect" and node.args):
            continue
        signal = node.func.value
        if not (isinstance(signal, ast.Attribute) and signal.attr in signals):
            continue
        sender = signal.value
        name = sender.id if isinstance(sender, ast.Name) else getattr(sender, "attr", "")
        if name in ("ctx", "context") and isinstance(node.args[0], ast.Lambda | ast.Call):
            lines.append(node.lineno)
    return lines


def test_the_checker_finds_a_lambda_connection():
    signals = {"data_changed", "workspace_changed"}
    bad = "ctx.data_changed.connect(lambda w: self.reload())\n" \
          "self.ctx.workspace_changed.connect(functools.partial(self.open, None))\n"
    good = "ctx.data_changed.connect(self._on_data_changed)\n" \
           "button.clicked.connect(lambda: self.reload())\n"
    assert lambda_connections(bad, signals) == [1, 2]
    assert lambda_connections(good, signals) == []


def test_no_lambda_is_connected_to_the_app_context_signals():
    signals = context_signals()
    assert {"workspace_changed", "data_changed", "plan_changed", "error"} <= signals
    found = []
    for path in sorted((ROOT / "ui").rglob("*.py")):
        for line in lambda_connections(path.read_text(encoding="utf-8"), signals):
            found.append(f"{path.relative_to(ROOT)}:{line}")
    assert found == [], "connect the app context's signals to bound methods: " + ", ".join(found)
