"""Language choice and Qt translators (QtCore only, so the command line can use it too)."""

from __future__ import annotations

import os

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from app.resources import translations_dir

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

# Qt 6 gave some of its labels a mnemonic ("&Look in:") and its own zh_CN translation still has
# only the old strings ("Look in:"), so the non-native file dialog said "Look in:" in English.
# These fill the gaps; anything else Qt keeps looking up as usual.
QT_GAPS: dict[str, dict[tuple[str, str], str]] = {
    "zh_CN": {
        ("QFileDialog", "&Look in:"): "查找范围(&L)：",
        ("QFileDialog", "Files of &type:"): "文件类型(&T)：",
    },
}


class _QtGapTranslator(QTranslator):
    """Installed first, so asked last: only for what neither .qm file translates."""

    def __init__(self, parent: QCoreApplication, table: dict[tuple[str, str], str]) -> None:
        super().__init__(parent)
        self._table = table

    def translate(self, context: str, source_text: str, disambiguation: str | None = None,
                  n: int = -1) -> str | None:
        # None (a null QString), never "": an empty string would stop Qt's search and blank
        # the text instead of falling back to the source.
        return self._table.get((context, source_text))

    def isEmpty(self) -> bool:  # noqa: N802 (Qt's name)
        return not self._table


def install_translators(app: QCoreApplication, lang: str) -> bool:
    """Load the app's and Qt's own translations for ``lang``; True if the app's loaded."""
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    if lang == "en":
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        return True
    QLocale.setDefault(QLocale(lang))
    if QT_GAPS.get(lang):
        gaps = _QtGapTranslator(app, QT_GAPS[lang])
        app.installTranslator(gaps)
        _installed.append(gaps)
    ours = QTranslator(app)
    loaded = ours.load(f"{TRANSLATION_BASENAME}_{lang}", str(translations_dir()))
    if loaded:
        app.installTranslator(ours)
        _installed.append(ours)
    qt_base = QTranslator(app)
    if any(qt_base.load(f"qtbase_{lang}", folder) for folder in qt_translation_dirs()):
        app.installTranslator(qt_base)
        _installed.append(qt_base)
    return loaded


def qt_translation_dirs() -> list[str]:
    """Where Qt's own translations (the file dialog, the message box buttons) are looked for:
    the copy shipped in resources/translations first, so that every build has them (a Qt
    installed without its translations, a frozen build that left them out), then Qt's own
    folder."""
    return [str(translations_dir()),
            QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)]


def core_application(lang: str) -> QCoreApplication:
    """A QCoreApplication for the command line, so its messages are translated."""
    app = QCoreApplication.instance() or QCoreApplication([])
    install_translators(app, lang)
    return app


def translate(context: str, text: str) -> str:
    """Qt's translation lookup; named so that ``pyside6-lupdate`` collects the call sites."""
    return QCoreApplication.translate(context, text)
