"""The keys that prove a plan workbook's hidden ids were not changed.

Each workspace gets, on its first export, a random workspace id and a secret key
(:meth:`jbp.store.Workspace.workbook_keys`). A plan workbook carries the workspace id, and
every row that stands for a stored element carries a short check: an HMAC of the plan id, the
element kind and the element id under the workspace's key. Someone who edits an id cell
cannot produce the matching check, so a tampered or retyped id is caught instead of silently
editing another element. The hidden sheet as a whole is signed the same way.
"""

from __future__ import annotations

import hashlib
import hmac

CHECK_LENGTH = 12


def row_check(key: bytes, plan_id: int, kind: str, element_id: int) -> str:
    """The check written beside an element's hidden id (hex, :data:`CHECK_LENGTH` long)."""
    msg = f"{plan_id}/{kind}/{element_id}".encode()
    return hmac.new(key, msg, hashlib.sha256).hexdigest()[:CHECK_LENGTH]


def sign(key: bytes, text: str) -> str:
    """HMAC-SHA256 of ``text`` under ``key`` (hex)."""
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def verify(key: bytes, text: str, signature: str) -> bool:
    return hmac.compare_digest(sign(key, text), str(signature or ""))
