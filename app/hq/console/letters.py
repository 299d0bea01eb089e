"""HQ's console (issue 14): a company's page with its grade history and the grade changes
waiting for a person (app.hq.grade_reviews), and the recommendation letters to organisers
(app.hq.letters).

    GET  /console/companies/{licence}                 the company's page         (viewer)
    POST /console/companies/{licence}/reviews/{id}    accept or reject a review  (staff, audited)
    GET  /console/letters                             letters written, the form  (viewer)
    POST /console/letters                             write and sign a letter    (staff, audited)
    GET  /console/letters/{id}                        one letter, its choice     (viewer)
    GET  /console/letters/{id}/pdf                    the signed PDF             (viewer)
    POST /console/letters/{id}/choice                 the organiser's choice     (staff, audited)
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response

from app.hq import grade_reviews, letters, standing
from app.hq.console.common import (
    LIST_TEXT,
    NO_LIST_TEXT,
    PREFIX,
    FormDep,
    SignedIn,
    console_router,
    grade_words,
    local_time,
    message,
    redirect_to,
    render,
    secured,
    signed_in,
    staff_posting,
    templates,
    to_sign_in,
)
from app.hq.errors import HqError
from app.hq.keys import KeyAccessError

router = console_router()
MAX_PATH_CHARS = 100
RISK_TEXT = {"low": "低 (low)", "medium": "中 (medium)", "high": "高 (high)"}
DECISION_TEXT = {"accept": "已确认 (accepted)", "reject": "已驳回 (rejected)",
                 "superseded": "已被新复核取代 (superseded)"}


def _number(text: str) -> int:
    """A row id from the path; 0 (no row has it) for anything but a short whole number."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else 0


def _when(moment: datetime | None) -> str:
    return local_time(moment) if moment is not None else "—"


def pending_reviews(request: Request) -> dict[str, int]:
    """Licence -> open grade reviews, for the companies page (a template global: the page
    itself is app.hq.console.pages')."""
    with request.app.state.store.Session() as s:
        return grade_reviews.pending_counts(s)


templates.env.globals["pending_grade_reviews"] = pending_reviews


# ----------------------------------------------------------------------- company page
def _company_page(request: Request, who: SignedIn, licence: str, status: int = 200,
                  error: str | None = None, saved: str | None = None) -> Response:
    with request.app.state.store.Session() as s:
        found = grade_reviews.company_file(s, licence[:MAX_PATH_CHARS])
    if found is None:
        return message(request, who, 404, "没有此公司 (no such company)",
                        "总部不掌握此许可证号的公司 (HQ knows no company of that licence).")
    company = found["company"]
    history = [{**h, "at": _when(h["at"]),
                "from_list": LIST_TEXT.get(h["from_list"] or "", NO_LIST_TEXT),
                "to_list": LIST_TEXT.get(h["to_list"] or "", NO_LIST_TEXT)}
               for h in found["history"]]
    evaluations = [{**e, "grade_text": grade_words(e["grade"], e["grade_final"]),
                    "final_text": ("暂定 (provisional)" if e["grade_final"] is False
                                   else "最终 (final)"),
                    "score": (f"{e['score_total']:.2f}" if e["score_total"] is not None
                              else "—"),
                    "signed": (local_time(datetime.fromisoformat(e["signed_at"]))
                               if e["signed_at"] else "—")}
                   for e in company["history"]]
    reviews = [{**r, "opened": _when(r["opened_at"]), "decided": _when(r["decided_at"]),
                "decision_text": DECISION_TEXT.get(r["decision"] or "", "")}
               for r in found["reviews"]]
    return render(request, "company.html", f"{company['name']} ({company['licence_no']})",
                   who, status, company=company, history=history, evaluations=evaluations,
                   pending=[r for r in reviews if r["decision"] is None],
                   decided=[r for r in reviews if r["decision"] is not None],
                   list_text=LIST_TEXT.get(found["list"] or "", NO_LIST_TEXT),
                   list_name=found["list"] or "", list_reason=found["list_reason"],
                   list_since=_when(found["list_since"]), may_edit=who.account.may("staff"),
                   error=error, saved=saved, max_note=grade_reviews.MAX_NOTE_CHARS,
                   quote=quote)


@router.get("/companies/{licence}")
def company_page(request: Request, licence: str, saved: str | None = None) -> Response:
    who = signed_in(request)
    if who is None:
        return to_sign_in()
    return _company_page(request, who, licence, saved=saved[:100] if saved else None)


