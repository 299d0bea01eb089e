"""HQ's console (issue 14): events: roster upload with preview, laptops and zones,
package, merged view."""

from __future__ import annotations

from app.hq.console.common import console_router

router = console_router()
