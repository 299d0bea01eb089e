"""The changes HQ staff make through the JSON API under /api/v1/ (issue 14), each in the
audit log, each behind its role (app.hq.sign_in): a viewer's write answers 403.

    POST /api/v1/revocations {"cert_no", "reason"}  -> 201   (staff)
    PUT  /api/v1/vetting/{cert_no} {"background", "trained", "note"}  (staff)
    PUT  /api/v1/companies/{licence} {"credit_grade", "list", "reason"}  (staff)
    GET  /api/v1/audit                                       (admin)
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field, StrictBool

from app.hq import audit, register, revocations, vetting
from app.hq.sign_in import Admin, Staff

API = "/api/v1"
MAX_CERT_CHARS = revocations.MAX_CERT_CHARS
MAX_REASON_CHARS = revocations.MAX_REASON_CHARS

router = APIRouter()


class Revocation(BaseModel):
    cert_no: str = Field(min_length=1, max_length=MAX_CERT_CHARS)
    reason: str = Field(min_length=1, max_length=MAX_REASON_CHARS)


@router.post(f"{API}/revocations", status_code=201)
def revoke_certificate(revocation: Revocation, account: Staff,
                       request: Request) -> dict[str, Any]:
    """Revoke a guard's certificate: every event package and revocation list from now on
    carries it, so every laptop refuses the badge after its next pull (app.hq.revocations,
    the console's person page's code path too)."""
    return revocations.revoke(request.app.state.store.db, account.name, revocation.cert_no,
                              revocation.reason)


class VettingResult(BaseModel):
    background: Literal["cleared", "pending", "failed"]
    trained: StrictBool  # true or false, not "yes" or 1
    note: str = Field(default="", max_length=vetting.MAX_NOTE_CHARS)
    # Optional (issue 14, console vetting): given ones replace what HQ holds, absent ones
    # keep it; dates are YYYY-MM-DD ("" or null: none).
    background_date: str | None = Field(default=None, max_length=10)
    officer: str | None = Field(default=None, max_length=vetting.MAX_OFFICER_CHARS)
    training_session: str | None = Field(default=None, max_length=vetting.MAX_SESSION_CHARS)
    training_date: str | None = Field(default=None, max_length=10)


@router.put(f"{API}/vetting/{{cert_no}}")
def put_vetting(cert_no: Annotated[str, Path(min_length=1, max_length=MAX_CERT_CHARS)],
                result: VettingResult, account: Staff, request: Request) -> dict[str, Any]:
    """HQ's own vetting of the person; the next package of any event with that guard
    carries it (app.hq.vetting)."""
    details = {name: "" if getattr(result, name) is None and name in ("officer",
                                                                      "training_session")
               else getattr(result, name)
               for name in vetting.DETAIL_FIELDS if name in result.model_fields_set}
    return vetting.set_vetting(request.app.state.store.db, account.name, cert_no,
                               result.background, result.trained, result.note, details)


class CompanyStanding(BaseModel):
    credit_grade: str = Field(min_length=1, max_length=register.MAX_GRADE_CHARS)
    list_name: Literal["red", "black"] | None = Field(alias="list")
    reason: str = Field(min_length=1, max_length=register.MAX_REASON_CHARS)


@router.put(f"{API}/companies/{{licence}}")
def put_company(licence: Annotated[str, Path(min_length=1, max_length=100)],
                standing: CompanyStanding, account: Staff,
                request: Request) -> dict[str, Any]:
    """A company's credit grade and its red or black list (null: neither), with the
    reason; the next package of every event carries the grade and the black list."""
    return register.set_company(request.app.state.store.db, account.name, licence,
                                standing.credit_grade, standing.list_name, standing.reason)


@router.get(f"{API}/audit")
def audit_log(account: Admin, request: Request,
              limit: Annotated[int, Query(ge=1, le=audit.MAX_LISTED)] = 100,
              before_id: Annotated[int | None, Query(ge=1)] = None) -> dict[str, Any]:
    """The newest entries first, and whether the chain of hashes still holds."""
    db = request.app.state.store.db
    broken = audit.verify_chain(db)
    return {"entries": audit.entries(db, limit, before_id), "chain_intact": broken is None,
            "broken_at": broken}
