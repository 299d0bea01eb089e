"""What a change changed: the one description every view refreshes from.

As Anki's ``OpChanges``: each change of the inspection returns, beside its value, a frozen
``Changes`` naming the records it touched, and the screens refresh only those (a tick reloads
the figures, not every post). Qt-free: the screens' runner (ui/operations.py) carries it in
one signal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


def ids(*values: str | None) -> frozenset[str]:
    """The ids given, without the Nones (a scan without a post has no post id)."""
    return frozenset(value for value in values if value is not None)


@dataclass(frozen=True)
class Changes:
    """The records a change touched; an empty ``Changes()`` touched nothing."""

    # The events whose records changed: their views are concerned at all.
    event_ids: frozenset[str] = frozenset()
    # Posts whose own line (definition, counts, state) may read differently now.
    post_ids: frozenset[str] = frozenset()
    # Guards whose roster line (post, photo, details) changed.
    guard_ids: frozenset[str] = frozenset()
    # Inspections whose checklist or findings changed (or that were recorded or undone).
    inspection_ids: frozenset[str] = frozenset()
    finding_ids: frozenset[str] = frozenset()
    event_details: bool = False  # an event's own facts (name, venue, company): the header
    post_list: bool = False  # posts added or renamed: every list of posts, in its order
    roster: bool = False  # guards added or updated in bulk: every roster line
    evaluation: bool = False  # an evaluation saved, signed or versioned: the lock, the PDF
    counts: bool = False  # the event's figures may differ: dashboard, progress, score

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            event_ids=self.event_ids | other.event_ids,
            post_ids=self.post_ids | other.post_ids,
            guard_ids=self.guard_ids | other.guard_ids,
            inspection_ids=self.inspection_ids | other.inspection_ids,
            finding_ids=self.finding_ids | other.finding_ids,
            event_details=self.event_details or other.event_details,
            post_list=self.post_list or other.post_list,
            roster=self.roster or other.roster,
            evaluation=self.evaluation or other.evaluation,
            counts=self.counts or other.counts)

    @staticmethod
    def merge(all_changes: Iterable[Changes]) -> Changes:
        merged = Changes()
        for changes in all_changes:
            merged = merged | changes
        return merged

    def concerns(self, event_id: str | None) -> bool:
        """The change touched records of ``event_id`` (the event a view shows)."""
        return event_id is not None and event_id in self.event_ids


@dataclass(frozen=True)
class Applied(Generic[T]):
    """A change's value (what its caller used to get) and what it changed."""

    value: T
    changes: Changes = field(default_factory=Changes)
