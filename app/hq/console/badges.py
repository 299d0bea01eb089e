"""HQ's console (issue 14): badges: issue an event's badges, HQ's issuer key, trust and
revocation lists.

    GET  /console/badges                      issuer keys, revocations, events to issue (viewer)
    GET  /console/badges/trust-list           the trust list file (badge trust-export)  (viewer)
    GET  /console/badges/revocation-list      the revocation list (badge revoke-export) (viewer)
    POST /console/badges/issuer-key           make HQ's issuer key now                  (admin)
    POST /console/events/{id}/badges          issue the event's badges, valid days      (staff)
    GET  /console/events/{id}/badges          what was issued: counts, skipped, files   (staff)
    GET  /console/events/{id}/badges/{file}   badges.pdf, posts.pdf, manifest.csv       (staff)

The business is app.hq.badges. The files issued are kept in this process's memory for the
session that issued them (IssuedFiles: at most KEPT results, KEPT_BYTES in all, the oldest
dropped first; signing out or a restart forgets them): HQ stores no badge, and issuing
again signs new ones.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response

from app.badge.issue import BADGES_PDF, MANIFEST_CSV, POSTS_PDF
from app.hq import badges, packages
from app.hq.console.common import (
    PREFIX,
    FormDep,
    SignedIn,
    console_router,
    message,
    redirect_to,
    refused_csrf,
    refused_role,
    render,
    secured,
    signed_in,
    staff_posting,
    to_sign_in,
)
from app.hq.errors import HqError
from app.hq.keys import KeyAccessError

router = console_router()
KEPT = 8
KEPT_BYTES = 128 * 1024 * 1024
FILE_TYPES = {BADGES_PDF: "application/pdf", POSTS_PDF: "application/pdf",
              MANIFEST_CSV: "text/csv; charset=utf-8"}
FILE_TEXT = {BADGES_PDF: "保安员证打印页 (badge sheets, PDF)",
             POSTS_PDF: "岗位码标签 (post labels, PDF)",
             MANIFEST_CSV: "签发清单 (manifest, CSV)"}


class IssuedFiles:
    """The badges issued lately, by (session token, event id), bounded in count and bytes."""

    def __init__(self, kept: int = KEPT, kept_bytes: int = KEPT_BYTES) -> None:
        self.kept, self.kept_bytes = kept, kept_bytes
        self._results: OrderedDict[tuple[str, str], badges.IssuedEvent] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, token: str, result: badges.IssuedEvent) -> None:
        with self._lock:
            self._results.pop((token, result.event_id), None)
            self._results[(token, result.event_id)] = result
            while len(self._results) > self.kept or (
                    len(self._results) > 1
                    and sum(r.size() for r in self._results.values()) > self.kept_bytes):
                self._results.popitem(last=False)

    def get(self, token: str, event_id: str) -> badges.IssuedEvent | None:
        with self._lock:
            return self._results.get((token, event_id))


def issued_files(request: Request) -> IssuedFiles:
    state = request.app.state
    if getattr(state, "issued_badges", None) is None:
        state.issued_badges = IssuedFiles()
    found: IssuedFiles = state.issued_badges
    return found


def _download(data: bytes, name: str, kind: str) -> Response:
    return secured(Response(data, media_type=kind, headers={
        "Content-Disposition": f'attachment; filename="{name}"'}))


def _badges_page(request: Request, who: SignedIn, status: int = 200,
                 error: str | None = None, saved: str | None = None) -> Response:
    db = request.app.state.store.db
    return render(request, "badges.html", "证件签发与信任列表 (Badges)", who, status,
                  issuers=badges.trusted_issuers(db), revoked=badges.revocation_counts(db),
                  own_kid=badges.issuer_kid(db), events=packages.events_available(db),
                  may_issue=who.account.may("staff"), may_make_key=who.account.may("admin"),
                  default_days=badges.DEFAULT_VALID_DAYS, max_days=badges.MAX_VALID_DAYS,
                  max_guards=badges.MAX_GUARDS, error=error, saved=saved)


@router.get("/badges")
def badges_page(request: Request, saved: str | None = None) -> Response:
    who = signed_in(request)
    if who is None:
        return to_sign_in()
    return _badges_page(request, who, saved=saved[:20] if saved else None)


@router.get("/badges/trust-list")
def trust_list(request: Request) -> Response:
    who = signed_in(request)
    if who is None:
        return to_sign_in()
    return _download(badges.trust_list_file(request.app.state.store.db),
                     badges.TRUST_LIST_FILE, "application/json")


@router.get("/badges/revocation-list")
def revocation_list(request: Request) -> Response:
    who = signed_in(request)
    if who is None:
        return to_sign_in()
    return _download(badges.revocation_list_file(request.app.state.store.db),
                     badges.REVOCATION_LIST_FILE, "text/plain; charset=utf-8")


@router.post("/badges/issuer-key")
def make_issuer_key(request: Request, form: FormDep) -> Response:
    who = signed_in(request)
    if who is None:
        return to_sign_in()
    if form.problem or not who.session.csrf_matches(form.fields.get("csrf")):
        return refused_csrf(request, who)
    if not who.account.may("admin"):
        return refused_role(request, who, "admin")
    store = request.app.state.store
    try:
        badges.issuer_key(store.db, store.keys, who.account.name)
    except KeyAccessError as exc:
        return _badges_page(request, who, 503, f"{exc}. Nothing was changed.")
    return redirect_to(f"{PREFIX}/badges?saved=key")


def _valid_days(text: str | None) -> int | None:
    text = (text or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 5:
        return None
    return int(text)


@router.post("/events/{event_id}/badges")
def issue(request: Request, event_id: str, form: FormDep) -> Response:
    who = staff_posting(request, form)
    if not isinstance(who, SignedIn):
        return who
    if form.problem:
        return _badges_page(request, who, 400, f"{form.problem}. Nothing was changed.")
    days = _valid_days(form.fields.get("valid_days"))
    if days is None:
        return _badges_page(request, who, 400, f"有效天数须为 1 至 {badges.MAX_VALID_DAYS} 的整数 "
                                               f"(valid days must be a whole number from 1 "
                                               f"to {badges.MAX_VALID_DAYS}). Nothing was "
                                               f"issued.")
    store = request.app.state.store
    try:
        result = badges.issue_event_badges(store.db, store.keys, who.account.name, event_id,
                                           days)
    except HqError as exc:
        return _badges_page(request, who, exc.status, f"{exc.message}. Nothing was issued.")
    except KeyAccessError as exc:
        return _badges_page(request, who, 503, f"{exc}. Nothing was issued.")
    issued_files(request).put(who.session.token, result)
    return redirect_to(f"{PREFIX}/events/{quote(result.event_id, safe='')}/badges")


def _kept(request: Request, event_id: str) -> tuple[SignedIn, badges.IssuedEvent] | Response:
    who = signed_in(request)
    if who is None:
        return to_sign_in()
    if not who.account.may("staff"):
        return refused_role(request, who, "staff")
    result = issued_files(request).get(who.session.token, event_id[:64])
    if result is None:
        return message(request, who, 404, "没有签发结果 (Nothing issued here)",
                       "本次登录未为此活动签发证件，或结果已不在内存中：请在证件页重新签发 "
                       "(this session issued no badges for that event, or they are no longer "
                       "kept: issue them again from the badges page).")
    return who, result


@router.get("/events/{event_id}/badges")
def issued_page(request: Request, event_id: str) -> Response:
    kept = _kept(request, event_id)
    if isinstance(kept, Response):
        return kept
    who, result = kept
    files = [(name, FILE_TEXT[name], len(data)) for name, data in result.files.items()]
    return render(request, "badges_issued.html", "证件已签发 (Badges issued)", who,
                  result=result, files=files)


@router.get("/events/{event_id}/badges/{file}")
def issued_file(request: Request, event_id: str, file: str) -> Response:
    kept = _kept(request, event_id)
    if isinstance(kept, Response):
        return kept
    who, result = kept
    if file not in FILE_TYPES or file not in result.files:
        return message(request, who, 404, "没有此文件 (No such file)",
                       f"签发结果中没有此文件 (the badges issued hold no such file; they hold "
                       f"{', '.join(result.files)}).")
    return _download(result.files[file], file, FILE_TYPES[file])
