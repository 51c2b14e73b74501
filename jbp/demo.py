"""A realistic demo workspace, generated from a fixed seed.

"Northwind Cloud", a mid-size SaaS vendor, runs a four-tier partner program with ~50 partners
of several types. Eighteen months of actuals end on the last full month before
:data:`AS_OF`. Partner productivity is heavy-tailed (lognormal), so the top 10-20% of partners
bring most of the revenue; new partners take a few months to their first deal; a handful
churn after their activity fades, which is what the at-risk score should catch. Four plans
show every stage of the agreement: Closed (last year), Active (approved, amended since),
In review (signed by one side) and Draft.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from . import bindings
from .commands import (
    AddComment,
    AddPart,
    ChangeStatus,
    Editor,
    History,
    SetField,
    SignOffPlan,
)
from .errors import WorkspaceError
from .metrics import METRICS, Actuals
from .model import QUARTERS, Partner, Program, TargetAccount, Tier, fiscal_quarter_bounds
from .plans import CreatePlan, draft_from_template, draft_rolled_forward
from .store import Workspace
from .tiers import TierStanding, assess_tier

SEED = 20261124
#: The demo's "today": actuals run to the end of the month before.
AS_OF = dt.date(2026, 11, 15)
MONTHS = 18

PROGRAM = Program(
    name="Northwind Partner Network",
    currency="USD",
    influence_weight=0.3,
    review_months=6,
    rag_green=0.95,
    rag_amber=0.8,
    fiscal_year_start_month=1,
    direct_cac=22000.0,
    tiers=[
        Tier("Registered", 0, 0, 0, 0, margin=0.10, rebate=0.0),
        Tier("Silver", 1, 75_000, 2, 1, margin=0.15, rebate=0.01, mdf_eligible=True),
        Tier("Gold", 2, 300_000, 4, 3, margin=0.20, rebate=0.02, lead_sharing=True,
             mdf_eligible=True),
        Tier("Platinum", 3, 900_000, 8, 6, margin=0.25, rebate=0.03, lead_sharing=True,
             mdf_eligible=True, priority_support=True),
    ],
)

_NAMES = [
    "Acme Integration", "Bluepeak Systems", "Cobalt Consulting", "Delta Cloud Partners",
    "Evergreen IT", "Fjord Digital", "Granite Solutions", "Harbor MSP", "Ironclad Security",
    "Juniper Analytics", "Keystone Resellers", "Lumen Data", "Meridian Tech", "Nimbus Works",
    "Orbit Software", "Pinnacle SI", "Quartz Networks", "Redwood Advisory", "Summit Cloud",
    "Tidewater Services", "Umbra Labs", "Vantage Point IT", "Westbrook Digital", "Xenon Apps",
    "Yellowstone Tech", "Zephyr Consulting", "Alpine Managed Services", "Beacon Partners",
    "Cascade Integrators", "Driftwood Software", "Ember Analytics", "Falcon IT Group",
    "Glacier Systems", "Horizon Resellers", "Indigo Cloud", "Jasper Consulting",
    "Kestrel Security", "Lakeside MSP", "Maple Digital", "Northstar SI", "Oakridge Data",
    "Prairie Networks", "Quill Software", "Ridgeline IT", "Sable Cloud", "Tundra Tech",
    "Upland Advisory", "Vertex Apps", "Willow Integration", "Yarrow Systems",
]
_TYPES = ["Reseller"] * 14 + ["SI"] * 12 + ["MSP"] * 10 + ["ISV"] * 7 + ["Referral"] * 7
_REGIONS = ["North America"] * 22 + ["EMEA"] * 16 + ["APAC"] * 8 + ["LATAM"] * 4
_MANAGERS = ["Dana Whitfield", "Marcus Lee", "Priya Raman", "Tom Okafor", "Elena Sousa",
             "Jonas Berg"]
_COURSES = ["Sales Foundations", "Technical Pre-sales", "Implementation Specialist",
            "Security Specialist", "Data Platform Expert"]
_INDUSTRIES = ["Financial services", "Healthcare", "Manufacturing", "Retail", "Public sector",
               "Energy", "Education", "Logistics"]
_CUSTOMER_WORDS = ["Atlas", "Boreal", "Crescent", "Dynamo", "Elm", "Fulcrum", "Gale", "Helix",
                   "Ion", "Jade", "Kinetic", "Lyra", "Mosaic", "Nova", "Onyx", "Polar",
                   "Quantum", "Regent", "Solace", "Terra", "Unity", "Vela", "Wren", "Zenith"]
_CUSTOMER_SUFFIX = ["Bank", "Health", "Foods", "Logistics", "Energy", "Retail", "Insurance",
                    "Motors", "Pharma", "Media", "Labs", "Group"]


def _month_starts(end: dt.date, months: int) -> list[dt.date]:
    first = dt.date(end.year, end.month, 1)
    out = []
    y, m = first.year, first.month
    for _ in range(months):
        m -= 1
        if m == 0:
            m, y = 12, y - 1
        out.append(dt.date(y, m, 1))
    return out[::-1]


def _days(d: dt.date, n: float | np.integer) -> dt.date:
    return d + dt.timedelta(days=round(n))


def generate(path: str | Path, seed: int = SEED, *, replace: bool = False,
             steady: bool = False) -> Path:
    """Write the demo workspace to ``path`` and return the path. ``path`` must not exist
    unless ``replace``; the workspace is built beside it and moved over it in one step, so a
    crash leaves the old file (or none), never half a workspace.

    ``steady``: a variant for validating the simulation's back-test (docs/simulation.md,
    "Back-test"), not the demo users see — the demo's recruits sign up in the first 330 of
    its 548 days and its churners leave 300–500 days in (a recruiting stop and a burst of
    churn late in the data); here recruits sign up, and churners leave, at any time of the
    window. Everything else, and every other draw, is the demo's."""
    rng = np.random.default_rng(seed)
    path = Path(path)
    if path.exists() and not replace:
        raise WorkspaceError(path, "already exists; choose another name")

    def fill(ws: Workspace) -> None:
        ws.set_meta("as_of", AS_OF.isoformat())
        ws.set_meta("demo", "steady" if steady else "demo")  # the welcome page says so
        _fill(ws, rng, steady)

    Workspace.create_atomically(path, fill, PROGRAM)
    return path


