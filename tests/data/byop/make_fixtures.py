"""Writes the "bring your own program" fixtures (run once; the files are committed).

Each file is shaped like the export of a real tool, with that tool's quirks:

* ``sfdc_partner_accounts.csv``: a Salesforce "Partner Accounts" report exported as CSV
  (UTF-8 with BOM, CRLF line ends, US dates M/D/YYYY, columns nobody maps such as Phone and
  Website, countries instead of regions, partner types in the PRM's words).
* ``sfdc_partner_accounts_v2.csv``: the same report a month later: one partner moved up a
  tier, one has a new channel manager, one is new, and the columns are in another order.
* ``program_costs_finance.csv``: a finance export of the channel cost centre (amounts with a
  "$" and thousands separators, the categories in finance's words, a Currency column).
* ``sfdc_opportunities.csv``: Salesforce Opportunities with Partner report (US dates,
  "Partner Sourced"/"Partner Influenced", Subscription/Services).
* ``impartner_deal_registrations.csv``: Impartner deal registrations (ISO timestamps,
  statuses such as "Closed Won", a Channel Conflict Yes/No column).
* ``prm_portal_logins.csv``: PRM portal login audit (ISO timestamps with seconds).
* ``lms_completions.csv``: LMS course completions (semicolon-delimited, DD.MM.YYYY).
* ``mdf_fund_requests.csv``: MDF fund requests and claims ("Fund Request"/"Claim",
  "Reimbursed").
* ``sfdc_opportunities_eur.csv``: opportunities whose Opportunity Currency is EUR (refused
  in a USD workspace).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from pathlib import Path

HERE = Path(__file__).parent
rng = random.Random(11)

PARTNERS = [
    # name, account id, type, country, since, onboarded, tier, owner, competencies, end
    ("Brightwave Consulting LLC", "0015e00000AbCdEAA1", "Systems Integrator", "United States",
     "3/14/2023", "5/2/2023", "Gold", "Dana Whitfield", "Cloud Migration;Data & AI", ""),
    ("Nordlicht IT GmbH", "0015e00000AbCdFAA1", "Value Added Reseller", "Germany",
     "9/1/2023", "10/17/2023", "Silver", "Jonas Berger", "Security", ""),
    ("Kestrel Managed Services", "0015e00000AbCdGAA1", "Managed Service Provider",
     "United Kingdom", "1/23/2024", "3/5/2024", "Silver", "Priya Raman",
     "Managed Security; Backup", ""),
    ("Sunpath Software", "0015e00000AbCdHAA1", "Technology Partner", "Canada",
     "6/30/2023", "8/14/2023", "Registered", "Dana Whitfield", "", ""),
    ("Maple & Oak Partners", "0015e00000AbCdIAA1", "Referral Partner", "United States",
     "2/11/2024", "2/28/2024", "Registered", "Marcus Lee", "", ""),
    ("Tasman Cloud Pty Ltd", "0015e00000AbCdJAA1", "Managed Service Provider", "Australia",
     "11/6/2023", "1/15/2024", "Silver", "Priya Raman", "Cloud Migration", ""),
    ("Solaris Integração", "0015e00000AbCdKAA1", "Systems Integrator", "Brazil",
     "4/18/2024", "6/3/2024", "Registered", "Marcus Lee", "Data & AI", ""),
    ("Harborline Systems", "0015e00000AbCdLAA1", "Value Added Reseller", "United States",
     "7/9/2022", "8/30/2022", "Platinum", "Dana Whitfield",
     "Cloud Migration;Security;Data & AI", ""),
    ("Fjellstad Data AS", "0015e00000AbCdMAA1", "Systems Integrator", "Norway",
     "10/2/2024", "12/12/2024", "Registered", "Jonas Berger", "", ""),
    ("Quokka Digital", "0015e00000AbCdNAA1", "Referral Partner", "New Zealand",
     "5/20/2024", "", "Registered", "Priya Raman", "", ""),
    ("Redstone Networks Inc.", "0015e00000AbCdOAA1", "Value Added Reseller", "United States",
     "1/5/2023", "2/20/2023", "Silver", "Marcus Lee", "Security", "6/30/2025"),
    ("Lumen Path Advisory", "0015e00000AbCdPAA1", "Systems Integrator", "Mexico",
     "8/15/2024", "10/1/2024", "Registered", "Marcus Lee", "", ""),
]
ACTIVE = [p for p in PARTNERS if not p[9]]
CUSTOMERS = ["Acme Foods", "Borealis Health", "Cedar Logistics", "Delphi Retail",
             "Everest Insurance", "Falcon Air", "Garnet Bank", "Helios Energy",
             "Iris Media", "Juniper Schools", "Kraken Games", "Lark Pharma", "Monarch Hotels",
             "Nimbus Telecom", "Orca Shipping", "Pioneer Mining", "Quartz Labs",
             "Riverbend County", "Sable Motors", "Tundra Outdoor"]


def us(d: dt.date) -> str:
    return f"{d.month}/{d.day}/{d.year}"


def write(name: str, header: list[str], rows: list[list], *, bom=False, crlf=False,
          delimiter=",") -> None:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n" if crlf else "\n")
    w.writerow(header)
    w.writerows(rows)
    (HERE / name).write_bytes((("\ufeff" if bom else "") + buf.getvalue()).encode("utf-8"))


def day(start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days))


def partner_list() -> None:
    header = ["Account Name", "Account ID", "Partner Type", "Billing Country", "Phone",
              "Website", "Partner Since", "Onboarding Completed Date", "Partner Tier",
              "Account Owner", "Competencies", "Termination Date", "Annual Revenue"]
    rows = [[n, i, t, c, f"+1 555 01{k:02d}", f"www.{n.split()[0].lower()}.example", s, o,
             tier, own, comp, end, f"{rng.randrange(2, 90)}000000"]
            for k, (n, i, t, c, s, o, tier, own, comp, end) in enumerate(PARTNERS)]
    write("sfdc_partner_accounts.csv", header, rows, bom=True, crlf=True)
    # A month later: other column order, Kestrel moved to Gold, Nordlicht has a new owner,
    # a new partner signed up.
    header2 = ["Account ID", "Account Name", "Partner Tier", "Account Owner", "Partner Type",
               "Billing Country", "Partner Since", "Onboarding Completed Date",
               "Termination Date", "Competencies"]
    rows2 = []
    for n, i, t, c, s, o, tier, own, comp, end in PARTNERS:
        if n.startswith("Kestrel"):
            tier = "Gold"
        if n.startswith("Nordlicht"):
            own = "Lena Vogt"
        rows2.append([i, n, tier, own, t, c, s, o, end, comp])
    rows2.append(["0015e00000AbCdQAA1", "Westmark Solutions", "Registered", "Lena Vogt",
                  "Reseller", "Ireland", "11/3/2026", "", "", ""])
    write("sfdc_partner_accounts_v2.csv", header2, rows2, bom=True, crlf=True)


def costs() -> None:
    header = ["Period", "Cost Category", "Cost Center", "Amount", "Currency", "Partner"]
    cats = [("Headcount", 38_000), ("Training", 6_500), ("Tools", 4_200),
            ("Partner Recruitment", 3_000)]
    rows = []
    month = dt.date(2025, 11, 1)
    for _ in range(12):
        for cat, base in cats:
            amt = base * (1 + rng.uniform(-0.1, 0.1))
            rows.append([month.strftime("%Y-%m"), cat, "CC-4410 Channel", f"${amt:,.2f}",
                         "USD", ""])
        month = (month + dt.timedelta(days=32)).replace(day=1)
    rows.append(["2026-06", "Training", "CC-4410 Channel", "$2,400.00", "USD",
                 "Brightwave Consulting LLC"])
    write("program_costs_finance.csv", header, rows)


def deals(eur: bool = False) -> list:
    header = ["Opportunity ID", "Opportunity Name", "Account Name", "Partner Account",
              "Amount", "Close Date", "Created Date", "Stage", "Deal Source", "Revenue Type",
              "Opportunity Currency", "Fiscal Period"]
    weights = {"Harborline Systems": 9, "Brightwave Consulting LLC": 6,
               "Nordlicht IT GmbH": 4, "Kestrel Managed Services": 4,
               "Tasman Cloud Pty Ltd": 3, "Redstone Networks Inc.": 2,
               "Sunpath Software": 2, "Solaris Integração": 1, "Maple & Oak Partners": 1,
               "Lumen Path Advisory": 1}
    names = list(weights)
    rows = []
    for k in range(60):
        p = rng.choices(names, weights=[weights[n] for n in names])[0]
        close = day(dt.date(2025, 1, 6), dt.date(2026, 10, 30))
        if p.startswith("Redstone"):
            close = day(dt.date(2025, 1, 6), dt.date(2025, 6, 20))
        created = close - dt.timedelta(days=rng.randrange(20, 150))
        amount = rng.choice([18_000, 24_000, 36_000, 48_000, 60_000, 85_000, 120_000])
        cust = rng.choice(CUSTOMERS)
        src = "Partner Sourced" if rng.random() < 0.65 else "Partner Influenced"
        rev = "Subscription" if rng.random() < 0.8 else "Services"
        rows.append([f"0065e00000Opp{k:04d}", f"{cust} - expansion", cust, p,
                     f"{amount:.2f}", us(close), us(created), "Closed Won", src, rev,
                     "EUR" if eur else "USD", f"Q{(close.month - 1) // 3 + 1}-{close.year}"])
    if eur:
        write("sfdc_opportunities_eur.csv", header, rows[:5], crlf=True)
    else:
        write("sfdc_opportunities.csv", header, rows, crlf=True)
    return rows


def registrations() -> None:
    header = ["Registration ID", "Partner Account", "Submitted Date", "End Customer",
              "Estimated Value", "Status", "Channel Conflict", "Product Line"]
    statuses = ["Approved", "Closed Won", "Closed Won", "Closed Lost", "Rejected", "Pending",
                "Expired", "Closed Won"]
    rows = []
    for k in range(40):
        p = rng.choice(ACTIVE)[0]
        when = dt.datetime.combine(day(dt.date(2025, 1, 2), dt.date(2026, 10, 28)),
                                   dt.time(rng.randrange(8, 18), rng.randrange(60)))
        rows.append([f"DR-{24100 + k}", p, when.strftime("%Y-%m-%dT%H:%M:%SZ"),
                     rng.choice(CUSTOMERS), f"{rng.randrange(10, 120) * 1000}",
                     rng.choice(statuses), "Yes" if rng.random() < 0.1 else "No",
                     rng.choice(["Platform", "Analytics", "Security Add-on"])])
    write("impartner_deal_registrations.csv", header, rows)


def logins() -> None:
    header = ["Partner Company", "User Email", "Login Time", "IP Address", "Browser"]
    rows = []
    for p in ACTIVE:
        dom = p[0].split()[0].lower().replace("&", "and")
        users = [f"{u}@{dom}.example" for u in ("alex", "sam", "kim")[:rng.randrange(1, 4)]]
        for _ in range(rng.randrange(6, 22)):
            t = dt.datetime.combine(day(dt.date(2025, 6, 1), dt.date(2026, 10, 30)),
                                    dt.time(rng.randrange(7, 20), rng.randrange(60),
                                            rng.randrange(60)))
            rows.append([p[0], rng.choice(users), t.strftime("%Y-%m-%d %H:%M:%S"),
                         f"203.0.113.{rng.randrange(1, 254)}", "Chrome"])
    rows.sort(key=lambda r: r[2])
    write("prm_portal_logins.csv", header, rows)


def certifications() -> None:
    header = ["Learner Name", "Email", "Partner Company", "Course Name", "Completion Date",
              "Score"]
    courses = ["Platform Fundamentals", "Sales Professional", "Technical Architect"]
    rows = []
    people = {"Harborline Systems": 9, "Brightwave Consulting LLC": 5, "Nordlicht IT GmbH": 3,
              "Kestrel Managed Services": 4, "Tasman Cloud Pty Ltd": 2, "Sunpath Software": 1,
              "Solaris Integração": 1}
    for p, n in people.items():
        for k in range(n):
            for c in courses[:rng.randrange(1, 3)]:
                d = day(dt.date(2024, 9, 1), dt.date(2026, 10, 20))
                rows.append([f"Learner {k + 1} {p.split()[0]}",
                             f"learner{k + 1}@{p.split()[0].lower()}.example", p, c,
                             d.strftime("%d.%m.%Y"), f"{rng.randrange(70, 100)}%"])
    write("lms_completions.csv", header, rows, delimiter=";")


def mdf() -> None:
    header = ["Fund Request ID", "Partner", "Type", "Submitted On", "Amount", "Status",
              "Activity Name", "Fund Type"]
    rows = []
    k = 0
    for p in ("Harborline Systems", "Brightwave Consulting LLC", "Nordlicht IT GmbH",
              "Kestrel Managed Services", "Tasman Cloud Pty Ltd"):
        for _ in range(rng.randrange(1, 4)):
            d = day(dt.date(2025, 2, 1), dt.date(2026, 8, 30))
            amt = rng.choice([5_000, 8_000, 12_000, 15_000])
            k += 1
            act = rng.choice(["Webinar series", "Trade show booth", "Lunch & learn",
                              "Digital campaign"])
            rows.append([f"MDF-{k:04d}", p, "Fund Request", d.isoformat(), f"{amt}",
                         "Approved", act, "Co-op"])
            k += 1
            claim = d + dt.timedelta(days=rng.randrange(30, 70))
            rows.append([f"MDF-{k:04d}", p, "Claim", claim.isoformat(),
                         f"{int(amt * rng.uniform(0.6, 1.0))}", "Reimbursed", act, "Co-op"])
    write("mdf_fund_requests.csv", header, rows)


if __name__ == "__main__":
    partner_list()
    costs()
    deals()
    deals(eur=True)
    registrations()
    logins()
    certifications()
    mdf()
