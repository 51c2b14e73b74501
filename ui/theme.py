"""The app's colours: named roles with a light and a dark variant, chosen from the palette.

Every colour the app draws itself — amended and refused cells, the amendment banner, RAG and
status badges, tile deltas, at-risk rows, the charts — is a role of :class:`Theme`; no other
module of ``ui/`` writes a colour (a test greps for it). Which variant is in force follows
the application palette: dark when the window colour's lightness is below 128 (a dark
desktop theme), light otherwise. View ▸ Theme forces Light or Dark (the app then sets a
palette of its own, on the Fusion style, which follows palettes faithfully) or goes back to
the system's; the choice is kept in the settings.

A tinted background always comes with its own text colour (``*_fg``), and a badge's text is
chosen against its background (:meth:`Theme.on`), so nothing is light text on a light tint
or dark text on a dark one. Style sheets are written as templates with ``$role`` fields
(:func:`style`); they are filled from the theme in force and filled again when it changes.
Charts take :attr:`Theme.chart`, a :class:`jbp.chart_style.ChartStyle` (the domain's
charts know no Qt).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from functools import lru_cache
from string import Template

from PySide6.QtCore import QCoreApplication, QObject, QSettings, Signal
from PySide6.QtGui import QAction, QActionGroup, QBrush, QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QMenu, QWidget

from jbp.chart_style import LIGHT as LIGHT_CHART
from jbp.chart_style import ChartStyle

#: The settings key of the chosen theme: "system", "light" or "dark".
SETTING = "view/theme"
MODES = ("system", "light", "dark")


def _rag_light() -> Mapping[str, str]:
    return {"Green": "#cdebd3", "Amber": "#fde9c4", "Red": "#f6cfcc"}


def _rag_dark() -> Mapping[str, str]:
    return {"Green": "#1f4d2b", "Amber": "#5c4310", "Red": "#5c1f1b"}


def _rag_badges() -> Mapping[str, str]:
    # Strong colours, the same in both themes; the text on them is chosen by contrast.
    return {"Green": "#2e7d32", "Amber": "#f0b429", "Red": "#c62828", "": "#4a6d94"}


def _status_badges() -> Mapping[str, str]:
    return {"Draft": "#6b7280", "In review": "#b7791f", "Approved": "#2e7d32",
            "Active": "#1f5fa8", "Closed": "#374151", "": "#444444"}


@dataclass(frozen=True)
class Theme:
    """One variant's colours (hex RGB). ``*_bg`` is a tinted background and ``*_fg`` the
    text drawn on it; ``*_text`` a text colour on the window or a table's base."""

    dark: bool
    text: str                # the palette's text, for rich text that names it
    muted: str               # secondary text: captions, units, notes
    link: str
    error_text: str          # a message saying what is wrong
    error_bg: str            # a refused cell or field
    error_fg: str
    amended_bg: str          # a cell changed since the approved baseline; a changed value
    amended_fg: str
    banner_bg: str           # the amendment banner
    banner_border: str
    banner_fg: str
    warning_text: str        # stale, estimated, needs a look
    warning_bg: str
    warning_border: str
    warning_fg: str
    good: str                # a change for the better (tile deltas, comparisons)
    bad: str
    neutral: str
    at_risk_bg: str          # a row of a partner at risk
    at_risk_fg: str
    tile_bg: str             # tiles and cards
    tile_border: str
    handle: str              # splitter handles
    handle_hover: str
    frame: str               # a thin separating line
    covered: str             # coverage strip: months with data, without
    uncovered: str
    vendor_text: str         # a side's name as coloured text
    partner_text: str
    chart: ChartStyle
    rag_tint: Mapping[str, str] = field(default_factory=_rag_light)  # table cells
    rag_tint_fg: str = "#1f1f1f"
    rag_badge: Mapping[str, str] = field(default_factory=_rag_badges)
    status_badge: Mapping[str, str] = field(default_factory=_status_badges)
    vendor_badge: str = "#1f5fa8"
    partner_badge: str = "#7a3fb0"

    def on(self, background: str) -> str:
        """The text colour for ``background``: white where it reads well (4.5:1), else
        whichever of white and near-black contrasts more."""
        white, black = "#ffffff", "#1a1a1a"
        if contrast(white, background) >= 4.5:
            return white
        return white if contrast(white, background) > contrast(black, background) else black

    def roles(self) -> dict[str, str]:
        """Every plain colour role by name (the ``$role`` fields of :func:`style`)."""
        return {f.name: getattr(self, f.name) for f in fields(self)
                if isinstance(getattr(self, f.name), str)}

    def text_pairs(self) -> list[tuple[str, str, str]]:
        """(what, text colour, background) of every pairing the app draws with these
        roles — the pairs a contrast test checks."""
        base = "#ffffff" if not self.dark else "#1e1f22"
        window = "#f0f0f0" if not self.dark else "#2b2d30"
        pairs = [("muted on base", self.muted, base), ("muted on window", self.muted, window),
                 ("muted on tile", self.muted, self.tile_bg),
                 ("error text on window", self.error_text, window),
                 ("error text on base", self.error_text, base),
                 ("refused cell", self.error_fg, self.error_bg),
                 ("amended cell", self.amended_fg, self.amended_bg),
                 ("amendment banner", self.banner_fg, self.banner_bg),
                 ("warning text", self.warning_text, window),
                 ("warning box", self.warning_fg, self.warning_bg),
                 ("good change", self.good, self.tile_bg), ("bad change", self.bad, self.tile_bg),
                 ("neutral change", self.neutral, self.tile_bg),
                 ("good on base", self.good, base), ("bad on base", self.bad, base),
                 ("at-risk row", self.at_risk_fg, self.at_risk_bg),
                 ("at-risk figure", self.bad, self.at_risk_bg),
                 ("vendor name", self.vendor_text, window),
                 ("partner name", self.partner_text, window),
                 ("link", self.link, base),
                 ("chart text", self.chart.foreground, self.chart.background),
                 ("chart note", self.chart.muted, self.chart.background)]
        pairs += [(f"RAG {k} cell", self.rag_tint_fg, v) for k, v in self.rag_tint.items()]
        pairs += [(f"RAG {k or 'not judged'} badge", self.on(v), v)
                  for k, v in self.rag_badge.items()]
        pairs += [(f"status {k or 'other'} badge", self.on(v), v)
                  for k, v in self.status_badge.items()]
        pairs += [(f"{side} badge", self.on(v), v)
                  for side, v in (("vendor", self.vendor_badge),
                                  ("partner", self.partner_badge))]
        return pairs


