"""Write the German words into jbp_de.ts after ``pyside6-lupdate`` has collected the
sources (see docs/locale.md): ``python ui/translations/fill_de.py``; then
``pyside6-lrelease ui/translations/jbp_de.ts``. Each mnemonic (&) is unique in its menu."""

from __future__ import annotations

import html
import re
from pathlib import Path

GERMAN = {
    "&File": "&Datei",
    "&New workspace…": "&Neuer Arbeitsbereich…",
    "&Open workspace…": "Arbeitsbereich ö&ffnen…",
    "Open &recent": "&Zuletzt geöffnet",
    "New &demo workspace…": "Neuer &Demo-Arbeitsbereich…",
    "&Export plan to Excel…": "Plan nach &Excel exportieren…",
    "Export &portfolio to Excel…": "&Portfolio nach Excel exportieren…",
    "&Import partner's plan workbook…": "Plan-Arbeitsmappe des Partners &importieren…",
    "&Quit": "&Beenden",
    "&Edit": "&Bearbeiten",
    "&Undo:": "&Rückgängig:",
    "&Redo:": "&Wiederholen:",
    "&Switch editor…": "&Bearbeiter wechseln…",
    "&Plan": "&Plan",
    "&New plan…": "&Neuer Plan…",
    "&Roll forward to next year…": "Ins nächste &Jahr fortschreiben…",
    "Show &Overview": "&Übersicht zeigen",
    "Show &Goals && KPIs": "&Ziele && KPIs zeigen",
    "Show &Agreement": "&Vereinbarung zeigen",
    "Show &History": "Verlau&f zeigen",
    "Show &QBR": "&QBR zeigen",
    "Re&load plan": "Plan neu &laden",
    "&View": "&Ansicht",
    "Set “&as of” date…": "Stic&htag festlegen…",
    "&Help": "&Hilfe",
    "&Welcome": "&Willkommen",
    "&User guide": "&Benutzerhandbuch",
    "&Find a command…": "Befehl &suchen…",
    "&Keyboard shortcuts": "&Tastenkürzel",
    "&About JBP Studio": "&Über JBP Studio",
    "Portfolio": "Portfolio",
    "Plans": "Pläne",
    "Scenario Lab": "Szenario-Labor",
    "Program": "Programm",
    "Partners": "Partner",
    "Data": "Daten",
    "&Portfolio": "&Portfolio",
    "P&lans": "P&läne",
    "&Scenario Lab": "&Szenario-Labor",
    "Pro&gram": "Pro&gramm",
    "Par&tners": "Par&tner",
    "&Data": "&Daten",
    "&Number format": "&Zahlenformat",
    "&System": "&System",
    "&English": "&Englisch",
    "&German": "&Deutsch",
    "Number format saved: it applies when JBP Studio starts next.":
        "Zahlenformat gespeichert: es gilt beim nächsten Start von JBP Studio.",
}

_MESSAGE = re.compile(r"(<source>([^<]*)</source>(?:\s*<(extra|translator)comment>[^<]*"
                      r"</\3comment>)*\s*)<translation[^>]*>[^<]*</translation>")


def fill(path: Path) -> list[str]:
    """Write the translations into ``path``; returns the sources left untranslated."""
    missing: list[str] = []

    def one(m: re.Match) -> str:
        source = html.unescape(m.group(2))
        if source not in GERMAN:
            missing.append(source)
            return m.group(0)
        text = html.escape(GERMAN[source], quote=False)
        return f"{m.group(1)}<translation>{text}</translation>"

    path.write_text(_MESSAGE.sub(one, path.read_text(encoding="utf-8")), encoding="utf-8")
    return missing


if __name__ == "__main__":
    left = fill(Path(__file__).with_name("jbp_de.ts"))
    print("untranslated:", left or "none")
