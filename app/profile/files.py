"""Files the profile keeps: written whole or not at all, readable by this user only, and
encrypted when the profile is.

``write_atomically`` is the one way a file is written (a temporary file, fsynced, renamed
over the target; mode 0600). ``ProfileFiles`` (``Database.files``) is the one way the app
reads and writes the files of a profile (guard photos, evidence photos, signed PDFs, key
files): in an encrypted profile each file is AES-256-GCM under the profile's file key, with
its path inside the profile as associated data, so a file copied or renamed to another place
in the profile does not open either; in a plain profile (the built-in demo, HQ's scratch
profile, the tests' own) the same calls read and write the bytes as they are.
"""

from __future__ import annotations

import base64
import logging
import os
import stat
import tempfile
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.errors import UserError
from app.i18n import translate

FILE_MODE = 0o600
DIR_MODE = 0o700
# Every encrypted profile file begins with this; the format's version is its last byte.
ENCRYPTED_MAGIC = b"VSENC\x01"
NONCE_BYTES = 12
TAG_BYTES = 16
# A line of an encrypted log: this, then base64(nonce + AES-GCM of the line's text).
ENCRYPTED_LINE_MARK = b"VSLOG1 "


class ProfileFileError(UserError):
    """A profile file that cannot be read as one (damaged, changed, or moved)."""


def private_dir(folder: Path) -> Path:
    """Create ``folder`` (and missing parents) with mode 0700, whatever the umask. A folder
    that exists already keeps its mode (``--data-dir`` may name a folder of the user's)."""
    missing: list[Path] = []
    current = Path(folder)
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for part in reversed(missing):
        try:
            part.mkdir(mode=DIR_MODE)
        except FileExistsError:
            pass
        os.chmod(part, DIR_MODE)
    return Path(folder)


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (where the platform allows it)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:  # not possible on every platform (Windows): the rename stands anyway
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def write_atomically(target: Path, data: bytes) -> Path:
    """Write ``data`` to ``target`` through a temporary file, fsynced, then renamed: a crash
    or a pulled battery leaves the old file or the new one, never half of one. The file is
    created 0600 (readable by this user only) whatever the umask."""
    target = Path(target)
    if not target.parent.exists():
        private_dir(target.parent)
    temporary = target.with_name(target.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(descriptor, "wb") as handle:
        if hasattr(os, "fchmod"):  # an older .tmp may have had another mode
            os.fchmod(handle.fileno(), FILE_MODE)
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, target)
    fsync_dir(target.parent)
    return target


