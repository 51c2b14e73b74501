"""Scenario parameters: validated, documented groups, read from and written to TOML or JSON.

A :class:`Scenario` is the whole input of a simulation run. It is made of parameter groups
(:class:`Recruitment`, :class:`Onboarding`, :class:`Enablement`, :class:`Deals`,
:class:`Customers`, :class:`TierRules`, :class:`Mdf`, :class:`Churn`, :class:`Costs`). Every
field is declared once with :func:`param`, which records its unit, its documentation and its
allowed range; constructing a group checks every field, so an invalid scenario cannot exist.
A refused value raises :class:`jbp.errors.ValidationError` whose ``field`` is the dotted path
of the field, e.g. ``mdf.budget_per_period``.

Units: time in the model is measured in days (SimPy clock) and months of
``DAYS_PER_MONTH`` days; money in the program currency; probabilities and shares are fractions
0..1; rates are "per month" unless the name says otherwise.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from jbp import bounds
from jbp.errors import ValidationError
from jbp.model import Tier, check_tiers

#: Length of a model month in days (a calendar month on average).
DAYS_PER_MONTH = 365.25 / 12

DURATION_DISTRIBUTIONS = ("fixed", "exponential", "lognormal")
SALES_CYCLE_DISTRIBUTIONS = ("fixed", "geometric", "gamma")


def param(
    default: Any,
    unit: str,
    doc: str,
    *,
    lo: float | None = None,
    hi: float | None = None,
    lo_open: bool = False,
    choices: tuple[str, ...] | None = None,
    kind: type | None = None,
) -> Any:
    """Declare a scenario field: default, unit, one-line documentation and allowed range.

    ``lo``/``hi`` bound numbers (inclusive; ``lo_open`` makes the lower bound exclusive),
    ``choices`` bounds text. ``kind`` is the Python type the value is coerced to (taken from
    the default when omitted). A number without ``hi`` gets the upper bound of its unit from
    :mod:`jbp.bounds` (amounts, partners, rates...), so no field is unbounded.
    """
    if hi is None and (kind or type(default)) in (int, float, dict):
        hi = _unit_ceiling(unit)
    meta = {"unit": unit, "doc": doc, "lo": lo, "hi": hi, "lo_open": lo_open,
            "choices": choices, "kind": kind or type(default)}
    if isinstance(default, dict | list):
        return field(default_factory=lambda: type(default)(default), metadata=meta)
    return field(default=default, metadata=meta)


def _unit_ceiling(unit: str) -> float:
    """The upper bound :mod:`jbp.bounds` sets for a field measured in ``unit``."""
    if unit.startswith("currency") and "per currency" not in unit:
        return bounds.MAX_AMOUNT
    table = {"partners": bounds.PARTNERS, "people": bounds.MANAGERS,
             "partners per month": bounds.ARRIVALS_PER_MONTH, "days": bounds.DAYS,
             "months": bounds.MONTHS, "integer": bounds.SEED, "count": bounds.REPLICATIONS,
             "deals per age in months": bounds.OPEN_DEALS}
    if unit in table:
        return table[unit][1]
    if "partner-month" in unit:
        return bounds.RATE_PER_PARTNER_MONTH[1]
    return bounds.MULTIPLIER[1]  # multipliers, uplifts, weights


def _coerce(path: str, value: Any, meta: Mapping[str, Any]) -> Any:
    kind = meta["kind"]
    if kind is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false", "yes", "no"):
            return value.strip().lower() in ("true", "yes")
        raise ValidationError(path, f"must be true or false, not {value!r}", value=value)
    if kind is int:
        if isinstance(value, bool):
            raise ValidationError(path, "must be a whole number", value=value)
        try:
            f = float(value)
        except (TypeError, ValueError):
            raise ValidationError(path, f"must be a whole number, not {value!r}",
                                  value=value) from None
        if not math.isfinite(f) or f != int(f):
            raise ValidationError(path, f"must be a whole number, not {value!r}", value=value)
        value = int(f)
    elif kind is float:
        if isinstance(value, bool):
            raise ValidationError(path, "must be a number", value=value)
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise ValidationError(path, f"must be a number, not {value!r}", value=value) from None
        if not math.isfinite(value):
            raise ValidationError(path, "must be a finite number", value=value)
    elif kind is str:
        value = str(value).strip()
        if meta["choices"] and value not in meta["choices"]:
            raise ValidationError(
                path, f"{value!r} is not one of: {', '.join(meta['choices'])}", value=value)
        return value
    elif kind is dict:
        if not isinstance(value, Mapping):
            raise ValidationError(path, "must be a table of name = number", value=value)
        out = {}
        for k, v in value.items():
            sub = {**meta, "kind": float}
            out[str(k)] = _coerce(f"{path}.{k}", v, sub)
        return out
    else:  # pragma: no cover - declared kinds are the ones above
        return value
    lo, hi = meta["lo"], meta["hi"]
    if lo is not None:
        if meta["lo_open"] and value <= lo:
            raise ValidationError(path, f"must be greater than {lo:g}, not {value:g}", value=value)
        if value < lo:
            what = "cannot be negative" if lo == 0 else f"must be at least {lo:g}"
            raise ValidationError(path, f"{what} (got {value:g})", value=value)
    if hi is not None and value > hi:
        what = "must be a fraction between 0 and 1" if (lo == 0 and hi == 1) else \
            f"must be at most {hi:g}"
        raise ValidationError(path, f"{what} (got {value:g})", value=value)
    return value


@dataclass(frozen=True)
class ParamGroup:
    """Base of the parameter groups. Subclasses set ``SECTION`` and declare fields with
    :func:`param`; construction coerces and checks every field, then :meth:`check`."""

    SECTION: ClassVar[str] = ""
    TITLE: ClassVar[str] = ""

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            if "unit" not in f.metadata:
                continue
            value = _coerce(self.path(f.name), getattr(self, f.name), f.metadata)
            object.__setattr__(self, f.name, value)
        self.check()

    def path(self, name: str) -> str:
        return f"{self.SECTION}.{name}" if self.SECTION else name

    def check(self) -> None:
        """Rules that involve more than one field; raise :class:`ValidationError`."""

    @classmethod
    def params(cls) -> list[dataclasses.Field]:
        """The declared fields, in file order."""
        return [f for f in dataclasses.fields(cls) if "unit" in f.metadata]

    def to_dict(self) -> dict[str, Any]:
        return {f.name: _plain(getattr(self, f.name)) for f in self.params()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> ParamGroup:
        data = dict(data or {})
        names = {f.name for f in cls.params()}
        for key in data:
            if key not in names:
                raise unknown_field(f"{cls.SECTION}.{key}" if cls.SECTION else key)
        return cls(**data)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


# --------------------------------------------------------------------------- groups


@dataclass(frozen=True)
class Recruitment(ParamGroup):
    """Who is in the program at the start and who joins later."""

    SECTION: ClassVar[str] = "recruitment"
    TITLE: ClassVar[str] = "Recruitment"

    initial_partners: int = param(
        40, "partners", "Active partners at month 0 (the starting cohort)",
        lo=bounds.PARTNERS[0], hi=bounds.PARTNERS[1])
    initial_tier_mix: dict = param(  # noqa: RUF009 - param() returns a field
        {}, "fraction per tier", "Share of the starting cohort in each tier, by tier name; "
        "must add up to 1. Empty puts everyone in the lowest tier", lo=0, hi=1)
    initial_onboarding: int = param(
        0, "partners", "Recruits already waiting for onboarding at month 0", lo=0)
    initial_onboarding_elapsed_days: dict = param(  # noqa: RUF009 - param() returns a field
        {}, "days per partner", "Days each recruit onboarding at month 0 has been at it "
        "(the workspace's sign-up dates); the rest of its onboarding is drawn beyond that. "
        "Used when it has one entry per such recruit, else each starts afresh", lo=0)
    arrivals_per_month: float = param(
        3.0, "partners per month", "Mean of the Poisson stream of newly signed partners", lo=0)
    arrivals_cv: float = param(
        0.0, "coefficient of variation", "Uncertainty of the arrival rate: each replication "
        "multiplies it by a gamma factor of mean 1 and this CV (calibration: "
        "1/sqrt(sign-ups + 0.5), with the rate at its posterior mean (sign-ups + 0.5) / "
        "months: each replication's rate is drawn from its Jeffreys posterior)", lo=0, hi=5)
    initial_productivity: dict = param(  # noqa: RUF009 - param() returns a field
        {}, "multiplier per partner", "Registration rate of each starting partner relative "
        "to deals.registrations_per_month (the workspace's partners, shrunk towards 1); "
        "used when it has one entry per starting partner, else drawn", lo=0)
    initial_trailing_bookings: dict = param(  # noqa: RUF009 - param() returns a field
        {}, "currency per partner", "Sourced bookings of each starting partner over the "
        "trailing 12 months (the workspace's deals): its history for tier reviews and "
        "churn's profitability driver, and its rank for the tier mix; used when it has one "
        "entry per starting partner, else drawn inside its tier's band", lo=0)
    initial_tenure_months: dict = param(  # noqa: RUF009 - param() returns a field
        {}, "months per partner", "Months each starting partner has been active (the "
        "workspace's activation dates); used when it has one entry per starting partner, "
        "else every one starts a month into its activity", lo=0)
    initial_idle_months: dict = param(  # noqa: RUF009 - param() returns a field
        {}, "months per partner", "Months since each starting partner's last registration "
        "(churn's inactivity driver); used when it has one entry per starting partner, else "
        "every one registered in month 0", lo=0)
    initial_conflict_age: dict = param(  # noqa: RUF009 - param() returns a field
        {}, "months per partner", "Months since each starting partner's last registration "
        "conflict (churn's conflict driver), by starting partner index; a partner not named "
        "has had none", lo=0)
    ipp_fit_share: float = param(
        0.4, "fraction", "Share of partners (starting and new) that fit the ideal partner "
        "profile (IPP)", lo=0, hi=1)
    ipp_productivity: float = param(
        1.5, "multiplier", "Registration rate of an IPP-fit partner relative to a non-fit one "
        "(the average over the mix stays deals.registrations_per_month)", lo=0)
    productivity_sigma: float = param(
        0.5, "log-scale sigma", "Spread of partner productivity: each partner's registration "
        "rate is multiplied by a lognormal factor with mean 1 and this sigma", lo=0, hi=3)


@dataclass(frozen=True)
class Onboarding(ParamGroup):
    """Recruits queue for a partner manager (a SimPy ``Resource``) and are then onboarded."""

    SECTION: ClassVar[str] = "onboarding"
    TITLE: ClassVar[str] = "Onboarding"

    managers: int = param(
        5, "people", "Partner managers who onboard recruits (capacity of the Resource)", lo=1)
    distribution: str = param(
        "lognormal", "choice", "Distribution of the onboarding duration: fixed, exponential "
        "or lognormal", choices=DURATION_DISTRIBUTIONS)
    mean_days: float = param(
        60.0, "days", "Mean onboarding duration without automation", lo=0, lo_open=True)
    sigma: float = param(
        0.5, "log-scale sigma", "Shape of the lognormal duration (ignored otherwise)", lo=0,
        hi=3)
    manager_share: float = param(
        0.5, "fraction", "Share of the onboarding during which a manager is held (the rest is "
        "self-paced)", lo=0, hi=1)
    automated: bool = param(
        False, "flag", "Automated onboarding: durations shrink by automated_duration_factor "
        "and a manager is held only for automated_manager_share of it")
    automated_duration_factor: float = param(
        0.33, "fraction", "Automated duration as a fraction of the manual one", lo=0,
        hi=1, lo_open=True)
    automated_manager_share: float = param(
        0.25, "fraction", "Share of the automated onboarding during which a manager is held",
        lo=0, hi=1)

    @property
    def effective_mean_days(self) -> float:
        """Mean onboarding duration in days after automation."""
        return self.mean_days * (self.automated_duration_factor if self.automated else 1.0)

    @property
    def effective_manager_share(self) -> float:
        return self.automated_manager_share if self.automated else self.manager_share


@dataclass(frozen=True)
class Enablement(ParamGroup):
    """Certifications earned by active partners; certified partners win more often."""

    SECTION: ClassVar[str] = "enablement"
    TITLE: ClassVar[str] = "Enablement"

    certification_rate: float = param(
        0.1, "certifications per partner-month", "Mean of the Poisson number of people a "
        "partner gets certified each active month", lo=0)
    certified_win_uplift: float = param(
        0.2, "fraction", "Relative rise of the win probability of a partner with at least "
        "one certified person (0.2 = wins 20% more often)", lo=0)
    initial_certifications: bool = param(
        True, "flag", "Give the starting cohort the certifications their tier requires")


@dataclass(frozen=True)
class Deals(ParamGroup):
    """Partner-sourced deal registrations, conflict, sales cycle and size; influenced deals."""

    SECTION: ClassVar[str] = "deals"
    TITLE: ClassVar[str] = "Deals"

    registrations_per_month: float = param(
        1.5, "registrations per active partner-month", "Mean registrations of an average "
        "active partner, IPP-fit and other partners together (before lead sharing and MDF)",
        lo=0)
    registrations_cv: float = param(
        0.0, "coefficient of variation", "Uncertainty of the registration rate: each "
        "replication multiplies it by a gamma factor of mean 1 and this CV (calibration: "
        "1/sqrt(registrations + 0.5))", lo=0, hi=5)
    new_partner_months: int = param(
        6, "months", "A partner's launch period: the months after its activation in which "
        "its registration rate is new_partner_registration_factor times its own", lo=0,
        hi=24)
    new_partner_registration_factor: float = param(
        1.0, "multiplier", "Registration rate of a partner in its launch period relative to "
        "its own later rate (above 1 when the vendor co-sells a new partner's first deals, "
        "below 1 when new partners ramp up slowly; calibration: from the partners that "
        "became active within the data)", lo=0, hi=20)
    new_partner_win_factor: float = param(
        1.0, "multiplier", "Win probability of a deal registered in its partner's launch "
        "period relative to the partner's later deals (applied to the deals a partner closes "
        "in its first new_partner_months + sales_cycle_months months; calibration: jointly "
        "with the base win probability)", lo=0, hi=20)
    conflict_probability: float = param(
        0.05, "fraction", "Chance that a registration collides with a direct or other partner "
        "opportunity under the rules of engagement; a conflicted registration is rejected",
        lo=0, hi=1)
    conflict_cost: float = param(
        2000.0, "currency per conflict", "Partner-management time spent resolving one "
        "conflict (counted in people cost)", lo=0)
    win_probability: float = param(
        0.25, "fraction", "Chance that an accepted registration is won", lo=0, hi=1)
    win_probability_cv: float = param(
        0.0, "coefficient of variation", "Uncertainty of the win probability: each "
        "replication multiplies it by a gamma factor of mean 1 and this CV (calibration: "
        "its standard error over its value)", lo=0, hi=5)
    sales_cycle_months: float = param(
        3.0, "months", "Mean time from registration to close", lo=0)
    sales_cycle_distribution: str = param(
        "fixed", "choice", "fixed (every deal closes after the rounded mean), geometric "
        "(each open deal closes each month with probability 1/mean) or gamma (each deal's "
        "cycle drawn from a gamma distribution of that mean and sales_cycle_shape)",
        choices=SALES_CYCLE_DISTRIBUTIONS)
    sales_cycle_shape: float = param(
        2.0, "gamma shape", "Shape of the gamma sales cycle (1 = exponential; larger is "
        "narrower: the coefficient of variation is 1/sqrt(shape))", lo=0.2, hi=100)
    initial_pipeline: bool = param(
        True, "flag", "The starting cohort has a steady-state pipeline of open deals at "
        "month 0 (else its first deals close only after the sales cycle)")
    initial_open_by_age: dict = param(  # noqa: RUF009 - param() returns a field
        {}, "deals per age in months", "Open registrations at month 0 by their age in whole "
        "months, e.g. {0 = 12, 1 = 9, 2 = 4} (the workspace's pipeline on the calibration "
        "date); when given it replaces the steady-state initial_pipeline", lo=0)
    deal_size_mean: float = param(
        40000.0, "currency", "Mean first-year value of a won sourced deal", lo=0, lo_open=True)
    deal_size_sigma: float = param(
        0.8, "log-scale sigma", "Spread of the lognormal deal size", lo=0, hi=3)
    deal_size_cv: float = param(
        0.0, "coefficient of variation", "Uncertainty of the mean deal size: each "
        "replication multiplies it by a gamma factor of mean 1 and this CV (calibration: "
        "the standard error of the mean size over the mean)", lo=0, hi=5)
    influenced_per_month: float = param(
        0.3, "deals per active partner-month", "Vendor-sourced deals won with a documented "
        "partner touch", lo=0)
    influenced_size_mean: float = param(
        60000.0, "currency", "Mean value of an influenced deal", lo=0, lo_open=True)
    influenced_size_sigma: float = param(
        0.8, "log-scale sigma", "Spread of the lognormal influenced deal size", lo=0, hi=3)


@dataclass(frozen=True)
class Customers(ParamGroup):
    """Won deals become customers; recurring ones renew every 12 months or churn."""

    SECTION: ClassVar[str] = "customers"
    TITLE: ClassVar[str] = "Customers"

    recurring_share: float = param(
        0.7, "fraction", "Share of won deals that are subscriptions (annual contract, ARR = "
        "deal value); the rest are one-off and recognised when booked", lo=0, hi=1)
    renewal_rate: float = param(
        0.9, "fraction per year", "Chance that a subscription renews at each anniversary",
        lo=0, hi=1)


def default_tiers() -> list[Tier]:
    """A four-tier program used when a scenario names no tiers."""
    return [
        Tier("Registered", 0, 0, 0, 0, margin=0.10, rebate=0.0),
        Tier("Silver", 1, 100_000, 1, 1, margin=0.15, rebate=0.01, mdf_eligible=True),
        Tier("Gold", 2, 500_000, 3, 3, margin=0.20, rebate=0.02, lead_sharing=True,
             mdf_eligible=True),
        Tier("Platinum", 3, 1_500_000, 6, 8, margin=0.25, rebate=0.03, lead_sharing=True,
             mdf_eligible=True, priority_support=True),
    ]


_TIER_FIELD_NAMES = [f.name for f in Tier.FIELDS]


def _tier_from(value: Any, index: int) -> Tier:
    if isinstance(value, Tier):
        return value
    if not isinstance(value, Mapping):
        raise ValidationError(f"tiers.levels[{index}]", "must be a table of tier fields")
    name = str(value.get("name", f"#{index + 1}"))
    for key in value:
        if key not in _TIER_FIELD_NAMES:
            raise ValidationError(f"tiers.{name}.{key}", "is not a tier field")
    try:
        return Tier(**{k: value[k] for k in _TIER_FIELD_NAMES if k in value})
    except ValidationError as exc:
        fname = next((f.name for f in Tier.FIELDS if f.label == exc.field), exc.field)
        raise ValidationError(f"tiers.{name}.{fname}", exc.reason, value=exc.value) from None
    except TypeError as exc:
        raise ValidationError(f"tiers.{name}", str(exc)) from None


@dataclass(frozen=True)
class TierRules(ParamGroup):
    """Tiers (thresholds, margins, rebates, benefits) and how often they are reviewed."""

    SECTION: ClassVar[str] = "tiers"
    TITLE: ClassVar[str] = "Tiers"

    review_months: int = param(
        6, "months", "Months between tier reviews", lo=1, hi=24)
    policy: str = param(
        "highest_met", "policy name", "Tier review policy (see simulation.policies): "
        "highest_met, no_demotion or grace")
    lead_sharing_uplift: float = param(
        0.3, "fraction", "Extra registrations of partners in a tier with lead sharing "
        "(0.3 = 30% more)", lo=0)
    priority_support_win_uplift: float = param(
        0.1, "fraction", "Relative rise of the win probability in a tier with priority "
        "support", lo=0)
    levels: tuple = field(default_factory=lambda: tuple(default_tiers()))

    def __post_init__(self) -> None:
        super().__post_init__()
        from .policies import tier_policy

        tiers = tuple(_tier_from(t, i) for i, t in enumerate(self.levels))
        if not tiers:
            raise ValidationError("tiers.levels", "at least one tier is needed")
        ordered = sorted(tiers, key=lambda t: t.rank)
        for lower, upper in itertools.pairwise(ordered):
            for fname in ("min_sourced_revenue", "min_certifications", "min_new_logos"):
                if getattr(upper, fname) < getattr(lower, fname):
                    raise ValidationError(
                        f"tiers.{upper.name}.{fname}",
                        f"{getattr(upper, fname):g} is below {lower.name}'s "
                        f"{getattr(lower, fname):g}; thresholds must rise with the tier")
        try:
            check_tiers(list(tiers))
        except ValidationError as exc:
            fname = next((f.name for f in Tier.FIELDS if f.label == exc.field), exc.field)
            raise ValidationError(f"tiers.{fname}", exc.reason) from None
        object.__setattr__(self, "levels", tuple(sorted(tiers, key=lambda t: t.rank)))
        tier_policy(self.policy, path="tiers.policy")

    def names(self) -> list[str]:
        return [t.name for t in self.levels]

    def tier(self, name: str) -> Tier:
        for t in self.levels:
            if t.name == name:
                return t
        raise ValidationError("tiers", f"no tier named {name!r}")

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out["levels"] = [{k: getattr(t, k) for k in _TIER_FIELD_NAMES} for t in self.levels]
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> TierRules:
        data = dict(data or {})
        levels = data.pop("levels", None)
        names = {f.name for f in cls.params()}
        for key in data:
            if key not in names:
                raise ValidationError(f"tiers.{key}", "is not a scenario field")
        if levels is None:
            return cls(**data)
        if not isinstance(levels, list | tuple):
            raise ValidationError("tiers.levels", "must be a list of tiers")
        return cls(**data, levels=tuple(levels))


@dataclass(frozen=True)
class Mdf(ParamGroup):
    """Market development funds: a budget per period (a SimPy ``Container``) allocated to
    eligible partners, spent partly, turned into pipeline; unused funds lapse."""

    SECTION: ClassVar[str] = "mdf"
    TITLE: ClassVar[str] = "MDF"

    budget_per_period: float = param(
        100000.0, "currency per period", "MDF put in the fund at the start of each period",
        lo=0)
    period_months: int = param(3, "months", "Length of an MDF period", lo=1, hi=12)
    allocation: str = param(
        "by_tier", "policy name", "Allocation policy (see simulation.policies): by_tier, "
        "by_revenue or equal (equal among eligible partners)")
    tier_weights: dict = param(  # noqa: RUF009 - param() returns a field
        {}, "weight per tier", "Relative allocation per tier for by_tier, by tier name "
        "(missing tiers weigh their rank + 1)", lo=0)
    utilisation: float = param(
        0.8, "fraction", "Share of its allocation a partner actually claims", lo=0, hi=1)
    pipeline_per_dollar: float = param(
        5.0, "currency of pipeline per currency spent", "Registered pipeline generated by "
        "each unit of MDF spent (turned into extra registrations at the mean deal size)", lo=0)
    lapse: bool = param(
        True, "flag", "Unused funds lapse at the end of each period (else they carry over)")

    def check(self) -> None:
        from .policies import mdf_policy

        mdf_policy(self.allocation, path="mdf.allocation")


@dataclass(frozen=True)
class Churn(ParamGroup):
    """Partner churn: a monthly hazard raised by low profitability, conflicts, inactivity."""

    SECTION: ClassVar[str] = "churn"
    TITLE: ClassVar[str] = "Partner churn"

    base_hazard: float = param(
        0.01, "per month", "Base churn hazard rate of an active partner (0.01 ≈ 1% a month)",
        lo=0, hi=5)
    low_profit_threshold: float = param(
        10000.0, "currency", "A partner whose trailing-12-month margins and rebates are below "
        "this is unprofitable", lo=0)
    low_profit_multiplier: float = param(
        2.0, "multiplier", "Hazard multiplier of an unprofitable partner", lo=0)
    conflict_multiplier: float = param(
        1.5, "multiplier", "Hazard multiplier of a partner with a conflict in the last "
        "conflict_memory_months", lo=0)
    conflict_memory_months: int = param(
        6, "months", "How long a conflict raises the hazard", lo=0)
    inactivity_months: int = param(
        6, "months", "A partner with no registration for this long is inactive", lo=1)
    inactivity_multiplier: float = param(
        2.0, "multiplier", "Hazard multiplier of an inactive partner", lo=0)
    grace_months: int = param(
        6, "months", "Months after activation before profitability and inactivity count",
        lo=0)
    hazard_cv: float = param(
        0.0, "coefficient of variation", "Uncertainty of the hazard itself: each "
        "replication multiplies it by a gamma factor of mean 1 and this CV (calibration: "
        "1/sqrt(churns + 0.5), with the base at its posterior mean: each replication's "
        "hazard is drawn from its Jeffreys posterior, honest with few churns)", lo=0, hi=5)
    burst_dispersion: float = param(
        0.0, "variance", "Churn in bursts: each month's hazards are multiplied by a common "
        "gamma factor of mean 1 and this variance (0 = smooth churn)", lo=0, hi=20)


@dataclass(frozen=True)
class Costs(ParamGroup):
    """Everything ROPI's investment counts besides MDF (which is counted as spent)."""

    SECTION: ClassVar[str] = "costs"
    TITLE: ClassVar[str] = "Costs"

    manager_cost_per_month: float = param(
        12000.0, "currency per manager-month", "Fully loaded cost of one partner manager "
        "(people)", lo=0)
    enablement_per_month: float = param(
        5000.0, "currency per month", "Fixed enablement cost: training content, LMS "
        "(enablement)", lo=0)
    cost_per_certification: float = param(
        500.0, "currency per certification", "Variable enablement cost of one certification",
        lo=0)
    overhead_per_month: float = param(
        20000.0, "currency per month", "Fixed program overhead: PRM, portal, operations "
        "(overhead)", lo=0)
    overhead_per_partner_month: float = param(
        100.0, "currency per active partner-month", "Variable program overhead (overhead)",
        lo=0)
    automation_cost_per_month: float = param(
        5000.0, "currency per month", "Cost of automated onboarding when it is on (overhead)",
        lo=0)
    recruitment_cost_per_partner: float = param(
        3000.0, "currency per recruit", "Cost of signing one new partner (recruitment)", lo=0)


