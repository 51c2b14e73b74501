"""Every benchmark script still imports: they are run by hand, not by the suite, so a helper
renamed in one (``bench_scale._env`` moved) broke another unseen until it was next run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_benchmark_script_imports():
    scripts = sorted((ROOT / "benchmarks").glob("*.py"))
    assert len(scripts) >= 10
    code = (
        "import importlib.util, sys\n"
        f"sys.path.insert(0, {str(ROOT / 'benchmarks')!r})\n"
        "for path in sys.argv[1:]:\n"
        "    name = path.rsplit('/', 1)[-1][:-3]\n"
        "    spec = importlib.util.spec_from_file_location(name, path)\n"
        "    module = importlib.util.module_from_spec(spec)\n"
        "    sys.modules[name] = module\n"
        "    spec.loader.exec_module(module)\n"
    )
    done = subprocess.run([sys.executable, "-c", code, *map(str, scripts)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen",
                               "MPLBACKEND": "Agg", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-2000:]
