"""Editing the partner program: its settings, its tiers and its costs, as undoable commands.

Every command checks the whole program after the change (``Program.check``: amber at or
below green, tier thresholds that rise with the rank, margin plus rebate at most 100%), so a
refused value never reaches the workspace; it writes the change and a row of the program's
change log (``program_revisions``) in one transaction, and its undo does the same.

:func:`tier_preview` says, before a tier change is applied, which of today's partners it
moves up or down (their standing by the scorecard's rules: T12M sourced revenue, certified
people, net new logos).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, cast

from . import store
from .commands import Command, Editor
from .errors import ValidationError
from .model import Program, Tier
from .store import Workspace

#: The categories of program costs ROPI's investment counts (docs/metrics.md), with what
#: belongs in each.
COST_CATEGORIES: dict[str, str] = {
    "people": "partner managers, channel sales and partner-operations staff",
    "enablement": "training, certification exams, the learning platform",
    "overhead": "PRM and tools licences, partner events, program administration",
    "recruitment": "finding and signing new partners (campaigns, recruitment agencies)",
}
#: Program settings a user edits (every field of the program).
PROGRAM_FIELDS = tuple(f.name for f in Program.FIELDS)
#: Tier fields a user edits (the rank orders the tiers and is changed by adding/removing).
TIER_FIELDS = tuple(f.name for f in Tier.FIELDS if f.name != "rank")


def _log(ws: Workspace, editor: Editor, kind: str, element_id: Any, field: str, old: Any,
         new: Any, action: str) -> None:
    store.add_program_revision(ws, editor.author, editor.side, kind, element_id, field, old,
                               new, action)


def _currency(value: Any) -> str:
    text = str(value or "").strip().upper()
    if len(text) != 3 or not text.isalpha() or not text.isascii():
        raise ValidationError("Currency", f"{value!r} is not a three-letter ISO 4217 code "
                              "such as USD, EUR or GBP", element="Program")
    return text


def field_name(cls: Any, names: Any, given: str, what: str) -> str:
    """The field ``given`` names, by its name (``fiscal_year_start_month``) or its label as
    the pages and ``jbp program show`` print it ("Fiscal year starts"), case and spacing
    aside; else a ValidationError listing the names."""
    key = " ".join(str(given).replace("_", " ").split()).lower()
    for name in names:
        if key in (name.replace("_", " "), cls.field(name).label.lower()):
            return str(name)
    raise ValidationError(str(given), f"is not {what}; use one of: {', '.join(names)}",
                          element=cls.__name__)


class SetProgramField(Command):
    """Change one program setting. The currency changes only while no amount is stored:
    a workspace holds one currency, and amounts are never converted behind the user's back."""

    def __init__(self, editor: Editor, field: str, value: Any):
        field = field_name(Program, PROGRAM_FIELDS, field, "a program setting")
        f = Program.field(field)
        if field == "fiscal_year_start_month":  # "April" as jbp new takes it, or 4
            from .setup import parse_month

            value = parse_month(value)
        value = _currency(value) if field == "currency" else f.coerce(value, element="Program")
        self.editor, self.field, self.value = editor, field, value
        self.old: Any = None
        self.plan_id = 0
        self.text = f"Edit program {f.label.lower()}"

    def _set(self, ws: Workspace, value: Any, action: str) -> None:
        f = Program.field(self.field)
        with ws.transaction():
            program = ws.program()
            old = getattr(program, self.field)
            if self.field == "currency" and value != old and store.holds_amounts(ws):
                raise ValidationError(
                    "Currency", f"the workspace holds amounts in {old}; its currency is chosen "
                    "when it is created (make a new workspace for another currency)",
                    element="Program")
            changed = Program(**{**program.values(), self.field: value},
                              tiers=list(program.tiers))  # checks the whole program
            store.write_program(ws, changed)
            _log(ws, self.editor, "program", 1, self.field, f.to_store(old), f.to_store(value),
                 action)
        if action == "edit":
            self.old = old
        ws.notify("program")

    def do(self, ws: Workspace) -> None:
        self._set(ws, self.value, "edit")

    def undo(self, ws: Workspace) -> None:
        self._set(ws, self.old, "undo")


def _with_tier(program: Program, name: str, field: str, value: Any) -> Program:
    if program.tier(name) is None:
        raise ValidationError("Tier", f"no tier named {name!r}", element="Tier")
    tiers = [t.replace(**{field: value}) if t.name == name else t for t in program.tiers]
    return Program(**program.values(), tiers=tiers)


def changed_tier_program(program: Program, tier: str, field: str, value: Any) -> Program:
    """The program with one tier field changed, checked as a whole (raises
    :class:`ValidationError` for thresholds that do not rise, margin plus rebate over 100%)."""
    field = field_name(Tier, TIER_FIELDS, field, "an editable tier field")
    value = Tier.field(field).coerce(value, element="Tier")
    return _with_tier(program, tier, field, value)


