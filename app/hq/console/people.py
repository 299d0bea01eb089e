"""HQ's console (issue 14): one file per person by certificate number, revoke from there.

    GET  /console/people?cert_no=…           the search form (and its answer)   (viewer)
    GET  /console/people/{cert_no}           the person's file                   (viewer)
    POST /console/people/{cert_no}/revoke    revoke the certificate, a reason    (staff)

The file is app.hq.people's (the JSON API's too): events worked with their posts, the
inspections and findings of those guard rows, the evaluations of those events, HQ's vetting
now and its history, the badge (revoked or not; when, by whom and why from the audit log).
HQ holds no ID number, and the page shows none. Revoking is app.hq.revocations's, the code
path of ``POST /api/v1/revocations``.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response

from app.hq import revocations
from app.hq.console.common import (
    ACTION_TEXT,
    PREFIX,
    FormDep,
    SignedIn,
    console_router,
    grade_words,
    local_time,
    message,
    redirect_to,
    render,
    signed_in,
    staff_posting,
    to_sign_in,
)
from app.hq.errors import HqError
from app.hq.people import MAX_CERT_CHARS, person_file, valid_key

router = console_router()
BACKGROUND_TEXT = {"passed": "通过 (passed)", "cleared": "通过 (cleared)",
                   "pending": "待定 (pending)", "failed": "未通过 (failed)"}


def _when(value: object) -> str:
    if not isinstance(value, str) or not value:
        return "—"
    try:
        return local_time(datetime.fromisoformat(value))
    except ValueError:
        return value  # shown as it is (the template escapes it)


def _trained(value: object) -> str:
    return {True: "是 (yes)", False: "否 (no)"}.get(value, "—") if isinstance(value, bool) \
        else "—"


def _change(entry: dict[str, Any]) -> str:
    """An audit entry of the person in a few words: what it set."""
    after = entry.get("after") or {}
    if entry.get("action") == revocations.ACTION:
        return f"原因 (reason): {after.get('reason', '')}"
    parts = []
    if "background" in after:
        background = str(after["background"])
        parts.append(f"背景 (background): {BACKGROUND_TEXT.get(background, background)}")
    if "trained" in after:
        parts.append(f"培训 (trained): {_trained(after['trained'])}")
    if after.get("note"):
        parts.append(f"备注 (note): {after['note']}")
    return "; ".join(parts)


def _badge(found: dict[str, Any]) -> dict[str, Any]:
    """Revoked or not, and the newest revocation's when, who and why (the audit log)."""
    revoked = bool(found["badge"]["revoked"])
    entries = [h for h in found["vetting_history"] if h["action"] == revocations.ACTION]
    last = entries[-1] if entries and revoked else None
    return {"revoked": revoked, "at": _when(last["at"]) if last else "",
            "by": last["actor"] if last else "",
            "reason": (last.get("after") or {}).get("reason", "") if last else ""}


def _shown(found: dict[str, Any]) -> dict[str, Any]:
    vetting = found["vetting"]
    return {
        "cert_key": found["cert_key"], "cert_nos": found["cert_nos"], "names": found["names"],
        "badge": _badge(found), "truncated": found["truncated"],
        "vetting": None if vetting is None else {
            "background": BACKGROUND_TEXT.get(vetting["background"], vetting["background"]),
            "trained": _trained(vetting["trained"]), "note": vetting["note"] or "",
            "at": _when(vetting["updated_at"]), "by": vetting["updated_by"]},
        "history": [{"at": _when(h["at"]), "actor": h["actor"],
                     "action": ACTION_TEXT.get(h["action"], h["action"]),
                     "change": _change(h)} for h in found["vetting_history"]],
        "events": [{**e, "starts": _when(e["starts_at"]),
                    "background": BACKGROUND_TEXT.get(e["background_check"] or "", "—"),
                    "trained_text": _trained(e["trained"]),
                    "by": (e["recorded_by"] or {}).get("name") or "—"}
                   for e in found["events"]],
        "inspections": [{**i, "at": _when(i["time"]),
                         "by": (i["recorded_by"] or {}).get("name") or "—"}
                        for i in found["inspections"]],
        "findings": [{**f, "at": _when(f["time"]),
                      "by": (f["recorded_by"] or {}).get("name") or "—"}
                     for f in found["findings"]],
        "evaluations": [{**e, "grade_text": grade_words(e["grade"], e["grade_final"]),
                         "score_text": f"{e['score']:.2f}" if isinstance(e["score"], float | int)
                         else "—", "signed": _when(e["signed_at"])}
                        for e in found["evaluations"]],
    }


