"""Injectable program policies: how tiers are reviewed and how MDF is allocated.

A scenario names its policies (``tiers.policy``, ``mdf.allocation``); the model asks
:func:`tier_policy` / :func:`mdf_policy` for a fresh instance per replication, so a policy may
keep state between reviews. New policies are added with :func:`register_tier_policy` /
:func:`register_mdf_policy` — the model itself has no ``if`` chain over policy names.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from jbp.errors import ValidationError


def highest_met_tier(revenue: np.ndarray, certifications: np.ndarray, logos: np.ndarray,
                     min_revenue: np.ndarray, min_certs: np.ndarray,
                     min_logos: np.ndarray) -> np.ndarray:
    """Index (by rank order) of the highest tier whose every threshold each partner meets.

    ``revenue`` is trailing-12-month sourced bookings (currency), ``certifications`` certified
    people, ``logos`` won sourced deals in the trailing 12 months. Thresholds rise with the
    tier, so the tiers met form a prefix; a partner meeting none holds the lowest tier (0).
    """
    ok = ((revenue[:, None] >= min_revenue[None, :])
          & (certifications[:, None] >= min_certs[None, :])
          & (logos[:, None] >= min_logos[None, :]))
    return np.maximum(ok.sum(axis=1) - 1, 0).astype(np.int16)


class TierPolicy:
    """Decides each partner's tier at a review from its current tier and the tier it meets."""

    name: ClassVar[str] = ""
    label: ClassVar[str] = ""

    def review(self, current: np.ndarray, met: np.ndarray, reviewed: np.ndarray) -> np.ndarray:
        """New tier index per partner. ``reviewed`` marks partners under review (active);
        others keep ``current``."""
        raise NotImplementedError


class HighestMetTierPolicy(TierPolicy):
    """The program rule: a partner holds the highest tier whose every threshold it meets."""

    name = "highest_met"
    label = "Highest tier met (promote and demote at each review)"

    def review(self, current, met, reviewed):
        return np.where(reviewed, met, current)


class NoDemotionTierPolicy(TierPolicy):
    """Promote when a higher tier is met; never demote."""

    name = "no_demotion"
    label = "Promote only, never demote"

    def review(self, current, met, reviewed):
        return np.where(reviewed, np.maximum(current, met), current)


class GraceTierPolicy(TierPolicy):
    """Promote at once; demote only after two consecutive reviews below the current tier."""

    name = "grace"
    label = "Demote after two failed reviews"

    def __init__(self) -> None:
        self._failed: np.ndarray | None = None

    def review(self, current, met, reviewed):
        failed = reviewed & (met < current)
        prev = self._failed if self._failed is not None and len(self._failed) == len(current) \
            else np.zeros(len(current), bool)
        new = np.where(reviewed & (met >= current), met, current)
        new = np.where(failed & prev, met, new)
        self._failed = failed & ~prev
        return new


class MdfAllocationPolicy:
    """Splits an MDF period's budget among partners."""

    name: ClassVar[str] = ""
    label: ClassVar[str] = ""

    def allocate(self, budget: float, eligible: np.ndarray, tier: np.ndarray,
                 revenue: np.ndarray, tier_weights: np.ndarray) -> np.ndarray:
        """Allocation per partner (currency); sums to ``budget`` when anyone is eligible.

        ``eligible`` marks active partners in an MDF-eligible tier, ``tier`` is each partner's
        tier index, ``revenue`` its trailing-12-month sourced bookings, ``tier_weights`` the
        weight of each tier index.
        """
        raise NotImplementedError

    @staticmethod
    def _split(budget: float, weights: np.ndarray) -> np.ndarray:
        total = weights.sum()
        if total <= 0:
            return np.zeros(len(weights))
        return budget * weights / total


class EqualAllocation(MdfAllocationPolicy):
    name = "equal"
    label = "Equal among eligible partners"

    def allocate(self, budget, eligible, tier, revenue, tier_weights):
        return self._split(budget, eligible.astype(float))


class ByTierAllocation(MdfAllocationPolicy):
    name = "by_tier"
    label = "By tier weight"

    def allocate(self, budget, eligible, tier, revenue, tier_weights):
        return self._split(budget, np.where(eligible, tier_weights[tier], 0.0))


class ByRevenueAllocation(MdfAllocationPolicy):
    """In proportion to trailing-12-month sourced bookings; equal if nobody has any."""

    name = "by_revenue"
    label = "By trailing-12-month sourced revenue"

    def allocate(self, budget, eligible, tier, revenue, tier_weights):
        w = np.where(eligible, revenue, 0.0)
        if w.sum() <= 0:
            w = eligible.astype(float)
        return self._split(budget, w)


TIER_POLICIES: dict[str, type[TierPolicy]] = {}
MDF_POLICIES: dict[str, type[MdfAllocationPolicy]] = {}


def register_tier_policy(cls: type[TierPolicy]) -> type[TierPolicy]:
    TIER_POLICIES[cls.name] = cls
    return cls


def register_mdf_policy(cls: type[MdfAllocationPolicy]) -> type[MdfAllocationPolicy]:
    MDF_POLICIES[cls.name] = cls
    return cls


for _cls in (HighestMetTierPolicy, NoDemotionTierPolicy, GraceTierPolicy):
    register_tier_policy(_cls)
for _mcls in (EqualAllocation, ByTierAllocation, ByRevenueAllocation):
    register_mdf_policy(_mcls)


def tier_policy(name: str, *, path: str = "tiers.policy") -> TierPolicy:
    """A fresh instance of the tier policy called ``name``."""
    try:
        return TIER_POLICIES[name]()
    except KeyError:
        raise ValidationError(path, f"{name!r} is not a tier policy "
                                    f"({', '.join(TIER_POLICIES)})") from None


def mdf_policy(name: str, *, path: str = "mdf.allocation") -> MdfAllocationPolicy:
    """A fresh instance of the MDF allocation policy called ``name``."""
    try:
        return MDF_POLICIES[name]()
    except KeyError:
        raise ValidationError(path, f"{name!r} is not an MDF allocation policy "
                                    f"({', '.join(MDF_POLICIES)})") from None
