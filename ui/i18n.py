"""The user's locale in the GUI: the number style every page writes and reads numbers and
dates in (:class:`jbp.formatting.NumberStyle`, built here from ``QLocale``), and the Qt
translator of the interface's words (``ui/translations/jbp_<lang>.qm``).

Both follow View ▸ Number format (QSettings ``view/number_format``: ``system``, ``en`` or
``de``), read when the main window is built; "system" is the desktop's locale (``LANG``).
English-language locales (and the C locale) keep the app's English forms with ISO dates,
which read the same in the US and the UK, and also accept their own short date when typed
(12/31/2026 in the US).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale, QSettings, QTranslator

from jbp.formatting import ENGLISH, NumberStyle

#: QSettings key of View ▸ Number format.
SETTING = "view/number_format"
#: The choices of View ▸ Number format: key -> (menu text, locale name or "" for the system's).
CHOICES = {"system": "&System", "en": "&English", "de": "&German"}
_LOCALES = {"en": "en_US", "de": "de_DE"}
TRANSLATIONS = Path(__file__).resolve().parent / "translations"

_style: NumberStyle = ENGLISH
_translator: QTranslator | None = None


def number_style() -> NumberStyle:
    """The style the GUI writes and reads numbers and dates in (English until installed)."""
    return _style


def set_number_style(style: NumberStyle) -> None:
    global _style
    _style = style


def locale_for(choice: str) -> QLocale:
    """The QLocale of a View ▸ Number format choice (the system's for "system")."""
    name = _LOCALES.get(choice)
    return QLocale(name) if name else QLocale.system()


def _date_form(loc: QLocale) -> tuple[str, str] | None:
    """(order, separator) of the locale's short date, e.g. ("dmy", ".") for dd.MM.yy."""
    fmt = loc.dateFormat(QLocale.FormatType.ShortFormat)
    order, sep = "", ""
    for ch in fmt:
        c = ch.lower()
        if c in "dmy":
            if c not in order:
                order += c
        elif order and not sep and not ch.isalpha() and not ch.isspace():
            sep = ch
    if sorted(order) != ["d", "m", "y"] or not sep:
        return None
    return order, sep


def style_for(loc: QLocale) -> NumberStyle:
    """The number style of a QLocale: its separators and short date; English forms with
    ISO dates for English and C locales, and for locales whose digits or separators the
    parser does not read (it reads ASCII digits with ``.``/``,``/``'``/space separators)."""
    form = _date_form(loc)
    if loc.language() in (QLocale.Language.C, QLocale.Language.English):
        typed = (form,) if form and form != ("ymd", "-") else ()
        return NumberStyle(name="English", typed_dates=typed)
    decimal, group = loc.decimalPoint(), loc.groupSeparator()
    if (decimal not in (".", ",") or group == decimal or loc.zeroDigit() != "0"
            or form is None):
        return ENGLISH
    order, sep = form
    return NumberStyle(decimal=decimal, group=group, date_order=order, date_sep=sep,
                       name=QLocale.languageToString(loc.language()))


def install(settings: QSettings) -> QLocale:
    """Set the number style and the translator from View ▸ Number format; returns the
    locale chosen. Called once when the main window is built."""
    global _translator
    choice = str(settings.value(SETTING, "system") or "system")
    loc = locale_for(choice if choice in CHOICES else "system")
    set_number_style(style_for(loc))
    app = QCoreApplication.instance()
    if _translator is not None and app is not None:
        app.removeTranslator(_translator)
        _translator = None
    translator = QTranslator()
    if app is not None and translator.load(loc, "jbp", "_", str(TRANSLATIONS)):
        app.installTranslator(translator)
        _translator = translator
    return loc


def reset() -> None:
    """Back to English with no translator (tests that set a locale call this after)."""
    global _translator
    app = QCoreApplication.instance()
    if _translator is not None and app is not None:
        app.removeTranslator(_translator)
    _translator = None
    set_number_style(ENGLISH)
