"""The workspace schema and its migrations.

``MIGRATIONS[n]`` takes a workspace from schema ``n`` to ``n + 1``; a new workspace runs them
all. Never edit a migration that has shipped: add one.
"""

from __future__ import annotations

#: PRAGMA application_id of a JBP Studio workspace ("JBPS").
APPLICATION_ID = 0x4A425053

_V1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);

CREATE TABLE program (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL, currency TEXT NOT NULL, influence_weight REAL NOT NULL,
    review_months INTEGER NOT NULL, rag_green REAL NOT NULL, rag_amber REAL NOT NULL,
    fiscal_year_start_month INTEGER NOT NULL, direct_cac REAL
);
CREATE TABLE tiers (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, rank INTEGER NOT NULL UNIQUE,
    min_sourced_revenue REAL NOT NULL, min_certifications INTEGER NOT NULL,
    min_new_logos INTEGER NOT NULL, margin REAL NOT NULL, rebate REAL NOT NULL,
    lead_sharing INTEGER NOT NULL, mdf_eligible INTEGER NOT NULL,
    priority_support INTEGER NOT NULL
);
CREATE TABLE partners (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, type TEXT NOT NULL, region TEXT NOT NULL,
    signup_date TEXT NOT NULL, activated_on TEXT, ipp_fit REAL, certifications TEXT,
    tier TEXT, churned_on TEXT, manager TEXT
);
CREATE UNIQUE INDEX partners_name ON partners(name);

