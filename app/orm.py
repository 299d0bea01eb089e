"""What the laptop's models (app.profile.models) and HQ's (app.hq.models) share: moments in UTC
and the "live rows" filter.

Every moment the program keeps is UTC and every moment it hands out is timezone-aware. SQLite
has no time-zone type: SQLAlchemy writes a datetime's wall-clock figures and reads them back
naive, so a moment in +08:00 would be stored eight hours off and read back without a zone.
``UtcDateTime`` converts at the boundary instead (aware to UTC on the way in, UTC attached on
the way out), so no other code has to ask whether a value is naive. PostgreSQL (HQ in
production) keeps ``timestamptz`` and hands back aware values already.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar, Protocol, overload

from sqlalchemy import ColumnElement, DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.types import TypeDecorator


def utc_now() -> datetime:
    return datetime.now(UTC)


@overload
def as_utc(moment: datetime) -> datetime: ...
@overload
def as_utc(moment: None) -> None: ...
def as_utc(moment: datetime | None) -> datetime | None:
    """``moment`` as an aware UTC datetime; a naive one is taken to be UTC already (what the
    program writes, and what older profiles hold). None stays None."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """A moment stored as UTC and read back aware (see the module's docstring)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):  # a date or a text would be stored as it is
            raise TypeError(f"a datetime is needed, not {type(value).__name__}")
        return as_utc(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        stored: datetime | None = value
        return as_utc(stored)


class SoftDeleted(Protocol):
    """A model whose rows are never deleted, only marked (the sync needs to send the mark)."""

    deleted_at: ClassVar[InstrumentedAttribute[datetime | None]]


def live(model: type[SoftDeleted]) -> ColumnElement[bool]:
    """The filter that keeps the rows not deleted: ``select(Post).where(live(Post))``."""
    return model.deleted_at.is_(None)
