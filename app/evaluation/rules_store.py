"""Scoring rules in the laptop's profile: the versions HQ's event packages brought, and the
version each event is scored with (docs/scoring.md, "Rules from headquarters").

A package's ``scoring_rules`` (``{"version": N, "document": {...}}``) is checked before the
package's transaction (``checked_package_rules``: the same check HQ ran when it published the
version, app.evaluation.rules.rules_document) and stored inside it
(``store_package_rules``): the document in ``scoring_rules_document`` unless the version is
shipped, and ``event_scoring`` (event, N). ``rules_for`` finds a version shipped or stored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app.evaluation.rules import (
    RulesDocumentError,
    ScoringRules,
    canonical_rules_text,
    load_rules,
    remember_rules,
    rules_document,
    rules_sha256,
    same_as_shipped,
    shipped_documents,
)
from app.i18n import translate
from app.profile.db import Database
from app.profile.models import EventScoring, ScoringRulesDocument, utc_now


@dataclass(frozen=True)
class PackageRules:
    """A package's scoring rules, checked."""

    version: int
    text: str  # the canonical JSON (app.evaluation.rules.canonical_rules_text)
    sha256: str
    shipped: bool


def rules_for(db: Database, version: int | None) -> ScoringRules:
    """The rules of ``version``: shipped, or stored from HQ's package; the newest shipped for
    None. LookupError when neither has it."""
    if version is None:
        return load_rules()
    try:
        if version in shipped_documents():
            return load_rules(version)
        return _stored(db, version)
    except RulesDocumentError:  # a stored row no longer reads (changed by hand)
        raise LookupError(f"scoring rules v{version} are damaged in this profile") from None


def _stored(db: Database, version: int) -> ScoringRules:
    with db.read() as s:
        row = s.get(ScoringRulesDocument, version)
        text = row.document if row is not None else None
    if text is None:
        raise LookupError(f"no scoring rules v{version}")
    try:
        rules = rules_document(json.loads(text))
    except (ValueError, RecursionError) as exc:
        raise RulesDocumentError(str(exc)) from None
    if rules.version != version:
        raise RulesDocumentError(f"stored as v{version}, reads as v{rules.version}")
    remember_rules(rules)  # the PDF's sections look it up by version (load_rules)
    return rules


def event_rules_version(db: Database, event_id: str) -> int | None:
    """The version HQ's package set for the event, or None (an event made on this laptop,
    or pulled from an HQ that sent no rules)."""
    with db.read() as s:
        row = s.get(EventScoring, event_id)
        return row.rules_version if row is not None else None


def event_rules(db: Database, event_id: str) -> ScoringRules:
    """The rules an event's draft is scored with: its package's version, else the newest
    shipped."""
    return rules_for(db, event_rules_version(db, event_id))


def _package_refusal(problem: str) -> RulesDocumentError:
    return RulesDocumentError(translate("Sync", "its scoring rules cannot be used: {0}")
                              .format(problem))


def checked_package_rules(db: Database, value: object) -> PackageRules:
    """A package's ``scoring_rules``, checked before anything is written.

    Refused (RulesDocumentError, the message in the interface language): anything but
    ``{"version": N, "document": {...}}`` with a document that passes HQ's own check and
    says version N; a shipped version whose document is not the shipped one; a version this
    profile holds already with other content.
    """
    if not isinstance(value, dict) or set(value) != {"version", "document"}:
        raise _package_refusal(translate("Sync", "they are not a version and a document"))
    version = value["version"]
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise _package_refusal(translate("Sync", "the version is not a positive whole number"))
    try:
        rules = rules_document(value["document"])
    except RulesDocumentError as exc:
        raise _package_refusal(str(exc)) from None
    document: dict[str, Any] = value["document"]
    if rules.version != version:
        raise _package_refusal(translate("Sync", "the package says version {0}, its document "
                                         "version {1}").format(version, rules.version))
    shipped = same_as_shipped(version, document)
    if shipped is False:
        raise _package_refusal(translate("Sync", "version {0} differs from the version {0} this "
                                         "program ships").format(version))
    text, digest = canonical_rules_text(document), rules_sha256(document)
    if not shipped:
        with db.read() as s:
            stored = s.get(ScoringRulesDocument, version)
            if stored is not None and stored.sha256 != digest:
                raise _package_refusal(translate(
                    "Sync", "version {0} differs from the version {0} this laptop received "
                    "before").format(version))
    return PackageRules(version=version, text=text, sha256=digest, shipped=bool(shipped))


def store_package_rules(s: Session, event_id: str, rules: PackageRules) -> None:
    """Inside the package's transaction: keep the document (a version not shipped) and set
    the event's version, unless the event already has a newer one."""
    if not rules.shipped and s.get(ScoringRulesDocument, rules.version) is None:
        s.add(ScoringRulesDocument(version=rules.version, document=rules.text,
                                   sha256=rules.sha256, received_at=utc_now()))
    current = s.get(EventScoring, event_id)
    if current is None:
        s.add(EventScoring(event_id=event_id, rules_version=rules.version))
    elif current.rules_version < rules.version:
        current.rules_version = rules.version
