"""HQ's console (issue 14): one file per person by certificate number, revoke from there."""

from __future__ import annotations

from app.hq.console.common import console_router

router = console_router()
