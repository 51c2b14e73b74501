"""``jbp partners list|add|edit|archive``: the partners of a workspace.

Headless: nothing here imports Qt. Edits go through the undoable commands of
:mod:`jbp.partners` (each writes a row of the program's change log).
"""

from __future__ import annotations

import argparse
import json

from ui.cli.args import add_workspace, open_workspace

CLI_AUTHOR = "Command line"


def register(sub: argparse._SubParsersAction) -> None:
    from jbp.model import PARTNER_TYPES, REGIONS

    par = sub.add_parser("partners", help="list, add, edit or archive partners")
    psub = par.add_subparsers(dest="partners_command", metavar="ACTION", required=True)
    ls = psub.add_parser("list", help="the partners (archived ones with --all)")
    add_workspace(ls)
    ls.add_argument("--all", action="store_true", help="include archived partners")
    ls.add_argument("--json", action="store_true", help="print JSON records")
    ls.set_defaults(func=run_list)

    add = psub.add_parser("add", help="add a partner")
    add_workspace(add)
    add.add_argument("name")
    add.add_argument("--type", required=True, help=", ".join(PARTNER_TYPES))
    add.add_argument("--region", required=True, help=", ".join(REGIONS))
    add.add_argument("--signup-date", required=True, help="YYYY-MM-DD")
    add.add_argument("--onboarded", help="YYYY-MM-DD")
    add.add_argument("--tier", default="")
    add.add_argument("--manager", default="")
    add.add_argument("--competencies", default="", help="separated by ;")
    add.add_argument("--account-id", default="", help="the PRM's or CRM's account id")
    add.set_defaults(func=run_add)

    ed = psub.add_parser("edit", help="change fields of a partner, e.g. --set tier=Gold")
    add_workspace(ed)
    ed.add_argument("partner", help="id, account id or name")
    ed.add_argument("--set", dest="changes", action="append", default=[], required=True,
                    metavar="FIELD=VALUE", help="field: " + ", ".join(_fields()))
    ed.set_defaults(func=run_edit)

    ar = psub.add_parser("archive", help="archive a partner (its history stays)")
    add_workspace(ar)
    ar.add_argument("partner", help="id, account id or name")
    ar.add_argument("--restore", action="store_true", help="bring an archived partner back")
    ar.set_defaults(func=run_archive)


def _fields() -> tuple[str, ...]:
    from jbp.partners import EDITABLE

    return EDITABLE


def _editor():
    from jbp.commands import Editor

    return Editor(CLI_AUTHOR, "vendor")


def run_list(args: argparse.Namespace) -> int:
    from jbp import store

    with open_workspace(args.workspace) as ws:
        partners = store.partner_list(ws, include_archived=args.all)
    if args.json:
        print(json.dumps([{**{f.name: f.to_store(getattr(p, f.name)) for f in p.FIELDS},
                           "id": p.id, "archived": p.archived} for p in partners], indent=2))
        return 0
    header = ("Id", "Name", "Type", "Region", "Tier (source)", "Manager", "Account ID")
    rows = [(str(p.id), p.name + (" (archived)" if p.archived else ""), p.type, p.region,
             p.tier or "", p.manager or "", p.source_id or "") for p in partners]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, *rows]:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    print(f"{len(partners)} partners")
    return 0


def _in_words(field: str, value: str) -> str:
    """A type or region in the words the partner-list import takes ("VAR" is a Reseller,
    "United Kingdom" is in EMEA); anything else as given, for the domain to judge."""
    from jbp.import_cells import choice
    from jbp.import_partners import REGION_WORDS, TYPE_WORDS
    from jbp.model import PARTNER_TYPES, REGIONS

    words = {"type": (TYPE_WORDS, PARTNER_TYPES), "region": (REGION_WORDS, REGIONS)}
    if field not in words:
        return value
    return choice(*words[field], value) or value


def run_add(args: argparse.Namespace) -> int:
    from jbp.commands import History
    from jbp.model import Partner
    from jbp.partners import AddPartner

    partner = Partner(name=args.name, type=_in_words("type", args.type),
                      region=_in_words("region", args.region),
                      signup_date=args.signup_date, activated_on=args.onboarded or None,
                      tier=args.tier, manager=args.manager,
                      competencies=args.competencies, source_id=args.account_id)
    with open_workspace(args.workspace) as ws:
        cmd = History(ws).run(AddPartner(_editor(), partner))
    print(f"Added partner {cmd.partner.name} (id {cmd.partner_id}).")
    return 0


def run_edit(args: argparse.Namespace) -> int:
    from jbp.commands import History, Macro
    from jbp.errors import JbpError
    from jbp.partners import EditPartner, find_partner

    with open_workspace(args.workspace) as ws:
        partner = find_partner(ws, args.partner)
        commands = []
        for change in args.changes:
            field, sep, value = change.partition("=")
            if not sep:
                raise JbpError(f"--set {change!r}: write FIELD=VALUE")
            commands.append(EditPartner(_editor(), partner.id, field.strip(),
                                        _in_words(field.strip(), value)))
        History(ws).run(Macro(f"Edit partner {partner.name}", commands))
        print(f"Updated partner {partner.name} (id {partner.id}).")
    return 0


def run_archive(args: argparse.Namespace) -> int:
    from jbp.commands import History
    from jbp.partners import ArchivePartner, find_partner

    with open_workspace(args.workspace) as ws:
        partner = find_partner(ws, args.partner)
        History(ws).run(ArchivePartner(_editor(), partner.id, not args.restore))
    print(f"{'Restored' if args.restore else 'Archived'} partner {partner.name}.")
    return 0
