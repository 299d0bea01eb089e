"""HQ staff's console in the browser (issue 14), under /console/: a sign-in form and a
session (app.hq.console.sessions), pages from Jinja2 templates with autoescaping, and forms
that change HQ's data as the signed-in account, each form with its session's CSRF token.

    GET  /console/sign-in, POST /console/sign-in, POST /console/sign-out
    GET  /console/             home: who is signed in, links         (viewer)
    GET  /console/companies    companies, credit grade and list      (viewer)
    POST /console/companies    set a company's grade, list, reason   (staff, audited)
    GET  /console/evaluations  signed evaluations, rectification     (viewer)
    GET  /console/evaluations/{id}/pdf   the signed PDF              (viewer)
    POST /console/evaluations/{id}/rectification  report received   (staff, audited)
    GET  /console/audit        the newest audit entries, the chain   (admin)
    GET  /public/companies     credit grades and red/black lists     (anyone: 一公开)

Not signed in: a page redirects to the sign-in form and a POST changes nothing. A POST whose
CSRF token is missing or wrong, or that the account's role does not allow, answers 403 and
changes nothing. Like today's pages (app.hq.web), nothing is loaded from outside HQ's server
(the CJK font is web.py's route) and the pages run no script.
"""

from __future__ import annotations

import hmac
import json
import secrets
from datetime import datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from app.hq import audit, inbox, register, standing, web
from app.hq.console.common import (
    ACTION_TEXT,
    AUDIT_SHOWN,
    COOKIE,
    LIST_TEXT,
    NO_LIST_TEXT,
    PREFIX,
    SIGN_IN_COOKIE,
    FormDep,
    SignedIn,
    console_router,
    grade_words,
    local_time,
    message,
    redirect_to,
    refused_csrf,
    refused_role,
    render,
    secured,
    sessions,
    set_cookie,
    signed_in,
    staff_posting,
    to_sign_in,
)
from app.hq.errors import HqError
from app.hq.models import CompanyRegisterEntry, EvaluationDocument, utc_now
from app.hq.sign_in import sign_in_throttle

router = console_router()


# ------------------------------------------------------------------------------ sign-in
def _sign_in_page(request: Request, status: int = 200, error: str | None = None,
                  name: str = "") -> Response:
    token = request.cookies.get(SIGN_IN_COOKIE) or ""
    if not 20 <= len(token) <= 100:
        token = secrets.token_urlsafe(32)
    store = request.app.state.store
    response = render(request, "sign_in.html", "控制台登录 (Sign in to the console)", None,
                       status, csrf=token, error=error, name=name,
                       no_accounts=not store.accounts.any_active())
    set_cookie(request, response, SIGN_IN_COOKIE, token, 3600)
    return response


@router.get("/sign-in")
def sign_in_form(request: Request) -> Response:
    if signed_in(request) is not None:
        return redirect_to(f"{PREFIX}/")
    return _sign_in_page(request)


@router.post("/sign-in")
def sign_in(request: Request, form: FormDep) -> Response:
    expected = request.cookies.get(SIGN_IN_COOKIE) or ""
    sent = form.fields.get("csrf", "")
    if form.problem or not expected or not hmac.compare_digest(expected.encode(),
                                                                sent.encode()):
        return refused_csrf(request, None)
    name, password = form.fields.get("name", ""), form.fields.get("password", "")
    throttle = sign_in_throttle(request)
    address = request.client.host if request.client else "?"
    wait = throttle.retry_after(address, name)
    if wait:
        response = _sign_in_page(
            request, 429, f"登录失败次数过多，请 {wait} 秒后再试 (too many failed sign-ins: "
                          f"try again in {wait} s)", name)
        response.headers["Retry-After"] = str(wait)
        return response
    account = request.app.state.store.accounts.authenticate(name, password)
    if account is None:
        throttle.failed(address, name)
        return _sign_in_page(request, 401, "账户名或密码错误 (wrong account name or "
                                           "password)", name)
    throttle.succeeded(address, name)
    old = request.cookies.get(COOKIE)
    sessions(request).end(old)
    session = sessions(request).start(account.name)
    response = redirect_to(f"{PREFIX}/")
    set_cookie(request, response, COOKIE, session.token, 12 * 3600)
    response.delete_cookie(SIGN_IN_COOKIE, path=PREFIX)
    return response


