"""Who a workbook belongs to, and proof that its hidden ids were not changed.

Each workspace gets, on its first export, a random ``workspace_id`` and a secret
``workbook_key`` (rows in its ``meta`` table). A plan workbook carries the workspace id, and
every row that stands for a stored element carries a short check: an HMAC of the plan id, the
element kind and the element id under the workspace's key. Someone who edits an id cell
cannot produce the matching check, so a tampered or retyped id is caught instead of silently
editing another element. The hidden sheet as a whole is signed the same way.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid

CHECK_LENGTH = 12


def workspace_identity(ws) -> tuple[str, bytes]:
    """``(workspace_id, key)`` of a workspace, created and stored on first use."""
    values = _read(ws)
    if "workspace_id" not in values or "workbook_key" not in values:
        with ws.transaction():
            ws.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('workspace_id', ?)",
                       (uuid.uuid4().hex,))
            ws.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('workbook_key', ?)",
                       (secrets.token_hex(32),))
        values = _read(ws)
    return values["workspace_id"], bytes.fromhex(values["workbook_key"])


def _read(ws) -> dict[str, str]:
    return {r[0]: r[1] for r in ws.rows(
        "SELECT key, value FROM meta WHERE key IN ('workspace_id', 'workbook_key')")}


def row_check(key: bytes, plan_id: int, kind: str, element_id: int) -> str:
    """The check written beside an element's hidden id (hex, :data:`CHECK_LENGTH` long)."""
    msg = f"{plan_id}/{kind}/{element_id}".encode()
    return hmac.new(key, msg, hashlib.sha256).hexdigest()[:CHECK_LENGTH]


def sign(key: bytes, text: str) -> str:
    """HMAC-SHA256 of ``text`` under ``key`` (hex)."""
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def verify(key: bytes, text: str, signature: str) -> bool:
    return hmac.compare_digest(sign(key, text), str(signature or ""))
