"""HQ's console (issue 14): recommendation letters to organisers and grade-change confirmations."""

from __future__ import annotations

from app.hq.console.common import console_router

router = console_router()
