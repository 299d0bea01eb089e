"""HQ's console (issue 14): badges: issue an event's badges, revoke, trust and revocation lists."""

from __future__ import annotations

from app.hq.console.common import console_router

router = console_router()