class SetTierField(Command):
    """Change one field of one tier (thresholds, margin, rebate, benefits, name)."""

    def __init__(self, editor: Editor, tier: str, field: str, value: Any):
        field = field_name(Tier, TIER_FIELDS, field, "an editable tier field")
        f = Tier.field(field)
        self.editor, self.tier, self.field = editor, tier, field
        self.value = f.coerce(value, element="Tier")
        self.old: Any = None
        self.plan_id = 0
        self.text = f"Edit tier {tier} {f.label.lower()}"

    def _set(self, ws: Workspace, name: str, value: Any, action: str) -> None:
        f = Tier.field(self.field)
        with ws.transaction():
            program = ws.program()
            current = program.tier(name)
            if current is None:
                raise ValidationError("Tier", f"no tier named {name!r}", element="Tier")
            old = getattr(current, self.field)
            changed = _with_tier(program, name, self.field, value)
            store.write_program(ws, changed)
            if self.field == "name" and value != old:  # partners hold the tier by name
                ws.execute("UPDATE partners SET tier = ? WHERE tier = ?", (value, old))
            _log(ws, self.editor, "tier", current.rank, self.field, f.to_store(old),
                 f.to_store(value), action)
        if action == "edit":
            self.old = old
        ws.notify("program")

    def do(self, ws: Workspace) -> None:
        self._set(ws, self.tier, self.value, "edit")

    def undo(self, ws: Workspace) -> None:
        name = self.value if self.field == "name" else self.tier
        self._set(ws, name, self.old, "undo")


class SetProgram(Command):
    """Replace the whole program and tiers (a tier template, a review of all tiers)."""

    def __init__(self, editor: Editor, program: Program, text: str = "Replace the tiers"):
        Program(**program.values(), tiers=list(program.tiers))
        self.editor, self.program, self.text = editor, program, text
        self.old: Program | None = None
        self.plan_id = 0

    def _set(self, ws: Workspace, program: Program, action: str) -> None:
        with ws.transaction():
            old = ws.program()
            if program.currency != old.currency and store.holds_amounts(ws):
                raise ValidationError("Currency", f"the workspace holds amounts in "
                                      f"{old.currency}", element="Program")
            store.write_program(ws, program)
            _log(ws, self.editor, "program", 1, "*", _snapshot(old), _snapshot(program), action)
        if action == "edit":
            self.old = old
        ws.notify("program")

    def do(self, ws: Workspace) -> None:
        self._set(ws, self.program, "edit")

    def undo(self, ws: Workspace) -> None:
        assert self.old is not None
        self._set(ws, self.old, "undo")


def _snapshot(program: Program) -> dict[str, Any]:
    return {**{f.name: f.to_store(getattr(program, f.name)) for f in Program.FIELDS},
            "tiers": [{f.name: f.to_store(getattr(t, f.name)) for f in Tier.FIELDS}
                      for t in program.tiers_by_rank()]}


# --------------------------------------------------------------------------- costs


_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august",
                "september", "october", "november", "december")
_NUMERIC_MONTH = re.compile(r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})|(?P<m2>\d{1,2})[-/.](?P<y2>\d{4})")
_NAMED_MONTH = re.compile(r"(?P<name>[A-Za-z]{3,9})\.?[-\s/']*(?P<y>\d{4}|\d{2})")


def month_of_text(text: str) -> dt.date | None:
    """The first day of a month written as a month alone, as finance exports write it:
    ``2026-03``, ``2026/03``, ``03/2026``, ``Mar-2026``, ``Mar-26`` (Excel's mmm-yy),
    ``Mar 2026``, ``March 2026``; ``None`` for anything else (a full date included)."""
    text = " ".join(str(text).split())
    m = _NUMERIC_MONTH.fullmatch(text)
    if m:
        year, month = int(m["y"] or m["y2"]), int(m["m"] or m["m2"])
    else:
        m = _NAMED_MONTH.fullmatch(text)
        if not m:
            return None
        # an English month name or its first three (or more) letters: Mar, Sept, March
        name = m["name"].lower()
        names = [n for n in _MONTH_NAMES if n.startswith(name)]
        if len(name) < 3 or len(names) != 1:
            return None
        month = _MONTH_NAMES.index(names[0]) + 1
        year = int(m["y"]) + (2000 if len(m["y"]) == 2 else 0)
    if not 1 <= month <= 12 or not 1990 <= year <= 2100:
        return None
    return dt.date(year, month, 1)


