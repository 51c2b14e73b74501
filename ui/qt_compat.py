"""Workarounds for defects of the installed Qt binding, each detected before it is applied.

PySide6 6.12.0: ``SignalInstance.emit()`` called from Python drops one reference to
``True`` every time. On Python 3.11 ``True`` is an ordinary ref-counted object, so after a
few thousand emits its count reaches zero and the interpreter aborts ("Fatal Python error:
bool_dealloc") — typically at exit, after a long session or test run. The guard measures
the leak with a probe signal and, only if it is there, pins ``True`` and ``False`` with a
very large reference count (what Python 3.12 does for all such singletons anyway). Remove it
once the binding is fixed (then the probe finds no leak and nothing is done).
"""

from __future__ import annotations

import sys

_applied = False


def signal_emit_leaks_true() -> bool:
    """Whether emitting a Python-defined signal loses a reference to ``True``."""
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        ping = Signal()

    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(16):
        probe.ping.emit()
    return before - sys.getrefcount(True) >= 16


def guard_bool_refcounts() -> bool:
    """Apply the guard if this binding needs it; True if it is (now or already) applied."""
    global _applied
    if _applied:
        return True
    if sys.version_info >= (3, 12) or not signal_emit_leaks_true():
        return False
    import ctypes

    for singleton in (True, False):
        # ob_refcnt is the first field of every CPython object, at the object's address.
        ctypes.c_ssize_t.from_address(id(singleton)).value += 1 << 40
    _applied = True
    return True
