"""Tier colours tell the tiers apart: every pair differs clearly in CIELAB (ΔE*76), and
the tiers differ in lightness too, so a grey print or a colour-blind reader still sees them
apart (Silver and Registered were once near-identical greys)."""

from __future__ import annotations

from itertools import combinations

from jbp.charts_portfolio import TIER_COLOURS


def lab(hex_colour: str) -> tuple[float, float, float]:
    """sRGB "#rrggbb" → CIELAB (D65)."""
    rgb = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    x = (0.4124 * lin[0] + 0.3576 * lin[1] + 0.1805 * lin[2]) / 0.95047
    y = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    z = (0.0193 * lin[0] + 0.1192 * lin[1] + 0.9505 * lin[2]) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def delta_e(a: str, b: str) -> float:
    return sum((p - q) ** 2 for p, q in zip(lab(a), lab(b), strict=True)) ** 0.5


def test_the_checker_sees_the_old_near_identical_greys():
    assert delta_e("#7fb3d5", "#a6acaf") < 25 and delta_e("#000000", "#ffffff") > 99


def test_every_pair_of_the_four_tiers_is_clearly_apart():
    tiers = TIER_COLOURS[:4]  # Registered, Silver, Gold, Platinum
    assert len(set(TIER_COLOURS)) == len(TIER_COLOURS)
    for a, b in combinations(tiers, 2):
        assert delta_e(a, b) >= 30, (a, b)
        assert abs(lab(a)[0] - lab(b)[0]) >= 6, (a, b)  # apart in grey too


def test_the_simulation_charts_use_the_same_tier_colours():
    from simulation.charts import TIER_COLOURS as SIMULATION_TIERS

    assert SIMULATION_TIERS == TIER_COLOURS
