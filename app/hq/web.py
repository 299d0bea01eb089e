"""HQ staff's read side: evaluations, companies' standing, recommendations (JSON and HTML).

For HQ's own network, like the read calls of docs/sync-protocol.md: no device token. The
pages are plain server-rendered HTML (no script, no external asset: HQ's machines may have
no internet), every value through html.escape. The figures come from app.hq.standing.
"""

from __future__ import annotations

import functools
import html
import io
from collections.abc import Iterator
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

# fontTools ships no type information (no py.typed, no stubs package installed)
from fontTools.ttLib import TTCollection  # type: ignore[import-untyped]
from sqlalchemy.orm import Session, object_session

from app.hq import files, standing
from app.hq.database import parse_time
from app.hq.models import EvaluationDocument
from app.hq.sign_in import require
from app.resources import font_path

API = "/api/v1"
Risk = Literal["low", "medium", "high"]
RISK_TEXT = {"low": "低风险 (low)", "medium": "中风险 (medium)", "high": "高风险 (high)"}
TREND_TEXT = {"improving": "上升 (improving)", "steady": "平稳 (steady)",
              "declining": "下降 (declining)", "none": "—"}



router = APIRouter(dependencies=[Depends(require("viewer"))])
# What a page needs before anyone signed in (the font of the sign-in error page itself).
public_router = APIRouter()


def get_session(request: Request) -> Iterator[Session]:
    """A session of the HQ store the app was made with (``app.state.store``)."""
    with request.app.state.store.Session() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


# ------------------------------------------------------------------------------- JSON
def _with_pdf_url(evaluation: dict[str, Any]) -> dict[str, Any]:
    return {**evaluation, "pdf_url": f"{API}/evaluations/{quote(evaluation['id'])}/pdf"}


@router.get(f"{API}/evaluations")
def list_evaluations(session: SessionDep, event_id: str | None = None,
                     company: str | None = None) -> dict[str, Any]:
    return {"evaluations": [_with_pdf_url(e) for e in
                            standing.evaluations(session, event_id=event_id, company=company)]}


@router.get(f"{API}/evaluations/{{evaluation_id}}/pdf")
def evaluation_pdf(evaluation_id: str, session: SessionDep, timestamped: bool = False
                   ) -> Response:
    """The PDF as the laptop signed it (its SHA-256 is the listing's pdf_sha256); with
    ``?timestamped=true``, with HQ's document timestamp when it has one."""
    document = session.get(EvaluationDocument, evaluation_id)
    if document is None:
        raise HTTPException(404, f"no signed evaluation {evaluation_id}")
    return pdf_response(document, timestamped=timestamped)


def pdf_response(document: EvaluationDocument, timestamped: bool = True) -> Response:
    """A signed evaluation's PDF, shown in the browser, read from HQ's file store
    (app.hq.files): with HQ's document timestamp when it has one (what the console shows),
    else, or without ``timestamped``, as the laptop signed it."""
    session = object_session(document)
    data = (files.document_pdf(session, document, timestamped) if session is not None
            else document.pdf)
    if data is None:
        raise HTTPException(404, f"the PDF of evaluation {document.id} is not in HQ's file "
                                 f"store")
    # ASCII file name: the document id is; the event's Chinese name would need RFC 5987.
    name = "".join(c for c in document.document_id if c.isalnum() or c in "-_") or "evaluation"
    return Response(data, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}.pdf"'})


@router.get(f"{API}/companies")
def list_companies(session: SessionDep) -> dict[str, Any]:
    return {"companies": standing.company_standing(session)}


@router.get(f"{API}/recommendations")
def recommendations(session: SessionDep, attendance: Annotated[int, Query(ge=0, le=10_000_000)],
                    risk: Risk, count: Annotated[int, Query(ge=1, le=50)] = 3
                    ) -> dict[str, Any]:
    return standing.recommend(session, attendance=attendance, risk=risk, count=count)


# ------------------------------------------------------------------------------- HTML

