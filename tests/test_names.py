"""Names that say one thing each: what a field holds, and no citation of documents this
repository does not have."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from jbp import schema
from jbp.model import Partner
from jbp.store import Workspace

ROOT = Path(__file__).resolve().parents[1]


def test_a_partners_competencies_are_named_so_and_survive_the_rename(tmp_path: Path):
    """The column was called "certifications" (the name of an actuals table) while it held
    competencies; a workspace from before the rename keeps them."""
    assert Partner.field("competencies").label == "Competencies"
    assert "certifications" not in {f.name for f in Partner.FIELDS}
    path = tmp_path / "before.jbp"
    before = schema.MIGRATIONS.index(schema._V_COMPETENCIES)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA application_id = {schema.APPLICATION_ID}")
    for script in schema.MIGRATIONS[:before]:
        conn.executescript(script)
    conn.execute(f"PRAGMA user_version = {before}")
    conn.execute("INSERT INTO program VALUES (1, 'Old', 'USD', 0.3, 6, 0.95, 0.8, 1, NULL)")
    conn.execute("INSERT INTO partners (name, type, region, signup_date, certifications) "
                 "VALUES ('Acme', 'Reseller', 'EMEA', '2024-01-01', 'Security; Data')")
    conn.commit()
    conn.close()
    with Workspace.open(path) as ws:
        acme = ws.partners()[0]
        assert acme.competencies == "Security; Data"
        assert acme.competency_list == ["Security", "Data"]


def test_no_text_cites_documents_that_are_not_in_the_repository():
    cited = []
    for path in sorted(ROOT.rglob("*")):
        if path.suffix not in (".py", ".md", ".toml") or ".venv" in path.parts or any(
                part.startswith(".") for part in path.relative_to(ROOT).parts):
            continue
        for name in ("DESIGN.md", "STYLE.md"):
            if name in path.read_text(encoding="utf-8") and not (ROOT / name).exists():
                cited.append(f"{path.relative_to(ROOT)} cites {name}")
    cited = [c for c in cited if not c.startswith("tests/test_names.py")]
    assert not cited, cited
