"""HQ's console (issue 14): events: roster upload with preview, laptops and zones,
package, merged view.

    GET  /console/events                      the events                        (viewer)
    GET  /console/events/new                  the upload form                   (staff)
    POST /console/events/preview              roster + fields: row-by-row preview, nothing
                                              stored; the file kept for the confirmation
                                              (multipart, staff)
    POST /console/events/create               the confirmation: ``hq add-event``'s own
                                              function (staff, audited "event.add")
    GET  /console/events/{id}                 facts, merged view, laptops       (viewer)
    POST /console/events/{id}/assignments     assign a laptop and zone, or take it back
                                              (staff, audited "event.assign")
    GET  /console/events/{id}/package?device= the signed package for that laptop, as
                                              ``hq export-package --device`` (staff, audited
                                              "event.takedown")

The rules are in app.hq.roster_uploads, app.hq.event_assignments and app.hq.event_view;
this module reads the forms and renders the templates events_*.html.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException

from app.hq import audit, event_assignments, event_view, packages
from app.hq.console.common import (
    MAX_FORM_FIELDS,
    PREFIX,
    Form,
    FormDep,
    SignedIn,
    console_router,
    grade_words,
    local_time,
    message,
    redirect_to,
    refused_role,
    render,
    secured,
    signed_in,
    staff_posting,
    to_sign_in,
)
from app.hq.database import parse_time
from app.hq.errors import HqError
from app.hq.keys import KeyAccessError
from app.hq.roster_uploads import (
    MAX_ATTENDANCE,
    MAX_TEXT,
    MAX_UPLOAD_BYTES,
    RosterStash,
    event_fields,
    preview_rows,
)
from app.hq.web import RISK_TEXT
from app.inspection.roster import RosterFileError, check_roster
from app.sync.protocol import plain_text as storable

router = console_router()
EVALUATIONS_SHOWN = 50
FIELD_NAMES = ("name", "venue", "organizer", "starts_at", "risk", "attendance", "company",
               "licence")
NOT_SAVED = " Nothing was stored."


def stash(request: Request) -> RosterStash:
    state = request.app.state
    if getattr(state, "roster_stash", None) is None:
        state.roster_stash = RosterStash()
    found: RosterStash = state.roster_stash
    return found


def _when(text: object) -> str:
    moment = parse_time(text) if isinstance(text, str) and text else None
    return local_time(moment) if moment else (str(text) if text else "—")


# --------------------------------------------------------------------------- the list
@router.get("/events")
def events_page(request: Request) -> Response:
    who = signed_in(request)
    if who is None:
        return to_sign_in()
    with request.app.state.store.Session() as s:
        events = event_view.events_list(s)
    for event in events:
        event["when"] = _when(event["starts_at"])
        event["risk_text"] = RISK_TEXT.get(event["risk_level"], event["risk_level"] or "—")
    return render(request, "events_list.html", "活动 (Events)", who, events=events,
                  may_edit=who.account.may("staff"))


# ------------------------------------------------------------------- a new event
def _new_page(request: Request, who: SignedIn, status: int = 200, error: str | None = None,
              values: dict[str, str] | None = None) -> Response:
    return render(request, "events_new.html", "新建活动 (New event)", who, status,
                  error=error, values={name: (values or {}).get(name, "")
                                       for name in FIELD_NAMES},
                  risks=list(RISK_TEXT.items()), max_text=MAX_TEXT,
                  max_attendance=MAX_ATTENDANCE,
                  max_mb=MAX_UPLOAD_BYTES // (1024 * 1024))


@router.get("/events/new")
def new_event_page(request: Request) -> Response:
    who = signed_in(request)
    if who is None:
        return to_sign_in()
    if not who.account.may("staff"):
        return refused_role(request, who, "staff")
    return _new_page(request, who)


@router.post("/events/preview")
async def preview(request: Request) -> Response:
    """The uploaded roster checked row by row; nothing stored, the file kept (bounded) for
    the confirmation."""
    who = signed_in(request)
    if who is None:
        return to_sign_in()
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "multipart/form-data":
        return message(request, who, 400, "无法读取 (Not a form upload)",
                       "the request is not a form with a file (multipart/form-data)."
                       + NOT_SAVED)
    try:
        form = await request.form(max_files=1, max_fields=MAX_FORM_FIELDS,
                                  max_part_size=64 * 1024)
    except (MultiPartException, HTTPException):
        return message(request, who, 400, "无法读取 (Not a form upload)",
                       "the upload cannot be read as a form: too many fields or files, or "
                       "a field too long." + NOT_SAVED)
    try:
        items = form.multi_items()
        names = [name for name, _ in items]
        texts = {name: value for name, value in items if isinstance(value, str)}
        upload = form.get("roster")
        problem = ("a field of the form was sent more than once"
                   if len(set(names)) != len(names) else None)
        posting = staff_posting(request, Form(texts, problem))
        if not isinstance(posting, SignedIn):
            return posting
        if problem:
            return _new_page(request, who, 400, problem + "." + NOT_SAVED, texts)
        if not isinstance(upload, UploadFile):
            return _new_page(request, who, 400, "请选择名单文件 (choose the roster file)."
                             + NOT_SAVED, texts)
        data = await upload.read(MAX_UPLOAD_BYTES + 1)
        file_name = upload.filename or ""
    finally:
        await form.close()
    return await run_in_threadpool(_preview, request, posting, texts, file_name, data)


def _preview(request: Request, who: SignedIn, texts: dict[str, str], file_name: str,
             data: bytes) -> Response:
    store = request.app.state.store
    try:
        fields = event_fields(texts)
        if packages.hq_event_named(store.db, fields.name):
            raise HqError(409, f"headquarters already prepared an event named {fields.name}")
        entry = stash(request).put(who.session.token, file_name, data, fields)
    except HqError as exc:
        return _new_page(request, who, exc.status, exc.message + NOT_SAVED, texts)
    try:
        with entry.as_file() as path:
            report = check_roster(path, main_company=fields.company or None)
    except RosterFileError as exc:
        stash(request).discard(entry)
        return _new_page(request, who, 422, str(exc) + NOT_SAVED, texts)
    rows, hidden, general = preview_rows(report)
    blocked = None
    if not report.valid_rows:
        blocked = ("名单没有可导入的行，不能创建活动 (the roster has no valid row: the event "
                   "cannot be created). Correct the file and upload it again.")
        stash(request).discard(entry)
    errors = report.error_count
    return render(request, "events_preview.html", "名单预览 (Roster preview)", who,
                  fields=fields, file_name=entry.name, rows=rows, hidden=hidden,
                  general=general, total=len(report.rows), valid=len(report.valid_rows),
                  errors=errors, warnings=len(report.problems) - errors,
                  company=report.main_company, blocked=blocked,
                  token=None if blocked else entry.token,
                  starts=local_time(fields.starts_at) if fields.starts_at else "—",
                  risk_text=RISK_TEXT.get(fields.risk, fields.risk))


@router.post("/events/create")
def create_event(request: Request, form: FormDep) -> Response:
    who = staff_posting(request, form)
    if not isinstance(who, SignedIn):
        return who
    if form.problem:
        return message(request, who, 400, "无法创建 (Not created)", form.problem + NOT_SAVED)
    entry = stash(request).take(form.fields.get("token"), who.session.token)
    if entry is None:
        return message(request, who, 409, "预览已失效 (Preview expired)",
                       "这份名单的预览已过期、已确认或不属于本次登录，请重新上传 (the preview "
                       "expired, was confirmed already or belongs to another sign-in: "
                       "upload the roster again)." + NOT_SAVED)
    store = request.app.state.store
    try:
        with entry.as_file() as path:
            event_id, summary = store.add_event(path, **entry.fields.as_store_arguments())
    except (HqError, RosterFileError, KeyAccessError) as exc:
        text = exc.message if isinstance(exc, HqError) else str(exc)
        return message(request, who, exc.status if isinstance(exc, HqError) else 422,
                       "无法创建 (Not created)", text + NOT_SAVED)
    finally:
        stash(request).discard(entry)
    with store.db.begin() as s:  # as `hq add-event` records it (app.hq.commands)
        audit.record(s, who.account.name, "event.add", f"event:{event_id}",
                     None, {"name": entry.fields.name, "rows": summary["rows"],
                            "valid": summary["valid"]})
    return redirect_to(f"{PREFIX}/events/{quote(event_id)}?saved=created")


# ------------------------------------------------------------------- one event
def _event_page(request: Request, who: SignedIn, event_id: str, status: int = 200,
                error: str | None = None, saved: str | None = None) -> Response:
    with request.app.state.store.Session() as s:
        event = event_view.event_view(s, event_id, EVALUATIONS_SHOWN)
        laptops = event_assignments.laptops(s, event_id) if event else []
    if event is None:
        return message(request, who, 404, "未找到活动 (Event not found)",
                       "总部没有此活动 (HQ holds no such event).")
    event["when"], event["ends"] = _when(event["starts_at"]), _when(event["ends_at"])
    event["risk_text"] = RISK_TEXT.get(event["risk_level"], event["risk_level"] or "—")
    for laptop in laptops:
        laptop["last_seen"] = (local_time(laptop["last_seen_at"])
                               if laptop["last_seen_at"] else "从未 (never)")
    evaluations: list[dict[str, Any]] = event["evaluations"]
    for number, e in enumerate(evaluations):
        e.update(current=number == 0, grade_text=grade_words(e["grade"], e["grade_final"]),
                 score=f"{e['score_total']:.2f}" if e["score_total"] is not None else "—",
                 signed=local_time(e["signed_at"]) if e["signed_at"] else "—")
    zones = sorted({p["zone"] for p in event["posts"] if p["zone"]})
    return render(request, "events_detail.html", f"活动 (Event): {event['name']}", who,
                  status, event=event, laptops=laptops, zones=zones, error=error,
                  saved=saved, may_edit=who.account.may("staff") and event["prepared_by_hq"],
                  evaluations=evaluations,
                  more_evaluations=max(0, event["evaluations_signed"] - len(evaluations)),
                  max_zone=event_assignments.MAX_ZONE_CHARS)


@router.get("/events/{event_id}")
def event_page(request: Request, event_id: str, saved: str | None = None) -> Response:
    who = signed_in(request)
    if who is None:
        return to_sign_in()
    return _event_page(request, who, event_id, saved=saved[:100] if saved else None)


@router.post("/events/{event_id}/assignments")
def set_assignment(request: Request, event_id: str, form: FormDep) -> Response:
    who = staff_posting(request, form)
    if not isinstance(who, SignedIn):
        return who
    if form.problem:
        return _event_page(request, who, event_id, 400, form.problem + NOT_SAVED)
    fields = form.fields
    device_id, action = fields.get("device_id", ""), fields.get("action", "assign")
    db = request.app.state.store.db
    try:
        if action == "assign":
            event_assignments.assign(db, who.account.name, event_id, device_id,
                                     fields.get("zone", ""))
        elif action == "unassign":
            event_assignments.unassign(db, who.account.name, event_id, device_id)
        else:
            raise HqError(400, "the action must be assign or unassign")
    except HqError as exc:
        return _event_page(request, who, event_id, exc.status, exc.message + NOT_SAVED)
    return redirect_to(f"{PREFIX}/events/{quote(event_id)}?saved={action}#laptops")


@router.post("/events/{event_id}/package")
def event_package(request: Request, event_id: str, form: FormDep) -> Response:
    """The signed package for that laptop, as ``hq export-package --device`` writes it: the
    laptop is recorded as having taken the event down (it may send records of it) and is
    allotted document numbers, so this is a form with the session's CSRF token, not a link."""
    who = staff_posting(request, form)
    if not isinstance(who, SignedIn):
        return who
    store = request.app.state.store
    device = form.fields.get("device", "")
    try:
        if form.problem:
            raise HqError(400, form.problem)
        found = store.device(device) if storable(device, 36) else None
        if found is None:
            raise HqError(404, "no enrolled laptop of that id")
        if found.revoked_at is not None:
            raise HqError(409, "this laptop was revoked: it takes no package any more")
        data = store.event_package(event_id, device, handed_by=who.account.name)
    except HqError as exc:
        return message(request, who, exc.status, "无法导出 (No package)",
                       exc.message + NOT_SAVED)
    except KeyAccessError as exc:
        return message(request, who, 503, "无法导出 (No package)", str(exc) + NOT_SAVED)
    name = "".join(c for c in event_id if c.isalnum() or c in "-_")[:64] or "event"
    return secured(Response(data, media_type="application/octet-stream", headers={
        "Content-Disposition": f'attachment; filename="{name}.vspkg"'}))