# The pages use the app's own CJK font, served by HQ: a staff PC without a Chinese font
# would otherwise show boxes. Local Chinese fonts come first when there are any.
FONT_URL = "/static/wqy-microhei.ttf"
CSS = """
@font-face{font-family:"VS CJK";src:url(""" + FONT_URL + """);font-display:swap}
body{font-family:"Noto Sans CJK SC","Microsoft YaHei","VS CJK",sans-serif;margin:1.5em;
color:#222}
nav a{margin-right:1.2em} h1{font-size:1.4em} h2{font-size:1.15em;margin-top:1.6em}
table{border-collapse:collapse;margin:.5em 0} th,td{border:1px solid #bbb;padding:.3em .6em;
text-align:left;vertical-align:top} th{background:#eef2f6} .num{text-align:right}
.muted{color:#777} .bad{color:#b00020;font-weight:bold} .note{background:#fff4d6;
padding:.6em;border:1px solid #e0c060} .grade-fail{color:#b00020} .grade-excellent{color:#0a6}
form{margin:.8em 0} label{margin-right:1em} input,select,button{font-family:inherit}
"""


def _e(value: object) -> str:
    if value is None or value == "":
        return '<span class="muted">—</span>'
    return html.escape(str(value))


def _when(value: str | None) -> str:
    """A stored moment (UTC) as HQ's clock reads it, to the minute, with its offset: an event
    at 19:30 in Beijing is stored as 11:30 UTC and shown as 19:30 (+08:00) on a machine in
    China. The full value stays in the JSON."""
    moment = parse_time(value) if value else None
    if moment is None:
        return _e(value)  # not a time: shown as it is (escaped)
    local = moment.astimezone()
    offset = local.strftime("%z")  # +0800
    return _e(f"{local:%Y-%m-%d %H:%M} ({offset[:3]}:{offset[3:]})")


def _score(value: float | None) -> str:
    return _e(f"{value:.1f}" if value is not None else None)


def _grade(code: str | None) -> str:
    if not code:
        return _e(None)
    return (f'<span class="grade-{html.escape(code)}">'
            f"{html.escape(standing.GRADE_TEXT.get(code, code))} ({html.escape(code)})</span>")


@functools.cache
def _page_font() -> bytes:
    """The bundled font as a single TrueType font: browsers refuse a font collection (.ttc)
    in @font-face. Made once per process (about a second)."""
    buffer = io.BytesIO()
    TTCollection(str(font_path())).fonts[0].save(buffer)
    return buffer.getvalue()


@public_router.get(FONT_URL, include_in_schema=False)
def cjk_font() -> Response:
    return Response(_page_font(), media_type="font/ttf",
                    headers={"Cache-Control": "public, max-age=86400"})


def _page(title: str, body: str) -> HTMLResponse:
    return HTMLResponse(
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)} · 市局保安管理支队</title><style>{CSS}</style></head>"
        '<body><nav><a href="/">活动与考评 (Events)</a>'
        '<a href="/companies">保安公司 (Companies)</a></nav>'
        f"<h1>{html.escape(title)}</h1>{body}</body></html>")


def _table(headers: list[str], rows: list[str]) -> str:
    if not rows:
        return '<p class="muted">暂无 (none yet)</p>'
    head = "".join(f"<th>{h}</th>" for h in headers)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _evaluation_rows(evaluations: list[dict[str, Any]], with_event: bool) -> list[str]:
    rows = []
    for e in evaluations:
        event = (f'<td><a href="/events/{quote(e["event_id"])}">{_e(e["event_name"])}</a></td>'
                 if with_event else "")
        version = f"v{e['version']}" + ("" if e["current"] else
                                        ' <span class="muted">已更正 (superseded)</span>')
        rows.append(
            f"<tr>{event}<td>{_e(e['company_name'])}</td><td>{_grade(e['grade'])}</td>"
            f"<td class=\"num\">{_score(e['score_total'])}</td><td>{version}</td>"
            f"<td>{_when(e['signed_at'])}</td><td>{_e(e['supervisor_name'])}</td>"
            f'<td><a href="{API}/evaluations/{quote(e["id"])}/pdf">PDF</a></td></tr>')
    return rows


EVALUATION_HEADERS = ["保安公司 (company)", "等级 (grade)", "得分 (score)", "版本 (version)",
                      "签署时间 (signed at)", "督导员 (supervisor)", "签名文件 (signed PDF)"]


