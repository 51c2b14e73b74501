"""The attributes :class:`simulation.model.ProgramModel` shares between its halves.

The model is split into mixins (:class:`simulation.model_setup.ModelSetup` sets the state
up, :class:`simulation.model_step.MonthlyStep` advances it a month at a time); the
attributes are assigned in ``ProgramModel.__init__`` and ``ModelSetup._allocate_arrays``
(the flat ``*_f`` views by ``setattr``). They are declared here, once, so each half is
type-checked against the same state. Declarations only: nothing is assigned at class level.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .model import Replication
    from .scenario import Scenario


class ModelState:
    """Declarations of the model's state (see the module's docstring)."""

    # Scenario and batch shape: replications (B), partner slots (W), months (H), tiers (K),
    # months in the sales-cycle ring (L).
    sc: Scenario
    reps: list[Replication]
    B: int
    W: int
    H: int
    K: int
    L: int
    # Each random stream as a list of the replications' generators.
    g: dict[str, list[np.random.Generator]]

    # Tier attributes by tier index.
    t_min_rev: np.ndarray
    t_min_cert: np.ndarray
    t_min_logo: np.ndarray
    t_lead: np.ndarray

    # Scalars of the scenario.
    size_mu: float
    size_mu_b: np.ndarray
    win_scale: np.ndarray
    inf_mu: float
    cert_factor: float
    people_per_month: float
    overhead_per_month: float
    mdf_claim_rate: float
    mdf_regs_rate: float
    churn_p: np.ndarray
    churn_rate: np.ndarray
    churn_rate_max: float
    churn_p_max: float
    burst: np.ndarray

    # Per-partner state (replications × partners) and its flat views (index b * W + i).
    active: np.ndarray
    act_t: np.ndarray
    own_lam: np.ndarray
    mdf_alloc: np.ndarray
    open: np.ndarray
    extra: np.ndarray
    active_f: np.ndarray
    act_t_f: np.ndarray
    act_m_f: np.ndarray
    first_m_f: np.ndarray
    awaiting_f: np.ndarray
    exposure_f: np.ndarray
    tier_f: np.ndarray
    certs_f: np.ndarray
    last_reg_f: np.ndarray
    last_conflict_f: np.ndarray
    mdf_alloc_f: np.ndarray
    open_f: np.ndarray
    extra_f: np.ndarray
    lead_lam_f: np.ndarray
    p_margin_f: np.ndarray
    p_rebate_f: np.ndarray
    p_share_f: np.ndarray
    p_win_tier_f: np.ndarray
    p_win_f: np.ndarray
    t12_rev_f: np.ndarray
    t12_logos_f: np.ndarray
    _arange_f: np.ndarray

    # The sales cycle: geometric, or a gamma cycle's monthly pmf/cdf (None otherwise) and
    # the ring of open deals by month opened.
    geometric: bool
    cycle_pmf: np.ndarray | None
    cycle_cdf: np.ndarray | None
    pipe: list[np.ndarray]
    pre_accepted: np.ndarray
    pre_f: np.ndarray
    # Each month's wins by anniversary slot (partners, sizes, logos): taken off the
    # trailing-12-month sums a year later.
    t12_events: list[tuple[np.ndarray, np.ndarray, np.ndarray | float] | None]

    # Customers' anniversary cohorts.
    cohort_arr: np.ndarray
    cohort_cust: np.ndarray

    # Counts per replication.
    n_admitted: list[int]
    n_started: list[int]
    n_activated: np.ndarray
    n_churned: np.ndarray
    n_active: np.ndarray
    open_total: np.ndarray
    alloc_total: np.ndarray
    tier_n: np.ndarray
    tier_counts: np.ndarray
    pending_first: int

    # Recruits due to activate (heap of (day, flat partner)) and those activated this month.
    due: list[tuple[float, int]]
    thinned: np.ndarray | None

    # Pre-drawn events sorted by month: offsets of each month, then the values.
    conf_off: list[int]
    conf_f: np.ndarray
    cert_off: list[int]
    cert_f: np.ndarray
    churn_off: list[int]
    churn_f: np.ndarray
    churn_u: np.ndarray

    # MDF funds (simpy.Container, one per replication) and the step's recorded values.
    funds: list[Any]
    step_vals: np.ndarray