class ProfileFiles:
    """The files of one profile folder, by their path relative to it (``photos/x.jpg``).

    Methods take that relative path, or an absolute path inside the folder; a path outside it
    is refused (ValueError), so a name from a package cannot reach beyond the profile.
    """

    def __init__(self, root: Path, key: bytes | None = None) -> None:
        self.root = Path(root)
        self._cipher = None
        if key is not None:
            self._cipher = AESGCM(key)

    @property
    def encrypted(self) -> bool:
        return self._cipher is not None

    # ------------------------------------------------------------------ names
    def relative(self, name: str | os.PathLike[str]) -> str:
        """The path inside the profile, with forward slashes (what the rows store)."""
        path = Path(name)
        if path.is_absolute():
            try:
                inside = path.relative_to(self.root)
            except ValueError:
                inside = path.resolve().relative_to(self.root.resolve())
        else:
            inside = path
        parts = inside.parts
        if not parts or any(part in ("", ".", "..") for part in parts):
            raise ValueError(f"not a file inside the profile: {name}")
        return "/".join(parts)

    def path(self, name: str | os.PathLike[str]) -> Path:
        """Where the file lies on disk (encrypted in an encrypted profile)."""
        return self.root / self.relative(name)

    def exists(self, name: str | os.PathLike[str] | None) -> bool:
        return bool(name) and self.path(name or "").is_file()

    # --------------------------------------------------------------- content
    def _aad(self, relative: str) -> bytes:
        return ENCRYPTED_MAGIC + relative.encode("utf-8")

    def seal(self, relative: str, data: bytes) -> bytes:
        """The bytes to store for ``data`` at ``relative`` (``data`` itself when plain)."""
        if self._cipher is None:
            return data
        nonce = os.urandom(NONCE_BYTES)
        return ENCRYPTED_MAGIC + nonce + self._cipher.encrypt(nonce, data, self._aad(relative))

    def open_sealed(self, relative: str, stored: bytes) -> bytes:
        if self._cipher is None:
            return stored
        head = len(ENCRYPTED_MAGIC)
        if not stored.startswith(ENCRYPTED_MAGIC) or len(stored) < head + NONCE_BYTES + TAG_BYTES:
            raise ProfileFileError(translate(
                "ProfileFiles", "{file} in the profile is not encrypted with the profile's key "
                                "(put there by hand, or damaged)").format(file=relative))
        nonce = stored[head:head + NONCE_BYTES]
        try:
            return self._cipher.decrypt(nonce, stored[head + NONCE_BYTES:], self._aad(relative))
        except InvalidTag:
            raise ProfileFileError(translate(
                "ProfileFiles", "{file} in the profile is damaged or was changed (it does not "
                                "decrypt)").format(file=relative)) from None

    def read(self, name: str | os.PathLike[str]) -> bytes:
        """The file's content, decrypted; OSError (FileNotFoundError) as ``read_bytes``."""
        relative = self.relative(name)
        return self.open_sealed(relative, (self.root / relative).read_bytes())

    def write(self, name: str | os.PathLike[str], data: bytes) -> str:
        """Write the file whole (atomically, 0600, encrypted when the profile is); returns its
        relative path. Missing folders are created 0700."""
        relative = self.relative(name)
        target = self.root / relative
        if not target.parent.exists():
            private_dir(target.parent)
        write_atomically(target, self.seal(relative, bytes(data)))
        return relative

    def copy_in(self, source: str | os.PathLike[str], name: str | os.PathLike[str]) -> str:
        """A copy of an outside (plain) file kept in the profile under ``name``."""
        return self.write(name, Path(source).read_bytes())

    # ------------------------------------------------------------------ logs
    def append_line(self, name: str | os.PathLike[str], text: str) -> None:
        """Add one line to a log kept in the profile: as it is in a plain profile; in an
        encrypted one the line is sealed on its own (the file can grow line by line)."""
        relative = self.relative(name)
        path = self.root / relative
        data = text.encode("utf-8")
        if self._cipher is not None:
            data = ENCRYPTED_LINE_MARK + base64.b64encode(self.seal(relative, data)[
                len(ENCRYPTED_MAGIC):])
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
        with os.fdopen(descriptor, "ab") as handle:
            handle.write(data + b"\n")

    def read_lines(self, name: str | os.PathLike[str]) -> list[str]:
        """The log's lines, decrypted; a line that does not decrypt is shown as such."""
        relative = self.relative(name)
        lines: list[str] = []
        for raw in (self.root / relative).read_bytes().splitlines():
            if raw.startswith(ENCRYPTED_LINE_MARK) and self._cipher is not None:
                try:
                    sealed = ENCRYPTED_MAGIC + base64.b64decode(raw[len(ENCRYPTED_LINE_MARK):])
                    raw = self.open_sealed(relative, sealed)
                except (ValueError, ProfileFileError):
                    raw = b"[a damaged line]"
            lines.append(raw.decode("utf-8", "replace"))
        return lines

    def encrypt_lines_in_place(self, name: str | os.PathLike[str]) -> None:
        """Seal every plain line of a log (a profile being converted)."""
        relative = self.relative(name)
        path = self.root / relative
        if self._cipher is None or not path.is_file():
            return
        raw_lines = path.read_bytes().splitlines()
        if all(line.startswith(ENCRYPTED_LINE_MARK) for line in raw_lines):
            return
        sealed = [line if line.startswith(ENCRYPTED_LINE_MARK) else ENCRYPTED_LINE_MARK
                  + base64.b64encode(self.seal(relative, line)[len(ENCRYPTED_MAGIC):])
                  for line in raw_lines]
        write_atomically(path, b"".join(line + b"\n" for line in sealed))

    def remove(self, name: str | os.PathLike[str]) -> None:
        self.path(name).unlink(missing_ok=True)

    def plain_copy(self, name: str | os.PathLike[str], suffix: str = "") -> Path:
        """A file another program can open (the system's PDF viewer): the file itself in a
        plain profile; in an encrypted one a decrypted copy in a new private temporary
        folder (0700, the file 0600), which the caller removes when done
        (``shutil.rmtree(path.parent)``). The copy is plain text on disk while it exists."""
        if self._cipher is None:
            return self.path(name)
        data = self.read(name)
        folder = Path(tempfile.mkdtemp(prefix="venue-supervisor-"))
        os.chmod(folder, DIR_MODE)
        target = folder / (Path(self.relative(name)).name + suffix)
        write_atomically(target, data)
        return target

    # ------------------------------------------------------------ conversion
    def walk(self, folders: Iterable[str]) -> Iterator[str]:
        """Every regular file in the profile's ``folders`` (relative paths), folders made 0700
        and files 0600 on the way; symbolic links are not followed. Only the folders the app
        keeps files in are walked: a --data-dir that names a folder of the user's own must
        not have the user's other files encrypted."""
        for top in folders:
            yield from self._walk_one(self.root / top)

    def _walk_one(self, top: Path) -> Iterator[str]:
        if top.is_symlink() or not top.is_dir():
            return
        for folder, folders, names in os.walk(top):
            base = Path(folder)
            os.chmod(base, DIR_MODE)
            folders[:] = [f for f in folders if not (base / f).is_symlink()]
            for name in sorted(names):
                path = base / name
                info = path.lstat()
                if not stat.S_ISREG(info.st_mode):
                    continue
                relative = self.relative(path)
                if stat.S_IMODE(info.st_mode) != FILE_MODE:
                    os.chmod(path, FILE_MODE)
                yield relative

    def encrypt_in_place(self, folders: Iterable[str]) -> int:
        """Encrypt every file in the profile's ``folders`` that is not yet (a profile being
        converted; a run stopped half-way resumes where it stopped); returns how many."""
        if self._cipher is None:
            return 0
        count = 0
        for relative in list(self.walk(folders)):
            path = self.root / relative
            with open(path, "rb") as handle:
                head = handle.read(len(ENCRYPTED_MAGIC))
            if head == ENCRYPTED_MAGIC:
                continue
            write_atomically(path, self.seal(relative, path.read_bytes()))
            count += 1
        return count


class ProfileLogHandler(logging.Handler):
    """The app's log in the profile (``ProfileFiles.append_line``): encrypted line by line
    when the profile is, since a message may name a guard; ``python -m app show-log`` reads
    it with the password."""

    def __init__(self, files: ProfileFiles, name: str) -> None:
        super().__init__()
        self.files = files
        self.name_in_profile = name
        self._write_lock = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
            with self._write_lock:
                self.files.append_line(self.name_in_profile, text)
        except Exception:  # logging must never take the app down
            self.handleError(record)
