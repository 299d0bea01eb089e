"""What the screens say when something they asked for failed.

An error the user can act on (``app.errors.UserError``) carries its own message, already in
the interface language: that includes the database's own conditions (disk full, read-only,
held by another program, damaged), which app.profile.errors names where they happen. A file
the program writes beside the database on a full disk is said the same way. Anything else is
a fault of the program: it has been logged with its traceback (``ui.tasks`` logs every failed
background task), and the person is told so in plain words, never with a Python message such
as "expected str, not bool".
"""

from __future__ import annotations

import errno
import logging

from PySide6.QtCore import QCoreApplication

from app.errors import UserError
from app.profile.errors import disk_full

log = logging.getLogger(__name__)


def user_message(exc: BaseException) -> str:
    if isinstance(exc, UserError):
        return str(exc)
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        # A photo or a PDF on a full disk: the machine's state, not the program's fault.
        return str(disk_full())
    log.debug("shown as a program fault: %r", exc)
    return QCoreApplication.translate(
        "Errors", "A fault in the program stopped this. Nothing saved before was lost; the "
        "details are in the log (venue-supervisor.log in the profile folder).")
