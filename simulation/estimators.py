"""Estimators of the calibration, each returning a value with a 95% confidence interval.

Each one undoes what the model adds itself, so nothing is counted twice (docs/simulation.md,
"Calibration"):

- :func:`net_win_rate`: the base win probability, net of the uplifts the model applies to
  certified and priority-support partners (maximum likelihood of ``p_i = min(1, w f_i)``).
- :func:`fit_sales_cycle`: a gamma distribution of the sales cycle (months), corrected for
  right truncation (a deal is seen only if it closed by the end of the data).
- :func:`onboarding_net_of_wait`: the onboarding duration net of the wait for a manager
  (Erlang C, M/M/c, with the calibrated arrival rate).
- :func:`net_churn_hazard`: the base churn hazard net of the drivers the model multiplies
  it by (low profitability, a recent conflict, inactivity), estimated jointly with them.
- :func:`churn_dispersion`: a hazard and the variance of a month-level gamma multiplier
  (negative binomial, method of moments) — bursts of churn.
- :func:`leading_backfill`: the first months of an export that date earlier work (people
  certified before the export began), left out of a rate.
- :func:`rate_posterior`: a rate seen a handful of times as the model draws it per
  replication (the Jeffreys gamma posterior's mean and CV).
- :func:`mdf_pipeline_per_dollar`: registrations added per unit of MDF, within partners.
- :func:`kaplan_meier_mean`: a censoring-aware (restricted) mean of waits and days.

Every function is pure (arrays in, :class:`Fit` out) and tested on data the model itself
generated with known parameters (tests/test_simulation_estimators.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# scipy is imported inside the functions that need it: the model imports this module, and
# its worker processes should not pay for loading scipy unless a gamma cycle is used.


@dataclass(frozen=True)
class Fit:
    """An estimate with its 95% confidence interval and the amount of data behind it."""

    value: float
    low: float
    high: float
    n: int

    def covers(self, x: float) -> bool:
        return self.low <= x <= self.high


def net_win_rate(won: np.ndarray, factor: np.ndarray) -> Fit:
    """Base win probability ``w`` from decided registrations (``won`` 0/1) whose partner's
    uplift factor was ``factor`` (``(1 + certified uplift)`` × ``(1 + priority uplift)``
    when they applied, else 1): the maximum-likelihood ``w`` of ``won ~ Bernoulli(min(1,
    w f))``. CI from the Fisher information."""
    from scipy import optimize

    y = np.asarray(won, float)
    f = np.asarray(factor, float)
    n = len(y)
    if n == 0 or y.sum() == 0:
        return Fit(0.0, 0.0, 0.0, n)
    hi = 1.0 / f.max()

    def score(w: float) -> float:
        p = w * f
        return float(np.sum(y / w) - np.sum((1 - y) * f / np.maximum(1 - p, 1e-12)))

    top = hi * (1 - 1e-9)
    w = hi if score(top) >= 0 else optimize.brentq(score, 1e-9, top)
    info = float(np.sum(f / (w * np.maximum(1 - w * f, 1e-9))))
    se = 1.0 / math.sqrt(info)
    return Fit(w, max(0.0, w - 1.96 * se), min(1.0, w + 1.96 * se), n)


def net_win_rate_launch(won: np.ndarray, factor: np.ndarray, launch: np.ndarray,
                        ) -> tuple[Fit, Fit]:
    """The base win probability ``w`` and the launch factor ``L`` jointly: ``won ~
    Bernoulli(min(1, w f L^launch))`` (``launch`` 1 for a registration made in its
    partner's launch period, else 0; ``factor`` as in :func:`net_win_rate`), by maximum
    likelihood on (log w, log L); 95% intervals from the inverse Hessian."""
    from scipy import optimize

    y = np.asarray(won, float)
    f = np.asarray(factor, float)
    z = np.asarray(launch, float)
    n = len(y)

    def nll(x: np.ndarray) -> float:
        p = np.clip(np.exp(x[0] + x[1] * z) * f, 1e-12, 1 - 1e-9)
        return float(-np.sum(y * np.log(p) + (1 - y) * np.log1p(-p)))

    start = np.array([math.log(max(y.mean(), 1e-3)), 0.0])
    res = optimize.minimize(nll, start, method="Nelder-Mead",
                            options={"xatol": 1e-7, "fatol": 1e-9, "maxiter": 4000})
    cov = _inverse_hessian(nll, res.x)
    out = []
    for k, count in ((0, n), (1, int(z.sum()))):
        se = math.sqrt(cov[k, k]) if np.isfinite(cov[k, k]) and cov[k, k] > 0 else math.inf
        v = math.exp(res.x[k])
        out.append(Fit(v, math.exp(res.x[k] - 1.96 * se), math.exp(res.x[k] + 1.96 * se)
                       if se < math.inf else math.inf, count))
    return out[0], out[1]


def fit_sales_cycle(months: np.ndarray, window: np.ndarray | None = None
                    ) -> tuple[Fit, Fit]:
    """Gamma sales cycle (mean months, shape) from created-to-close times ``months``; a deal
    created ``window[i]`` months before the end of the data is seen only when its cycle is
    at most that (right truncation, likelihood ``f(x) / F(window)``). Returns (mean, shape)
    with CIs from the observed information."""
    from scipy import optimize, stats

    x = np.asarray(months, float)
    x = np.maximum(x, 1.0 / 30.0)  # a same-day close: a day
    n = len(x)
    t = None if window is None else np.maximum(np.asarray(window, float), x)
    s = math.log(x.mean()) - np.log(x).mean()
    k0 = (3 - s + math.sqrt((s - 3) ** 2 + 24 * s)) / (12 * s) if s > 0 else 10.0

    def nll(theta: np.ndarray) -> float:
        k, mean = math.exp(theta[0]), math.exp(theta[1])
        scale = mean / k
        ll = stats.gamma.logpdf(x, k, scale=scale).sum()
        if t is not None:
            ll -= stats.gamma.logcdf(t, k, scale=scale).sum()
        return -float(ll)

    res = optimize.minimize(nll, np.array([math.log(k0), math.log(x.mean())]),
                            method="Nelder-Mead", options={"xatol": 1e-6, "fatol": 1e-8})
    th = res.x
    cov = _inverse_hessian(nll, th)
    k, mean = math.exp(th[0]), math.exp(th[1])
    sk, sm = math.sqrt(max(cov[0, 0], 0)), math.sqrt(max(cov[1, 1], 0))
    return (Fit(mean, mean * math.exp(-1.96 * sm), mean * math.exp(1.96 * sm), n),
            Fit(k, k * math.exp(-1.96 * sk), k * math.exp(1.96 * sk), n))


def _inverse_hessian(f, x: np.ndarray, h: float = 1e-4) -> np.ndarray:
    d = len(x)
    H = np.zeros((d, d))
    for i in range(d):
        for j in range(d):
            e_i, e_j = np.eye(d)[i] * h, np.eye(d)[j] * h
            H[i, j] = (f(x + e_i + e_j) - f(x + e_i - e_j) - f(x - e_i + e_j)
                       + f(x - e_i - e_j)) / (4 * h * h)
    try:
        return np.linalg.inv(H)
    except np.linalg.LinAlgError:  # pragma: no cover - flat likelihood
        return np.full((d, d), np.inf)


def erlang_c_wait(arrivals_per_day: float, service_days: float, servers: int) -> float:
    """Mean wait in queue (days) of an M/M/c queue; infinite when it is overloaded."""
    a = arrivals_per_day * service_days
    c = int(servers)
    if a <= 0:
        return 0.0
    if a >= c:
        return math.inf
    terms = sum(a ** k / math.factorial(k) for k in range(c))
    top = a ** c / math.factorial(c) * c / (c - a)
    p_wait = top / (terms + top)
    return p_wait * service_days / (c - a)


def onboarding_net_of_wait(days: np.ndarray, arrivals_per_month: float, managers: int,
                           manager_share: float, observed_mean: float | None = None
                           ) -> tuple[Fit, float]:
    """Mean onboarding duration (days) net of the mean wait for a manager, and that wait:
    the observed sign-up-to-active days include a wait the model's queue adds again, so
    ``observed = mean + Wq(mean × manager_share)`` solved for ``mean`` (the right side
    grows with it). ``observed_mean`` replaces the mean of ``days`` (e.g. a Kaplan-Meier
    mean that counts those still onboarding)."""
    from scipy import optimize

    d = np.asarray(days, float)
    obs = float(d.mean()) if observed_mean is None or not math.isfinite(observed_mean) \
        else float(observed_mean)
    lam = arrivals_per_month / (365.25 / 12)

    def excess(net: float) -> float:  # increasing in net
        w = erlang_c_wait(lam, net * manager_share, managers)
        return net + min(w, 1e9) - obs

    lo = min(1.0, obs)
    net = obs if excess(obs) <= 0 or excess(lo) >= 0 else optimize.brentq(excess, lo, obs)
    wait = obs - net
    se = float(d.std(ddof=1)) / math.sqrt(len(d)) if len(d) > 1 else 0.0
    return Fit(net, net - 1.96 * se, net + 1.96 * se, len(d)), wait


def net_churn_hazard(churned: np.ndarray, exposure: np.ndarray, factor: np.ndarray) -> Fit:
    """Base monthly churn hazard ``h`` from partner-months that ended in churn (``churned``
    0/1), were active for ``exposure`` of the month and had the churn drivers whose
    multipliers give ``factor`` (1 without any): the maximum-likelihood ``h`` of
    ``churned ~ Poisson(h × factor × exposure)``, i.e. churns / Σ factor × exposure. The
    95% interval is the Jeffreys posterior's (gamma with shape churns + ½), which stays
    honest with the handful of churns a program sees."""
    from scipy import stats

    n = float(np.sum(churned))
    base = float(np.sum(np.asarray(factor, float) * np.asarray(exposure, float)))
    if base <= 0:
        return Fit(0.0, 0.0, 0.0, 0)
    lo, hi = stats.gamma.ppf([0.025, 0.975], n + 0.5, scale=1.0 / base)
    return Fit(n / base, float(lo), float(hi), int(n))


def leading_backfill(counts: np.ndarray, exposure: np.ndarray, alpha: float = 1e-3) -> int:
    """How many leading months of an export are a backfill: an export that begins on a
    date dates what was done before it (people certified earlier) in its first weeks. A
    leading month is one when its count is implausible at the rate of the months after it
    (Poisson upper tail below ``alpha``, with the rate's own uncertainty ignored); months
    are dropped from the front while the first one left is. Only the front is looked at: a
    busy month later on is data, not a backfill."""
    from scipy import stats

    n = np.asarray(counts, float)
    e = np.asarray(exposure, float)
    k = 0
    while len(n) - k >= 4:
        rest, rest_e = n[k + 1:].sum(), e[k + 1:].sum()
        if rest_e <= 0 or e[k] <= 0:
            break
        mu = rest / rest_e * e[k]
        if stats.poisson.sf(n[k] - 1, mu) >= alpha:
            break
        k += 1
    return k


def poisson_rate(count: float, exposure: float) -> Fit:
    """A Poisson rate per unit of exposure with its 95% (Jeffreys) interval."""
    from scipy import stats

    if exposure <= 0:
        return Fit(math.nan, math.nan, math.nan, 0)
    lo, hi = stats.gamma.ppf([0.025, 0.975], count + 0.5, scale=1.0 / exposure)
    return Fit(count / exposure, float(lo), float(hi), int(count))


def rate_ratio_within(count: np.ndarray, exposure: np.ndarray, count_ref: np.ndarray,
                      exposure_ref: np.ndarray) -> Fit:
    """The ratio ``f`` of a rate in one period of each unit's life to its rate outside it,
    the same for every unit while the units' own rates differ (partner productivity): the
    conditional maximum likelihood, which needs no unit's own rate. Given unit i's total
    n_i, ``count[i]`` is binomial with p_i = f e_i / (f e_i + e_ref_i); units seen in only
    one of the two periods say nothing and are left out. 95% interval from the Fisher
    information of log f. ``n`` is the number of units used."""
    from scipy import optimize

    c, e = np.asarray(count, float), np.asarray(exposure, float)
    c0, e0 = np.asarray(count_ref, float), np.asarray(exposure_ref, float)
    use = (e > 0) & (e0 > 0) & (c + c0 > 0)
    c, e, c0, e0 = c[use], e[use], c0[use], e0[use]
    n = c + c0
    if not use.any() or c.sum() == 0 or c0.sum() == 0:
        return Fit(math.nan, math.nan, math.nan, int(use.sum()))

    def score(theta: float) -> float:  # d loglik / d log f
        p = 1.0 / (1.0 + e0 / (math.exp(theta) * e))
        return float(np.sum(c - n * p))

    theta = optimize.brentq(score, -20.0, 20.0)
    p = 1.0 / (1.0 + e0 / (math.exp(theta) * e))
    se = 1.0 / math.sqrt(float(np.sum(n * p * (1 - p))))
    return Fit(math.exp(theta), math.exp(theta - 1.96 * se), math.exp(theta + 1.96 * se),
               int(use.sum()))


def rate_posterior(count: float, exposure: float) -> tuple[float, float]:
    """The Jeffreys posterior of a Poisson rate seen ``count`` times over ``exposure``
    (gamma with shape ``count + ½`` and rate ``exposure``), as the model draws it per
    replication: its mean ``(count + ½) / exposure`` times a gamma factor of mean 1 and CV
    ``1 / sqrt(count + ½)``. Returns (mean, CV). With a handful of events the mean is
    above the maximum likelihood ``count / exposure`` (half an event more) and stays above
    0 when nothing was seen: a rate seen once is as likely to be 3 times as high as a
    third of it, and a band drawn around the point estimate alone is too narrow."""
    shape = float(count) + 0.5
    if exposure <= 0:
        return 0.0, 0.0
    return shape / float(exposure), 1.0 / math.sqrt(shape)


def churn_dispersion(churned: np.ndarray, exposed: np.ndarray, boot: int = 400,
                     seed: int = 0) -> tuple[Fit, Fit]:
    """Monthly churn hazard and burst dispersion from counts ``churned[t]`` of partners that
    left in month ``t`` out of ``exposed[t]`` active at its start: ``n_t ~ Poisson(h E_t
    G_t)`` with ``G_t`` gamma of mean 1 and variance ``k``. Method of moments; CIs by a
    bootstrap over months."""
    n = np.asarray(churned, float)
    e = np.asarray(exposed, float)

    def est(n: np.ndarray, e: np.ndarray) -> tuple[float, float]:
        h = n.sum() / max(e.sum(), 1e-12)
        mu = h * e
        denom = float(np.sum(mu * mu))
        k = float(np.sum((n - mu) ** 2 - mu)) / denom if denom > 0 else 0.0
        return h, max(0.0, k)

    h, k = est(n, e)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(n), (boot, len(n)))
    bs = np.array([est(n[i], e[i]) for i in idx])
    lo, hi = np.quantile(bs, [0.025, 0.975], axis=0)
    return (Fit(h, float(lo[0]), float(hi[0]), len(n)),
            Fit(k, float(lo[1]), float(hi[1]), len(n)))


def mdf_pipeline_per_dollar(regs: np.ndarray, spend: np.ndarray, partner: np.ndarray,
                            deal_size: float) -> Fit:
    """Pipeline (currency) per unit of MDF spent, from registrations ``regs`` and MDF spent
    ``spend`` of each partner-period (``partner`` its partner): within each partner, the
    registrations of periods with MDF above the partner's rate without it, per unit spent,
    times the mean deal size. A partner's own rate is its own baseline (productive partners
    get more MDF; that is not its effect). CI from the Poisson variance of the counts."""
    regs, spend, partner = (np.asarray(a) for a in (regs, spend, partner))
    excess = var = dollars = 0.0
    # Each partner's periods with and without MDF, by grouping once (a mask over every
    # row per partner was quadratic: minutes at 20,000 partners).
    _, code = np.unique(partner, return_inverse=True)
    k = int(code.max()) + 1 if len(code) else 0
    has = spend > 0
    n_with = np.bincount(code, has, k)
    n_without = np.bincount(code, ~has, k)
    regs_with = np.bincount(code, np.where(has, regs, 0), k)
    regs_without = np.bincount(code, np.where(has, 0, regs), k)
    order = np.argsort(code, kind="stable")
    cuts = np.searchsorted(code[order], np.arange(k + 1))
    spend_sorted, has_sorted = spend[order], has[order]
    for j in np.flatnonzero((n_with > 0) & (n_without > 0)).tolist():
        base = regs_without[j] / n_without[j]
        excess += float(regs_with[j] - base * n_with[j])
        var += float(regs_with[j] + base * n_with[j] ** 2 / n_without[j])
        lo, hi = cuts[j], cuts[j + 1]
        dollars += float(spend_sorted[lo:hi][has_sorted[lo:hi]].sum())
    if dollars <= 0:
        return Fit(math.nan, math.nan, math.nan, 0)
    v = excess / dollars * deal_size
    se = math.sqrt(var) / dollars * deal_size
    return Fit(v, v - 1.96 * se, v + 1.96 * se, int(np.count_nonzero(spend > 0)))


def kaplan_meier_mean(times: np.ndarray, observed: np.ndarray,
                      limit: float | None = None) -> tuple[float, float]:
    """Restricted mean (up to ``limit``, default the largest time) of a duration some of
    whose values are censored (``observed`` False: still waiting at that time), by the
    Kaplan-Meier survival curve; and its median (``nan`` when the curve stays above 0.5).
    """
    t = np.asarray(times, float)
    d = np.asarray(observed, bool)
    if not len(t):
        return math.nan, math.nan
    order = np.argsort(t, kind="stable")
    t, d = t[order], d[order]
    uniq, first = np.unique(t, return_index=True)
    deaths = np.add.reduceat(d.astype(float), first)
    at_risk = len(t) - first
    surv = np.cumprod(1.0 - deaths / at_risk)
    lim = float(t.max() if limit is None else limit)
    grid = np.concatenate(([0.0], uniq[uniq < lim], [lim]))
    s = np.concatenate(([1.0], surv[uniq < lim]))
    mean = float(np.sum(s * np.diff(grid)))
    below = np.nonzero(surv <= 0.5)[0]
    median = float(uniq[below[0]]) if len(below) else math.nan
    return mean, median


def gamma_pmf_months(mean: float, shape: float, months: int) -> np.ndarray:
    """Probability that a gamma sales cycle (mean months, shape) closes in whole month
    ``k`` after registration (k = 0 .. months-1; the tail beyond is put in the last)."""
    from scipy import special

    edges = np.arange(months + 1, dtype=float)
    cdf = special.gammainc(shape, edges * shape / max(mean, 1e-9))
    pmf = np.diff(cdf)
    pmf[-1] += 1.0 - cdf[-1]
    return pmf


def shrunk_productivity(counts: np.ndarray, exposure: np.ndarray) -> tuple[np.ndarray, float]:
    """Each partner's registration rate relative to the average (mean 1), from its
    ``counts`` over ``exposure`` partner-months, shrunk towards 1 by how little data it
    has (gamma-Poisson empirical Bayes: ``(n + a) / (E r + a)`` with ``1/a`` the variance of
    the true multipliers, by moments). Returns the multipliers and that variance."""
    n = np.asarray(counts, float)
    e = np.asarray(exposure, float)
    if not len(n) or e.sum() <= 0 or n.sum() <= 0:
        return np.ones(len(n)), 0.0
    r = n.sum() / e.sum()
    ok = e > 0
    x = np.where(ok, n / np.where(ok, e * r, 1.0), 1.0)
    var = float(np.mean((x[ok] - 1.0) ** 2) - np.mean(1.0 / (e[ok] * r)))
    var = max(var, 1e-3)
    a = 1.0 / var
    m = (n + a) / (e * r + a)
    return m / m.mean(), var
