"""HQ staff's console in the browser (issue 14): app.hq.console.pages."""

from app.hq.console.pages import public_router, router

__all__ = ["public_router", "router"]
