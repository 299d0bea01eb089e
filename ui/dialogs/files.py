"""The file dialogs the app asks with: Qt's own, never the platform's.

A native dialog (Windows) runs its own message loop, out of reach of the application's
ScanRouter: a badge scanned while it is open would be typed into the file name and its Enter
would confirm the dialog. Qt's dialog is an ordinary widget: the scan is taken out and
recorded, the dialog left as it was. It is translated by Qt's own catalogue, shipped in
resources/translations.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QWidget

_OPTIONS = QFileDialog.Option.DontUseNativeDialog


def open_file_name(parent: QWidget | None, caption: str, folder: str,
                   file_filter: str) -> tuple[str, str]:
    return QFileDialog.getOpenFileName(parent, caption, folder, file_filter, "", _OPTIONS)


def save_file_name(parent: QWidget | None, caption: str, folder: str,
                   file_filter: str) -> tuple[str, str]:
    return QFileDialog.getSaveFileName(parent, caption, folder, file_filter, "", _OPTIONS)
