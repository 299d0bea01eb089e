"""The record kinds: the laptop's synced tables, declared once, by their models.

Every model with the ``Synced`` columns (app/profile/models.py) is a kind, named after its
table, in the order the tables are declared (parents before children). Adding a synced table
is its model plus the migration that creates the table and its outbox triggers
(tests/test_outbox_triggers.py checks every kind has them); the protocol's ``KINDS``, the
records' mapping and HQ's checks follow from here. Migration 0005 keeps its own copy of the
tables of its day: a migration stays frozen in time.
"""

from __future__ import annotations

from app.profile.models import Base, Synced


def _synced_models() -> dict[str, type[Synced]]:
    by_table: dict[str, type[Synced]] = {
        mapper.local_table.description: mapper.class_ for mapper in Base.registry.mappers
        if issubclass(mapper.class_, Synced)}
    # Base.metadata.tables keeps the order of declaration; the registry's set has none.
    return {table: by_table[table] for table in Base.metadata.tables if table in by_table}


# kind (the table's name) -> its model
MODELS: dict[str, type[Synced]] = _synced_models()


def plural(kind: str) -> str:
    """The name a kind is counted under ("company" -> "companies", "post_status" ->
    "post_statuses")."""
    if kind.endswith("y") and kind[-2:-1] not in ("a", "e", "i", "o", "u"):
        return kind[:-1] + "ies"
    if kind.endswith(("s", "x", "ch", "sh")):
        return kind + "es"
    return kind + "s"
