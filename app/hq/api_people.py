"""The person's file through the JSON API (issue 14), for any signed-in account:

    GET /api/v1/people/{cert_no}   -> 200 the file (app.hq.people), 404 when HQ knows no
                                      such person, 400 for what is no certificate number
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request

from app.hq.people import person_file
from app.hq.sign_in import Viewer

API = "/api/v1"

router = APIRouter()


@router.get(f"{API}/people/{{cert_no}}")
def person(cert_no: str, account: Viewer, request: Request) -> dict[str, Any]:
    """Events worked, posts, inspections and findings, evaluations, badge and vetting of
    the person holding this certificate (read only: nothing is written)."""
    del account  # any role reads
    with request.app.state.store.db.Session() as s:
        found = person_file(s, cert_no)
    if found is None:
        raise HTTPException(404, f"headquarters knows no person with certificate "
                                 f"{cert_no[:60]!r}: no event's roster lists it, and it "
                                 f"was never vetted or revoked")
    return found