def month_start(value: Any) -> dt.date:
    """The first day of the month of ``value``: a date, ISO text such as 2026-03-15, or a
    month alone as :func:`month_of_text` reads it (2026-03, Mar-2026, March 2026)."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.replace(day=1)
    text = str(value).strip()
    month = month_of_text(text)
    if month is not None:
        return month
    try:
        return dt.date.fromisoformat(text[:10]).replace(day=1)
    except ValueError:
        raise ValidationError("Month", f"{value!r} is not a month (YYYY-MM, Mar-2026 or "
                              "March 2026)") from None


def _category(value: Any) -> str:
    text = str(value or "").strip().lower()
    if text not in COST_CATEGORIES:
        raise ValidationError("Category", f"{value!r} is not one of: "
                              f"{', '.join(COST_CATEGORIES)}", element="Program cost")
    return text


class SetCost(Command):
    """Set the program-wide cost of one month and category (replacing what was there;
    0 removes it). Partner-specific rows of that month stay as they are."""

    def __init__(self, editor: Editor, month: Any, category: str, amount: Any,
                 partner_id: int | None = None):
        self.editor = editor
        self.month = month_start(month).isoformat()
        self.category = _category(category)
        try:
            self.amount = float(str(amount).replace(",", "")) if amount not in (None, "") \
                else 0.0
        except ValueError:
            raise ValidationError("Amount", f"{amount!r} is not a number",
                                  element="Program cost") from None
        if self.amount < 0 or self.amount != self.amount:
            raise ValidationError("Amount", "must be 0 or more", element="Program cost")
        self.partner_id = partner_id
        self.old: list[tuple[int, float]] = []
        self.plan_id = 0
        self.text = f"Set {self.category} cost {self.month[:7]}"

    def do(self, ws: Workspace) -> None:
        with ws.transaction():
            self.old = store.cost_rows(ws, self.month, self.category, self.partner_id)
            for row_id, _ in self.old:
                ws.execute("DELETE FROM program_costs WHERE id = ?", (row_id,))
            if self.amount:
                ws.execute("INSERT INTO program_costs (month, category, amount, partner_id) "
                           "VALUES (?, ?, ?, ?)",
                           (self.month, self.category, self.amount, self.partner_id))
            _log(ws, self.editor, "cost", f"{self.month}|{self.category}|{self.partner_id or ''}",
                 "amount", sum(a for _, a in self.old), self.amount, "edit")
        ws.notify("actuals")

    def undo(self, ws: Workspace) -> None:
        with ws.transaction():
            for row_id, _ in store.cost_rows(ws, self.month, self.category, self.partner_id):
                ws.execute("DELETE FROM program_costs WHERE id = ?", (row_id,))
            for row_id, amount in self.old:
                ws.execute("INSERT INTO program_costs (id, month, category, amount, partner_id)"
                           " VALUES (?, ?, ?, ?, ?)",
                           (row_id, self.month, self.category, amount, self.partner_id))
            _log(ws, self.editor, "cost", f"{self.month}|{self.category}|{self.partner_id or ''}",
                 "amount", self.amount, sum(a for _, a in self.old), "undo")
        ws.notify("actuals")


# --------------------------------------------------------------------------- tier preview


@dataclass(frozen=True)
class TierMove:
    """One partner whose tier a change would move: ``old``/``new`` tier names ("" = none)."""

    partner_id: int
    partner: str
    old: str
    new: str
    up: bool


@dataclass
class TierPreview:
    """What a tier change does to today's partners (active ones, on ``as_of``)."""

    as_of: dt.date
    partners: int
    moves: list[TierMove]

    @property
    def up(self) -> list[TierMove]:
        return [m for m in self.moves if m.up]

    @property
    def down(self) -> list[TierMove]:
        return [m for m in self.moves if not m.up]

    def text(self, limit: int = 12) -> str:
        lines = [f"On {self.as_of.isoformat()}, of {self.partners} active partners "
                 f"{len(self.up)} would move up and {len(self.down)} down."]
        for title, moves in (("Up", self.up), ("Down", self.down)):
            for m in moves[:limit]:
                lines.append(f"  {title:<5} {m.partner}: {m.old or '(no tier)'} → "
                             f"{m.new or '(no tier)'}")
            if len(moves) > limit:
                lines.append(f"  ... and {len(moves) - limit} more {title.lower()}")
        return "\n".join(lines)


def tier_preview(ws: Workspace, new_program: Program,
                 as_of: dt.date | None = None) -> TierPreview:
    """Which active partners ``new_program``'s tiers put in another tier than today's
    program does, judged on the same standing (the scorecard's T12M sourced revenue,
    certified people and new logos on ``as_of``, default the workspace's "as of")."""
    from . import metrics
    from .asof import resolve_as_of
    from .tiers import TierStanding, assess_tier

    day = resolve_as_of(ws, as_of).date
    actuals = metrics.Actuals.load(ws)
    card = metrics.scorecard_from(actuals, day)
    old_program = actuals.program
    rank_old = {t.name: t.rank for t in old_program.tiers}
    rank_new = {t.name: t.rank for t in new_program.tiers}
    moves = []
    active = card[card["status"] == "active"]
    for pid, row in active.iterrows():
        standing = TierStanding(float(row["sourced_revenue"]), int(row["certified_people"]),
                                int(row["new_logos"]))
        before = assess_tier(old_program, standing)
        after = assess_tier(new_program, standing)
        b, a = (before.name if before else ""), (after.name if after else "")
        if b == a:
            continue
        # Up or down by position among the tiers (ranks may differ between the programs).
        pos_b = sorted(rank_old, key=lambda n: rank_old[n]).index(b) if b else -1
        pos_a = sorted(rank_new, key=lambda n: rank_new[n]).index(a) if a else -1
        # The scorecard is indexed by partner id.
        moves.append(TierMove(int(cast(int, pid)), str(row["partner"]), b, a, pos_a > pos_b))
    moves.sort(key=lambda m: (not m.up, m.partner))
    return TierPreview(day, len(active), moves)