def _fill(ws: Workspace, rng: np.random.Generator, steady: bool = False) -> None:
    months = _month_starts(AS_OF, MONTHS)
    start, end = months[0], _days(dt.date(AS_OF.year, AS_OF.month, 1), -1)
    n = len(_NAMES)
    partners: list[Partner] = []
    productivity = rng.lognormal(mean=0.0, sigma=1.0, size=n)
    order = np.argsort(-productivity)
    productivity = productivity / np.median(productivity)
    # A fifth of partners are recruited during the actuals window, the rest earlier.
    new_recruits = set(rng.choice(n, size=n // 5, replace=False).tolist())
    churners = set(rng.choice([i for i in range(n) if i not in new_recruits and
                               productivity[i] < 1.0], size=5, replace=False).tolist())
    for i, name in enumerate(_NAMES):
        if i in new_recruits:
            signup = _days(start, rng.integers(0, (end - start).days - 60 if steady else 330))
        else:
            signup = _days(start, -int(rng.integers(90, 1400)))
        onboarding = max(14.0, rng.lognormal(np.log(55), 0.4))
        activated = _days(signup, onboarding)
        fit = float(np.clip(rng.beta(4, 3) + 0.1 * (productivity[i] > 1.5), 0, 1))
        churned = None
        if i in churners:
            churned = _days(start, rng.integers(60, (end - start).days) if steady
                            else rng.integers(300, 500))
            churned = min(churned, _days(end, -10))
        competencies = ";".join(sorted(rng.choice(
            ["Security", "Data", "Cloud Migration", "Managed Services"],
            size=int(rng.integers(0, 3)), replace=False).tolist()))
        partners.append(Partner(
            name=name, type=_TYPES[i], region=_REGIONS[i], signup_date=signup,
            activated_on=activated if activated <= end else None,
            ipp_fit=round(fit, 2), competencies=competencies, churned_on=churned,
            manager=_MANAGERS[i % len(_MANAGERS)]))
    ids = []
    with ws.transaction():
        for p in partners:
            ids.append(ws.add_partner(p))
    # ----- actuals, month by month
    deals: list[tuple[str, int, str, float, bool, dt.date, dt.date, str]] = []
    regs: list[tuple[str, int, dt.date, float, str, bool]] = []
    mdf: list[tuple[str, int, str, dt.date, float, str, str]] = []
    logins, certs, costs = [], [], []
    certified: dict[int, set[str]] = {i: set() for i in range(n)}
    for i, p in enumerate(partners):
        base_people = (int(rng.integers(0, 3)) + int(min(6.0, 1.5 * productivity[i]))
                       if p.signup_date < start else 0)
        for k in range(base_people):
            person = f"{p.name.split()[0]} person {k + 1}"
            certified[i].add(person)
            certs.append((ids[i], person, str(rng.choice(_COURSES)),
                           _days(max(start, p.signup_date), rng.integers(0, 60))))
    customer_no = 0
    for month in months:
        month_end = _days(_month_starts(_days(month, 45), 1)[0], -1)
        for i, p in enumerate(partners):
            pid = ids[i]
            active_from = p.activated_on or dt.date.max
            if p.signup_date > month_end or (p.churned_on and p.churned_on < month):
                continue
            fading = 1.0
            if p.churned_on:
                months_left = (p.churned_on - month).days / 30.4
                fading = float(np.clip(months_left / 6.0, 0.05, 1.0))
            users = max(1, int(2 + 3 * productivity[i] ** 0.5))
            n_logins = rng.poisson(users * 4 * fading)
            for _ in range(n_logins):
                logins.append((pid, _days(month, rng.integers(0, 28)),
                               f"user{rng.integers(1, users + 1)}@{p.name.split()[0].lower()}"))
            cert_rate = 0.08 + 0.06 * min(3.0, float(productivity[i]))
            if rng.random() < cert_rate * fading * (1 + 0.5 * (p.signup_date > start)):
                person = f"{p.name.split()[0]} person {len(certified[i]) + 1}"
                certified[i].add(person)
                certs.append((pid, person, str(rng.choice(_COURSES)),
                              _days(month, rng.integers(0, 28))))
            if active_from > month_end:
                continue
            rate = 0.55 * productivity[i] * fading * (0.7 + 0.6 * (p.ipp_fit or 0.5))
            win_p = min(0.6, 0.22 + 0.03 * len(certified[i]))
            if (month_end - active_from).days < 120:
                # Launch support: the vendor co-sells the first deals of a new partner.
                rate, win_p = max(rate * 2.5, 0.8), win_p + 0.2
            for _ in range(rng.poisson(rate)):
                reg_date = _days(max(month, active_from), rng.integers(0, 28))
                if reg_date > end:
                    continue
                value = float(np.round(rng.lognormal(np.log(38_000), 0.7), -2))
                conflict = bool(rng.random() < 0.06)
                cycle = rng.gamma(4, 22)
                close = _days(reg_date, cycle)
                won = rng.random() < win_p * (0.6 if conflict else 1.0)
                status = "approved" if close > end else "won" if won else "lost"
                if conflict and rng.random() < 0.3:
                    status = "rejected"
                ext = f"REG-{len(regs) + 10001}"
                regs.append((ext, pid, reg_date, value, status, conflict))
                if status == "won":
                    customer_no += 1
                    customer = (f"{_CUSTOMER_WORDS[customer_no % len(_CUSTOMER_WORDS)]} "
                                f"{_CUSTOMER_SUFFIX[(customer_no // 24) % 12]} {customer_no}")
                    recurring = bool(rng.random() < 0.85)
                    amount = float(np.round(value * rng.uniform(0.8, 1.15), -2))
                    deals.append((f"OPP-{len(deals) + 50001}", pid, customer, amount,
                                  recurring, close, reg_date, "sourced"))
            if rng.random() < 0.2 * fading * min(2.0, productivity[i]):
                close = _days(month, rng.integers(0, 28))
                if close <= end:
                    customer_no += 1
                    customer = (f"{_CUSTOMER_WORDS[customer_no % len(_CUSTOMER_WORDS)]} "
                                f"{_CUSTOMER_SUFFIX[(customer_no // 24) % 12]} {customer_no}")
                    amount = float(np.round(rng.lognormal(np.log(45_000), 0.6), -2))
                    deals.append((f"OPP-{len(deals) + 50001}", pid, customer, amount, True,
                                  close, _days(close, -rng.gamma(4, 25)), "influenced"))
        costs.append((month, "people", 6 * 13_000.0, None))
        costs.append((month, "enablement", 9_000.0 + float(rng.integers(0, 4000)), None))
        costs.append((month, "overhead", 15_000.0, None))
        costs.append((month, "recruitment", 4_000.0 + 2_500.0 * sum(
            1 for p in partners if p.signup_date.year == month.year and
            p.signup_date.month == month.month), None))
    # MDF: quarterly requests by productive partners, claims after the activity.
    for i, p in enumerate(partners):
        if productivity[i] < 0.9 or p.activated_on is None:
            continue
        for q, month in enumerate(months[::3]):
            if month < p.activated_on or (p.churned_on and month > p.churned_on):
                continue
            ask = float(np.round(rng.uniform(5_000, 25_000) * min(2.5, productivity[i]), -2))
            ext = f"MDF-{len(mdf) + 70001}"
            day = _days(month, rng.integers(0, 20))
            approved = rng.random() < 0.8
            mdf.append((ext, ids[i], "request", day, ask,
                        "approved" if approved else "rejected", "Campaign Q" + str(q % 4 + 1)))
            if approved and _days(day, 60) <= end and rng.random() < 0.85:
                claim = float(np.round(ask * rng.uniform(0.5, 1.0), -2))
                mdf.append((ext + "-C", ids[i], "claim", _days(day, rng.integers(30, 75)),
                            claim, "paid", "Campaign Q" + str(q % 4 + 1)))
    _store_actuals(ws, deals, regs, logins, certs, mdf, costs)
    _assign_tiers(ws, partners, ids, deals, certified, end)
    _make_plans(ws, partners, ids, order, deals, regs, certs, logins)


def _key(*parts: object) -> str:
    return "|".join(str(p) for p in parts)


#: The exports the demo's actuals stand for, as the Data page lists past imports.
_DEMO_FILES = {
    "deals": "crm_closed_deals_2026-10.csv",
    "registrations": "prm_deal_registrations_2026-10.csv",
    "logins": "portal_logins_2026-10.csv",
    "certifications": "lms_certifications_2026-10.xlsx",
    "mdf": "prm_mdf_requests_and_claims_2026-10.csv",
}


def _store_actuals(ws, deals, regs, logins, certs, mdf, costs) -> None:
    iso = lambda d: d.isoformat() if d else None  # noqa: E731
    login_rows = [(p, iso(d), u) for p, d, u in logins]
    seen: dict[tuple, int] = {}
    login_keys = []
    for row in login_rows:  # the key jbp.importers gives: the k-th login of a user on a day
        k = seen.get(row, 0)
        seen[row] = k + 1
        login_keys.append(_key(*row, k))
    cert_rows = [(p, person, course, iso(d)) for p, person, course, d in certs]
    tables: dict[str, tuple[list[tuple], list[str]]] = {
        "deals": ([(e, p, c, a, r, iso(cd), iso(cr), at) for e, p, c, a, r, cd, cr, at in deals],
                  [_key("ext", d[0]) for d in deals]),
        "registrations": ([(e, p, iso(d), v, s, c) for e, p, d, v, s, c in regs],
                          [_key("ext", r[0]) for r in regs]),
        "logins": (login_rows, login_keys),
        "certifications": (cert_rows, [_key(p, person, course)
                                       for p, person, course, _ in cert_rows]),
        "mdf": ([(e, p, k, iso(d), a, s, act) for e, p, k, d, a, s, act in mdf],
                [_key("ext", m[0]) for m in mdf]),
    }
    stamp = f"{AS_OF.isoformat()} 08:30:00"
    # The exports were pulled for October: each source is complete through its last day.
    extracted = _days(dt.date(AS_OF.year, AS_OF.month, 1), -1).isoformat()
    with ws.transaction():
        for kind, (rows, keys) in tables.items():
            import_id = ws.execute(
                "INSERT INTO imports (kind, file, imported_at, rows_taken, rows_rejected, "
                "rows_duplicate, extract_date) VALUES (?, ?, ?, ?, 0, 0, ?)",
                (kind, _DEMO_FILES[kind], stamp, len(rows), extracted)).lastrowid
            ws.insert_actuals(kind, rows, keys, import_id)
        ws.insert_actuals("program_costs", [(iso(m), c, a, p) for m, c, a, p in costs], [])


def _assign_tiers(ws, partners, ids, deals, certified, end) -> None:
    since = _days(end, -365)
    with ws.transaction():
        for i, p in enumerate(partners):
            mine = [d for d in deals if d[1] == ids[i] and d[7] == "sourced" and d[5] > since]
            standing = TierStanding(sum(d[3] for d in mine), len(certified[i]),
                                    len({d[2] for d in mine}))
            tier = assess_tier(PROGRAM, standing)
            p.tier = tier.name if tier else ""
            p.id = ids[i]
            ws.execute("UPDATE partners SET tier = ? WHERE id = ?", (p.tier, ids[i]))


def _make_plans(ws, partners, ids, order, deals, regs, certs, logins) -> None:
    vendor = Editor("Dana Whitfield", "vendor")
    hist = History(ws)
    fy = AS_OF.year
    bounds = fiscal_quarter_bounds(fy, PROGRAM.fiscal_year_start_month)
    done_quarters = [i for i, (_, hi) in enumerate(bounds) if hi < AS_OF]
    top = [int(i) for i in order[:6] if partners[int(i)].churned_on is None][:4]

    importer = Editor("Actuals import", "vendor")

    def fill_actuals(plan_id: int, qs: list[int]) -> None:
        """Bound KPIs from the actuals, exactly as Data ▸ Refresh KPI actuals fills them;
        the others typed by the partner manager near their targets for quarters ``qs``."""
        macro, _ = bindings.refresh_macro(ws, [plan_id], editor=importer)
        if macro is not None:
            hist.run(macro)
        doc = ws.plan_document(plan_id)
        for kpi in doc.kpis:
            if kpi.metric:
                continue
            for q in qs:
                value = (kpi.targets[q] or 0) * float(
                    np.random.default_rng(kpi.id * 7 + q).uniform(0.9, 1.15))
                if kpi.unit == "percent":
                    value = min(1.0, value)  # a rate is never above 100%
                ws_value = round(float(value), 3 if kpi.unit == "percent" else 0)
                with ws.transaction(plan_id):
                    ws.write_field("kpi", kpi.id, f"actual_{QUARTERS[q]}", ws_value)

    actuals = Actuals.load(ws)
    data_start = actuals.coverage.first("deals") or AS_OF
    data_end = actuals.coverage.end("deals") or AS_OF

    def set_targets(draft, pid: int, fiscal_year: int, growth: float) -> None:
        """Targets near what the partner does: its run-rate over the demo's data (from four
        months after the data starts, once the first registrations have had time to close,
        to the data's end) plus
        the plan's stated ``growth``, ramping through the year (×0.94, 0.98, 1.02, 1.06 of
        the mean quarter). Rates stay rates: a win rate aims a few points higher, never
        above 90%; days to close aim ``growth``/2 shorter."""
        lo, hi = _days(data_start, 120), data_end
        span = (hi - lo).days + 1
        ramp = (0.94, 0.98, 1.02, 1.06)
        for g, (goal, kpis) in enumerate(draft.goals):
            for k, kpi in enumerate(kpis):
                metric = METRICS.get(kpi.metric or "")
                if metric is None:
                    continue
                value = metric.value(actuals, pid, lo, hi)
                if kpi.unit == "percent":
                    rate = 0.3 if value is None else float(value)
                    targets = [round(min(0.9, rate + 0.05 + 0.01 * q), 2) for q in range(4)]
                elif kpi.unit == "days":
                    days = 90.0 if value is None else float(value)
                    targets = [round(days * (1 - growth / 2) * (1.02 - 0.01 * q))
                               for q in range(4)]
                elif kpi.to_date == "latest quarter":  # a stock: certified people
                    stock = float(value or 0)
                    targets = [float(np.ceil(max(stock, 1) * (1 + growth * (q + 1) / 4)))
                               for q in range(4)]
                else:
                    quarter = float(value or 0) * 91.25 / span
                    digits = -3 if kpi.unit == "currency" else 0
                    floor = 5_000.0 if kpi.unit == "currency" else 1.0
                    targets = [max(floor, round(quarter * (1 + growth) * r, digits))
                               for r in ramp]
                kpis[k] = kpi.replace(**{f"target_{q}": targets[n]
                                         for n, q in enumerate(QUARTERS)})
            draft.goals[g] = (goal, kpis)
        draft.plan.executive_summary = (
            (draft.plan.executive_summary or "").rstrip()
            + f"\n\nTargets: the run-rate of {lo:%b %Y}–{hi:%b %Y} plus {growth:.0%} growth, "
              "ramping through the year.").strip()

    # 1. Closed plan of last year and the Active plan of this year for the top partner.
    plans_made = []
    for rank, (i, status) in enumerate(zip(top, ["Active", "Approved", "In review", "Draft"],
                                            strict=False)):
        p = partners[i]
        pid = ids[i]
        partner_person = f"{['Alex', 'Sam', 'Jordan', 'Robin'][rank]} " \
                         f"{['Meyer', 'Chen', 'Novak', 'Haddad'][rank]}"
        partner_editor = Editor(partner_person, "partner")
        draft = draft_from_template(ws, pid, fy, vendor_owner=p.manager,
                                    partner_owner=partner_person)
        draft.plan.vendor_sponsor = "Grace Holloway (CRO)"
        draft.plan.partner_sponsor = f"{['Ines', 'Raj', 'Kim', 'Lars'][rank]} (CEO)"
        set_targets(draft, pid, fy, _GROWTH[rank])
        cust = [f"{_CUSTOMER_WORDS[(i + k * 5) % 24]} {_INDUSTRIES[k % 8].split()[0]} Corp"
                for k in range(4)]
        draft.accounts = [TargetAccount(plan_id=0, name=c, industry=_INDUSTRIES[(i + k) % 8],
                                        region=p.region, owner_side=["vendor", "partner",
                                                                     "joint"][k % 3],
                                        stage=["Identified", "Engaged", "Opportunity",
                                               "Engaged"][k],
                                        potential=float(60_000 + 25_000 * k))
                          for k, c in enumerate(cust)]
        create = hist.run(CreatePlan(vendor, draft))
        plan_id = create.plan_id
        plans_made.append(plan_id)
        doc = ws.plan_document(plan_id)
        for side, kind, index, text in _comments(rank, p, doc):
            who = partner_editor if side == "partner" else Editor(p.manager or vendor.author,
                                                                 "vendor")
            element = (doc.goals if kind == "goal" else doc.initiatives)[index]
            hist.run(AddComment(who, plan_id, kind, element.id, text))
        if status == "Draft":
            continue
        hist.run(ChangeStatus(vendor, plan_id, "In review"))
        hist.run(SignOffPlan(vendor, plan_id, role="Partner manager"))
        if status == "In review":
            continue
        hist.run(SignOffPlan(partner_editor, plan_id, role="Alliance lead"))
        hist.run(ChangeStatus(vendor, plan_id, "Approved"))
        doc = ws.plan_document(plan_id)
        for init in doc.initiatives[:2]:
            if init.mdf_requested:
                hist.run(SetField(vendor, "initiative", init.id, "mdf_approved",
                                  init.mdf_requested))
        if status == "Approved":
            continue
        hist.run(ChangeStatus(vendor, plan_id, "Active"))
        fill_actuals(plan_id, done_quarters)
        doc = ws.plan_document(plan_id)
        # Amendments after approval, by both sides.
        hist.run(SetField(partner_editor, "kpi", doc.kpis[3].id, "target_q4",
                          (doc.kpis[3].target_q4 or 0) + 2))
        hist.run(SetField(vendor, "initiative", doc.initiatives[0].id, "status", "Done"))
        hist.run(SetField(vendor, "initiative", doc.initiatives[1].id, "status", "In progress"))
        hist.run(AddPart(partner_editor, TargetAccount(
            plan_id=plan_id, name="Polaris Retail Group", industry="Retail", region=p.region,
            owner_side="partner", stage="Opportunity", potential=140_000.0)))
    # 2. Last year's plan of the top partner, closed, and next year's rolled forward from it.
    i = top[0]
    pid = ids[i]
    last = draft_from_template(ws, pid, fy - 1, vendor_owner=partners[i].manager,
                               partner_owner="Alex Meyer")
    set_targets(last, pid, fy - 1, 0.10)
    create = hist.run(CreatePlan(vendor, last))
    old_id = create.plan_id
    partner_editor = Editor("Alex Meyer", "partner")
    hist.run(ChangeStatus(vendor, old_id, "In review"))
    hist.run(SignOffPlan(vendor, old_id))
    hist.run(SignOffPlan(partner_editor, old_id))
    hist.run(ChangeStatus(vendor, old_id, "Approved"))
    hist.run(ChangeStatus(vendor, old_id, "Active"))
    # Actuals begin in May of last year: its first quarter was never reported.
    fill_actuals(old_id, [1, 2, 3])
    hist.run(ChangeStatus(vendor, old_id, "Closed"))
    hist.run(CreatePlan(vendor, draft_rolled_forward(ws, plans_made[0])))
    _date_history(ws, fy)
    # The October exports were imported this morning: every open plan's bound KPIs were
    # refreshed from them, one entry per plan under the import.
    command, _ = bindings.refresh_macro(ws, as_of=AS_OF, editor=importer)
    if command is not None:
        command.at = f"{AS_OF.isoformat()} 08:31:00"
        hist.run(command)


#: Growth over the run-rate each plan of this year states, by the partner's rank.
_GROWTH = (0.15, 0.12, 0.20, 0.10)


def _comments(rank: int, partner: Partner, doc) -> list[tuple[str, str, int, str]]:
    """The comment thread of one plan: (side, element kind, index, text), written for
    that partner and plan."""
    goal = doc.goals[0].title
    webinar = doc.initiatives[0].title
    bootcamp = doc.initiatives[1].title if len(doc.initiatives) > 1 else webinar
    kpi = doc.kpis[0]
    q1 = f"{(kpi.target_q1 or 0):,.0f}"
    threads = [
        [("partner", "goal", 0, f"Q1 is light for {partner.name}: our new sellers start in "
          f"February. Can we move part of the Q1 target ({q1}) for '{goal}' into Q3?"),
         ("vendor", "goal", 0, "Agreed in principle; we keep the annual number and revisit "
          "the split at the Q1 QBR."),
         ("partner", "initiative", 0, f"For '{webinar}' we need MDF approved before the end "
          "of January to book the venue.")],
        [("vendor", "initiative", 1, f"{partner.name}: can you name the six people for "
          f"'{bootcamp}'? The February cohort closes on the 20th."),
         ("partner", "initiative", 1, "Four from sales, two pre-sales; names by Friday.")],
        [("partner", "goal", 0, f"'{goal}' assumes the {partner.region} public-sector "
          "tender lands in Q2. If it slips, we would rather re-phase than cut the target."),
         ("vendor", "goal", 0, "Fine with re-phasing; flag it at the Q2 review."),
         ("partner", "initiative", 0, f"'{webinar}': we would co-host with a customer "
          "speaker if you can cover the platform fee.")],
        [("vendor", "goal", 0, f"Draft for {partner.name}: the targets are last year's "
          "run-rate plus 10%. Tell us where that looks wrong before we send it for review.")],
    ]
    return threads[rank % len(threads)]


def _date_history(ws: Workspace, fy: int) -> None:
    """Give the plans' history the dates it would have had: each plan's revisions,
    comments and sign-offs spread, in the order they were made, over the weeks that plan
    was worked on — every one on or before the demo's "today" (the generator ran in a
    second of real time; real edits keep real time)."""
    windows = {}
    for plan in ws.plans():
        if plan.fiscal_year < fy:
            lo, hi = dt.datetime(fy - 2, 12, 1, 9), dt.datetime(fy - 1, 12, 18, 17)
        elif plan.fiscal_year > fy:
            lo, hi = dt.datetime(fy, 11, 2, 9), dt.datetime(fy, 11, 13, 17)
        else:
            lo, hi = dt.datetime(fy - 1, 12, 1, 9), dt.datetime(fy, 11, 13, 17)
        windows[plan.id] = (lo, hi)
    with ws.transaction():
        for plan_id, (lo, hi) in windows.items():
            events = [("revisions", "at", r[0], r[1]) for r in ws.rows(
                "SELECT id, at FROM revisions WHERE plan_id = ?", (plan_id,))]
            events += [("comments", "created_at", r[0], r[1]) for r in ws.rows(
                "SELECT id, created_at FROM comments WHERE plan_id = ?", (plan_id,))]
            events += [("signoffs", "signed_at", r[0], r[1]) for r in ws.rows(
                "SELECT id, signed_at FROM signoffs WHERE plan_id = ?", (plan_id,))]
            events.sort(key=lambda e: (e[3], e[0] != "revisions", e[2]))
            # Planning (drafting, comments, sign-off) takes the first ten weeks; what
            # follows the first refresh of actuals (amendments) spreads over the rest.
            refreshed = ws.rows("SELECT MIN(id) FROM revisions WHERE plan_id = ? AND "
                                "action = 'refresh'", (plan_id,))[0][0]
            split = next((k for k, e in enumerate(events)
                          if e[0] == "revisions" and e[2] == refreshed), len(events))
            planning_end = min(hi, lo + dt.timedelta(days=70))
            for k, (table, col, row_id, _) in enumerate(events):
                if k < split:
                    when = lo + (planning_end - lo) * (k / max(1, split))
                else:
                    start = lo + (hi - lo) * 0.6
                    when = start + (hi - start) * ((k - split) / max(1, len(events) - split))
                ws.execute(f"UPDATE {table} SET {col} = ? WHERE id = ?",
                           (when.replace(microsecond=0).isoformat(sep=" "), row_id))
            approved = ws.rows("SELECT at FROM revisions WHERE plan_id = ? AND field = "
                               "'status' AND new = '\"Approved\"' ORDER BY id LIMIT 1",
                               (plan_id,))
            if approved:
                ws.execute("UPDATE plans SET approved_at = ? WHERE id = ?",
                           (approved[0][0], plan_id))