GROUPS: tuple[type[ParamGroup], ...] = (
    Recruitment, Onboarding, Enablement, Deals, Customers, TierRules, Mdf, Churn, Costs)


@dataclass(frozen=True)
class Scenario(ParamGroup):
    """Everything a simulation run needs. ``horizon_months`` months are simulated for
    ``replications`` independent replications seeded from ``seed``."""

    SECTION: ClassVar[str] = ""
    TITLE: ClassVar[str] = "Scenario"

    name: str = param("Baseline", "text", "Name shown in results and comparisons")
    description: str = param("", "text", "Free text: what this scenario changes")
    horizon_months: int = param(36, "months", "Months simulated (12-60 is the usual 1-5 years)",
                                lo=bounds.HORIZON_MONTHS[0], hi=bounds.HORIZON_MONTHS[1])
    seed: int = param(
        20240601, "integer", "Root seed; the same seed gives the same numbers, and variants "
        "run with the same seed share random numbers", lo=0)
    replications: int = param(100, "count", "Independent replications",
                              lo=bounds.REPLICATIONS[0], hi=bounds.REPLICATIONS[1])
    currency: str = param("USD", "ISO code", "Currency of every amount")
    influence_weight: float = param(
        0.3, "fraction", "Share of influenced revenue counted in attributed revenue", lo=0,
        hi=1)
    recruitment: Recruitment = field(default_factory=Recruitment)
    onboarding: Onboarding = field(default_factory=Onboarding)
    enablement: Enablement = field(default_factory=Enablement)
    deals: Deals = field(default_factory=Deals)
    customers: Customers = field(default_factory=Customers)
    tiers: TierRules = field(default_factory=TierRules)
    mdf: Mdf = field(default_factory=Mdf)
    churn: Churn = field(default_factory=Churn)
    costs: Costs = field(default_factory=Costs)

    def check(self) -> None:
        names = self.tiers.names()
        mix = self.recruitment.initial_tier_mix
        for k in mix:
            if k not in names:
                raise ValidationError(f"recruitment.initial_tier_mix.{k}",
                                      f"is not a tier (tiers are {', '.join(names)})")
        if mix and abs(sum(mix.values()) - 1.0) > 1e-6:
            raise ValidationError("recruitment.initial_tier_mix",
                                  f"shares must add up to 1, not {sum(mix.values()):g}")
        for k in self.mdf.tier_weights:
            if k not in names:
                raise ValidationError(f"mdf.tier_weights.{k}",
                                      f"is not a tier (tiers are {', '.join(names)})")

    # ------------------------------------------------------------------ dict form

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {f.name: getattr(self, f.name) for f in self.params()}
        for g in GROUPS:
            out[g.SECTION] = getattr(self, g.SECTION).to_dict()
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Scenario:
        data = dict(data or {})
        kwargs: dict[str, Any] = {}
        sections = {g.SECTION: g for g in GROUPS}
        top = {f.name for f in cls.params()}
        for key, value in data.items():
            if key in sections:
                if not isinstance(value, Mapping):
                    raise ValidationError(key, "must be a table of fields")
                kwargs[key] = sections[key].from_dict(value)
            elif key in top:
                kwargs[key] = value
            else:
                raise unknown_field(str(key))
        return cls(**kwargs)

    # ------------------------------------------------------------------ paths

    def get(self, path: str) -> Any:
        """The value at a dotted path: ``deals.win_probability``,
        ``tiers.Gold.min_sourced_revenue``, ``recruitment.initial_tier_mix.Gold``."""
        parts = path.split(".")
        if parts[0] == "tiers" and len(parts) == 3:
            tier = self.tiers.tier(parts[1])
            if parts[2] not in _TIER_FIELD_NAMES:
                raise ValidationError(path, "is not a tier field")
            return getattr(tier, parts[2])
        value: Any = self
        for i, p in enumerate(parts):
            if isinstance(value, Mapping):
                if p not in value:
                    raise ValidationError(".".join(parts[: i + 1]), "is not set")
                value = value[p]
            elif dataclasses.is_dataclass(value) and p in {f.name for f in
                                                          dataclasses.fields(value)}:
                value = getattr(value, p)
            else:
                raise ValidationError(path, "is not a scenario field")
        return value

    def with_changes(self, changes: Mapping[str, Any] | None = None, **top: Any) -> Scenario:
        """A new validated scenario with dotted-path ``changes`` applied (see :meth:`get`)."""
        data = self.to_dict()
        for path, value in {**(changes or {}), **top}.items():
            _set_path(data, path, value)
        return Scenario.from_dict(data)

    # ------------------------------------------------------------------ files

    def save(self, path: str | Path) -> Path:
        """Write the scenario as TOML (``.toml``) or JSON (``.json``), whole or not at all."""
        path = Path(path)
        text = to_json(self) if path.suffix.lower() == ".json" else to_toml(self)
        if path.suffix.lower() not in (".json", ".toml"):
            raise ValidationError("file", f"{path.name}: a scenario file ends in .toml or .json")
        from jbp.atomic import write_text

        return write_text(path, text)

    @classmethod
    def load(cls, path: str | Path) -> Scenario:
        """Read a scenario from a ``.toml`` or ``.json`` file; errors name the file."""
        path = Path(path)
        raw = path.read_bytes()
        try:
            if path.suffix.lower() == ".json":
                data = json.loads(raw.decode("utf-8"))
            else:
                import tomllib

                data = tomllib.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise ValidationError("file", f"{path}: not a valid scenario file ({exc})") from None
        if not isinstance(data, dict):
            raise ValidationError("file", f"{path}: a scenario file holds one table")
        try:
            return cls.from_dict(data)
        except ValidationError as exc:
            raise ValidationError(exc.field, f"{exc.reason} (in {path})", value=exc.value) \
                from None


