"""The requests headquarters refuses, each with the HTTP status the server answers with.

Raised by the store's modules; app.hq.server turns them into answers, app.hq.cli into a
message and an exit code.
"""

from __future__ import annotations


class HqError(Exception):
    """A request HQ refuses; ``status`` is the HTTP status the server answers with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class AuthError(HqError):
    """No, an unknown or a wrong token (401), or a revoked device (403)."""


class EnrolError(HqError):
    pass
