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
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from sqlalchemy import select

from app.hq import audit, inbox, register, standing, web
from app.hq.accounts import Account
from app.hq.console.sessions import ConsoleSession, ConsoleSessions
from app.hq.errors import HqError
from app.hq.models import CompanyRegisterEntry, EvaluationDocument, HqUser, utc_now
from app.hq.sign_in import sign_in_throttle

PREFIX = "/console"
COOKIE = "vs_console"
SIGN_IN_COOKIE = "vs_console_sign_in"  # the sign-in form's own CSRF token (double submit)
MAX_FORM_FIELDS = 20
AUDIT_SHOWN = 100
LIST_TEXT = {"red": "红名单 (red list)", "black": "黑名单 (black list)"}
NO_LIST_TEXT = "无 (none)"
ROLE_TEXT = {"viewer": "查看 (viewer)", "staff": "业务 (staff)", "admin": "管理员 (admin)"}
ACTION_TEXT = {  # an action not named here is shown as it is written
    "company.set": "公司信用与名单 (company standing)",
    "certificate.revoke": "吊销证书 (certificate revoked)",
    "vetting.set": "背景审查 (vetting)", "user.add": "新增账户 (account added)",
    "user.disable": "停用账户 (account disabled)", "event.add": "新增活动 (event added)",
    "event.demo": "演示活动 (demo event)", "event.takedown": "活动下发 (event taken down)",
    "device.revoke": "吊销设备 (device revoked)",
    "enrolment_code.create": "设备注册码 (enrolment code)",
    "bundle.import": "导入数据包 (bundle imported)", "rules.publish": "发布规则 (rules published)",
    "proposal.accept": "采纳建议 (proposal accepted)", "form.set": "官方表格 (official form)",
    "rectification.received": "收到整改报告 (rectification received)",
    "hq.name": "总部名称 (HQ's name)", "staff_password.set": "共享密码 (shared password)",
    "trust_list.import": "导入信任列表 (trust list imported)",
    "revocation_list.import": "导入吊销列表 (revocation list imported)"}
# No script, no frame, nothing from elsewhere: an injected tag could do nothing even if the
# autoescaping ever missed one.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                               "font-src 'self'; img-src 'self'; connect-src 'self'; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin", "Cache-Control": "no-store"}
CONSOLE_CSS = """
.who{float:right;margin:0} .who form{display:inline;margin:0 0 0 .8em}
.ok{background:#e5f6ea;border:1px solid #7bbf8e;padding:.6em} .error{background:#fde8ea;
border:1px solid #d77;padding:.6em} td form{margin:0} td form label{display:block;
margin:0 0 .3em} td form input[name=reason]{width:14em} .sign-in label{display:block;
margin:.6em 0} td.reason{max-width:16em}
"""

TEMPLATES = Path(__file__).resolve().parent / "templates"
templates = Jinja2Templates(env=Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
    undefined=StrictUndefined))

router = APIRouter(prefix=PREFIX, include_in_schema=False)


# ------------------------------------------------------------------------ who is asking
def sessions(request: Request) -> ConsoleSessions:
    state = request.app.state
    if getattr(state, "console_sessions", None) is None:
        state.console_sessions = ConsoleSessions()
    found: ConsoleSessions = state.console_sessions
    return found


def _account(request: Request, name: str) -> Account | None:
    """The account as it is now: a disabled one or a changed role counts at once."""
    with request.app.state.store.db.Session() as s:
        row = s.get(HqUser, name)
        if row is None or row.disabled_at is not None:
            return None
        return Account(row.name, row.role, row.created_at, row.disabled_at)


@dataclass(frozen=True)
class SignedIn:
    session: ConsoleSession
    account: Account


def signed_in(request: Request) -> SignedIn | None:
    token = request.cookies.get(COOKIE)
    session = sessions(request).get(token)
    if session is None:
        return None
    account = _account(request, session.account)
    if account is None:
        sessions(request).end(token)
        return None
    return SignedIn(session, account)


@dataclass(frozen=True)
class Form:
    fields: dict[str, str]
    problem: str | None = None