@router.get("/", response_class=HTMLResponse)
def events_page(session: SessionDep) -> HTMLResponse:
    events = standing.events_overview(session)
    evaluated = sum(1 for e in events if e["current_evaluation"])
    documents = sum(len(e["evaluations"]) for e in events)
    rows = []
    for event in events:
        current = event["current_evaluation"] or {}
        pdf = (f'<a href="{API}/evaluations/{quote(current["id"])}/pdf">PDF</a>'
               if current else _e(None))
        rows.append(
            f'<tr><td><a href="/events/{quote(event["id"])}">{_e(event["name"])}</a></td>'
            f"<td>{_e(event['venue'])}</td><td>{_when(event['starts_at'])}</td>"
            f"<td>{_e(RISK_TEXT.get(event['risk_level'], event['risk_level']))}</td>"
            f"<td>{_e(event['company_name'])}</td>"
            f"<td class=\"num\">{event['counts']['guard']}</td>"
            f"<td>{_grade(current.get('grade'))}</td>"
            f"<td class=\"num\">{_score(current.get('score_total'))}</td>"
            f"<td>{_when(current.get('signed_at'))}</td>"
            f"<td>{_e(current.get('supervisor_name'))}</td><td>{pdf}</td></tr>")
    summary = (f"<p>活动 (events): <b>{len(events)}</b> · 已考评 (evaluated): <b>{evaluated}</b>"
               f" · 签名考评文件 (signed evaluations): <b>{documents}</b></p>")
    table = _table(["活动 (event)", "场馆 (venue)", "开始 (starts)", "风险 (risk)",
                    "保安公司 (company)", "保安员 (guards)", "等级 (grade)", "得分 (score)",
                    "签署时间 (signed at)", "督导员 (supervisor)", "考评 (evaluation)"], rows)
    return _page("大型活动与综合考评 (Events and evaluations)", summary + table)


@router.get("/events/{event_id}", response_class=HTMLResponse)
def event_page(event_id: str, session: SessionDep) -> HTMLResponse:
    event = standing.event_detail(session, event_id)
    if event is None:
        page = _page("未找到活动 (Event not found)",
                     f"<p>总部没有活动 {html.escape(event_id)} (HQ has no such event).</p>")
        page.status_code = 404
        return page
    facts = [("场馆 (venue)", _e(event["venue"])), ("主办方 (organizer)", _e(event["organizer"])),
             ("开始 (starts)", _when(event["starts_at"])), ("结束 (ends)", _when(event["ends_at"])),
             ("预计人数 (expected attendance)", _e(event["expected_attendance"])),
             ("场馆容量 (venue capacity)", _e(event["venue_capacity"])),
             ("风险等级 (risk)", _e(RISK_TEXT.get(event["risk_level"], event["risk_level"]))),
             ("保安公司 (company)", _e(event["company_name"])),
             ("岗位 / 保安员 / 检查 / 问题 (posts / guards / inspections / findings)",
              " / ".join(str(event["counts"][k])
                         for k in ("post", "guard", "inspection", "finding")))]
    body = _table(["项目 (item)", "内容 (value)"],
                  [f"<tr><th>{label}</th><td>{value}</td></tr>" for label, value in facts])
    body += "<h2>综合考评 (Evaluations)</h2>"
    body += _table(EVALUATION_HEADERS, _evaluation_rows(event["evaluations"], with_event=False))
    body += "<h2>各公司保安员 (Guards by company)</h2>"
    body += _table(["保安公司 (company)", "保安员 (guards)"],
                   [f"<tr><td>{_e(row['company_name'] or None)}</td>"
                    f"<td class=\"num\">{row['guards']}</td></tr>"
                    for row in event["guards_by_company"]])
    if event["expected_attendance"] and event["risk_level"] in standing.RISK_LEVELS:
        query = urlencode({"attendance": event["expected_attendance"],
                           "risk": event["risk_level"]})
        body += (f'<p><a href="/companies?{html.escape(query)}#recommendation">'
                 "按本活动规模推荐保安公司 (recommend companies for an event like this)</a></p>")
    return _page(f"活动 (Event): {event['name']}", body)


