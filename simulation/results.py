"""Results of a simulation run: monthly arrays per replication, aggregates and comparisons.

A :class:`ScenarioResult` holds, for every metric in :data:`METRICS`, an array shaped
``(replications, months)``; tiers as ``(replications, months, tiers)``; and two histograms
(days to first revenue, days to active) per replication. Everything else is computed from
those: monthly bands (:meth:`ScenarioResult.aggregate`), totals with 95% confidence intervals
(:meth:`ScenarioResult.summary`), and differences between scenarios (:func:`compare`).

Formulas (monthly, per replication; currency unless stated):

- attributed revenue = sourced revenue + influence_weight × influenced revenue
- net partner revenue = attributed revenue − margins − rebates
- investment = MDF spent + people + enablement + overhead + recruitment
- cumulative ROPI (fraction) = (Σ net partner revenue − Σ investment) / Σ investment, sums
  from month 1 to the month shown
- ARR = sourced ARR + influenced ARR (annual value of live subscriptions at the month end)
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .model import HIST_BIN_DAYS, MONTHLY

FLOW, STOCK, RATIO = "flow", "stock", "ratio"


@dataclass(frozen=True)
class Metric:
    """A result metric: how users call it, its unit, and how it totals over the horizon:
    ``flow`` sums the months, ``stock`` takes the last month, ``ratio`` has its own formula."""

    name: str
    label: str
    unit: str
    kind: str


def _m(name: str, label: str, unit: str, kind: str) -> Metric:
    return Metric(name, label, unit, kind)


#: Every metric a result can give, in display order.
METRICS: dict[str, Metric] = {m.name: m for m in [
    _m("sourced_revenue", "Partner-sourced revenue", "currency", FLOW),
    _m("influenced_revenue", "Partner-influenced revenue", "currency", FLOW),
    _m("attributed_revenue", "Attributed revenue", "currency", FLOW),
    _m("sourced_bookings", "Sourced bookings", "currency", FLOW),
    _m("influenced_bookings", "Influenced bookings", "currency", FLOW),
    _m("arr", "ARR at month end", "currency", STOCK),
    _m("arr_sourced", "Sourced ARR", "currency", STOCK),
    _m("arr_influenced", "Influenced ARR", "currency", STOCK),
    _m("margins", "Partner margins", "currency", FLOW),
    _m("rebates", "Partner rebates", "currency", FLOW),
    _m("net_partner_revenue", "Net partner revenue", "currency", FLOW),
    _m("mdf_spent", "MDF spent", "currency", FLOW),
    _m("cost_people", "Partner-management people", "currency", FLOW),
    _m("cost_enablement", "Enablement", "currency", FLOW),
    _m("cost_overhead", "Program overhead", "currency", FLOW),
    _m("cost_recruitment", "Partner recruitment", "currency", FLOW),
    _m("investment", "Partner investment", "currency", FLOW),
    _m("ropi", "ROPI (cumulative)", "fraction", RATIO),
    _m("registrations", "Deal registrations", "registrations", FLOW),
    _m("mdf_registrations", "Registrations from MDF (expected)", "registrations", FLOW),
    _m("conflicts", "Channel conflicts", "registrations", FLOW),
    _m("wins", "Won sourced deals", "deals", FLOW),
    _m("influenced_deals", "Influenced deals", "deals", FLOW),
    _m("open_deals", "Open sourced deals", "deals", STOCK),
    _m("customers", "Subscription customers", "customers", STOCK),
    _m("partners_active", "Active partners", "partners", STOCK),
    _m("partners_onboarding", "Partners onboarding", "partners", STOCK),
    _m("partners_waiting", "Onboarding queue", "partners", STOCK),
    _m("partners_in_program", "Partners in the program", "partners", STOCK),
    _m("partners_churned", "Churned partners (cumulative)", "partners", STOCK),
    _m("recruits", "Recruits", "partners", FLOW),
    _m("activations", "Partners activated", "partners", FLOW),
    _m("churned", "Partners churned", "partners", FLOW),
    _m("certifications", "Certifications", "certifications", FLOW),
    _m("mean_days_to_active", "Mean days to active", "days", RATIO),
    _m("mean_days_to_first_revenue", "Mean days to first revenue", "days", RATIO),
    _m("mean_onboarding_wait", "Mean wait for a partner manager", "days", RATIO),
    _m("mdf_budget", "MDF budget", "currency", FLOW),
    _m("mdf_lapsed", "MDF lapsed", "currency", FLOW),
    _m("conflict_cost", "Conflict cost (in people)", "currency", FLOW),
]}

#: Metrics shown in the CLI summary and comparison tables.
HEADLINE = ("sourced_revenue", "influenced_revenue", "arr", "net_partner_revenue",
            "investment", "ropi", "partners_active", "registrations", "wins",
            "mean_days_to_first_revenue", "mean_onboarding_wait")

_RATIO_PARTS = {
    "mean_days_to_active": ("days_to_active_sum", "activations"),
    "mean_days_to_first_revenue": ("days_to_first_revenue_sum", "first_revenues"),
    "mean_onboarding_wait": ("onboarding_wait_sum", "onboarding_starts"),
}
#: What the horizon censored: a recruit still waiting at the horizon has waited at least
#: until then. Totals of the two means count them ("at least" means, see
#: docs/simulation.md, "Censoring").
_CENSORED_PARTS = {
    "mean_days_to_first_revenue": ("days_to_first_revenue_censored_sum",
                                   "first_revenue_censored"),
    "mean_onboarding_wait": ("onboarding_wait_censored_sum", "onboarding_censored"),
}
COST_PARTS = ("mdf_spent", "cost_people", "cost_enablement", "cost_overhead",
              "cost_recruitment")

_Z975 = 1.959963984540054


def t_quantile_975(df: int) -> float:
    """Two-sided 95% Student-t critical value for ``df`` degrees of freedom."""
    if df <= 0:
        return math.nan
    if df == 1:
        return 12.706204736174707
    if df == 2:
        return 4.302652729749464
    z = _Z975
    g1 = (z ** 3 + z) / 4
    g2 = (5 * z ** 5 + 16 * z ** 3 + 3 * z) / 96
    g3 = (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / 384
    g4 = (79 * z ** 9 + 776 * z ** 7 + 1482 * z ** 5 - 1920 * z ** 3 - 945 * z) / 92160
    return z + g1 / df + g2 / df ** 2 + g3 / df ** 3 + g4 / df ** 4


def mean_ci(values: np.ndarray) -> tuple[float, float, float]:
    """Mean of ``values`` (NaNs ignored) and its 95% t confidence interval."""
    v = np.asarray(values, float)
    v = v[np.isfinite(v)]
    if len(v) == 0:
        return math.nan, math.nan, math.nan
    mean = float(v.mean())
    if len(v) < 2:
        return mean, math.nan, math.nan
    half = t_quantile_975(len(v) - 1) * float(v.std(ddof=1)) / math.sqrt(len(v))
    return mean, mean - half, mean + half


@dataclass
class ScenarioResult:
    """Outcome of :func:`simulation.runner.run` for one scenario.

    ``monthly`` maps each recorded series of :data:`simulation.model.MONTHLY` to an array
    ``(replications, months)``; ``tier_counts`` is ``(replications, months, tiers)`` of active
    partners by tier at month end; the histograms are ``(replications, bins)`` counts of
    recruits by days to first revenue / to active, in bins of ``hist_bin_days`` days.
    """

    name: str
    scenario: dict[str, Any]
    monthly: dict[str, np.ndarray]
    tier_counts: np.ndarray
    tier_names: list[str]
    hist_first_revenue: np.ndarray
    hist_days_active: np.ndarray
    seed: int
    hist_bin_days: float = HIST_BIN_DAYS
    elapsed_s: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    # ------------------------------------------------------------------ shape

    @property
    def replications(self) -> int:
        return self.tier_counts.shape[0]

    @property
    def months(self) -> int:
        return self.tier_counts.shape[1]

    @property
    def influence_weight(self) -> float:
        return float(self.scenario.get("influence_weight", 0.0))

    @property
    def currency(self) -> str:
        return str(self.scenario.get("currency", ""))

    def metric_names(self) -> list[str]:
        return list(METRICS) + [f"tier:{t}" for t in self.tier_names]

    # ------------------------------------------------------------------ series

    def series(self, name: str) -> np.ndarray:
        """Monthly values ``(replications, months)`` of a metric (see :data:`METRICS`) or of a
        tier (``tier:Gold``). Ratio metrics are per month (ROPI cumulative to that month)."""
        mo = self.monthly
        if name in mo:
            return mo[name]
        if name.startswith("tier:"):
            tier = name[5:]
            if tier not in self.tier_names:
                raise KeyError(f"no tier named {tier!r}")
            return self.tier_counts[:, :, self.tier_names.index(tier)]
        if name == "arr":
            return mo["arr_sourced"] + mo["arr_influenced"]
        if name == "attributed_revenue":
            return mo["sourced_revenue"] + self.influence_weight * mo["influenced_revenue"]
        if name == "net_partner_revenue":
            return self.series("attributed_revenue") - mo["margins"] - mo["rebates"]
        if name == "investment":
            total = np.zeros_like(mo[COST_PARTS[0]])
            for k in COST_PARTS:  # the same sums, in the same order, as sum() from 0
                total = total + mo[k]
            return total
        if name == "partners_in_program":
            return mo["partners_waiting"] + mo["partners_onboarding"] + mo["partners_active"]
        if name == "ropi":
            net = np.cumsum(self.series("net_partner_revenue"), axis=1)
            inv = np.cumsum(self.series("investment"), axis=1)
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.where(inv > 0, (net - inv) / inv, np.nan)
        if name in _RATIO_PARTS:
            num, den = (mo[k] for k in _RATIO_PARTS[name])
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.where(den > 0, num / den, np.nan)
        raise KeyError(f"unknown metric {name!r}")

    def total(self, name: str) -> np.ndarray:
        """The metric over the whole horizon, one value per replication: the sum of the months
        for a flow, the last month for a stock, the ratio of the summed parts for a ratio
        (ROPI = (Σ net partner revenue − Σ investment) / Σ investment)."""
        kind = METRICS[name].kind if name in METRICS else STOCK
        if kind == FLOW:
            return self.series(name).sum(axis=1)
        if kind == STOCK:
            return self.series(name)[:, -1]
        if name == "ropi":
            net = self.series("net_partner_revenue").sum(axis=1)
            inv = self.series("investment").sum(axis=1)
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.where(inv > 0, (net - inv) / inv, np.nan)
        num, den = (self.monthly[k].sum(axis=1) for k in _RATIO_PARTS[name])
        cnum, cden = _CENSORED_PARTS.get(name, ("", ""))
        if cnum in self.monthly and cden in self.monthly:  # results stored before lack them
            num = num + self.monthly[cnum].sum(axis=1)
            den = den + self.monthly[cden].sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(den > 0, num / den, np.nan)

    def censored_share(self, name: str) -> float:
        """Share of the recruits in a total of ``mean_onboarding_wait`` or
        ``mean_days_to_first_revenue`` still waiting at the horizon (their days count up
        to it, so the total is an "at least"); 0 for other metrics."""
        if name not in _CENSORED_PARTS or _CENSORED_PARTS[name][1] not in self.monthly:
            return 0.0
        cens = self.monthly[_CENSORED_PARTS[name][1]].sum()
        den = self.monthly[_RATIO_PARTS[name][1]].sum() + cens
        return float(cens / den) if den else 0.0

    def ropi_components(self) -> dict[str, float]:
        """Mean totals of everything ROPI is made of (currency) and ROPI itself (fraction)."""
        parts = ["sourced_revenue", "influenced_revenue", "attributed_revenue", "margins",
                 "rebates", "net_partner_revenue", *COST_PARTS, "investment"]
        out = {p: float(self.total(p).mean()) for p in parts}
        out["influence_weight"] = self.influence_weight
        out["ropi"] = float(np.nanmean(self.total("ropi")))
        return out

    # ------------------------------------------------------------------ aggregates

    def aggregate(self, name: str):
        """Monthly bands of a metric: a DataFrame indexed by month (1..H) with mean, p10, p50,
        p90 and the 95% confidence interval of the mean (ci_low, ci_high)."""
        import pandas as pd

        x = self.series(name)
        with np.errstate(all="ignore"):
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                mean = np.nanmean(x, axis=0)
                p10, p50, p90 = np.nanpercentile(x, [10, 50, 90], axis=0)
                n = np.isfinite(x).sum(axis=0)
                sd = np.nanstd(x, axis=0, ddof=1) if self.replications > 1 else \
                    np.full(self.months, np.nan)
        t = np.array([t_quantile_975(int(k) - 1) if k > 1 else np.nan for k in n])
        half = t * sd / np.sqrt(np.maximum(n, 1))
        return pd.DataFrame({"mean": mean, "p10": p10, "p50": p50, "p90": p90,
                             "ci_low": mean - half, "ci_high": mean + half},
                            index=pd.RangeIndex(1, self.months + 1, name="month"))

    def summary(self, names: Sequence[str] | None = None):
        """Totals over the horizon: one row per metric with label, unit, mean, 95% CI of the
        mean (ci_low, ci_high), sd and the P10/P50/P90 across replications."""
        import pandas as pd

        rows = []
        for name in names or self.metric_names():
            v = self.total(name)
            mean, lo, hi = mean_ci(v)
            finite = v[np.isfinite(v)]
            p10, p50, p90 = (np.percentile(finite, [10, 50, 90]) if len(finite)
                             else (math.nan,) * 3)
            meta = METRICS.get(name) or Metric(name, f"{name[5:]} partners", "partners", STOCK)
            rows.append({"metric": name, "label": meta.label, "unit": meta.unit,
                         "total": meta.kind, "mean": mean, "ci_low": lo, "ci_high": hi,
                         "sd": float(finite.std(ddof=1)) if len(finite) > 1 else math.nan,
                         "p10": p10, "p50": p50, "p90": p90})
        return pd.DataFrame(rows).set_index("metric")

    def days_to_first_revenue_histogram(self) -> tuple[np.ndarray, np.ndarray]:
        """Bin edges (days) and mean count per replication of recruits by days to first
        revenue (the last bin holds everything beyond the horizon)."""
        counts = self.hist_first_revenue.mean(axis=0)
        edges = np.arange(len(counts) + 1) * self.hist_bin_days
        return edges, counts

    # ------------------------------------------------------------------ export

    def to_frame(self):
        """Flat records: one row per replication and month, one column per metric (monthly
        values; ROPI cumulative) and per tier."""
        import pandas as pd

        r, h = self.replications, self.months
        data: dict[str, Any] = {
            "scenario": self.name,
            "replication": np.repeat(np.arange(r), h),
            "month": np.tile(np.arange(1, h + 1), r),
        }
        for name in self.metric_names():
            data[name] = self.series(name).reshape(-1)
        return pd.DataFrame(data)

    def _meta(self) -> dict[str, Any]:
        return {"format": "jbp-scenario-result", "version": 1, "name": self.name,
                "scenario": self.scenario, "tier_names": self.tier_names, "seed": self.seed,
                "hist_bin_days": self.hist_bin_days, "elapsed_s": self.elapsed_s,
                "extra": self.extra}

    def to_bytes(self) -> bytes:
        """Compact binary form (numpy ``.npz`` with the metadata as JSON), for a database blob."""
        buf = io.BytesIO()
        # Any: the keys are "monthly/…", never one of savez's own keywords (allow_pickle).
        arrays: dict[str, Any] = {f"monthly/{k}": v for k, v in self.monthly.items()}
        np.savez_compressed(
            buf, meta=np.frombuffer(json.dumps(self._meta()).encode("utf-8"), np.uint8),
            tier_counts=self.tier_counts, hist_first_revenue=self.hist_first_revenue,
            hist_days_active=self.hist_days_active, **arrays)
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> ScenarioResult:
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            meta = json.loads(z["meta"].tobytes().decode("utf-8"))
            monthly = {k[len("monthly/"):]: z[k] for k in z.files if k.startswith("monthly/")}
            return cls._from(meta, monthly, z["tier_counts"], z["hist_first_revenue"],
                             z["hist_days_active"])

    def to_json(self) -> str:
        """JSON text with every array as nested lists (larger than :meth:`to_bytes`)."""
        doc = self._meta()
        doc["monthly"] = {k: v.tolist() for k, v in self.monthly.items()}
        doc["tier_counts"] = self.tier_counts.tolist()
        doc["hist_first_revenue"] = self.hist_first_revenue.tolist()
        doc["hist_days_active"] = self.hist_days_active.tolist()
        doc["summary"] = {k: {c: _json_num(v) for c, v in row.items()}
                          for k, row in self.summary().to_dict("index").items()}
        return json.dumps(doc)

    @classmethod
    def from_json(cls, text: str) -> ScenarioResult:
        doc = json.loads(text)
        monthly = {k: np.asarray(v, float) for k, v in doc["monthly"].items()}
        return cls._from(doc, monthly, np.asarray(doc["tier_counts"], float),
                         np.asarray(doc["hist_first_revenue"], float),
                         np.asarray(doc["hist_days_active"], float))

    @classmethod
    def _from(cls, meta, monthly, tiers, hfr, hda) -> ScenarioResult:
        if meta.get("format") != "jbp-scenario-result":
            raise ValueError("not a JBP Studio scenario result")
        return cls(name=meta["name"], scenario=meta["scenario"], monthly=monthly,
                   tier_counts=tiers, tier_names=list(meta["tier_names"]),
                   hist_first_revenue=hfr, hist_days_active=hda, seed=int(meta["seed"]),
                   hist_bin_days=float(meta["hist_bin_days"]),
                   elapsed_s=float(meta.get("elapsed_s", 0.0)), extra=meta.get("extra", {}))

    @classmethod
    def from_replications(cls, name: str, scenario: dict[str, Any], tier_names: list[str],
                          seed: int, reps: Sequence[dict[str, np.ndarray]],
                          elapsed_s: float = 0.0) -> ScenarioResult:
        """Stack per-replication outputs of :func:`simulation.model.simulate_replication`."""
        return cls(name=name, scenario=scenario,
                   monthly={k: np.stack([r[k] for r in reps]) for k in MONTHLY},
                   tier_counts=np.stack([r["tier_counts"] for r in reps]),
                   tier_names=list(tier_names),
                   hist_first_revenue=np.stack([r["hist_first_revenue"] for r in reps]),
                   hist_days_active=np.stack([r["hist_days_active"] for r in reps]),
                   seed=seed, elapsed_s=elapsed_s)


def _json_num(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, np.floating | np.integer):
        return _json_num(v.item())
    return v


def is_paired(a: ScenarioResult, b: ScenarioResult) -> bool:
    """Whether two results used common random numbers (same seed, replications, horizon),
    so their difference is taken replication by replication."""
    return a.seed == b.seed and a.replications == b.replications and a.months == b.months


def delta(a: ScenarioResult, b: ScenarioResult, name: str) -> tuple[float, float, float, bool]:
    """Mean of ``b − a`` for a metric's total, with its 95% confidence interval, and whether
    the difference was paired (common random numbers) or Welch (independent runs)."""
    va, vb = a.total(name), b.total(name)
    if is_paired(a, b):
        mean, lo, hi = mean_ci(vb - va)
        return mean, lo, hi, True
    va, vb = va[np.isfinite(va)], vb[np.isfinite(vb)]
    if len(va) < 2 or len(vb) < 2:
        return float(np.mean(vb) - np.mean(va)), math.nan, math.nan, False
    ma, mb = va.mean(), vb.mean()
    sa, sb = va.var(ddof=1) / len(va), vb.var(ddof=1) / len(vb)
    se = math.sqrt(sa + sb)
    df = (sa + sb) ** 2 / ((sa ** 2) / (len(va) - 1) + (sb ** 2) / (len(vb) - 1)) if se else 1
    half = t_quantile_975(max(1, int(df))) * se
    d = float(mb - ma)
    return d, d - half, d + half, False


def compare(results: Sequence[ScenarioResult], names: Sequence[str] | None = None,
            baseline: int = 0):
    """Side-by-side comparison: one row per metric and scenario with the mean total, its
    95% CI, and the difference from ``results[baseline]`` with the difference's 95% CI
    (paired over replications when the runs share their seed) and as a fraction of the
    baseline. Returns a DataFrame indexed by (metric, scenario)."""
    import pandas as pd

    base = results[baseline]
    rows = []
    for name in names or HEADLINE:
        meta = METRICS.get(name) or Metric(name, name, "", STOCK)
        b_mean = float(np.nanmean(base.total(name)))
        for res in results:
            mean, lo, hi = mean_ci(res.total(name))
            if res is base:
                d = dlo = dhi = 0.0
                paired = True
            else:
                d, dlo, dhi, paired = delta(base, res, name)
            rows.append({"metric": name, "label": meta.label, "unit": meta.unit,
                         "scenario": res.name, "mean": mean, "ci_low": lo, "ci_high": hi,
                         "delta": d, "delta_ci_low": dlo, "delta_ci_high": dhi,
                         "delta_fraction": d / abs(b_mean) if b_mean else math.nan,
                         "paired": paired,
                         "significant": bool(res is not base and np.isfinite(dlo)
                                             and (dlo > 0 or dhi < 0))})
    return pd.DataFrame(rows).set_index(["metric", "scenario"])
