"""What every page of HQ's console shares (issue 14): who is asking (the session cookie, the
account as it is now), the form a POST sent, the templates and the answers (security
headers, redirects, messages, refusals). The pages themselves are app.hq.console.pages and
its sibling modules, each an APIRouter under PREFIX.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from app.hq import standing, web
from app.hq.accounts import Account
from app.hq.console.sessions import ConsoleSession, ConsoleSessions
from app.hq.models import HqUser

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
    "vetting.set": "背景审查 (vetting)", "vetting.demo": "演示审查数据 (demo vetting)",
    "user.add": "新增账户 (account added)",
    "user.disable": "停用账户 (account disabled)", "event.add": "新增活动 (event added)",
    "event.demo": "演示活动 (demo event)", "event.assign": "分配督导笔记本 (laptop assigned)",
    "event.takedown": "活动下发 (event taken down)",
    "device.revoke": "吊销设备 (device revoked)",
    "enrolment_code.create": "设备注册码 (enrolment code)",
    "bundle.import": "导入数据包 (bundle imported)", "rules.publish": "发布规则 (rules published)",
    "proposal.accept": "采纳建议 (proposal accepted)", "form.set": "官方表格 (official form)",
    "rectification.received": "收到整改报告 (rectification received)",
    "hq.name": "总部名称 (HQ's name)", "staff_password.set": "共享密码 (shared password)",
    "trust_list.import": "导入信任列表 (trust list imported)",
    "revocation_list.import": "导入吊销列表 (revocation list imported)",
    "grade_review.accept": "确认等级变更 (grade change accepted)",
    "grade_review.reject": "驳回等级变更 (grade change rejected)",
    "letter.create": "出具推荐函 (recommendation letter)",
    "letter.choice": "主办单位选定公司 (organiser's choice)",
    "badges.issue": "签发活动证件 (event badges issued)",
    "badge_key.create": "生成总部签发密钥 (HQ's issuer key made)"}
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


def console_router() -> APIRouter:
    """A router for one group of the console's pages (hidden from the API's schema)."""
    return APIRouter(prefix=PREFIX, include_in_schema=False)


# ------------------------------------------------------------------------ who is asking
def sessions(request: Request) -> ConsoleSessions:
    state = request.app.state
    if getattr(state, "console_sessions", None) is None:
        state.console_sessions = ConsoleSessions()
    found: ConsoleSessions = state.console_sessions
    return found


def account_now(request: Request, name: str) -> Account | None:
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
    account = account_now(request, session.account)
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
def secured(response: Response) -> Response:
    response.headers.update(SECURITY_HEADERS)
    return response


def render(request: Request, template: str, title: str, who: SignedIn | None,
            status: int = 200, **context: Any) -> Response:
    return secured(templates.TemplateResponse(request, template, {
        "title": title, "css": Markup(web.CSS + CONSOLE_CSS), "who": who,
        "role_text": ROLE_TEXT, **context}, status_code=status))


def message(request: Request, who: SignedIn | None, status: int, title: str,
             text: str) -> Response:
    return render(request, "message.html", title, who, status, text=text)


def redirect_to(path: str) -> Response:
    return secured(RedirectResponse(path, status_code=303))


def to_sign_in() -> Response:
    return redirect_to(f"{PREFIX}/sign-in")


def refused_csrf(request: Request, who: SignedIn | None) -> Response:
    return message(request, who, 403, "请求被拒绝 (Request refused)",
                    "表单已过期或不是本控制台发出的，请重新打开页面再提交 (the form's security "
                    "token is missing or wrong: open the page again and resubmit). "
                    "Nothing was changed.")


def refused_role(request: Request, who: SignedIn, needed: str) -> Response:
    return message(request, who, 403, "无权操作 (Not allowed)",
                    f"您的账户角色为 {ROLE_TEXT[who.account.role]}，此操作需要 "
                    f"{ROLE_TEXT[needed]} (your account's role does not allow this). "
                    "Nothing was changed.")


def set_cookie(request: Request, response: Response, name: str, value: str,
                max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, path=PREFIX, httponly=True,
                        samesite="strict", secure=request.url.scheme == "https")


def local_time(moment: datetime) -> str:
    """A stored moment (UTC) as HQ's clock reads it, with its offset (as web.py shows)."""
    local = moment.astimezone()
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M} ({offset[:3]}:{offset[3:]})"


def staff_posting(request: Request, form: Form) -> SignedIn | Response:
    """Who posts a staff form, or the answer refusing it: not signed in (to the sign-in
    form), a missing or wrong CSRF token (403), a role below staff (403)."""
    who = signed_in(request)
    if who is None:
        return to_sign_in()
    if not who.session.csrf_matches(form.fields.get("csrf")):
        return refused_csrf(request, who)
    if not who.account.may("staff"):
        return refused_role(request, who, "staff")
    return who


def grade_words(grade: str | None, final: bool | None) -> str:
    """The grade as standing names it, with the code, and 暂定 when provisional."""
    if not grade:
        return "—"
    words = f"{standing.GRADE_TEXT.get(grade, grade)} ({grade})"
    return words + ("（暂定）" if final is False else "")
