"""What the screens say when something they asked for failed.

An error the user can act on (``app.errors.UserError``) carries its own message, already in
the interface language. Anything else is a fault of the program: it has been logged with its
traceback (``ui.tasks`` logs every failed background task), and the person is told so in
plain words, never with a Python message such as "expected str, not bool".
"""

from __future__ import annotations

import errno
import logging

from PySide6.QtCore import QCoreApplication

from app.errors import UserError

log = logging.getLogger(__name__)


def _disk_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return True
    return "database or disk is full" in str(exc)


def user_message(exc: BaseException) -> str:
    if isinstance(exc, UserError):
        return str(exc)
    if _disk_full(exc):  # the machine's state, not the program's fault: the user can act
        return QCoreApplication.translate(
            "Errors", "The disk is full. Free some space (delete or move files you do not "
            "need), then try again; what was saved before is kept.")
    log.debug("shown as a program fault: %r", exc)
    return QCoreApplication.translate(
        "Errors", "A fault in the program stopped this. Nothing saved before was lost; the "
        "details are in the log (venue-supervisor.log in the profile folder).")