@router.post("/companies/{licence}/reviews/{review_id}")
def decide_review(request: Request, licence: str, review_id: str,
                  form: FormDep) -> Response:
    who = staff_posting(request, form)
    if not isinstance(who, SignedIn):
        return who
    if form.problem:
        return _company_page(request, who, licence, 400, form.problem)
    try:
        decided = grade_reviews.decide(request.app.state.store.db, who.account.name,
                                       licence[:MAX_PATH_CHARS], _number(review_id),
                                       form.fields.get("decision", ""),
                                       form.fields.get("note", ""))
    except HqError as exc:
        return _company_page(request, who, licence, exc.status, exc.message)
    return redirect_to(f"{PREFIX}/companies/{quote(licence, safe='')}"
                       f"?saved={quote(DECISION_TEXT[decided['decision']])}")


# --------------------------------------------------------------------------- letters
def _letters_page(request: Request, who: SignedIn, status: int = 200,
                  error: str | None = None, fields: dict[str, str] | None = None) -> Response:
    with request.app.state.store.Session() as s:
        written = letters.letters(s)
    shown = [{**letter, "created": _when(letter["created_at"]),
              "risk_text": RISK_TEXT.get(letter["risk"], letter["risk"])}
             for letter in written]
    return render(request, "letters.html", "推荐函 (Recommendation letters)", who, status,
                   letters=shown, may_edit=who.account.may("staff"), error=error,
                   fields=fields or {}, risks=list(RISK_TEXT.items()),
                   min_count=letters.MIN_COMPANIES, max_count=letters.MAX_COMPANIES,
                   max_text=letters.MAX_TEXT_CHARS, max_attendance=letters.MAX_ATTENDANCE)


@router.get("/letters")
def letters_page(request: Request) -> Response:
    who = signed_in(request)
    if who is None:
        return to_sign_in()
    return _letters_page(request, who)


@router.post("/letters")
def write_letter(request: Request, form: FormDep) -> Response:
    who = staff_posting(request, form)
    if not isinstance(who, SignedIn):
        return who
    if form.problem:
        return _letters_page(request, who, 400, form.problem)
    kept = {k: v[:letters.MAX_TEXT_CHARS] for k, v in form.fields.items() if k != "csrf"}
    store = request.app.state.store
    try:
        written = letters.create_letter(store.db, store.keys, who.account.name,
                                        letters.parse_request(form.fields))
    except HqError as exc:
        return _letters_page(request, who, exc.status, exc.message, kept)
    except KeyAccessError as exc:
        return _letters_page(request, who, 503, str(exc), kept)
    return redirect_to(f"{PREFIX}/letters/{written['id']}")


def _letter_page(request: Request, who: SignedIn, letter_id: int, status: int = 200,
                 error: str | None = None) -> Response:
    with request.app.state.store.Session() as s:
        found = letters.letter(s, letter_id)
    if found is None:
        return message(request, who, 404, "没有此推荐函 (no such letter)",
                        "没有此推荐函 (no recommendation letter of that number).")
    shown: dict[str, Any] = {**found, "created": _when(found["created_at"]),
                             "chosen": _when(found["chosen_at"]),
                             "risk_text": RISK_TEXT.get(found["risk"], found["risk"])}
    return render(request, "letters_one.html", f"推荐函 {found['number']}", who, status,
                   letter=shown, may_edit=who.account.may("staff"), error=error,
                   needed=standing.needed_guards(found["attendance"], found["risk"]))


@router.get("/letters/{letter_id}")
def letter_page(request: Request, letter_id: str) -> Response:
    who = signed_in(request)
    if who is None:
        return to_sign_in()
    return _letter_page(request, who, _number(letter_id))


@router.get("/letters/{letter_id}/pdf")
def letter_pdf(request: Request, letter_id: str) -> Response:
    who = signed_in(request)
    if who is None:
        return to_sign_in()
    try:
        with request.app.state.store.Session() as s:
            found = letters.letter_pdf(s, _number(letter_id))
    except HqError as exc:  # its bytes no longer match their hash: never served
        return message(request, who, exc.status, "推荐函文件损坏 (the letter's file is "
                                                 "damaged)", exc.message)
    if found is None:
        return message(request, who, 404, "没有此推荐函 (no such letter)",
                        "没有此推荐函 (no recommendation letter of that number).")
    pdf = found[1]
    return secured(Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="recommendation-{_number(letter_id)}'
                               f'.pdf"'}))


@router.post("/letters/{letter_id}/choice")
def record_choice(request: Request, letter_id: str, form: FormDep) -> Response:
    who = staff_posting(request, form)
    if not isinstance(who, SignedIn):
        return who
    number = _number(letter_id)
    if form.problem:
        return _letter_page(request, who, number, 400, form.problem)
    try:
        letters.record_choice(request.app.state.store.db, who.account.name, number,
                              form.fields.get("company", ""))
    except HqError as exc:
        return _letter_page(request, who, number, exc.status, exc.message)
    return redirect_to(f"{PREFIX}/letters/{number}")
