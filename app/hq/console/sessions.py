"""The console's sign-in sessions, kept on the server (issue 14).

Why a table in memory and not Starlette's signed-cookie sessions: a signed cookie cannot be
taken back, so signing out (or disabling an account) would leave a copied cookie valid until
it expires, and the signing secret would have to be kept somewhere. Here the browser holds
only a random token (32 bytes, in an HttpOnly, SameSite=Strict cookie); signing out forgets
it at once, and each request reads the account again, so a disabled account or a changed role
counts from the next click. The price: a restart of HQ's service signs everyone out, which for
a handful of HQ staff is acceptable (and no secret exists to leak or to keep).

Each session has its own CSRF token, which every form of the console carries.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

IDLE_S = 2 * 3600.0  # a session not used for two hours ends
LONGEST_S = 12 * 3600.0  # and any session after twelve (one shift)
MAX_SESSIONS = 10_000  # bounded memory whatever is sent: the oldest are forgotten first
TOKEN_BYTES = 32


@dataclass
class ConsoleSession:
    token: str
    account: str
    started: float
    last_used: float
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(TOKEN_BYTES))

    def csrf_matches(self, sent: str | None) -> bool:
        return bool(sent) and hmac.compare_digest(self.csrf.encode(), (sent or "").encode())


class ConsoleSessions:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._sessions: OrderedDict[str, ConsoleSession] = OrderedDict()
        self._lock = threading.Lock()

    def start(self, account: str) -> ConsoleSession:
        """A new session (a new token at every sign-in: a token planted before it is
        worthless)."""
        now = self._clock()
        session = ConsoleSession(secrets.token_urlsafe(TOKEN_BYTES), account, now, now)
        with self._lock:
            while len(self._sessions) >= MAX_SESSIONS:
                self._sessions.popitem(last=False)
            self._sessions[session.token] = session
        return session

    def get(self, token: str | None) -> ConsoleSession | None:
        """The live session of ``token``; None for an unknown, idle or too old one."""
        if not token or len(token) > 100:
            return None
        now = self._clock()
        with self._lock:
            session = self._sessions.get(token)
            if session is None:
                return None
            if now - session.last_used > IDLE_S or now - session.started > LONGEST_S:
                del self._sessions[token]
                return None
            session.last_used = now
            self._sessions.move_to_end(token)
            return session

    def end(self, token: str | None) -> None:
        if token:
            with self._lock:
                self._sessions.pop(token, None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)
