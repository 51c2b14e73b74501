"""The hidden sheet ``_jbp``: what the round trip needs to take the workbook back."""

from __future__ import annotations

import json

from ..workbook_keys import sign
from .base import PlanBuilder
from .collect import meta_values, signed_text
from .layout import (
    META,
)


class HiddenSheet(PlanBuilder):
    def meta(self) -> None:
        ws = self.wb.create_sheet(META)
        ws.sheet_state = "hidden"
        text = json.dumps(self.data.snapshot, sort_keys=True, separators=(",", ":"))
        chunks = [text[i:i + 30000] for i in range(0, len(text), 30000)] or [""]
        meta = meta_values(self.data, len(chunks))
        meta["signature"] = sign(self.data.key, signed_text(meta, text))
        for r, (k, v) in enumerate(meta.items(), start=1):
            ws.cell(r, 1, k)
            ws.cell(r, 2, v)
        for r, chunk in enumerate(chunks, start=1):
            ws.cell(r, 3, chunk)
        for r, label in enumerate(self.target_labels().values(), start=1):
            ws.cell(r, 5, label)
        ws["G1"] = ("Data JBP Studio needs to take this workbook back. Changing it makes "
                    "the workbook unreadable for the round trip.")
