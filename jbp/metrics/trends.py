"""Month-by-month figures of one partner for the trend charts."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..coverage import month_end
from ..kinds import KINDS
from .activity import partner_rows
from .snapshot import Actuals, _as_of, _ts

# --------------------------------------------------------------------------- trends


def monthly_series(actuals: Actuals, partner_id: int, as_of: dt.date | None = None,
                   months: int = 18) -> pd.DataFrame:
    """Month-by-month figures of one partner for the trend charts, the last ``months`` months
    to ``as_of``. Index: month start (datetime64). Columns: sourced_revenue,
    influenced_revenue (currency), registrations, logins, certifications (counts of the
    month), certified_people (distinct people to the month's end), mdf_claimed (paid claims,
    currency), mdf_approved (approved requests, currency).

    Each column reads its source through its own end: a month after it is NaN (no data,
    not zero). ``frame.attrs["partial"]`` maps each column to the month its source ends
    inside (that month is "to date"; charts mark it) and ``attrs["through"]`` to the day."""
    as_of = _as_of(actuals, as_of)
    cov = actuals.coverage
    last = pd.Timestamp(as_of.year, as_of.month, 1)
    index = pd.date_range(end=last, periods=months, freq="MS")

    def monthly(frame: pd.DataFrame, col: str, value: str | None = None) -> pd.Series:
        kind = next(k for k, v in KINDS.items() if v.date_column == col)
        through = _ts(cov.through(kind, as_of))
        mine = frame[frame[col] <= through]  # the partner's own rows already
        key = mine[col].dt.to_period("M").dt.to_timestamp()
        series = mine.groupby(key)[value].sum() if value else mine.groupby(key).size()
        series = series.reindex(index, fill_value=0).astype(float)
        return series.where(index <= through)

    deals = partner_rows(actuals, "deals", partner_id)
    mdf = partner_rows(actuals, "mdf", partner_id)
    certs = partner_rows(actuals, "certifications", partner_id)
    firsts = certs.sort_values("cert_date").drop_duplicates("person")
    new_people = monthly(firsts, "cert_date")
    before = float(((firsts["cert_date"] < index[0])).sum())
    frame = pd.DataFrame({
        "sourced_revenue": monthly(deals[deals["attribution"] == "sourced"], "close_date",
                                   "amount"),
        "influenced_revenue": monthly(deals[deals["attribution"] == "influenced"],
                                      "close_date", "amount"),
        "registrations": monthly(partner_rows(actuals, "registrations", partner_id),
                                 "reg_date"),
        "logins": monthly(partner_rows(actuals, "logins", partner_id), "login_date"),
        "certifications": monthly(certs, "cert_date"),
        "certified_people": new_people.cumsum() + before,
        "mdf_claimed": monthly(mdf[(mdf["kind"] == "claim") & (mdf["status"] == "paid")],
                               "mdf_date", "amount"),
        "mdf_approved": monthly(mdf[(mdf["kind"] == "request")
                                    & mdf["status"].isin(["approved", "paid"])],
                                "mdf_date", "amount"),
    }, index=index)
    frame.index.name = "month"
    sources = {"sourced_revenue": "deals", "influenced_revenue": "deals",
               "registrations": "registrations", "logins": "logins",
               "certifications": "certifications", "certified_people": "certifications",
               "mdf_claimed": "mdf", "mdf_approved": "mdf"}
    through = {c: cov.through(k, as_of) for c, k in sources.items()}
    frame["certified_people"] = frame["certified_people"].where(
        frame["certifications"].notna())
    frame.attrs["through"] = through
    frame.attrs["partial"] = {c: pd.Timestamp(d.year, d.month, 1) for c, d in through.items()
                              if d != month_end(d)}
    return frame