def _search_page(request: Request, who: SignedIn, status: int = 200, error: str | None = None,
                 cert_no: str = "") -> Response:
    return render(request, "people.html", "人员档案 (People)", who, status, error=error,
                  cert_no=cert_no, max_chars=revocations.MAX_CERT_CHARS)


@router.get("/people")
def people_search(request: Request, cert_no: str | None = None) -> Response:
    who = signed_in(request)
    if who is None:
        return to_sign_in()
    if cert_no is None or not cert_no.strip():
        return _search_page(request, who)
    try:
        key = valid_key(cert_no)  # its length checked first
    except HqError as exc:
        return _search_page(request, who, exc.status, exc.message, cert_no[:60])
    return redirect_to(f"{PREFIX}/people/{quote(key, safe='')}")


def _person_page(request: Request, who: SignedIn, cert_no: str, status: int = 200,
                 error: str | None = None, saved: bool = False) -> Response:
    if any(unicodedata.category(c)[0] == "C" for c in cert_no[:MAX_CERT_CHARS + 1]):
        # A bidi override or a NUL is no part of a certificate number: refused, not read
        # past (the number would be shown as something it is not).
        return message(request, who, 400, "不是证书编号 (Not a certificate number)",
                       "证书编号不能含控制字符或格式字符 (a certificate number holds no "
                       "control or format character). Nothing was changed.")
    try:
        with request.app.state.store.db.Session() as s:
            found = person_file(s, cert_no)
    except HqError as exc:
        return message(request, who, exc.status, "不是证书编号 (Not a certificate number)",
                       f"{exc.message}. Nothing was changed.")
    if found is None:
        return message(request, who, 404, "查无此人 (No such person)",
                       "总部没有此证书编号的人员档案：没有活动名册列出它，也从未审查或吊销 "
                       "(headquarters knows no person with this certificate number: no "
                       "event's roster lists it, and it was never vetted or revoked).")
    return render(request, "person.html", f"人员档案 (Person) {found['cert_key']}", who, status,
                  person=_shown(found), error=error, saved=saved,
                  may_revoke=who.account.may("staff"),
                  max_reason=revocations.MAX_REASON_CHARS)


@router.get("/people/{cert_no}")
def person_page(request: Request, cert_no: str, saved: str | None = None) -> Response:
    who = signed_in(request)
    if who is None:
        return to_sign_in()
    return _person_page(request, who, cert_no, saved=saved == "revoked")


@router.post("/people/{cert_no}/revoke")
def revoke(request: Request, cert_no: str, form: FormDep) -> Response:
    who = staff_posting(request, form)
    if not isinstance(who, SignedIn):
        return who
    if form.problem:
        return message(request, who, 400, "请求被拒绝 (Request refused)",
                       f"{form.problem}. Nothing was changed.")
    reason = form.fields.get("reason", "")
    try:
        done = revocations.revoke(request.app.state.store.db, who.account.name, cert_no,
                                  reason)
    except HqError as exc:
        text = f"{exc.message}. 未吊销，未作任何更改 (nothing was changed)."
        try:
            with request.app.state.store.db.Session() as s:
                known = person_file(s, cert_no) is not None
        except HqError:
            known = False
        if not known:  # no file to show the refusal on
            return message(request, who, exc.status, "请求被拒绝 (Request refused)", text)
        return _person_page(request, who, cert_no, exc.status, text)
    return redirect_to(f"{PREFIX}/people/{quote(done['cert_key'], safe='')}?saved=revoked")