@router.post("/sign-out")
def sign_out(request: Request, form: FormDep) -> Response:
    who = signed_in(request)
    if who is None:
        return to_sign_in()
    if form.problem or not who.session.csrf_matches(form.fields.get("csrf")):
        return refused_csrf(request, who)
    sessions(request).end(who.session.token)
    response = to_sign_in()
    response.delete_cookie(COOKIE, path=PREFIX)
    return response


# -------------------------------------------------------------------------------- pages
@router.get("/")
def home(request: Request) -> Response:
    who = signed_in(request)
    if who is None:
        return to_sign_in()
    return render(request, "home.html", "总部控制台 (HQ console)", who)


def _companies(request: Request) -> list[dict[str, Any]]:
    with request.app.state.store.Session() as s:
        companies = standing.company_standing(s)
        entries = {e.licence_no: e for e in s.scalars(select(CompanyRegisterEntry))}
    shown = []
    for c in companies:
        entry = entries.get(c["licence_no"]) if c["licence_no"] else None
        list_name = entry.list_name if entry else ("black" if c["blacklisted"] else None)
        shown.append({
            "name": c["name"], "licence_no": c["licence_no"],
            "credit_grade": c["credit_grade"] or "", "list": list_name or "",
            "list_text": LIST_TEXT.get(list_name or "", NO_LIST_TEXT),
            "reason": entry.reason if entry else "",
            "since": local_time(entry.since) if entry and entry.since else "",
            "updated_by": entry.updated_by if entry else "",
            "in_register": bool(c["in_register"]),
            "editable": bool(c["in_register"] and c["licence_no"]),
            "evaluations": c["evaluations"],
            "average_score": (f"{c['average_score']:.1f}"
                              if c["average_score"] is not None else "")})
    return shown


def _companies_page(request: Request, who: SignedIn, status: int = 200,
                    error: str | None = None, saved: str | None = None) -> Response:
    return render(request, "companies.html", "保安公司信用与名单 (Companies)", who, status,
                   companies=_companies(request), may_edit=who.account.may("staff"),
                   lists=[("", NO_LIST_TEXT), *LIST_TEXT.items()], error=error,
                   saved=saved, max_grade=register.MAX_GRADE_CHARS,
                   max_reason=register.MAX_REASON_CHARS)


# The public page (一公开, seed 004 §4): no sign-in, and nothing of a person: the companies
# of HQ's register with their credit grade, their list and since when, how many evaluations.
# Not the reasons (free text staff write, which may name people) nor who changed what.
public_router = APIRouter()
PUBLIC_FIELDS = ("name", "licence_no", "credit_grade", "list", "list_text", "since",
                 "evaluations")


@public_router.get("/public/companies")
def public_companies(request: Request) -> Response:
    shown = [{key: c[key] for key in PUBLIC_FIELDS} for c in _companies(request)
             if c["in_register"]]
    return render(request, "public.html", "保安公司信用等级及红黑名单 (Public register)", None,
                   companies=shown, as_of=local_time(utc_now()))


@router.get("/companies")
def companies_page(request: Request, saved: str | None = None) -> Response:
    who = signed_in(request)
    if who is None:
        return to_sign_in()
    return _companies_page(request, who, saved=saved[:100] if saved else None)


