"""The profile's errors a person can act on: the profile cannot be opened, or the machine
refused a read or a write of its database (the disk full, the profile read-only, another
program holding it, the file damaged).

SQLite's conditions are told apart by its result code (the low byte of ``sqlite_errorcode``;
by the message for a driver that gives no code). ``storage_error`` is the one mapping:
app.profile.db installs it on every profile engine (SQLAlchemy's ``handle_error``, which sees
every statement, commit and connect), so a full disk during a scan or a tick reaches the
person as ProfileDiskFullError whichever code ran the statement. The unit of work that failed
is rolled back whole, so what was saved before is kept. Every other database error stays what
it was: a fault of the program (logged with its traceback, shown as such).
"""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

import sqlcipher3

from app.errors import UserError
from app.i18n import translate

# SQLite's primary result codes (https://sqlite.org/rescode.html)
SQLITE_BUSY = 5
SQLITE_READONLY = 8
SQLITE_CORRUPT = 11
SQLITE_IOERR = 10
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_NOTADB = 26
# What each says when a driver gives no code (lower case, as SQLite words them).
_MESSAGES = {
    SQLITE_BUSY: "database is locked",
    SQLITE_READONLY: "readonly database",
    SQLITE_CORRUPT: "database disk image is malformed",
    SQLITE_FULL: "database or disk is full",
    SQLITE_IOERR: "disk i/o error",
    SQLITE_CANTOPEN: "unable to open database file",
    SQLITE_NOTADB: "file is not a database",
}
_READ_ONLY_ERRNOS = (errno.EACCES, errno.EPERM, errno.EROFS)


class ProfileError(UserError):
    """The profile cannot be opened or used (locked, read-only, not a database)."""


class ProfileLockedError(ProfileError):
    """The profile is encrypted and the password given does not open it (or none was)."""

    def __init__(self, message: str, *, wrong_password: bool) -> None:
        super().__init__(message)
        self.wrong_password = wrong_password


class ProfileStorageError(ProfileError):
    """The machine refused a read or a write of the profile's database; what was saved before
    is kept (the unit of work that failed is rolled back whole)."""


class ProfileDiskFullError(ProfileStorageError):
    """SQLITE_FULL: no room left on the disk for the database to grow."""


class ProfileReadOnlyError(ProfileStorageError):
    """SQLITE_READONLY (or the folder cannot be written): the profile can be read only."""


class ProfileBusyError(ProfileStorageError):
    """SQLITE_BUSY: another program (or the app in another window) holds the database."""


class ProfileDiskError(ProfileStorageError):
    """SQLITE_IOERR: the disk failed a read or a write (a USB drive pulled out, a failing disk)."""


class ProfileCorruptError(ProfileStorageError):
    """SQLITE_CORRUPT / SQLITE_NOTADB: the file is damaged, or (encrypted) not under this key."""


def sqlite_code(error: BaseException) -> int | None:
    """SQLite's primary result code of a driver's error (sqlite3 or sqlcipher3), None when it
    is no SQLite condition known here (or no driver's error at all)."""
    if not isinstance(error, sqlite3.Error | sqlcipher3.Error):
        return None
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF
    text = str(error).lower()
    return next((known for known, words in _MESSAGES.items() if words in text), None)


def storage_error(error: BaseException, path: Path,
                  encrypted: bool = False) -> ProfileStorageError | None:
    """The error to show for a driver's ``error`` on the database at ``path``; None when it
    is not the machine's doing (then it is a fault of the program)."""
    code = sqlite_code(error)
    if code == SQLITE_FULL:
        return disk_full()
    if code in (SQLITE_READONLY, SQLITE_CANTOPEN):
        return read_only(path)
    if code == SQLITE_BUSY:
        return ProfileBusyError(translate(
            "Errors", "Another program is using the profile ({path}): the app open in another "
            "window, or a backup or copying tool. Close it, then try again; what was saved "
            "before is kept.").format(path=path))
    if code == SQLITE_IOERR:
        return ProfileDiskError(translate(
            "Errors", "The disk holding the profile ({path}) failed to read or write: was a USB "
            "drive pulled out? Put it back or check the disk, then try again; what was saved "
            "before is kept.").format(path=path))
    if code in (SQLITE_CORRUPT, SQLITE_NOTADB):
        if encrypted:
            # The password opened the key file, so the key is right for that file: the
            # database is damaged, or the key file beside it came from another profile.
            return ProfileCorruptError(translate(
                "Errors", "The profile's database {path} cannot be read: it is damaged, or "
                "the key file beside it belongs to another profile. Restore the profile "
                "folder from a backup; nothing in it was changed.").format(path=path))
        return ProfileCorruptError(translate(
            "Errors", "The profile's database {path} is damaged: it can no longer be read as "
            "a database. Restore the profile folder from a backup; nothing in it was "
            "changed.").format(path=path))
    return None


def folder_error(error: OSError, path: Path) -> ProfileStorageError | None:
    """The error to show when the profile's folder or database file cannot be made; None
    when it is not the machine's doing."""
    if error.errno == errno.ENOSPC:
        return disk_full()
    if error.errno in _READ_ONLY_ERRNOS:
        return read_only(path)
    return None


def disk_full() -> ProfileDiskFullError:
    return ProfileDiskFullError(translate(
        "Errors", "The disk is full. Free some space (delete or move files you do not "
        "need), then try again; what was saved before is kept."))


def read_only(path: Path) -> ProfileReadOnlyError:
    return ProfileReadOnlyError(translate(
        "Errors", "The profile cannot be written: its folder or its database ({path}) is "
        "read-only, or the disk is. Give this user the right to write there, or use a "
        "profile on a writable disk, then try again; what was saved before is kept.")
        .format(path=path))