CREATE TABLE plans (
    id INTEGER PRIMARY KEY,
    partner_id INTEGER NOT NULL REFERENCES partners(id) ON DELETE RESTRICT,
    title TEXT NOT NULL, fiscal_year INTEGER NOT NULL, status TEXT NOT NULL,
    vendor_owner TEXT, partner_owner TEXT, vendor_sponsor TEXT, partner_sponsor TEXT,
    executive_summary TEXT,
    version INTEGER NOT NULL DEFAULT 0,
    baseline TEXT, approved_at TEXT
);
CREATE TABLE goals (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    title TEXT NOT NULL, description TEXT, position INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE kpis (
    id INTEGER PRIMARY KEY,
    goal_id INTEGER NOT NULL REFERENCES goals(id) ON DELETE CASCADE,
    name TEXT NOT NULL, kind TEXT NOT NULL, unit TEXT NOT NULL, direction TEXT NOT NULL,
    target_q1 REAL, target_q2 REAL, target_q3 REAL, target_q4 REAL,
    actual_q1 REAL, actual_q2 REAL, actual_q3 REAL, actual_q4 REAL,
    metric TEXT, position INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE initiatives (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    title TEXT NOT NULL, type TEXT NOT NULL, owner_side TEXT NOT NULL, owner TEXT,
    start_date TEXT, end_date TEXT, status TEXT NOT NULL,
    mdf_requested REAL, mdf_approved REAL, mdf_claimed REAL, goal_ids TEXT,
    position INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    name TEXT NOT NULL, industry TEXT, region TEXT, owner_side TEXT NOT NULL,
    stage TEXT NOT NULL, potential REAL, notes TEXT, position INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE rules (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    topic TEXT NOT NULL, rule TEXT NOT NULL, position INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE risks (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    description TEXT NOT NULL, likelihood TEXT NOT NULL, impact TEXT NOT NULL,
    mitigation TEXT, owner_side TEXT NOT NULL, position INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE comments (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    element_kind TEXT NOT NULL, element_id INTEGER NOT NULL,
    author TEXT NOT NULL, side TEXT NOT NULL, text TEXT NOT NULL,
    created_at TEXT NOT NULL, resolved INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE signoffs (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    name TEXT NOT NULL, side TEXT NOT NULL, role TEXT, signed_at TEXT NOT NULL
);
CREATE TABLE revisions (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    author TEXT NOT NULL, side TEXT NOT NULL, at TEXT NOT NULL,
    element_kind TEXT NOT NULL, element_id INTEGER NOT NULL, field TEXT NOT NULL,
    old TEXT, new TEXT, action TEXT NOT NULL DEFAULT 'edit'
);
CREATE INDEX revisions_plan ON revisions(plan_id, id);

CREATE TABLE imports (
    id INTEGER PRIMARY KEY, kind TEXT NOT NULL, file TEXT NOT NULL, imported_at TEXT NOT NULL,
    rows_taken INTEGER NOT NULL, rows_rejected INTEGER NOT NULL, rows_duplicate INTEGER NOT NULL
);
CREATE TABLE deals (
    id INTEGER PRIMARY KEY, natural_key TEXT NOT NULL UNIQUE, ext_id TEXT,
    partner_id INTEGER NOT NULL REFERENCES partners(id),
    customer TEXT NOT NULL, amount REAL NOT NULL, recurring INTEGER NOT NULL,
    close_date TEXT NOT NULL, created_date TEXT,
    attribution TEXT NOT NULL CHECK (attribution IN ('sourced', 'influenced')),
    import_id INTEGER REFERENCES imports(id)
);
CREATE INDEX deals_partner ON deals(partner_id, close_date);
CREATE TABLE registrations (
    id INTEGER PRIMARY KEY, natural_key TEXT NOT NULL UNIQUE, ext_id TEXT,
    partner_id INTEGER NOT NULL REFERENCES partners(id),
    reg_date TEXT NOT NULL, value REAL, status TEXT NOT NULL, conflict INTEGER NOT NULL,
    import_id INTEGER REFERENCES imports(id)
);
CREATE TABLE logins (
    id INTEGER PRIMARY KEY, natural_key TEXT NOT NULL UNIQUE,
    partner_id INTEGER NOT NULL REFERENCES partners(id),
    login_date TEXT NOT NULL, user TEXT NOT NULL,
    import_id INTEGER REFERENCES imports(id)
);
CREATE TABLE certifications (
    id INTEGER PRIMARY KEY, natural_key TEXT NOT NULL UNIQUE,
    partner_id INTEGER NOT NULL REFERENCES partners(id),
    person TEXT NOT NULL, course TEXT NOT NULL, cert_date TEXT NOT NULL,
    import_id INTEGER REFERENCES imports(id)
);
CREATE TABLE mdf (
    id INTEGER PRIMARY KEY, natural_key TEXT NOT NULL UNIQUE, ext_id TEXT,
    partner_id INTEGER NOT NULL REFERENCES partners(id),
    kind TEXT NOT NULL CHECK (kind IN ('request', 'claim')),
    mdf_date TEXT NOT NULL, amount REAL NOT NULL, status TEXT NOT NULL, activity TEXT,
    import_id INTEGER REFERENCES imports(id)
);
CREATE TABLE program_costs (
    id INTEGER PRIMARY KEY, month TEXT NOT NULL, category TEXT NOT NULL
        CHECK (category IN ('people', 'enablement', 'overhead', 'recruitment')),
    amount REAL NOT NULL, partner_id INTEGER REFERENCES partners(id)
);
"""

_V2 = """
CREATE TABLE scenarios (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, params TEXT NOT NULL,
    results BLOB, results_stale INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, position INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE import_mappings (
    source TEXT PRIMARY KEY, kind TEXT NOT NULL, mapping TEXT NOT NULL, updated_at TEXT NOT NULL
);
"""

_V3 = """
ALTER TABLE kpis ADD COLUMN to_date TEXT NOT NULL DEFAULT 'sum of quarters'
"""

# Metrics read whole actuals tables (pandas), never deals by partner: the partner/date index
# only cost every import a sixth of its time.
_V4 = """
DROP INDEX IF EXISTS deals_partner
"""

# Partners the user brings (issue 11): the source's account id (what a re-import matches
# on), a normalised name that name lookups use through an index (``COLLATE NOCASE`` on a
# lookup cannot use the unique index on ``name``), an archived flag, and a log of the
# program's, tiers', partners' and costs' changes (the plans' ``revisions`` need a plan).
# The name key is generated by SQLite (``lower(trim(name))``; names are stored with their
# spaces tidied), so no writer can forget it.
_V_PARTNERS = """
ALTER TABLE partners ADD COLUMN source_id TEXT;
ALTER TABLE partners ADD COLUMN name_key TEXT GENERATED ALWAYS AS (lower(trim(name))) VIRTUAL;
ALTER TABLE partners ADD COLUMN archived INTEGER NOT NULL DEFAULT 0;
CREATE INDEX partners_name_key ON partners(name_key);
CREATE UNIQUE INDEX partners_source_id ON partners(source_id)
    WHERE source_id IS NOT NULL AND source_id != '';
CREATE TABLE program_revisions (
    id INTEGER PRIMARY KEY, author TEXT NOT NULL, side TEXT NOT NULL, at TEXT NOT NULL,
    element_kind TEXT NOT NULL, element_id TEXT NOT NULL, field TEXT NOT NULL,
    old TEXT, new TEXT, action TEXT NOT NULL DEFAULT 'edit'
);
CREATE INDEX program_revisions_element ON program_revisions(element_kind, element_id, id)
"""

# Coverage (issue 10): the day an export was extracted, when the user gives it at import.
# A source's data is complete through the later of its last row's date and this date, so a
# file extracted on the 14th whose last deal closed on the 10th says "no deals 11th-14th".
_V_COVERAGE = """
ALTER TABLE imports ADD COLUMN extract_date TEXT
"""

# Imports of real exports: a partner as a source spells it, confirmed once by the user, maps
# to a workspace partner on every later import (value maps and filters live in the saved
# mapping's JSON, import_mappings.mapping).
_V_IMPORT_MAPS = """
CREATE TABLE IF NOT EXISTS partner_aliases (
    alias TEXT PRIMARY KEY,
    spelled TEXT NOT NULL,
    partner_id INTEGER NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL
)
"""

# Issue 12 (names): a partner's column "certifications" held its competencies (Security;
# Data), not certifications (those are the actuals table of that name).
_V_COMPETENCIES = """
ALTER TABLE partners RENAME COLUMN certifications TO competencies
"""

# Issue 17 (20,000 partners): the scorecard asks SQLite for the per-partner counts of the
# large activity tables (logins, registrations) instead of loading their rows, and a bound
# KPI or a trend chart reads one partner's rows; both walk these indexes (partner, then
# date; the registration's status rides along so a win rate needs no table lookup).
_V_ACTIVITY_INDEXES = """
CREATE INDEX IF NOT EXISTS logins_partner_day ON logins(partner_id, login_date);
CREATE INDEX IF NOT EXISTS registrations_partner_day
    ON registrations(partner_id, reg_date, status)
"""

#: MIGRATIONS[n] turns schema n into schema n + 1 (index 0 creates schema 1).
MIGRATIONS: list[str] = [_V1, _V2, _V3, _V4, _V_PARTNERS, _V_COVERAGE, _V_IMPORT_MAPS,
                         _V_COMPETENCIES, _V_ACTIVITY_INDEXES]
CURRENT_VERSION = len(MIGRATIONS)
