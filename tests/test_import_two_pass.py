"""A large CSV checked, then imported in a second pass (jbp.importers.two_pass, what the GUI's
import wizard runs on its worker threads), without Qt: the check writes nothing; the import
keeps the file's rows when it rejects only what the user accepted after the check, and keeps
nothing when the file changed in between to reject more."""

from __future__ import annotations

import pytest
from test_import_chunked import CHUNK, _imports, _logins, _stored, _ws

from jbp import importers as imp
from jbp.errors import JbpError
from jbp.importers import chunked, two_pass
from jbp.progress import Progress


@pytest.fixture
def checked(tmp_path, monkeypatch):
    """A 300-row logins CSV with a bad row in its second chunk, checked against a fresh
    workspace (closed again: the two passes open it themselves)."""
    monkeypatch.setattr(chunked, "STREAM_ROWS", CHUNK)
    f = tmp_path / "logins.csv"
    f.write_text(_logins(300, bad_at=CHUNK + 5, dup_of=10))
    ws = _ws(tmp_path, "two_pass")
    ws_path = ws.path
    ws.close()
    head = two_pass.read_head(f, state=Progress())
    mapping = imp.guess_mapping("logins", list(head.frame.columns))
    check = two_pass.check_streamed(ws_path, f, mapping, "Portal logins", state=Progress())
    return ws_path, f, check


def _open(ws_path):
    from jbp.store import Workspace

    return Workspace.open(ws_path)


def test_the_check_writes_nothing_and_names_the_bad_row(checked):
    ws_path, _f, check = checked
    assert check.rejected_rows == {CHUNK + 5 + 5}  # the file line: 4 lines above the rows
    with _open(ws_path) as ws:
        assert _stored(ws, "logins") == [] and _imports(ws) == []


def test_the_import_keeps_the_rows_once_the_rejections_were_accepted(checked):
    ws_path, _f, check = checked
    with pytest.raises(JbpError, match="changed since it was checked"):
        two_pass.import_streamed(ws_path, check, "Portal logins", state=Progress())
    result = two_pass.import_streamed(ws_path, check, "Portal logins", accepted=True,
                                      state=Progress())
    with _open(ws_path) as ws:
        stored = _stored(ws, "logins")
        assert len(stored) == result.inserted > 0 and len(_imports(ws)) == 1


def test_a_file_changed_after_the_check_imports_nothing(checked):
    ws_path, f, check = checked
    f.write_text(_logins(300, bad_at=4 * CHUNK + 3, dup_of=10))  # a new bad row, chunk 5
    with pytest.raises(JbpError) as err:
        two_pass.import_streamed(ws_path, check, "Portal logins", accepted=True,
                                 state=Progress())
    assert "nothing was imported" in str(err.value) and str(4 * CHUNK + 3 + 6) in str(err.value)
    with _open(ws_path) as ws:
        assert _stored(ws, "logins") == [] and _imports(ws) == []


def test_the_check_counts_every_rows_partners_and_names_those_past_the_head(checked):
    """The values step lists a large file's head until the check has read it all; the check
    counts the rows of each partner spelling in the whole file, and the rejected spelling
    that only later rows carry is found (what the wizard tells the user to go back and map)."""
    from jbp.importers.values import unseen_texts, value_summary

    ws_path, f, check = checked
    counts = check.counts["Partner"]
    assert sum(counts.values()) == check.report.rows == 300
    assert counts["Acmee"] == 1
    head = two_pass.read_head(f, state=Progress())
    assert "Acmee" not in set(head.frame["Partner"])
    assert unseen_texts(head, check.mapping, check.counts, check.report) == [
        ("Partner", "Acmee", 1)]
    with _open(ws_path) as ws:
        summary = value_summary(ws, head, check.mapping, guessed=False, counts=check.counts)
    assert [(s.spelled, s.rows) for s in summary.partners] == [("Acmee", 1)]
