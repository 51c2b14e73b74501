"""The welcome page shown on first start: what the workspace in front of the user is (the
demo, or their own), three things to try, and how to open or create a workspace of one's
own. Help ▸ Welcome shows it again."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ui import theme

#: The things to try: (action key, button text, what it shows).
TRIES = (
    ("portfolio", "See the portfolio",
     "Fifty partners scored from their CRM, PRM and LMS exports: revenue, return on "
     "investment, tiers and the partners at risk, with the reasons."),
    ("qbr", "Open a plan's QBR",
     "A joint business plan with its goals, quarterly KPIs against targets, initiatives "
     "and the quarterly business review on one screen."),
    ("scenarios", "Model a program change",
     "The Scenario Lab simulates the partner program: change a tier rule or the MDF "
     "budget and compare the outcome with the baseline."),
)


class WelcomePage(QWidget):
    """See the module doc. :attr:`chosen` carries the key of what the user picked:
    "portfolio", "qbr", "scenarios", "open", "new" or "close"."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("welcome_page")
        body = QWidget(self)
        body.setMaximumWidth(900)
        title = QLabel("<span style='font-size:20pt;font-weight:600'>Welcome to JBP Studio"
                       "</span>", body)
        intro = QLabel(body)
        intro.setObjectName("welcome_intro")
        intro.setWordWrap(True)
        self.intro = intro
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        self.buttons: dict[str, QPushButton] = {}
        self.cards: dict[str, QLabel] = {}
        for col, (key, text, what) in enumerate(TRIES):
            card = QFrame(body)
            card.setObjectName("welcome_card")
            theme.style(card, "QFrame#welcome_card{background:$tile_bg;border:1px solid "
                              "$tile_border;border-radius:6px;}")
            label = QLabel(what, card)
            label.setWordWrap(True)
            self.cards[key] = label
            button = QPushButton(text, card)
            button.setObjectName(f"welcome_{key}")
            button.setProperty("choice", key)
            button.clicked.connect(self._clicked)
            self.buttons[key] = button
            inner = QVBoxLayout(card)
            inner.addWidget(QLabel(f"<b>{col + 1}.</b>", card))
            inner.addWidget(label, 1)
            inner.addWidget(button)
            grid.addWidget(card, 0, col)
        own = QLabel("<b>Your own partners</b> — start a new workspace (it begins with the "
                     "standard tiers; import your exports on the Data page) or open one a "
                     "colleague shared. Help ▸ User guide explains every page; Ctrl+K finds "
                     "any command by name.", body)
        own.setWordWrap(True)
        row = QHBoxLayout()
        for key, text in (("new", "New workspace…"), ("open", "Open workspace…"),
                          ("demo", "Open the demo"), ("close", "Start with the demo")):
            button = QPushButton(text, body)
            button.setObjectName(f"welcome_{key}")
            button.setProperty("choice", key)
            button.clicked.connect(self._clicked)
            self.buttons[key] = button
            row.addWidget(button)
        row.addStretch(1)
        self.buttons["close"].setDefault(True)
        self.describe(None, True)
        layout = QVBoxLayout(body)
        layout.setSpacing(14)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addWidget(QLabel("<b>Three things to try</b>", body))
        layout.addLayout(grid)
        layout.addWidget(own)
        layout.addLayout(row)
        layout.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        holder = QWidget()
        outer = QHBoxLayout(holder)
        outer.addWidget(body, 0, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        scroll.setWidget(holder)
        QVBoxLayout(self).addWidget(scroll)

    def describe(self, name: str | None, is_demo: bool) -> None:
        """Say which workspace is open: the demo (what it holds), or the user's own
        ``name`` (the demo one click away)."""
        lead = ("JBP Studio keeps your joint business plans with partners, scores every "
                "partner from the exports of your CRM, partner portal and learning system, "
                "and simulates changes to the partner program before you roll them out."
                "<br><br>")
        demo = ("a fictional vendor, <i>Northwind Partner Network</i>, with fifty partners, "
                "eighteen months of deals, registrations, logins, certifications and MDF, "
                "and six plans in every state from draft to closed")
        own = not is_demo and name
        if own:
            self.intro.setText(f"{lead}You are looking at your workspace <b>{name}</b>. The "
                               f"demo workspace — {demo} — opens with <i>Open the demo</i>.")
            self.cards["portfolio"].setText(
                "Your partners scored from their CRM, PRM and LMS exports: revenue, return "
                "on investment, tiers and the partners at risk, with the reasons.")
        else:
            self.intro.setText(f"{lead}You are looking at the <b>demo workspace</b>: {demo}. "
                               "Change anything: it is your own copy.")
            self.cards["portfolio"].setText(TRIES[0][2])
        self.buttons["demo"].setVisible(bool(own))
        self.buttons["close"].setText(f"Continue with {name}" if own else "Start with the demo")

    def _clicked(self) -> None:
        self.chosen.emit(str(self.sender().property("choice")))
