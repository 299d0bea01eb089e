"""Language choice and Qt translators (QtCore only, so the command line can use it too)."""

from __future__ import annotations

import os

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from app.paths import translations_dir

LANGUAGES = ("zh_CN", "en")
TRANSLATION_BASENAME = "venue_supervisor"
LANG_ENV = "VENUE_SUPERVISOR_LANG"


def choose_language(explicit: str | None = None) -> str:
    """--lang wins, then the environment variable, then the system locale (Chinese -> zh_CN)."""
    for candidate in (explicit, os.environ.get(LANG_ENV)):
        if candidate:
            return "zh_CN" if candidate.lower().startswith("zh") else "en"
    system = QLocale.system().name()
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if os.environ.get(var):
            system = os.environ[var]
            break
    return "zh_CN" if system.lower().startswith("zh") else "en"


_installed: list[QTranslator] = []


def install_translators(app: QCoreApplication, lang: str) -> bool:
    """Load the app's and Qt's own translations for ``lang``; True if the app's loaded."""
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    if lang == "en":
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        return True
    QLocale.setDefault(QLocale(lang))
    ours = QTranslator(app)
    loaded = ours.load(f"{TRANSLATION_BASENAME}_{lang}", str(translations_dir()))
    if loaded:
        app.installTranslator(ours)
        _installed.append(ours)
    qt_base = QTranslator(app)
    if qt_base.load(f"qtbase_{lang}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt_base)
        _installed.append(qt_base)
    return loaded


def core_application(lang: str) -> QCoreApplication:
    """A QCoreApplication for the command line, so its messages are translated."""
    app = QCoreApplication.instance() or QCoreApplication([])
    install_translators(app, lang)
    return app


def translate(context: str, text: str) -> str:
    """Qt's translation lookup; named so that ``pyside6-lupdate`` collects the call sites."""
    return QCoreApplication.translate(context, text)
