"""Who the supervisor is and what their reports say by default, kept in the (encrypted)
profile: set in the first-run set-up, changed in Settings, read by the evaluation.
Where the set-up itself stands is ``app.profile.set_up``."""

from __future__ import annotations

from dataclasses import dataclass

from app.evaluation.signing import SUPERVISOR_NAME_SETTING
from app.profile.db import Database

SUPERVISOR_UNIT_SETTING = "supervisor_unit"
SUPERVISOR_BADGE_SETTING = "supervisor_badge_number"
REPORT_UNIT_SETTING = "report_unit_name"
REPORT_SIGNER_SETTING = "report_signer"
REPORT_PREFIX_SETTING = "report_number_prefix"
REPORT_BASIS_SETTING = "report_basis"
MAX_FIELD_CHARS = 80
MAX_PREFIX_CHARS = 20  # the document number (文号) is at most 60 characters in all
MAX_BASIS_CHARS = 200


@dataclass(frozen=True, slots=True)
class SupervisorIdentity:
    name: str = ""
    unit: str = ""  # e.g. XX市公安局治安管理支队
    badge_number: str = ""  # the police officer's own number, not a guard's certificate


@dataclass(frozen=True, slots=True)
class ReportDefaults:
    unit_name: str = ""  # the issuing unit printed on the evaluation; "" uses the identity's
    signer: str = ""  # who signs; "" uses the supervisor's name
    number_prefix: str = ""  # of the document number (文号), e.g. 辽公保考; "" the default
    basis: str = ""  # the basis line (考评依据); "" the default (app.evaluation.document_numbers)


def _clean(text: str, limit: int = MAX_FIELD_CHARS) -> str:
    return " ".join(text.split())[:limit]


def clean_prefix(text: str) -> str:
    """A document-number prefix as kept: no spaces, no year brackets, at most 20 characters."""
    return "".join(c for c in "".join(text.split()) if c not in "〔〕")[:MAX_PREFIX_CHARS]


def read_identity(db: Database) -> SupervisorIdentity:
    return SupervisorIdentity(name=db.setting(SUPERVISOR_NAME_SETTING) or "",
                              unit=db.setting(SUPERVISOR_UNIT_SETTING) or "",
                              badge_number=db.setting(SUPERVISOR_BADGE_SETTING) or "")


def save_identity(db: Database, identity: SupervisorIdentity) -> SupervisorIdentity:
    saved = SupervisorIdentity(_clean(identity.name), _clean(identity.unit),
                               _clean(identity.badge_number))
    db.set_setting(SUPERVISOR_NAME_SETTING, saved.name)
    db.set_setting(SUPERVISOR_UNIT_SETTING, saved.unit)
    db.set_setting(SUPERVISOR_BADGE_SETTING, saved.badge_number)
    return saved


def read_report_defaults(db: Database) -> ReportDefaults:
    return ReportDefaults(unit_name=db.setting(REPORT_UNIT_SETTING) or "",
                          signer=db.setting(REPORT_SIGNER_SETTING) or "",
                          number_prefix=db.setting(REPORT_PREFIX_SETTING) or "",
                          basis=db.setting(REPORT_BASIS_SETTING) or "")


def save_report_defaults(db: Database, defaults: ReportDefaults) -> ReportDefaults:
    saved = ReportDefaults(_clean(defaults.unit_name), _clean(defaults.signer),
                           clean_prefix(defaults.number_prefix),
                           _clean(defaults.basis, MAX_BASIS_CHARS))
    db.set_setting(REPORT_UNIT_SETTING, saved.unit_name)
    db.set_setting(REPORT_SIGNER_SETTING, saved.signer)
    db.set_setting(REPORT_PREFIX_SETTING, saved.number_prefix)
    db.set_setting(REPORT_BASIS_SETTING, saved.basis)
    return saved

