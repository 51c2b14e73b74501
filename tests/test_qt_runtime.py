"""The Qt binding itself must be sound: PySide6 6.12.0 dropped a reference to ``True`` on
every signal delivered to a Python slot, and the app aborted ("bool_dealloc") after a few
thousand clicks. pyproject.toml excludes that release; this test catches a relapse."""

from __future__ import annotations

import subprocess
import sys

CODE = """
import sys
from PySide6.QtCore import QCoreApplication, QObject, Signal
app = QCoreApplication([])
class Emitter(QObject):
    fired = Signal(int)
e = Emitter()
e.fired.connect(lambda n: None)
before = sys.getrefcount(True)
for i in range(20000):
    e.fired.emit(i)
print(sys.getrefcount(True) - before)
"""


def test_signal_delivery_does_not_leak_or_free_true():
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True,
                         timeout=120, env={"QT_QPA_PLATFORM": "offscreen", "PATH": ""})
    assert out.returncode == 0, out.stderr[-2000:]
    assert abs(int(out.stdout.strip())) < 100
