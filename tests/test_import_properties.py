"""Properties of reading exports: delimiter, encoding and date detection on free text, and
natural keys (re-importing the same rows adds nothing). Written against the importers'
public functions, on real files in a temporary folder and a real workspace."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from jbp.errors import JbpError
from jbp.importers import ImportFileError, read_table, run_import

# Free text as people type it into a CRM: any printable character, delimiters and quotes
# included, tabs and line breaks inside cells too (CSV writers quote them).
cell_text = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00")
                    | st.sampled_from(["\n", "\t", '"', ",", ";", "|"]), max_size=12)
header_word = st.text("abcdefghijklmnopqrstuvwxyz ", min_size=1, max_size=10).map(
    lambda s: s.strip() or "x")
ENCODINGS = ("utf-8", "utf-8-sig", "cp1252", "utf-16")


@st.composite
def exports(draw):
    n_cols = draw(st.integers(2, 5))
    headers = draw(st.lists(header_word, min_size=n_cols, max_size=n_cols, unique=True))
    n_rows = draw(st.integers(1, 6))
    rows = [[f"R{i}", *draw(st.lists(cell_text, min_size=n_cols - 1, max_size=n_cols - 1))]
            for i in range(n_rows)]
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    encoding = draw(st.sampled_from(ENCODINGS))
    return headers, rows, delimiter, encoding


def write_csv(folder: Path, headers, rows, delimiter: str, encoding: str) -> Path:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    path = folder / "export.csv"
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(exports())
def test_any_quoted_text_reads_back_with_its_delimiter_and_encoding(export):
    headers, rows, delimiter, encoding = export
    text = "".join(c for r in rows for c in r)
    if encoding == "cp1252":
        try:
            text.encode("cp1252")
        except UnicodeEncodeError:
            assume(False)
    with tempfile.TemporaryDirectory() as folder:
        path = write_csv(Path(folder), headers, rows, delimiter, encoding)
        table = read_table(path)
        raw = path.read_bytes()
    assert table.headers == headers
    assert table.delimiter == delimiter
    # The encoding it names decodes the file to the text that was written.
    assert raw.decode(table.encoding).lstrip("\ufeff") == raw.decode(encoding).lstrip("\ufeff")
    cells = table.frame.astype(str).values.tolist()
    # Line breaks inside a quoted cell come back as written, bar the CRLF of Windows tools.
    assert cells == [[c.replace("\r\n", "\n") for c in r] for r in rows]


@settings(max_examples=150)
@given(st.binary(min_size=1, max_size=300), st.sampled_from([".csv", ".txt", ".xlsx"]))
def test_any_bytes_are_read_or_refused_with_the_files_name(data, suffix):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"export{suffix}"
        path.write_bytes(data)
        try:
            table = read_table(path)
        except ImportFileError as exc:
            assert str(exc).startswith(f"{path.name}: ")
        else:
            assert table.frame.shape[0] >= 1 and len(table.headers) == table.frame.shape[1]


# ------------------------------------------------------------------ dates and natural keys

FORMATS = {"%Y-%m-%d": "{:%Y-%m-%d}", "%d/%m/%Y": "{:%d/%m/%Y}", "%m/%d/%Y": "{:%m/%d/%Y}",
           "%d.%m.%Y": "{:%d.%m.%Y}", "%Y/%m/%d": "{:%Y/%m/%d}"}
days = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31))


def fresh_workspace(folder: Path):
    from jbp.demo import PROGRAM
    from jbp.model import Partner
    from jbp.store import Workspace

    ws = Workspace.create(folder / "w.jbp", PROGRAM)
    for name in ("Acme", "Bluepeak"):
        ws.add_partner(Partner(name=name, type="Reseller", region="EMEA",
                               signup_date=dt.date(2024, 3, 1)))
    return ws


def logins_file(folder: Path, rows, name="logins.csv") -> Path:
    path = folder / name
    path.write_text("Partner,User,Login date\n" + "".join(f"{p},{u},{d}\n" for p, u, d in rows),
                    encoding="utf-8")
    return path


@settings(max_examples=40, deadline=None)
@given(st.lists(days, min_size=1, max_size=15), st.sampled_from(sorted(FORMATS)))
def test_dates_in_any_supported_format_are_detected_or_named_ambiguous(dates, fmt):
    rows = [("Acme", "ann@acme", FORMATS[fmt].format(d)) for d in dates]
    slash = fmt in ("%d/%m/%Y", "%m/%d/%Y")
    ambiguous = slash and all(d.day <= 12 for d in dates)
    with tempfile.TemporaryDirectory() as folder:
        ws = fresh_workspace(Path(folder))
        try:
            if ambiguous:
                with pytest.raises(ImportFileError, match="day/month or month/day"):
                    run_import(ws, logins_file(Path(folder), rows), "logins")
                return
            report, result = run_import(ws, logins_file(Path(folder), rows), "logins")
            assert result is not None and not report.errors
            stored = sorted(d.date() for d in ws.actuals("logins")["login_date"])
            assert stored == sorted(dates)
        finally:
            ws.close()


login_rows = st.lists(st.tuples(st.sampled_from(["Acme", "Bluepeak"]),
                                st.sampled_from(["ann@x", "bob@x"]),
                                st.sampled_from(["2026-01-05", "2026-01-06 09:00",
                                                 "2026-01-06 17:30"])),
                      min_size=1, max_size=12)


@settings(max_examples=30, deadline=None)
@given(login_rows, st.randoms(use_true_random=False))
def test_natural_keys_make_a_reimport_add_nothing_and_count_repeats(rows, rnd: random.Random):
    """Identical rows are distinct logins (counted), in any order; the same file, or the
    same rows shuffled, adds nothing the second time; one more row adds one."""
    with tempfile.TemporaryDirectory() as folder:
        ws = fresh_workspace(Path(folder))
        try:
            first = run_import(ws, logins_file(Path(folder), rows), "logins")[1]
            assert first is not None and first.inserted == len(rows)
            shuffled = rows[:]
            rnd.shuffle(shuffled)
            again = run_import(ws, logins_file(Path(folder), shuffled, "again.csv"),
                               "logins")[1]
            assert again is not None and again.inserted == 0
            assert again.duplicates == len(rows)
            more = run_import(ws, logins_file(Path(folder), [*rows, rows[0]], "more.csv"),
                              "logins")[1]
            assert more is not None and more.inserted == 1
            assert len(ws.actuals("logins")) == len(rows) + 1
        except JbpError as exc:  # every file here is valid: a refusal is a failure
            pytest.fail(str(exc))
        finally:
            ws.close()
