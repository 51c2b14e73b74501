"""Help inside the app: the user guide (the Markdown documents of ``docs/`` rendered, images
included) and the keyboard shortcut list."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QListWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

DOCS = Path(__file__).resolve().parents[1] / "docs"
#: The guide's chapters, in reading order: (file, title).
CHAPTERS = (
    ("user-guide.md", "User guide"),
    ("workspace.md", "Workspaces and saving"),
    ("import.md", "Importing actuals"),
    ("metrics.md", "Metrics and formulas"),
    ("workbooks.md", "Excel workbooks"),
    ("scenario-lab.md", "Scenario Lab"),
    ("scenario.md", "Scenario parameters"),
    ("simulation.md", "The simulation model"),
)

#: Shortcuts that are not on a menu: (keys, what they do).
EXTRA_SHORTCUTS = (
    ("Ctrl+K", "Find any command by name"),
    ("Esc", "Revert the field or cell being edited"),
    ("Enter", "Save the field or cell being edited"),
    ("Ctrl+Enter", "Post the comment being written"),
    ("Ctrl+Shift+R", "Run the selected scenario (Scenario Lab)"),
    ("Alt+1 … Alt+9", "Show the plan's tabs: Overview, Goals & KPIs, Initiatives, Target "
                      "accounts, Rules of engagement, Risks, Agreement, History, QBR"),
    ("Tab, Shift+Tab", "Move to the next or previous control (out of tables and text boxes)"),
    ("Arrows", "Move between the cells of a table"),
    ("F2", "Edit the current cell"),
    ("Delete", "Delete the selected row of a plan table (Ctrl+Z brings it back)"),
    ("Ctrl+Shift+S", "Sort a table by the current cell's column (again: reverse)"),
)


def chapters(docs: Path = DOCS) -> list[tuple[Path, str]]:
    """The chapters that exist, in reading order."""
    return [(docs / name, title) for name, title in CHAPTERS if (docs / name).exists()]


def guide_markdown(path: Path) -> str:
    """A chapter's Markdown, with links to other chapters kept working in the viewer."""
    return path.read_text(encoding="utf-8")


class UserGuide(QDialog):
    """Help ▸ User guide: chapters on the left, the rendered chapter on the right."""

    def __init__(self, parent: QWidget | None = None, docs: Path = DOCS):
        super().__init__(parent)
        self.setWindowTitle("User guide")
        self.setObjectName("user_guide")
        self.chapters = chapters(docs)
        self.list = QListWidget(self)
        self.list.setObjectName("guide_chapters")
        self.list.setMaximumWidth(220)
        for _path, title in self.chapters:
            self.list.addItem(title)
        self.browser = QTextBrowser(self)
        self.browser.setObjectName("guide_text")
        self.browser.setOpenLinks(False)
        self.browser.setSearchPaths([str(docs)])
        self.browser.anchorClicked.connect(self._link)
        self.list.currentRowChanged.connect(self.show_chapter)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.list)
        row.addWidget(self.browser, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(row, 1)
        layout.addWidget(buttons)
        self.resize(1000, 700)
        if self.chapters:
            self.list.setCurrentRow(0)

    def show_chapter(self, row: int) -> None:
        if 0 <= row < len(self.chapters):
            self.browser.setMarkdown(guide_markdown(self.chapters[row][0]))

    def _link(self, url: QUrl) -> None:
        if url.scheme() in ("http", "https", "mailto"):
            from PySide6.QtGui import QDesktopServices

            QDesktopServices.openUrl(url)
            return
        name = re.sub(r"#.*$", "", url.toString()).split("/")[-1]
        for i, (path, _title) in enumerate(self.chapters):
            if path.name == name:
                self.list.setCurrentRow(i)
                return
