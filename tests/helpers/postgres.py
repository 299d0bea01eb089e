"""A throwaway PostgreSQL server for the tests that must see the real thing (HQ runs on it).

The server is started from the installed binaries (Debian's ``postgresql`` package puts them
in /usr/lib/postgresql/<version>/bin, off PATH), initialised into a temporary directory,
listening on 127.0.0.1 at a free port and on a unix socket in that directory, with fsync off:
it holds nothing worth keeping. It is stopped and its directory removed when the session ends.

initdb refuses to run as root, so as root the server runs as Debian's ``postgres`` system user
(``runuser``), owning the temporary directory.

Fixtures (registered through tests/conftest.py):

* ``postgres_url`` (session): the server's ``postgres`` database URL
  (``postgresql+psycopg://USER@127.0.0.1:PORT/DB``); skips when no binaries are installed,
  fails instead under CI (``CI=true``), where these tests must run.
* ``postgres_db`` (function): a database of its own per test, dropped afterwards, so that
  tests never see each other's rows.
"""

from __future__ import annotations

import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SUPERUSER = "vs_test"
ENABLE_HINT = ("install Debian's PostgreSQL server (`sudo apt-get install postgresql`; "
               "`bash scripts/test.sh` does it) to run the PostgreSQL tests")


def find_bin_dir() -> Path | None:
    """The directory holding initdb, pg_ctl and postgres: PATH first, then Debian's layout
    (newest version first)."""
    on_path = shutil.which("pg_ctl")
    candidates: list[Path] = []
    if on_path:
        # Debian's /usr/bin wrappers or hand-made symlinks: the real binaries sit together.
        candidates.append(Path(on_path).resolve().parent)
    debian = glob.glob("/usr/lib/postgresql/*/bin")
    debian.sort(key=lambda p: [int(n) for n in re.findall(r"\d+", p)], reverse=True)
    candidates += [Path(p) for p in debian]
    for directory in candidates:
        if all((directory / name).is_file() for name in ("initdb", "pg_ctl", "postgres")):
            return directory
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def unavailable(reason: str) -> None:
    """Skip, or fail under CI: a CI run that silently skips PostgreSQL proves nothing."""
    message = f"PostgreSQL tests cannot run: {reason}; {ENABLE_HINT}"
    if _in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@dataclass
class PostgresServer:
    bin_dir: Path
    root: Path  # temporary directory: data/, the socket, the log
    port: int
    run_as: str | None  # system user to run the binaries as (when we are root)

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def log_file(self) -> Path:
        return self.root / "server.log"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self.run_as:
            command = ["runuser", "-u", self.run_as, "--", *command]
        # cwd: the postgres user may not be allowed into the directory pytest started in.
        return subprocess.run(command, cwd=self.root, capture_output=True, text=True,
                              timeout=120, check=False)

    def init(self) -> None:
        done = self._run("initdb", "-D", str(self.data_dir), "-U", SUPERUSER, "--auth=trust",
                         "-E", "UTF8", "--locale=C", "--no-sync")
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{done.stdout}\n{done.stderr}")

    def start(self) -> None:
        options = (f"-c listen_addresses=127.0.0.1 -c port={self.port} "
                   f"-c unix_socket_directories={self.root} -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off")
        done = self._run("pg_ctl", "-D", str(self.data_dir), "-l", str(self.log_file),
                         "-o", options, "-w", "-t", "60", "start")
        if done.returncode != 0:
            log = self.log_file.read_text(errors="replace") if self.log_file.exists() else ""
            raise RuntimeError(f"pg_ctl start failed:\n{done.stdout}\n{done.stderr}\n{log}")

    def stop(self) -> None:
        # Immediate: nothing here needs a clean checkpoint, the directory is removed next.
        self._run("pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "-w", "stop")

    def execute(self, sql: str) -> None:
        """Run one statement in autocommit (CREATE/DROP DATABASE refuse a transaction)."""
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user=SUPERUSER,
                             dbname="postgres", autocommit=True) as connection:
            connection.execute(sql)

    def create_database(self) -> str:
        name = f"t_{uuid.uuid4().hex[:16]}"
        self.execute(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str) -> None:
        # FORCE: a test's engine may still hold pooled connections.
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_server() -> PostgresServer:
    """A running throwaway server (the caller stops it); skips or fails when impossible."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        unavailable("no initdb/pg_ctl/postgres found on PATH or in /usr/lib/postgresql/*/bin")
    assert bin_dir is not None
    run_as: str | None = None
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            unavailable("running as root and there is no `postgres` system user to run "
                        "the server as (Debian's package creates it)")
        if shutil.which("runuser") is None:
            unavailable("running as root and `runuser` is missing")
        run_as = "postgres"
    # Not under pytest's tmp_path: its parents are private to root, out of postgres's reach;
    # and a unix socket path must stay short.
    root = Path(tempfile.mkdtemp(prefix="vs-pg-"))
    if run_as:
        shutil.chown(root, user=run_as, group=pwd.getpwnam(run_as).pw_gid)
    os.chmod(root, 0o700)
    server = PostgresServer(bin_dir=bin_dir, root=root, port=_free_port(), run_as=run_as)
    try:
        server.init()
        for attempt in range(3):
            try:
                server.start()
                break
            except RuntimeError:
                # Another process may have taken the free port between probe and start.
                if attempt == 2:
                    raise
                server.port = _free_port()
    except BaseException:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
        raise
    return server


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = start_server()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url(postgres_server: PostgresServer) -> str:
    """The throwaway server's own database, shared by the whole session."""
    name = postgres_server.create_database()
    return postgres_server.url(name)


@pytest.fixture
def postgres_db(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh, empty database for one test (its URL); dropped when the test ends."""
    name = postgres_server.create_database()
    try:
        yield postgres_server.url(name)
    finally:
        postgres_server.drop_database(name)
