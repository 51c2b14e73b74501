"""Tier rules: a partner holds the highest tier whose every threshold it meets."""

from __future__ import annotations

from dataclasses import dataclass

from .model import Program, Tier


@dataclass(frozen=True)
class TierStanding:
    """The three figures tiers are judged on.

    ``sourced_revenue``: trailing-12-month partner-sourced revenue (currency);
    ``certified_people``: distinct certified people (count);
    ``new_logos``: distinct new customers won in the trailing 12 months (count).
    """

    sourced_revenue: float
    certified_people: int
    new_logos: int


def meets(tier: Tier, standing: TierStanding) -> bool:
    return (
        standing.sourced_revenue >= tier.min_sourced_revenue
        and standing.certified_people >= tier.min_certifications
        and standing.new_logos >= tier.min_new_logos
    )


def assess_tier(program: Program, standing: TierStanding) -> Tier | None:
    """The highest tier (by rank) whose every threshold ``standing`` meets, or None."""
    best = None
    for tier in program.tiers_by_rank():
        if meets(tier, standing):
            best = tier
    return best


def next_tier(program: Program, current: Tier | None) -> Tier | None:
    """The tier ranked just above ``current`` (the lowest tier when ``current`` is None)."""
    tiers = program.tiers_by_rank()
    if current is None:
        return tiers[0] if tiers else None
    higher = [t for t in tiers if t.rank > current.rank]
    return higher[0] if higher else None


def gaps(tier: Tier, standing: TierStanding) -> dict[str, float]:
    """How much more of each criterion ``tier`` needs (0 where already met).

    Keys: ``sourced_revenue`` (currency), ``certified_people`` (count), ``new_logos`` (count).
    """
    return {
        "sourced_revenue": max(0.0, tier.min_sourced_revenue - standing.sourced_revenue),
        "certified_people": float(max(0, tier.min_certifications - standing.certified_people)),
        "new_logos": float(max(0, tier.min_new_logos - standing.new_logos)),
    }
