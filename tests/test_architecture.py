"""The house rules, checked rather than remembered."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
QT_MODULES = ("PySide6", "PyQt5", "PyQt6", "shiboken6", "matplotlib.backends.backend_qt",
              "matplotlib.backends.backend_qtagg", "matplotlib.pyplot")
#: What each package may import of ours.
ALLOWED = {
    "jbp": {"jbp"},
    "simulation": {"jbp", "simulation"},
    "exporters": {"jbp", "simulation", "exporters"},
}
OURS = {"jbp", "simulation", "exporters", "ui"}


def imports_of(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_only_ui_imports_qt_and_layers_point_one_way(package):
    problems = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for line, module in imports_of(path):
            rel = path.relative_to(ROOT)
            if module.startswith(QT_MODULES):
                problems.append(f"{rel}:{line} imports {module} (only ui/ may use Qt)")
            top = module.split(".")[0]
            if top in OURS and top not in ALLOWED[package]:
                problems.append(f"{rel}:{line} imports {module} ({package}/ may import "
                                f"{sorted(ALLOWED[package])})")
    assert not problems, "\n".join(problems)


def test_the_rule_check_catches_a_violation(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nfrom PySide6.QtCore import QObject\n")
    assert (2, "PySide6.QtCore") in imports_of(bad)


#: The one import in ui/cli/ that may reach Qt: starting the desktop app when ``jbp`` is run
#: without a command.
GUI_LAUNCH = ("ui/cli/__init__.py", "ui.app")


def _module_file(module: str) -> Path | None:
    base = ROOT.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def qt_reached_from(start: list[Path], allowed: tuple[str, str] = GUI_LAUNCH) -> list[str]:
    """Imports of Qt reachable from ``start`` through our own modules (statically, every
    import in the file, at any depth of a function), but the ``allowed`` (file, module)."""
    problems, seen, todo = [], set(), list(start)
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        rel = path.relative_to(ROOT).as_posix()
        for line, module in _imports_and_submodules(path):
            if (rel, module) == allowed:
                continue
            if module.startswith(QT_MODULES):
                problems.append(f"{rel}:{line} imports {module}")
            elif module.split(".")[0] in OURS:
                found = _module_file(module)
                if found is not None:
                    todo.append(found)
    return problems


def _imports_and_submodules(path: Path) -> list[tuple[int, str]]:
    """:func:`imports_of`, plus ``X.Y`` for each ``from X import Y`` (Y may be a module)."""
    found = imports_of(path)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found += [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
    return found


def test_the_command_line_never_imports_qt():
    """Everything ui/cli/ imports, and what that imports, is Qt-free; only the desktop
    launch (``jbp`` with no command) reaches Qt."""
    files = sorted((ROOT / "ui" / "cli").rglob("*.py"))
    assert files and (ROOT / "ui" / "cli" / "__init__.py") in files
    problems = qt_reached_from(files)
    assert not problems, "\n".join(problems)


def test_the_cli_rule_catches_qt_reached_through_another_module():
    # ui/cli/__init__.py launching the app: with no allowance, Qt is reached through ui.app.
    problems = qt_reached_from([ROOT / "ui" / "cli" / "__init__.py"], allowed=("", ""))
    assert any("PySide6" in p for p in problems), problems


def test_headless_commands_never_load_qt(demo_master):
    code = (
        "import sys\n"
        "from ui.cli import main\n"
        f"rc = main(['info', {str(demo_master)!r}])\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))]\n"
        "print('QT', bad)\n"
        "sys.exit(rc or (1 if bad else 0))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "QT []" in out.stdout


def test_domain_packages_import_without_qt_installed_at_runtime():
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('PySide6', 'shiboken6'):\n"
        "            raise ImportError('Qt blocked for this test')\n"
        "sys.meta_path.insert(0, Block())\n"
        "import importlib, pkgutil\n"
        "for pkg in ('jbp', 'simulation', 'exporters'):\n"
        "    try:\n"
        "        mod = importlib.import_module(pkg)\n"
        "    except ModuleNotFoundError:\n"
        "        continue\n"
        "    for info in pkgutil.walk_packages(mod.__path__, pkg + '.'):\n"
        "        importlib.import_module(info.name)\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=180, cwd=ROOT)
    assert out.returncode == 0, out.stderr
