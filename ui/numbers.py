"""How the faces (Scenario Lab, ``jbp simulate``) write numbers for people, and read back
what they type. No Qt here, so the command line uses it too.

Display only: no figure is computed here. Units are the simulation's (``currency``,
``fraction``, ``days``, counts).
"""

from __future__ import annotations

import math
from typing import Any

from jbp.formatting import ENGLISH, NumberStyle
from jbp.locale_numbers import NotANumber, UnusableNumber, read_number, typable

#: Metrics where a fall is good news (the comparison colours a significant fall green).
LOWER_IS_BETTER = frozenset({
    "investment", "mdf_spent", "cost_people", "cost_enablement", "cost_overhead",
    "cost_recruitment", "conflicts", "churned", "partners_churned", "partners_waiting",
    "mean_days_to_first_revenue", "mean_days_to_active", "mean_onboarding_wait",
    "mdf_lapsed", "conflict_cost", "margins", "rebates"})


def money(value: float, signed: bool = False) -> str:
    """An amount: 12.35M, 350.2k, 870 (currency code shown by the caller)."""
    if value is None or not math.isfinite(value):
        return "—"
    sign = "+" if signed and value > 0 else ("−" if value < 0 else "")
    a = abs(value)
    if a >= 1e9:
        text = f"{a / 1e9:.2f}B"
    elif a >= 1e6:
        text = f"{a / 1e6:.2f}M"
    elif a >= 1e3:
        text = f"{a / 1e3:.1f}k"
    else:
        text = f"{a:.0f}"
    return sign + text


def value_text(value: float | None, unit: str, *, delta: bool = False) -> str:
    """A metric value in its unit. ``delta`` writes a signed difference (fractions in
    percentage points)."""
    if value is None or not math.isfinite(value):
        return "—"
    if unit == "currency":
        return money(value, signed=delta)
    sign = "+" if delta and value > 0 else ("−" if value < 0 else "")
    a = abs(value)
    if unit == "fraction":
        return f"{sign}{a * 100:.1f} pp" if delta else f"{sign}{a * 100:.1f}%"
    if unit == "days":
        return f"{sign}{a:,.1f} d"
    return f"{sign}{a:,.0f}" if a >= 100 else f"{sign}{a:,.1f}"


def interval_text(lo: float, hi: float, unit: str, *, delta: bool = False) -> str:
    """``[lo, hi]`` in the metric's unit, or empty when the interval is unknown."""
    if lo is None or hi is None or not (math.isfinite(lo) and math.isfinite(hi)):
        return ""
    return f"[{value_text(lo, unit, delta=delta)}, {value_text(hi, unit, delta=delta)}]"


def param_text(value: Any, style: NumberStyle = ENGLISH) -> str:
    """A scenario parameter as it is shown in its field (and typed back) in ``style``."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return typable(f"{value:,}", style)
    if isinstance(value, float):
        if abs(value) >= 1000:
            text = f"{value:,.0f}" if value == round(value) else f"{value:,.2f}"
            return typable(text, style)
        return typable(f"{value:.6g}", style)
    if isinstance(value, dict):
        sep = "; " if style.decimal == "," else ", "
        return sep.join(f"{k}: {param_text(v, style)}" for k, v in value.items())
    return str(value)


def parse_number(text: str, style: NumberStyle = ENGLISH) -> float | str:
    """A number typed by a user in ``style``: ``1,500,000``, ``150k``, ``1.5M``, ``25%``
    (= 0.25); ``1.500.000`` and ``12,5 %`` in German. Read by the one parser of typed numbers
    (:func:`jbp.locale_numbers.read_number`). Text with no digit comes back unchanged, so the
    scenario's own check refuses it with its message. Raises :class:`ValidationError` for
    what reads as a number but is not one to use: infinity, a comma that does not group
    thousands in English (``1,5`` would otherwise read as 15), text that reads two ways in
    the locale (``1.234`` in German)."""
    try:
        return read_number(text, style, field="Number").plain
    except NotANumber as exc:
        if isinstance(exc, UnusableNumber) or any(ch.isdigit() for ch in text):
            raise
        return text.strip()


def parse_table(text: str, style: NumberStyle = ENGLISH) -> dict[str, float | str]:
    """A table typed as ``Gold: 0.2, Silver: 0.3`` (``=`` also separates; ``;`` also
    splits; where the locale's decimal is a comma, only ``;`` splits). Empty text is an
    empty table."""
    out: dict[str, float | str] = {}
    parts = text.split(";") if style.decimal == "," else text.replace(";", ",").split(",")
    for part in parts:
        part = part.strip()
        if not part:
            continue
        sep = ":" if ":" in part else "="
        key, _, value = part.partition(sep)
        out[key.strip()] = parse_number(value, style) if value.strip() else ""
    return out


def humanise(name: str) -> str:
    """``budget_per_period`` → ``Budget per period``."""
    text = name.replace("_", " ")
    for short, long in (("mdf", "MDF"), ("ipp", "IPP")):
        text = " ".join(long if w == short else w for w in text.split(" "))
    return text[:1].upper() + text[1:]