LIGHT = Theme(
    dark=False, text="#1f1f1f", muted="#5f6368", link="#1f5fa8",
    error_text="#b3261e", error_bg="#f8d7d4", error_fg="#1f1f1f",
    amended_bg="#fff1c2", amended_fg="#1f1f1f",
    banner_bg="#fff1c2", banner_border="#e0c060", banner_fg="#1f1f1f",
    warning_text="#8a4b00", warning_bg="#fff4e0", warning_border="#f0c080",
    warning_fg="#8a4b00",
    good="#1b7f3b", bad="#b3261e", neutral="#5f6368",
    at_risk_bg="#fdecea", at_risk_fg="#1f1f1f",
    tile_bg="#f6f8fa", tile_border="#dde1e6", handle="#dde1e6", handle_hover="#9aa5b1",
    frame="#b8bec6", covered="#4f7cac", uncovered="#c9ced6",
    vendor_text="#1f5fa8", partner_text="#7a3fb0",
    chart=LIGHT_CHART,
)

DARK = Theme(
    dark=True, text="#e6e6e6", muted="#a8adb3", link="#8ab4f8",
    error_text="#f28b82", error_bg="#5c1f1b", error_fg="#f4f4f4",
    amended_bg="#4d3f0f", amended_fg="#f5f0dc",
    banner_bg="#4d3f0f", banner_border="#8a7326", banner_fg="#f5f0dc",
    warning_text="#f0b860", warning_bg="#3d2e12", warning_border="#8a6a2a",
    warning_fg="#f5d9a8",
    good="#7dd69b", bad="#f28b82", neutral="#a8adb3",
    at_risk_bg="#3d2222", at_risk_fg="#f4f4f4",
    tile_bg="#2a2d31", tile_border="#43484e", handle="#3a3f44", handle_hover="#5f6b78",
    frame="#555b62", covered="#6f9ccc", uncovered="#4a5058",
    vendor_text="#8ab4f8", partner_text="#c58af9",
    chart=ChartStyle(background="#1e1f22", foreground="#e6e6e6", muted="#a8adb3",
                     grid="#3a3f44", target="#6b7580", forecast="#7fa6d6", dark=True),
    rag_tint=_rag_dark(), rag_tint_fg="#f4f4f4",
)