async def form_fields(request: Request) -> Form:
    """An HTML form's fields (application/x-www-form-urlencoded, each field once). The body
    is already bounded by HQ's BodyLimit (1 MB)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        return Form({}, "the request is not a form (application/x-www-form-urlencoded)")
    try:
        parsed = parse_qs((await request.body()).decode("utf-8"), keep_blank_values=True,
                          max_num_fields=MAX_FORM_FIELDS, errors="strict")
    except (UnicodeDecodeError, ValueError):
        return Form({}, f"the form is not valid UTF-8 or has more than {MAX_FORM_FIELDS} "
                        f"fields")
    once = {name: values[0] for name, values in parsed.items() if len(values) == 1}
    if len(once) != len(parsed):  # the fields sent once stay: the CSRF token is checked first
        return Form(once, "a field of the form was sent more than once")
    return Form(once)


FormDep = Annotated[Form, Depends(form_fields)]


# ------------------------------------------------------------------------------ answers
def _secured(response: Response) -> Response:
    response.headers.update(SECURITY_HEADERS)
    return response


def _render(request: Request, template: str, title: str, who: SignedIn | None,
            status: int = 200, **context: Any) -> Response:
    return _secured(templates.TemplateResponse(request, template, {
        "title": title, "css": Markup(web.CSS + CONSOLE_CSS), "who": who,
        "role_text": ROLE_TEXT, **context}, status_code=status))


def _message(request: Request, who: SignedIn | None, status: int, title: str,
             text: str) -> Response:
    return _render(request, "message.html", title, who, status, text=text)


def _to(path: str) -> Response:
    return _secured(RedirectResponse(path, status_code=303))


def _to_sign_in() -> Response:
    return _to(f"{PREFIX}/sign-in")


def _refused_csrf(request: Request, who: SignedIn | None) -> Response:
    return _message(request, who, 403, "请求被拒绝 (Request refused)",
                    "表单已过期或不是本控制台发出的，请重新打开页面再提交 (the form's security "
                    "token is missing or wrong: open the page again and resubmit). "
                    "Nothing was changed.")


def _refused_role(request: Request, who: SignedIn, needed: str) -> Response:
    return _message(request, who, 403, "无权操作 (Not allowed)",
                    f"您的账户角色为 {ROLE_TEXT[who.account.role]}，此操作需要 "
                    f"{ROLE_TEXT[needed]} (your account's role does not allow this). "
                    "Nothing was changed.")


def _set_cookie(request: Request, response: Response, name: str, value: str,
                max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, path=PREFIX, httponly=True,
                        samesite="strict", secure=request.url.scheme == "https")


# ------------------------------------------------------------------------------ sign-in
def _sign_in_page(request: Request, status: int = 200, error: str | None = None,
                  name: str = "") -> Response:
    token = request.cookies.get(SIGN_IN_COOKIE) or ""
    if not 20 <= len(token) <= 100:
        token = secrets.token_urlsafe(32)
    store = request.app.state.store
    response = _render(request, "sign_in.html", "控制台登录 (Sign in to the console)", None,
                       status, csrf=token, error=error, name=name,
                       no_accounts=not store.accounts.any_active())
    _set_cookie(request, response, SIGN_IN_COOKIE, token, 3600)
    return response


@router.get("/sign-in")
def sign_in_form(request: Request) -> Response:
    if signed_in(request) is not None:
        return _to(f"{PREFIX}/")
    return _sign_in_page(request)


@router.post("/sign-in")
def sign_in(request: Request, form: FormDep) -> Response:
    expected = request.cookies.get(SIGN_IN_COOKIE) or ""
    sent = form.fields.get("csrf", "")
    if form.problem or not expected or not hmac.compare_digest(expected.encode(),
                                                                sent.encode()):
        return _refused_csrf(request, None)
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
    response = _to(f"{PREFIX}/")
    _set_cookie(request, response, COOKIE, session.token, 12 * 3600)
    response.delete_cookie(SIGN_IN_COOKIE, path=PREFIX)
    return response


@router.post("/sign-out")
def sign_out(request: Request, form: FormDep) -> Response:
    who = signed_in(request)
    if who is None:
        return _to_sign_in()
    if form.problem or not who.session.csrf_matches(form.fields.get("csrf")):
        return _refused_csrf(request, who)
    sessions(request).end(who.session.token)
    response = _to_sign_in()
    response.delete_cookie(COOKIE, path=PREFIX)
    return response


# -------------------------------------------------------------------------------- pages
@router.get("/")
def home(request: Request) -> Response:
    who = signed_in(request)
    if who is None:
        return _to_sign_in()
    return _render(request, "home.html", "总部控制台 (HQ console)", who)


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
            "since": _local(entry.since) if entry and entry.since else "",
            "updated_by": entry.updated_by if entry else "",
            "in_register": bool(c["in_register"]),
            "editable": bool(c["in_register"] and c["licence_no"]),
            "evaluations": c["evaluations"],
            "average_score": (f"{c['average_score']:.1f}"
                              if c["average_score"] is not None else "")})
    return shown


def _local(moment: datetime) -> str:
    """A stored moment (UTC) as HQ's clock reads it, with its offset (as web.py shows)."""
    local = moment.astimezone()
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M} ({offset[:3]}:{offset[3:]})"


