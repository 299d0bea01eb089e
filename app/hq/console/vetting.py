"""HQ's console (issue 14): vetting owned by the police: background check and pre-job
training per person, by certificate number; bulk import from a CSV file; training sessions.

    GET  /console/vetting[?cert_no=…]        search, one person's vetting, recent results (viewer)
    POST /console/vetting/{cert_no}          set one person's vetting          (staff, audited)
    POST /console/vetting/import             a CSV file, multipart             (staff, audited)
    GET  /console/vetting/sessions           training sessions, how many passed (viewer)

The import is all or none (app.hq.vetting.check_file, then apply_lines in one transaction):
a file is one batch a person prepared, and a partly applied file would leave them to work
out which lines are in and to send the rest again without sending the others twice. Every
line is checked before any is stored, and the page lists each line: applied, or refused
with its reason.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from app.hq import vetting
from app.hq.console.common import (
    PREFIX,
    FormDep,
    SignedIn,
    console_router,
    local_time,
    message,
    redirect_to,
    refused_csrf,
    refused_role,
    render,
    signed_in,
    staff_posting,
    to_sign_in,
)
from app.hq.errors import HqError
from app.hq.models import Vetting
from app.inspection.identity import cert_key

router = console_router()

BACKGROUND_TEXT = {"cleared": "已通过 (cleared)", "pending": "审查中 (pending)",
                   "failed": "未通过 (failed)"}
RECENT_SHOWN = 50
# A file from the browser: HQ's BodyLimit takes 1 MB at most; within it, at most this many
# lines (each line is one person's vetting and the guard rows it updates). A larger batch
# goes through `hq vetting-import` on HQ's machine.
CONSOLE_MAX_ROWS = 5000
CONSOLE_MAX_BYTES = 1024 * 1024
LINES_SHOWN = 1000


def _row_json(row: Vetting) -> dict[str, Any]:
    return {"cert_key": row.cert_key,
            "background": vetting.API_WORD.get(row.background, row.background),
            "background_text": BACKGROUND_TEXT.get(
                vetting.API_WORD.get(row.background, ""), row.background),
            "trained": row.trained, "note": row.note,
            "background_date": row.background_date.isoformat() if row.background_date else "",
            "officer": row.officer or "", "training_session": row.training_session or "",
            "training_date": row.training_date.isoformat() if row.training_date else "",
            "updated_at": local_time(row.updated_at), "updated_by": row.updated_by}


def _page(request: Request, who: SignedIn, status: int = 200, cert_no: str = "",
          error: str | None = None, saved: bool = False) -> Response:
    key = cert_key(cert_no)[:50] if cert_no else ""
    found: dict[str, Any] | None = None
    names: list[str] = []
    with request.app.state.store.Session() as s:
        if key:
            row = s.get(Vetting, key)
            found = _row_json(row) if row is not None else None
            names = vetting.guard_names(s, key)
        recent = [_row_json(row) for row in vetting.recent(s, RECENT_SHOWN)]
    return render(request, "vetting.html", "背景审查与岗前培训 (Vetting and training)", who,
                   status, cert_no=cert_no, key=key, found=found, names=names,
                   recent=recent, may_edit=who.account.may("staff"), error=error,
                   saved=saved, backgrounds=list(BACKGROUND_TEXT.items()),
                   max_note=vetting.MAX_NOTE_CHARS, max_officer=vetting.MAX_OFFICER_CHARS,
                   max_session=vetting.MAX_SESSION_CHARS, max_rows=CONSOLE_MAX_ROWS,
                   today=date.today().isoformat())


@router.get("/vetting")
def vetting_page(request: Request, cert_no: str = "", saved: str = "") -> Response:
    who = signed_in(request)
    if who is None:
        return to_sign_in()
    return _page(request, who, cert_no=cert_no.strip()[:60], saved=bool(saved))


@router.get("/vetting/sessions")
def sessions_page(request: Request) -> Response:
    who = signed_in(request)
    if who is None:
        return to_sign_in()
    with request.app.state.store.Session() as s:
        sessions = vetting.training_sessions(s)
    return render(request, "vetting_sessions.html", "岗前培训场次 (Training sessions)", who,
                   sessions=sessions)


@router.post("/vetting/import")
async def import_file(request: Request) -> Response:
    who = signed_in(request)
    if who is None:
        return to_sign_in()
    try:
        form = await request.form(max_files=1, max_fields=5)
    except Exception:  # noqa: BLE001 - whatever the multipart parser refuses: a bad request
        return message(request, who, 400, "请求被拒绝 (Request refused)",
                        "上传的表单无法读取 (the uploaded form cannot be read: one CSV file "
                        "and the form's fields). Nothing was changed.")
    token = form.get("csrf")
    if not isinstance(token, str) or not who.session.csrf_matches(token):
        return refused_csrf(request, who)
    if not who.account.may("staff"):
        return refused_role(request, who, "staff")
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        return _import_page(request, who, 400, "请选择一个 CSV 文件 (choose a CSV file)", [])
    data = await upload.read(CONSOLE_MAX_BYTES + 1)
    checked = vetting.check_file(data, CONSOLE_MAX_ROWS, CONSOLE_MAX_BYTES)
    if checked.refused:
        return _import_page(request, who, 400, f"文件被拒绝，未保存任何内容 (the file was "
                                               f"refused, nothing was stored): "
                                               f"{checked.refused}", [])
    if checked.problems:
        return _import_page(request, who, 400, f"{len(checked.problems)} 行有问题，未保存任何"
                                               f"内容 ({len(checked.problems)} line(s) "
                                               f"refused: nothing was stored; correct them "
                                               f"and import the file again)", checked.lines)
    rows = vetting.apply_lines(request.app.state.store.db, who.account.name, checked.lines)
    return _import_page(request, who, 200, None, checked.lines,
                        f"已导入 {len(checked.lines)} 人，更新 {rows} 条活动人员记录 "
                        f"(imported {len(checked.lines)} people; {rows} event rows took "
                        f"the results)")


def _import_page(request: Request, who: SignedIn, status: int, error: str | None,
                 lines: list[vetting.ImportLine], done: str | None = None) -> Response:
    ordered = sorted(lines, key=lambda line: (line.problem is None, line.line))
    shown = [{"line": line.line, "cert_no": line.cert_no, "problem": line.problem,
              "background": vetting.API_WORD.get(line.state, line.state),
              "trained": line.trained, "event_rows": line.event_rows}
             for line in ordered[:LINES_SHOWN]]
    return render(request, "vetting_import.html", "批量导入审查结果 (Vetting import)", who,
                   status, error=error, done=done, lines=shown, total=len(lines),
                   applied=status == 200)


@router.post("/vetting/{cert_no}")
def set_vetting(request: Request, cert_no: str, form: FormDep) -> Response:
    who = staff_posting(request, form)
    if not isinstance(who, SignedIn):
        return who
    cert_no = cert_no.strip()[:60]
    if form.problem:
        return _page(request, who, 400, cert_no, form.problem)
    fields = form.fields
    needed = ("background", "trained", "note", *vetting.DETAIL_FIELDS)
    missing = [name for name in needed if name not in fields]
    if missing:
        return _page(request, who, 400, cert_no, f"the form lacks {', '.join(missing)}")
    trained = {"yes": True, "no": False}.get(fields["trained"])
    if trained is None:
        return _page(request, who, 400, cert_no, "培训结果只能是是或否 (trained must be yes "
                                                 "or no)")
    try:
        vetting.set_vetting(request.app.state.store.db, who.account.name, cert_no,
                            fields["background"], trained, fields["note"],
                            {name: fields[name] for name in vetting.DETAIL_FIELDS})
    except HqError as exc:
        return _page(request, who, exc.status, cert_no, exc.message)
    return redirect_to(f"{PREFIX}/vetting?cert_no={quote(cert_no)}&saved=1")
