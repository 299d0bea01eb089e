"""HQ staff's console in the browser (issue 14): app.hq.console.pages."""

from app.hq.console.pages import router

__all__ = ["router"]
