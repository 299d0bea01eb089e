"""HQ staff's console in the browser (issue 14): what every page shares is
app.hq.console.common; each module below is one group of pages with its own router."""

from fastapi import APIRouter

from app.hq.console import badges, events, letters, pages, people, vetting
from app.hq.console.pages import public_router

routers: list[APIRouter] = [pages.router, events.router, vetting.router, people.router,
                            badges.router, letters.router]

__all__ = ["public_router", "routers"]