def _companies_page(request: Request, who: SignedIn, status: int = 200,
                    error: str | None = None, saved: str | None = None) -> Response:
    return _render(request, "companies.html", "保安公司信用与名单 (Companies)", who, status,
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
    return _render(request, "public.html", "保安公司信用等级及红黑名单 (Public register)", None,
                   companies=shown, as_of=_local(utc_now()))


def _staff_posting(request: Request, form: Form) -> SignedIn | Response:
    """Who posts a staff form, or the answer refusing it: not signed in (to the sign-in
    form), a missing or wrong CSRF token (403), a role below staff (403)."""
    who = signed_in(request)
    if who is None:
        return _to_sign_in()
    if not who.session.csrf_matches(form.fields.get("csrf")):
        return _refused_csrf(request, who)
    if not who.account.may("staff"):
        return _refused_role(request, who, "staff")
    return who


def _grade_words(grade: str | None, final: bool | None) -> str:
    """The grade as standing names it, with the code, and 暂定 when provisional."""
    if not grade:
        return "—"
    words = f"{standing.GRADE_TEXT.get(grade, grade)} ({grade})"
    return words + ("（暂定）" if final is False else "")


@router.get("/companies")
def companies_page(request: Request, saved: str | None = None) -> Response:
    who = signed_in(request)
    if who is None:
        return _to_sign_in()
    return _companies_page(request, who, saved=saved[:100] if saved else None)


@router.post("/companies")
def set_company(request: Request, form: FormDep) -> Response:
    who = _staff_posting(request, form)
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
    return _to(f"{PREFIX}/companies?saved={quote(fields['licence_no'].strip())}")


# ------------------------------------------------------------------ evaluations inbox
def _evaluations_page(request: Request, who: SignedIn, status: int = 200,
                      error: str | None = None, saved: str | None = None) -> Response:
    with request.app.state.store.Session() as s:
        rows = inbox.inbox(s)
    shown = [{**e, "score": f"{e['score_total']:.2f}" if e["score_total"] is not None
              else "—",
              "grade_text": _grade_words(e["grade"], e["grade_final"]),
              "signed": _local(e["signed_at"]) if e["signed_at"] else "—",
              "due": _local(e["due"])[:10] if e["due"] else "—",
              "received": _local(e["received_at"]) if e["received_at"] else ""}
             for e in rows]
    return _render(request, "evaluations.html", "考评收件 (Evaluations inbox)", who, status,
                   evaluations=shown, may_edit=who.account.may("staff"), error=error,
                   saved=saved, days=inbox.RECTIFICATION_DAYS, max_note=inbox.MAX_NOTE_CHARS)


@router.get("/evaluations")
def evaluations_page(request: Request, saved: str | None = None) -> Response:
    who = signed_in(request)
    if who is None:
        return _to_sign_in()
    return _evaluations_page(request, who, saved=saved[:100] if saved else None)


@router.get("/evaluations/{evaluation_id}/pdf")
def evaluation_pdf(request: Request, evaluation_id: str) -> Response:
    """The signed PDF, for a signed-in account (the session, not HTTP Basic)."""
    who = signed_in(request)
    if who is None:
        return _to_sign_in()
    with request.app.state.store.Session() as s:
        document = s.get(EvaluationDocument, evaluation_id[:64])
        if document is None:
            return _message(request, who, 404, "没有此考评 (no such evaluation)",
                            "没有此已签名考评 (no signed evaluation of that id).")
        return _secured(web.pdf_response(document))


@router.post("/evaluations/{evaluation_id}/rectification")
def rectification_received(request: Request, evaluation_id: str, form: FormDep) -> Response:
    who = _staff_posting(request, form)
    if not isinstance(who, SignedIn):
        return who
    if form.problem:
        return _evaluations_page(request, who, 400, form.problem)
    try:
        inbox.record_received(request.app.state.store.db, who.account.name, evaluation_id,
                              form.fields.get("note", ""))
    except HqError as exc:
        return _evaluations_page(request, who, exc.status, exc.message)
    return _to(f"{PREFIX}/evaluations?saved={quote(evaluation_id[:64])}")


@router.get("/audit")
def audit_page(request: Request) -> Response:
    who = signed_in(request)
    if who is None:
        return _to_sign_in()
    if not who.account.may("admin"):
        return _refused_role(request, who, "admin")
    db = request.app.state.store.db
    broken = audit.verify_chain(db)
    entries = [{**e, "at": _local(datetime.fromisoformat(e["at"])),
                "action_text": ACTION_TEXT.get(e["action"], e["action"]),
                "before": _json(e["before"]), "after": _json(e["after"])}
               for e in audit.entries(db, AUDIT_SHOWN)]
    return _render(request, "audit.html", "审计日志 (Audit log)", who, entries=entries,
                   broken=broken, shown=AUDIT_SHOWN)


def _json(value: object) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)
