"""What each kind of actuals needs from a file: its fields (targets), their synonyms and
choices, the key used when a row has no record id, and the date formats."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import kinds as _kinds
from ..errors import JbpError

if TYPE_CHECKING:
    pass

#: Rows per chunk when writing (progress and cancellation are checked between chunks).
CHUNK = 10_000
#: Earliest and latest plausible year of a date in an export.
YEAR_RANGE = (1990, 2100)

class ImportFileError(JbpError):
    """The file cannot be imported at all (unreadable, empty, a required column missing).

    The message names the file and the reason; nothing was written."""

    def __init__(self, path: object, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{Path(self.path).name}: {reason}")


# --------------------------------------------------------------------------- what each kind needs


@dataclass(frozen=True)
class Target:
    """A field of the actuals the file must (or may) provide.

    ``type``: id (record id), partner, text, money (amount ≥ 0 in the workspace currency),
    date, bool, enum (one of ``choices``, synonyms accepted), currency (must be the
    workspace's). ``synonyms``: header names (normalised: lower case, words) that map to it.
    """

    name: str
    label: str
    type: str
    required: bool = False
    synonyms: tuple[str, ...] = ()
    # (accepted text lower-case, stored value: the enum's text, or a flag for a yes/no enum)
    choices: tuple[tuple[str, str | bool], ...] = ()
    default: Any = None

    @property
    def choice_map(self) -> dict[str, Any]:
        return dict(self.choices)


_PARTNER = Target("partner", "Partner", "partner", True, (
    "partner", "partner name", "partner id", "partner account", "channel partner", "reseller",
    "reseller name", "partner company", "company partner", "organisation", "organization",
    "partner account name", "partner company name", "partner organization", "channel account",
    "partner account id", "company", "company name", "account name", "account"))
_CURRENCY = Target("currency", "Currency", "currency", False, ("currency", "currency code",
                                                               "curr", "ccy"))
_YES = ("yes", "y", "true", "1", "x", "conflict", "flagged")
_NO = ("no", "n", "false", "0", "", "none", "no conflict")

_TARGETS: dict[str, tuple[Target, ...]] = {
    "deals": (
        Target("ext_id", "Deal ID", "id", False, (
            "deal id", "opportunity id", "opp id", "id", "record id", "deal number",
            "opportunity number", "crm id", "deal")),
        _PARTNER,
        Target("customer", "Customer", "text", True, (
            "customer", "customer name", "account", "account name", "end customer",
            "company", "client", "end user")),
        Target("amount", "Amount", "money", True, (
            "amount", "deal amount", "value", "deal value", "arr", "acv", "revenue",
            "booking", "bookings", "total", "amount usd", "price")),
        Target("recurring", "ARR or one-off", "enum", False, (
            "arr or one off", "revenue type", "recurring", "billing", "billing type",
            "deal type", "type", "contract type", "recurrence"),
            choices=(("arr", True), ("recurring", True), ("subscription", True),
                     ("saas", True), ("yes", True), ("true", True), ("1", True),
                     ("one-off", False), ("one off", False), ("oneoff", False),
                     ("one-time", False), ("one time", False), ("onetime", False),
                     ("services", False), ("perpetual", False), ("non-recurring", False),
                     ("no", False), ("false", False), ("0", False)),
            default=True),
        Target("close_date", "Close date", "date", True, (
            "close date", "closed date", "date closed", "won date", "closed on", "close",
            "date", "booking date")),
        Target("created_date", "Created date", "date", False, (
            "created date", "create date", "created", "created on", "opened",
            "registered date", "registration date", "open date")),
        Target("attribution", "Sourced or influenced", "enum", True, (
            "sourced or influenced", "attribution", "source", "deal source", "partner role",
            "origin", "partner involvement", "involvement", "sourced influenced", "role",
            "partner type on deal", "partner contribution"),
            choices=(("sourced", "sourced"), ("partner sourced", "sourced"),
                     ("partner-sourced", "sourced"), ("source", "sourced"),
                     ("originated", "sourced"), ("registered", "sourced"),
                     ("influenced", "influenced"), ("partner influenced", "influenced"),
                     ("partner-influenced", "influenced"), ("influence", "influenced"),
                     ("co-sell", "influenced"), ("cosell", "influenced"),
                     ("assist", "influenced"), ("assisted", "influenced"))),
        _CURRENCY,
    ),
    "registrations": (
        Target("ext_id", "Registration ID", "id", False, (
            "registration id", "reg id", "deal registration id", "id", "record id",
            "registration number", "registration")),
        _PARTNER,
        Target("reg_date", "Registration date", "date", True, (
            "registration date", "registered on", "registered", "reg date", "date",
            "submitted", "submitted on", "submission date", "created date", "created")),
        Target("value", "Value", "money", False, (
            "value", "deal value", "amount", "estimated value", "est value",
            "expected value", "opportunity value")),
        Target("status", "Status", "enum", True, ("status", "stage", "state",
                                                   "registration status"),
               choices=(
                   *((s, s) for s in ("submitted", "pending", "approved", "rejected", "won",
                                      "lost", "expired")),
                   ("closed won", "won"), ("closed-won", "won"), ("closed lost", "lost"),
                   ("closed-lost", "lost"), ("accepted", "approved"), ("declined", "rejected"),
                   ("denied", "rejected"), ("under review", "pending"), ("new", "submitted"),
                   ("open", "approved"))),
        Target("conflict", "Conflict flag", "bool", False, (
            "conflict", "channel conflict", "conflict flag", "conflicted", "has conflict",
            "in conflict"), default=False),
        _CURRENCY,
    ),
    "logins": (
        _PARTNER,
        Target("login_date", "Login date", "date", True, (
            "login date", "date", "login time", "timestamp", "logged in", "logged in at",
            "last login", "login", "session date", "time")),
        Target("user", "User", "text", True, (
            "user", "email", "user email", "username", "user name", "login email", "person",
            "contact", "user id")),
    ),
    "certifications": (
        _PARTNER,
        Target("person", "Person", "text", True, (
            "person", "name", "learner", "learner name", "user", "email", "student",
            "employee", "full name", "contact")),
        Target("course", "Course", "text", True, (
            "course", "certification", "certificate", "exam", "track", "course name",
            "certification name", "learning path")),
        Target("cert_date", "Completion date", "date", True, (
            "completion date", "date", "completed", "completed on", "certified on",
            "passed on", "awarded", "cert date", "certification date", "date completed")),
    ),
    "mdf": (
        Target("ext_id", "MDF ID", "id", False, (
            "mdf id", "request id", "claim id", "id", "fund request id", "record id",
            "reference")),
        _PARTNER,
        Target("kind", "Request or claim", "enum", True, (
            "request or claim", "kind", "type", "record type", "mdf type", "transaction type"),
            choices=(("request", "request"), ("requests", "request"),
                     ("fund request", "request"), ("pre-approval", "request"),
                     ("preapproval", "request"), ("claim", "claim"), ("claims", "claim"),
                     ("reimbursement", "claim"), ("proof of performance", "claim"))),
        Target("mdf_date", "Date", "date", True, (
            "date", "request date", "claim date", "submitted", "submitted on",
            "submission date", "created date")),
        Target("amount", "Amount", "money", True, (
            "amount", "requested amount", "claimed amount", "claim amount", "value", "funds")),
        Target("status", "Status", "enum", True, ("status", "state", "approval status"),
               choices=(
                   *((s, s) for s in ("submitted", "pending", "approved", "rejected", "paid",
                                      "cancelled")),
                   ("reimbursed", "paid"), ("declined", "rejected"), ("denied", "rejected"),
                   ("canceled", "cancelled"), ("accepted", "approved"),
                   ("under review", "pending"))),
        Target("activity", "Activity", "text", False, (
            "activity", "campaign", "activity name", "description", "program",
            "activity type")),
        _CURRENCY,
    ),
}

#: Fields (in order) of the key used when a row has no record id.
_FALLBACK: dict[str, tuple[str, ...]] = {
    "deals": ("partner_id", "customer", "close_date", "amount", "attribution", "#"),
    "registrations": ("partner_id", "reg_date", "value", "#"),
    "logins": ("partner_id", "login_date", "user", "#"),
    "certifications": ("partner_id", "person", "course"),
    "mdf": ("partner_id", "kind", "mdf_date", "amount", "activity", "#"),
}

DATE_FORMATS = {
    "auto": "detect (YYYY-MM-DD, DD/MM/YYYY, MM/DD/YYYY, DD.MM.YYYY)",
    "%Y-%m-%d": "YYYY-MM-DD",
    "%d/%m/%Y": "DD/MM/YYYY",
    "%m/%d/%Y": "MM/DD/YYYY",
    "%d.%m.%Y": "DD.MM.YYYY",
    "%Y/%m/%d": "YYYY/MM/DD",
}

#: How amounts write their decimals: detected from the values, or as the mapping says.
DECIMALS = {
    "auto": "detect from the values",
    ".": "1,234.56 (decimal point)",
    ",": "1.234,56 (decimal comma)",
}


def targets(kind: str) -> tuple[Target, ...]:
    """The fields of ``kind``; a :class:`JbpError` naming the known kinds otherwise."""
    if kind not in KIND_SPECS and kind in SPECS:
        # A kind known by its targets only (jbp.import_partners' partner lists and costs,
        # which have their own prepare and commit): the mapping steps still serve it.
        return SPECS[kind]
    return kind_spec(kind).targets


# --------------------------------------------------------------------------- the registry


@dataclass(frozen=True)
class KindSpec:
    """One kind a file can be imported as: everything the steps need to know about it.

    ``columns``: the stored columns, in the order :func:`~jbp.importers.checking.prepare`
    builds each record (a target's name, ``partner_id`` for the partner target).
    ``fallback_key``: the fields of the natural key of a row without a record id ("#": the
    row's occurrence number among rows with the same other fields), ``key_prefix`` put in
    front of it. ``commit``: writes a prepared import, ``commit(ws, prepared, *, records,
    keys, updates, import_id, state) -> (inserted, updated)`` inside the import's
    transaction; None writes the actuals table called ``name``. ``stored_rows``:
    ``stored_rows(ws, kind, keys, state) -> {natural_key: stored record}``; None reads the
    actuals table called ``name``.
    """

    name: str
    label: str
    targets: tuple[Target, ...]
    columns: tuple[str, ...]
    fallback_key: tuple[str, ...]
    key_prefix: str = ""
    commit: Callable[..., tuple[int, int]] | None = None
    stored_rows: Callable[..., dict[str, tuple]] | None = None


#: Every kind a file can be imported as, in the order the app lists them.
KIND_SPECS: dict[str, KindSpec] = {}
#: Their names and labels (kept in step with :data:`KIND_SPECS` by :func:`register_kind`).
KINDS: list[str] = []
KIND_LABELS: dict[str, str] = {}
SPECS: dict[str, tuple[Target, ...]] = {}
FALLBACK_KEYS: dict[str, tuple[str, ...]] = {}


def register_kind(spec: KindSpec) -> KindSpec:
    """Make ``spec`` importable by every face (CLI ``--kind``, the wizard, ``run_import``)."""
    KIND_SPECS[spec.name] = spec
    if spec.name not in KINDS:
        KINDS.append(spec.name)
    KIND_LABELS[spec.name] = spec.label
    SPECS[spec.name] = spec.targets
    FALLBACK_KEYS[spec.name] = spec.fallback_key
    return spec


def kind_spec(kind: str) -> KindSpec:
    try:
        return KIND_SPECS[kind]
    except KeyError:
        raise JbpError(f"unknown kind of actuals {kind!r}; choose one of: "
                       f"{', '.join(KINDS)}") from None


# The actuals kinds: names, labels and stored columns come from jbp.kinds (one registry).
# A kind listed there whose targets live in another module registers itself from it.
for _name in _kinds.IMPORTABLE:
    if _name not in _TARGETS:
        continue
    _k = _kinds.KINDS[_name]
    register_kind(KindSpec(_name, _k.label, _TARGETS[_name], _k.columns, _FALLBACK[_name],
                           {"deals": "deal|", "registrations": "reg|", "mdf": "mdf|"}
                           .get(_name, "")))

#: Modules (dotted names) that register more kinds with :func:`register_kind` when imported
#: (e.g. partners, costs). Imported here, so every face lists them; at import time such a
#: module uses only this module (no pandas), as the CLI builds its parser from the registry.
EXTRA_KIND_MODULES: tuple[str, ...] = ()

for _module in EXTRA_KIND_MODULES:
    importlib.import_module(_module)
