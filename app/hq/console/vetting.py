"""HQ's console (issue 14): vetting owned by the police: background and pre-job
training, bulk import."""

from __future__ import annotations

from app.hq.console.common import console_router

router = console_router()