def _recommendation_html(result: dict[str, Any]) -> str:
    body = (f'<h2 id="recommendation">推荐结果 (Recommendation): '
            f"{result['attendance']} 人 (attendees), "
            f"{html.escape(RISK_TEXT[result['risk']])}, "
            f"需保安员 {result['needed_guards']} 名 (guards needed)</h2>")
    if result["note"]:
        body += f'<p class="note">{html.escape(result["note"])}</p>'
    body += _table(["名次 (rank)", "保安公司 (company)", "许可证号 (licence)",
                    "信用等级 (credit)", "平均分 (average)", "理由 (reasons)"],
                   [f"<tr><td class=\"num\">{c['rank']}</td><td>{_e(c['name'])}</td>"
                    f"<td>{_e(c['licence_no'])}</td><td>{_e(c['credit_grade'])}</td>"
                    f"<td class=\"num\">{_score(c['average_score'])}</td>"
                    f"<td>{'<br>'.join(html.escape(r) for r in c['reasons'])}</td></tr>"
                    for c in result["companies"]])
    if result["excluded"]:
        body += "<h3>未推荐 (Not recommended)</h3>" + _table(
            ["保安公司 (company)", "原因 (why)"],
            [f"<tr><td>{_e(c['name'])}</td>"
             f"<td>{'<br>'.join(html.escape(r) for r in c['reasons'])}</td></tr>"
             for c in result["excluded"]])
    return body


@router.get("/companies", response_class=HTMLResponse)
def companies_page(session: SessionDep,
                   attendance: Annotated[int | None, Query(ge=0, le=10_000_000)] = None,
                   risk: Risk | None = None) -> HTMLResponse:
    companies = standing.company_standing(session)
    rows = []
    for c in companies:
        largest = c["largest_event"]
        served = (f"{largest['guards']} 名 · {_e(largest['event_name'] or largest['event_id'])}"
                  if largest else _e(None))
        history = "<br>".join(
            f"{_e(h['signed_at'][:10] if h['signed_at'] else None)} "
            f"{_e(h['event_name'])} {_score(h['score_total'])} {_grade(h['grade'])}"
            for h in c["history"])
        blacklisted = ('<span class="bad">黑名单 (black-listed)</span>' if c["blacklisted"]
                       else "否 (no)")
        unvetted = ("" if c["in_register"] else
                    '<br><span class="bad">不在总部名录 (not in HQ\'s register)</span>')
        rows.append(
            f"<tr><td>{_e(c['name'])}{unvetted}</td><td>{_e(c['licence_no'])}</td>"
            f"<td>{_e(c['credit_grade'])}</td><td>{blacklisted}</td>"
            f"<td class=\"num\">{c['evaluations']}</td>"
            f"<td class=\"num\">{_score(c['average_score'])}</td>"
            f"<td>{_grade(c['latest_grade'])}</td><td>{_e(TREND_TEXT.get(c['trend']))}</td>"
            f"<td>{served}</td><td>{history or _e(None)}</td></tr>")
    table = _table(["保安公司 (company)", "许可证号 (licence)", "信用等级 (credit)",
                    "黑名单 (black list)", "考评次数 (evaluations)", "平均分 (average)",
                    "最近等级 (latest grade)", "趋势 (trend)", "最大派员 (largest event)",
                    "考评记录 (history)"], rows)
    options = "".join(
        f'<option value="{code}"{" selected" if code == (risk or "medium") else ""}>'
        f"{html.escape(text)}</option>" for code, text in RISK_TEXT.items())
    form = ('<h2>推荐保安公司 (Recommend companies, seed 001)</h2>'
            '<form method="get" action="/companies#recommendation">'
            '<label>预计人数 (attendance) <input type="number" name="attendance" min="0" '
            f'required value="{"" if attendance is None else attendance}"></label>'
            f'<label>风险等级 (risk) <select name="risk">{options}</select></label>'
            '<button type="submit">推荐 (recommend)</button></form>'
            '<p class="muted">规则见 docs/hq-recommendation.md (rules).</p>')
    if attendance is not None and risk is not None:
        form += _recommendation_html(standing.recommend(session, attendance, risk))
    return _page("保安公司考评排名 (Companies' standing)", table + form)