def _channel(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


@lru_cache(maxsize=512)
def luminance(colour: str) -> float:
    """WCAG relative luminance of a colour Qt understands (0 black … 1 white)."""
    q = QColor(colour)
    return (0.2126 * _channel(q.redF()) + 0.7152 * _channel(q.greenF())
            + 0.0722 * _channel(q.blueF()))


def contrast(fg: str, bg: str) -> float:
    """WCAG contrast ratio of two colours (1 … 21; 3 is the floor for large or bold text,
    4.5 for body text)."""
    a, b = luminance(fg), luminance(bg)
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def is_dark(palette: QPalette) -> bool:
    """Whether a palette is dark: its window colour's lightness is below 128."""
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def for_palette(palette: QPalette) -> Theme:
    """The theme for ``palette``: :data:`DARK` or :data:`LIGHT`, with the chart's
    background and text taken from the palette (a chart sits on the page like a table)."""
    theme = DARK if is_dark(palette) else LIGHT
    if not theme.dark:
        return theme
    base = palette.color(QPalette.ColorRole.Base).name()
    text = palette.color(QPalette.ColorRole.Text).name()
    if base == theme.chart.background and text == theme.chart.foreground:
        return theme
    return _with_chart(theme, base, text)


_palette_themes: dict[tuple[bool, str, str], Theme] = {}


def _with_chart(theme: Theme, background: str, foreground: str) -> Theme:
    from dataclasses import replace

    key = (theme.dark, background, foreground)
    if key not in _palette_themes:
        _palette_themes[key] = replace(theme, chart=replace(
            theme.chart, background=background, foreground=foreground))
    return _palette_themes[key]


def current() -> Theme:
    """The theme in force: that of the application palette."""
    if QGuiApplication.instance() is None:
        return LIGHT
    return for_palette(QGuiApplication.palette())


@lru_cache(maxsize=256)
@lru_cache(maxsize=256)
def brush(colour: str) -> QBrush:
    """A brush of ``colour`` (item models return these for background and text roles; one
    per colour, kept, so a table's ``data()`` builds no Qt object per cell)."""
    return QBrush(QColor(colour))


def qcolor(colour: str) -> QColor:
    return QColor(colour)


def fill(template: str, theme: Theme | None = None) -> str:
    """``template`` with its ``$role`` fields filled from ``theme`` (the current one)."""
    return Template(template).substitute((theme or current()).roles())


def style(widget: QWidget, template: str) -> None:
    """Give ``widget`` the style sheet ``template`` (``$role`` fields, e.g.
    ``"color:$muted"``), filled now and again whenever the theme changes."""
    widget.setProperty("theme_style", template)
    widget.setStyleSheet(fill(template))


def span(text: str, colour_role: str, *, bold: bool = False) -> str:
    """Rich text: ``text`` in the current theme's ``colour_role`` (e.g. "error_text")."""
    colour = current().roles()[colour_role]
    weight = "font-weight:600;" if bold else ""
    return f"<span style='color:{colour};{weight}'>{text}</span>"


def badge(text: str, background: str, css: str = "") -> str:
    """Rich text: ``text`` on a coloured badge, in the text colour that reads on it."""
    fg = current().on(background)
    return (f"<span style='color:{fg};background:{background};{css}'>"
            f"&nbsp;{text}&nbsp;</span>")


def status_badge(status: str, css: str = "") -> str:
    """Rich text: a plan's status on its badge colour."""
    colours = current().status_badge
    return badge(status, colours.get(status, colours[""]), css)


def side_badge(side: str) -> str:
    """Rich text: "vendor" or "partner" on the side's badge colour."""
    t = current()
    return badge(side, t.vendor_badge if side == "vendor" else t.partner_badge)


# ---------------------------------------------------------------------- forcing a theme


def dark_palette() -> QPalette:
    """The palette of the forced dark theme."""
    p = QPalette()
    roles = QPalette.ColorRole
    for role, colour in ((roles.Window, "#2b2d30"), (roles.WindowText, "#e6e6e6"),
                         (roles.Base, "#1e1f22"), (roles.AlternateBase, "#26282b"),
                         (roles.Text, "#e6e6e6"), (roles.Button, "#35373a"),
                         (roles.ButtonText, "#e6e6e6"), (roles.BrightText, "#ffffff"),
                         (roles.Highlight, "#2f65ca"), (roles.HighlightedText, "#ffffff"),
                         (roles.Link, "#8ab4f8"), (roles.LinkVisited, "#c58af9"),
                         (roles.ToolTipBase, "#2b2d30"), (roles.ToolTipText, "#e6e6e6"),
                         (roles.PlaceholderText, "#8a8d91"), (roles.Light, "#4a4d51"),
                         (roles.Midlight, "#3d4044"), (roles.Mid, "#5a5d61"),
                         (roles.Dark, "#1b1c1e"), (roles.Shadow, "#000000")):
        p.setColor(role, QColor(colour))
    disabled = QPalette.ColorGroup.Disabled
    for role in (roles.WindowText, roles.Text, roles.ButtonText):
        p.setColor(disabled, role, QColor("#7f8287"))
    return p


def light_palette() -> QPalette:
    """The palette of the forced light theme (Fusion's own light palette)."""
    from PySide6.QtWidgets import QStyleFactory

    fusion = QStyleFactory.create("Fusion")
    return fusion.standardPalette() if fusion is not None else QPalette()


class ThemeSignals(QObject):
    """``changed`` is emitted after the theme in force changed (charts redraw on it)."""

    changed = Signal()


_signals: ThemeSignals | None = None
_system: tuple[QPalette, str] | None = None  # the palette and style before a forced theme


def signals() -> ThemeSignals:
    global _signals
    if _signals is None:
        _signals = ThemeSignals(QCoreApplication.instance())
    return _signals


def apply(mode: str) -> Theme:
    """Put ``mode`` ("system", "light" or "dark") in force: set the palette, refill every
    themed style sheet, tell the charts. Returns the theme now in force."""
    global _system
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return LIGHT
    if mode not in MODES:
        mode = "system"
    if mode == "system":
        if _system is not None:
            palette, style_name = _system
            _system = None
            if app.style().name() != style_name:
                app.setStyle(style_name)
            app.setPalette(palette)
    else:
        if _system is None:
            _system = (QPalette(app.palette()), app.style().name())
        if app.style().name().lower() != "fusion":  # restyling every widget is not cheap
            app.setStyle("Fusion")
        app.setPalette(dark_palette() if mode == "dark" else light_palette())
    restyle()
    signals().changed.emit()
    return current()


def restyle() -> None:
    """Refill the style sheet of every widget given one by :func:`style`."""
    roles = current().roles()
    for widget in QApplication.allWidgets():
        template = widget.property("theme_style")
        if template:
            widget.setStyleSheet(Template(str(template)).substitute(roles))


def saved_mode(settings: QSettings) -> str:
    mode = str(settings.value(SETTING, "system") or "system")
    return mode if mode in MODES else "system"


def theme_menu(parent: QWidget, settings: QSettings) -> QMenu:
    """View ▸ Theme: System / Light / Dark (checkable, kept in ``settings``); puts the saved
    choice in force."""
    tr = QCoreApplication.translate
    menu = QMenu(tr("Theme", "Th&eme"), parent)
    menu.setObjectName("menu_theme")
    group = QActionGroup(menu)
    chosen = saved_mode(settings)
    for mode, text in (("system", tr("Theme", "&System")), ("light", tr("Theme", "&Light")),
                       ("dark", tr("Theme", "&Dark"))):
        action = QAction(text, menu)
        action.setObjectName(f"action_theme_{mode}")
        action.setCheckable(True)
        action.setChecked(mode == chosen)
        action.setData(mode)
        group.addAction(action)
        menu.addAction(action)
    group.triggered.connect(lambda action: _choose(settings, str(action.data())))
    if chosen != "system":
        apply(chosen)
    global _hooked
    hints = QGuiApplication.styleHints()
    if not _hooked and hasattr(hints, "colorSchemeChanged"):
        _hooked = True  # the desktop switching between light and dark, once per process
        hints.colorSchemeChanged.connect(_desktop_changed)
    return menu


_hooked = False


def _desktop_changed(*_args) -> None:
    if _system is None:  # following the system: refill style sheets once its palette is in
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, _follow_desktop)


def _follow_desktop() -> None:
    restyle()
    signals().changed.emit()


def _choose(settings: QSettings, mode: str) -> None:
    settings.setValue(SETTING, mode)
    apply(mode)