@router.post("/companies")
def set_company(request: Request, form: FormDep) -> Response:
    who = staff_posting(request, form)
    if not isinstance(who, SignedIn):
        return who
    if form.problem:
        return _companies_page(request, who, 400, form.problem)
    fields = form.fields
    missing = [name for name in ("licence_no", "credit_grade", "list", "reason")
               if name not in fields]
    if missing:
        return _companies_page(request, who, 400, f"the form lacks {', '.join(missing)}")
    list_name = fields["list"] or None
    if list_name is not None and list_name not in LIST_TEXT:
        return _companies_page(request, who, 400, "名单只能是红名单、黑名单或无 (the list "
                                                  "must be red, black or none)")
    try:
        register.set_company(request.app.state.store.db, who.account.name,
                             fields["licence_no"], fields["credit_grade"], list_name,
                             fields["reason"])
    except HqError as exc:
        return _companies_page(request, who, exc.status, exc.message)
    return redirect_to(f"{PREFIX}/companies?saved={quote(fields['licence_no'].strip())}")


# ------------------------------------------------------------------ evaluations inbox
def _evaluations_page(request: Request, who: SignedIn, status: int = 200,
                      error: str | None = None, saved: str | None = None) -> Response:
    with request.app.state.store.Session() as s:
        rows = inbox.inbox(s)
    shown = [{**e, "score": f"{e['score_total']:.2f}" if e["score_total"] is not None
              else "—",
              "grade_text": grade_words(e["grade"], e["grade_final"]),
              "signed": local_time(e["signed_at"]) if e["signed_at"] else "—",
              "due": local_time(e["due"])[:10] if e["due"] else "—",
              "received": local_time(e["received_at"]) if e["received_at"] else "",
              "stamped": local_time(e["timestamped_at"]) if e["timestamped_at"] else ""}
             for e in rows]
    return render(request, "evaluations.html", "考评收件 (Evaluations inbox)", who, status,
                   evaluations=shown, may_edit=who.account.may("staff"), error=error,
                   saved=saved, days=inbox.RECTIFICATION_DAYS, max_note=inbox.MAX_NOTE_CHARS)


@router.get("/evaluations")
def evaluations_page(request: Request, saved: str | None = None) -> Response:
    who = signed_in(request)
    if who is None:
        return to_sign_in()
    return _evaluations_page(request, who, saved=saved[:100] if saved else None)


@router.get("/evaluations/{evaluation_id}/pdf")
def evaluation_pdf(request: Request, evaluation_id: str) -> Response:
    """The signed PDF, for a signed-in account (the session, not HTTP Basic)."""
    who = signed_in(request)
    if who is None:
        return to_sign_in()
    with request.app.state.store.Session() as s:
        document = s.get(EvaluationDocument, evaluation_id[:64])
        if document is None:
            return message(request, who, 404, "没有此考评 (no such evaluation)",
                            "没有此已签名考评 (no signed evaluation of that id).")
        return secured(web.pdf_response(document))


@router.post("/evaluations/{evaluation_id}/rectification")
def rectification_received(request: Request, evaluation_id: str, form: FormDep) -> Response:
    who = staff_posting(request, form)
    if not isinstance(who, SignedIn):
        return who
    if form.problem:
        return _evaluations_page(request, who, 400, form.problem)
    try:
        inbox.record_received(request.app.state.store.db, who.account.name, evaluation_id,
                              form.fields.get("note", ""))
    except HqError as exc:
        return _evaluations_page(request, who, exc.status, exc.message)
    return redirect_to(f"{PREFIX}/evaluations?saved={quote(evaluation_id[:64])}")


@router.get("/audit")
def audit_page(request: Request) -> Response:
    who = signed_in(request)
    if who is None:
        return to_sign_in()
    if not who.account.may("admin"):
        return refused_role(request, who, "admin")
    db = request.app.state.store.db
    broken = audit.verify_chain(db)
    entries = [{**e, "at": local_time(datetime.fromisoformat(e["at"])),
                "action_text": ACTION_TEXT.get(e["action"], e["action"]),
                "before": _json(e["before"]), "after": _json(e["after"])}
               for e in audit.entries(db, AUDIT_SHOWN)]
    return render(request, "audit.html", "审计日志 (Audit log)", who, entries=entries,
                   broken=broken, shown=AUDIT_SHOWN)


def _json(value: object) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)
