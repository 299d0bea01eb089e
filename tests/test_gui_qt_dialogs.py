"""Qt's own dialogs speak Chinese in every build: qtbase_zh_CN.qm ships in
resources/translations and is loaded from there first. The assertions are on the widgets'
texts: a string can translate through QCoreApplication.translate and still show in English
(Qt 6's file dialog asks for "&Look in:", which qtbase_zh_CN.qm lacks)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLibraryInfo
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QLabel, QMessageBox

from app import i18n
from app.i18n import install_translators
from tests.conftest import REPO, release_widgets
from ui.application import make_application

pytestmark = pytest.mark.gui
SHIPPED = REPO / "resources" / "translations" / "qtbase_zh_CN.qm"


@pytest.fixture
def zh_app(qapp):
    app = make_application("zh_CN")
    yield app
    release_widgets()
    install_translators(app, "en")  # process-wide: later tests expect English


def loaded_files() -> list[Path]:
    return [Path(t.filePath()) for t in i18n._installed if t.filePath()]


def file_dialog(qtbot) -> QFileDialog:
    dialog = QFileDialog(None, "roster", str(REPO))
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    qtbot.addWidget(dialog)
    return dialog


def label(dialog: QFileDialog, name: str) -> str:
    widget = dialog.findChild(QLabel, name)
    assert widget is not None, name
    return widget.text()


def test_qtbase_translation_is_loaded_from_the_repository(zh_app) -> None:
    assert SHIPPED.is_file()
    assert SHIPPED.resolve() in [p.resolve() for p in loaded_files()]


def test_falls_back_to_qts_own_folder(zh_app, monkeypatch, tmp_path: Path) -> None:
    qt_folder = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
    if not (qt_folder / "qtbase_zh_CN.qm").is_file():
        pytest.skip("this Qt has no translations of its own")
    monkeypatch.setattr(i18n, "translations_dir", lambda: tmp_path)
    install_translators(zh_app, "zh_CN")
    assert (qt_folder / "qtbase_zh_CN.qm").resolve() in [p.resolve() for p in loaded_files()]


def test_a_qt_without_translations_still_gets_them(zh_app, qtbot, monkeypatch,
                                                  tmp_path: Path) -> None:
    class NoTranslations:
        LibraryPath = QLibraryInfo.LibraryPath

        @staticmethod
        def path(_which: object) -> str:
            return str(tmp_path)

    monkeypatch.setattr(i18n, "QLibraryInfo", NoTranslations)
    install_translators(zh_app, "zh_CN")
    assert SHIPPED.resolve() in [p.resolve() for p in loaded_files()]
    bar = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    qtbot.addWidget(bar)
    assert bar.button(QDialogButtonBox.StandardButton.Cancel).text() == "取消"


def test_file_dialog_labels_are_chinese(zh_app, qtbot) -> None:
    dialog = file_dialog(qtbot)
    # context QFileDialog (qfiledialog.ui): "&Look in:", "File &name:", "Files of &type:"
    assert "查找范围" in label(dialog, "lookInLabel")
    assert "文件名称" in label(dialog, "fileNameLabel")
    assert "文件类型" in label(dialog, "fileTypeLabel")
    buttons = dialog.findChild(QDialogButtonBox, "buttonBox")
    assert buttons.button(QDialogButtonBox.StandardButton.Cancel).text() == "取消"


def test_message_box_and_button_box_buttons_are_chinese(zh_app, qtbot) -> None:
    # standard buttons: context QPlatformTheme ("OK", "Cancel", "&Yes", "&No")
    box = QMessageBox(QMessageBox.Icon.Question, "t", "?",
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
                      | QMessageBox.StandardButton.Cancel)
    qtbot.addWidget(box)
    texts = {box.standardButton(b): b.text() for b in box.buttons()}
    assert texts == {QMessageBox.StandardButton.Yes: "是(&Y)",
                     QMessageBox.StandardButton.No: "否(&N)",
                     QMessageBox.StandardButton.Cancel: "取消"}
    ok = QMessageBox(QMessageBox.Icon.Information, "t", "!", QMessageBox.StandardButton.Ok)
    qtbot.addWidget(ok)
    assert ok.button(QMessageBox.StandardButton.Ok).text() == "确定"
    bar = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                           | QDialogButtonBox.StandardButton.Cancel)
    qtbot.addWidget(bar)
    assert bar.button(QDialogButtonBox.StandardButton.Cancel).text() == "取消"
    assert bar.button(QDialogButtonBox.StandardButton.Ok).text() == "确定"


def test_untranslated_strings_fall_back_to_the_source(zh_app, qtbot) -> None:
    """The gap-filling translator answers only for its own strings: the rest come out as
    written (not blank), and the app's own translation still works."""
    assert QCoreApplication.translate("QFileDialog", "No such string") == "No such string"
    assert QCoreApplication.translate("Nowhere", "Look in:") == "Look in:"
    assert QCoreApplication.translate("MainWindow", "Inspection") not in ("", "Inspection")


def test_english_leaves_qts_dialogs_alone(zh_app, qtbot) -> None:
    install_translators(zh_app, "en")
    dialog = file_dialog(qtbot)
    assert label(dialog, "lookInLabel") == "&Look in:"
