"""Scoring rules HQ publishes (``python -m app hq publish-rules FILE.json``): a new version
without a new program. The event packages carry the newest version HQ has, shipped or
published, with its document (docs/scoring.md, docs/sync-protocol.md).

A document is checked by the very function the laptop runs on a package
(app.evaluation.rules.rules_document); a version that is shipped or published already is
refused unless the content is the same (then publishing again changes nothing).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from app.evaluation.rules import (
    RulesDocumentError,
    canonical_rules_text,
    rules_document_from_bytes,
    rules_sha256,
    shipped_documents,
)
from app.hq.database import HqDatabase
from app.hq.models import PublishedScoringRules, utc_now
from app.i18n import translate


def publish_rules(db: HqDatabase, raw: bytes) -> dict[str, Any]:
    """Check and store a rules document; ``{"version", "sha256", "published"}`` (published
    false: that very content was there already). RulesDocumentError when refused."""
    document, rules = rules_document_from_bytes(raw)
    version, digest = rules.version, rules_sha256(document)
    shipped = shipped_documents().get(version)
    if shipped is not None:
        if rules_sha256(shipped) != digest:
            raise RulesDocumentError(translate(
                "Rules", "version {0} is a version this program ships, with other content: "
                "a new version needs a new number").format(version))
        return {"version": version, "sha256": digest, "published": False}
    with db.begin() as s:
        stored = s.get(PublishedScoringRules, version)
        if stored is not None:
            if stored.sha256 != digest:
                raise RulesDocumentError(translate(
                    "Rules", "version {0} was published already with other content: a new "
                    "version needs a new number").format(version))
            return {"version": version, "sha256": digest, "published": False}
        s.add(PublishedScoringRules(version=version, document=canonical_rules_text(document),
                                    sha256=digest, published_at=utc_now()))
    return {"version": version, "sha256": digest, "published": True}


def _published(db: HqDatabase) -> list[PublishedScoringRules]:
    with db.Session() as s:
        return list(s.scalars(select(PublishedScoringRules)
                              .order_by(PublishedScoringRules.version)))


def rules_in_force(db: HqDatabase) -> dict[str, Any]:
    """Every version HQ has (shipped and published) and the one new packages carry."""
    versions: list[dict[str, Any]] = [
        {"version": version, "source": "shipped", "sha256": rules_sha256(document),
         "published_at": None}
        for version, document in sorted(shipped_documents().items())]
    for row in _published(db):
        versions.append({"version": row.version, "source": "published", "sha256": row.sha256,
                         "published_at": row.published_at.isoformat(timespec="seconds")})
    versions.sort(key=lambda v: v["version"])
    return {"versions": versions,
            "packages_use": max(v["version"] for v in versions) if versions else None}


def package_rules(db: HqDatabase) -> dict[str, Any]:
    """The package's ``scoring_rules``: the highest version HQ has, with its document."""
    documents: dict[int, dict[str, Any]] = dict(shipped_documents())
    newest = max(documents) if documents else 0
    with db.Session() as s:
        row = s.scalars(select(PublishedScoringRules)
                        .order_by(PublishedScoringRules.version.desc()).limit(1)).first()
        if row is not None and row.version > newest:
            return {"version": row.version, "document": json.loads(row.document)}
    return {"version": newest, "document": documents[newest]}