def _set_path(data: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    if not all(p.strip() for p in parts):
        raise ValidationError(path or "(no path)", "is not a field path (names joined by "
                                                    "dots, e.g. deals.win_probability)")
    if parts[0] == "tiers" and len(parts) == 3 and parts[2] in _TIER_FIELD_NAMES:
        for t in data["tiers"]["levels"]:
            if t["name"] == parts[1]:
                t[parts[2]] = value
                return
        raise ValidationError(path, f"no tier named {parts[1]!r}")
    node = data
    for p in parts[:-1]:
        if not isinstance(node.get(p), dict):
            raise unknown_field(path, data)
        node = node[p]
    leaf = parts[-1]
    known = dict.fromkeys(node)
    dict_fields = ("initial_tier_mix", "tier_weights")
    if leaf not in known and not (len(parts) >= 2 and parts[-2] in dict_fields):
        raise unknown_field(path, data)
    node[leaf] = value


def field_paths(data: Mapping[str, Any] | None = None) -> list[str]:
    """Every dotted path ``--set`` and :meth:`Scenario.with_changes` take (tier fields for the
    tiers of ``data``, a scenario's dict form, or of the default tiers)."""
    paths = [r["path"] for r in field_reference()]
    levels = (data or {}).get("tiers", {}).get("levels") if data else None
    names = [t["name"] for t in levels] if levels else [t.name for t in default_tiers()]
    paths += [f"tiers.{n}.{f}" for n in names for f in _TIER_FIELD_NAMES]
    return paths


def unknown_field(path: str, data: Mapping[str, Any] | None = None) -> ValidationError:
    """The refusal of a path that names no field: the nearest valid paths, else the fields
    of the section it starts with, else the sections."""
    import difflib

    paths = field_paths(data)
    near = difflib.get_close_matches(path, paths, n=4, cutoff=0.6)
    if near:
        return ValidationError(path, f"is not a scenario field; did you mean "
                                     f"{', '.join(near)}?")
    section = path.split(".")[0]
    inside = [p for p in paths if p.startswith(section + ".")]
    if inside:
        return ValidationError(path, f"is not a scenario field; the fields of [{section}] "
                                     f"are: {', '.join(p.split('.', 1)[1] for p in inside)}")
    top = [p for p in paths if "." not in p] + [g.SECTION for g in GROUPS]
    return ValidationError(path, "is not a scenario field or section; valid names are: "
                                 + ", ".join(top))


def parse_value(text: str) -> Any:
    """A value typed on the command line: number, true/false, or text."""
    t = text.strip()
    if t.lower() in ("true", "false"):
        return t.lower() == "true"
    try:
        return int(t)
    except ValueError:
        pass
    try:
        return float(t)
    except ValueError:
        return t


# --------------------------------------------------------------------------- writers


def to_json(scenario: Scenario) -> str:
    return json.dumps(scenario.to_dict(), indent=2, ensure_ascii=False) + "\n"


_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key, ensure_ascii=False)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        inner = ", ".join(f"{_toml_key(str(k))} = {_toml_value(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _toml_fields(group: ParamGroup, lines: list[str]) -> None:
    for f in group.params():
        lines.append(f"# {f.metadata['doc']} [{f.metadata['unit']}]")
        lines.append(f"{f.name} = {_toml_value(getattr(group, f.name))}")


def to_toml(scenario: Scenario) -> str:
    """The scenario as commented TOML (each field preceded by its documentation and unit)."""
    lines = ["# JBP Studio scenario. Every field is documented in docs/scenario.md.", ""]
    _toml_fields(scenario, lines)
    for g in GROUPS:
        group = getattr(scenario, g.SECTION)
        lines += ["", f"[{g.SECTION}]"]
        _toml_fields(group, lines)
    for t in scenario.tiers.levels:
        lines += ["", "[[tiers.levels]]"]
        for f in Tier.FIELDS:
            lines.append(f"{f.name} = {_toml_value(getattr(t, f.name))}")
    return "\n".join(lines) + "\n"


def field_reference() -> list[dict[str, Any]]:
    """Every scenario field: path, unit, default, allowed range and documentation (for docs
    and for the GUI's parameter editor)."""
    rows = []
    base = Scenario()
    for f in Scenario.params():
        rows.append(_ref_row(f.name, f, getattr(base, f.name)))
    for g in GROUPS:
        group = getattr(base, g.SECTION)
        for f in g.params():
            rows.append(_ref_row(f"{g.SECTION}.{f.name}", f, getattr(group, f.name)))
    return rows


def _ref_row(path: str, f: dataclasses.Field, default: Any) -> dict[str, Any]:
    m = f.metadata
    return {"path": path, "unit": m["unit"], "default": default, "doc": m["doc"],
            "min": m["lo"], "max": m["hi"], "lo_open": m["lo_open"], "choices": m["choices"],
            "type": m["kind"].__name__,
            "allowed": allowed_text(m["lo"], m["hi"], m["lo_open"], m["choices"])}


def _number_text(v: float) -> str:
    return f"{int(v):,}" if float(v).is_integer() and abs(v) < 1e19 else f"{v:g}"


def allowed_text(lo: float | None, hi: float | None, lo_open: bool = False,
                 choices: tuple[str, ...] | None = None) -> str:
    """The allowed range of a field as docs/scenario.md and the GUI's tooltips write it:
    ``0 – 1``, ``> 0 – 3,650`` (the lower bound excluded), ``≥ 0``, or the choices."""
    if choices:
        return " / ".join(f"`{c}`" for c in choices)
    if lo is None and hi is None:
        return ""
    if hi is None:
        assert lo is not None  # both None returned above
        return f"{'>' if lo_open else '≥'} {_number_text(lo)}"
    low = "" if lo is None else f"{'> ' if lo_open else ''}{_number_text(lo)} – "
    return f"{low}{_number_text(hi)}" if lo is not None else f"≤ {_number_text(hi)}"
