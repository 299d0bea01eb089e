"""A real headquarters service in a child process on loopback, for end-to-end sync tests and
the sync benchmark: started, stopped, killed and started again on the same port."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 30.0
KEY_PASSPHRASE = "test HQ key passphrase"


def key_passphrase_env(folder: Path) -> dict[str, str]:
    """The environment that gives ``hq`` commands their key passphrase (app.hq.keys), in a
    file of ``folder`` readable by its owner only."""
    from app.hq.keys import PASSPHRASE_FILE_ENV

    path = folder / "hq-key-passphrase.txt"
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(KEY_PASSPHRASE + "\n", encoding="utf-8")
    return {PASSPHRASE_FILE_ENV: str(path)}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run_app(*args: str, check: bool = True, timeout: float = 120.0,
            input_text: str | None = None,
            extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m app ARGS`` as a user would type it; fails loudly with its output."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", VENUE_SUPERVISOR_LANG="en",
               **(extra_env or {}))
    result = subprocess.run([sys.executable, "-m", "app", *args], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=timeout, input=input_text)
    if check and result.returncode != 0:
        raise AssertionError(f"python -m app {' '.join(args)} exited {result.returncode}\n"
                             f"stdout: {result.stdout}\nstderr: {result.stderr}")
    return result


def last_json(text: str) -> dict[str, object]:
    return json.loads(text.strip().splitlines()[-1])


class HqProcess:
    def __init__(self, db_url: str, workdir: Path, cert: Path | None = None,
                 key: Path | None = None) -> None:
        self.db_url = db_url
        self.workdir = workdir
        self.cert, self.key = cert, key
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        scheme = "https" if cert else "http"
        self.url = f"{scheme}://127.0.0.1:{self.port}"

    def start(self) -> HqProcess:
        ready = self.workdir / f"hq-ready-{self.port}"
        ready.unlink(missing_ok=True)
        args = [sys.executable, "-m", "app", "hq", "serve", "--db", self.db_url,
                "--host", "127.0.0.1", "--port", str(self.port), "--ready-file", str(ready)]
        if self.cert and self.key:
            args += ["--cert", str(self.cert), "--key", str(self.key)]
        log = open(self.workdir / "hq.log", "ab")  # noqa: SIM115 - kept for the process
        self.process = subprocess.Popen(args, cwd=REPO, stdout=log, stderr=log,
                                        env=dict(os.environ, QT_QPA_PLATFORM="offscreen",
                                                 **key_passphrase_env(self.workdir)))
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if ready.exists() and ready.read_text().strip():
                return self
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        self.stop(kill=True)
        raise AssertionError("HQ did not start:\n" +
                             (self.workdir / "hq.log").read_text(errors="replace")[-3000:])

    def stop(self, kill: bool = False) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def hq(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """An ``hq`` administration command against this service's database."""
        command, *rest = args
        return run_app("hq", command, "--db", self.db_url, *rest, check=check,
                       extra_env=key_passphrase_env(self.workdir))

    def enrol_code(self, supervisor: str = "李建国") -> str:
        output = self.hq("enrol-code", "--supervisor", supervisor).stdout
        return output.strip().splitlines()[-1].strip()

    def stats(self) -> dict[str, object]:
        return last_json(self.hq("stats").stdout)
