"""Headquarters' HTTP service (docs/sync-protocol.md, prefix /api/v1).

The device endpoints are thin: authentication, size limits and JSON in and out; every rule
lives behind app.hq.store (in the modules it hands over to). Endpoints that touch the
database are plain ``def`` (or hand their work to the thread pool), so a slow batch never
stalls the event loop.
"""

from __future__ import annotations

import hashlib
import json
import os
import ssl
import threading
import time
from pathlib import Path
from typing import Annotated, Any

import uvicorn
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy.exc import OperationalError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.hq import api_people, console, console_api, web
from app.hq.errors import AuthError, HqError
from app.hq.models import Device
from app.hq.roster_uploads import MAX_UPLOAD_BYTES
from app.hq.store import HqStore
from app.hq.throttle import SignInThrottle
from app.sync.protocol import API_PREFIX, MAX_BATCH_BYTES, MAX_BATCH_RECORDS, b64decode

# The JSON envelope around a 16 MB batch of records, and room for base64's own growth.
MAX_REQUEST_BYTES = MAX_BATCH_BYTES + 1024 * 1024
MAX_SMALL_REQUEST_BYTES = 1024 * 1024


class EnrolRequest(BaseModel):
    code: str
    device_name: str = ""
    device_public_key: str
    signing_certificate_pem: str | None = None
    # A laptop enrolling again keeps its device id by showing the token it had.
    previous_token: str | None = None


class CertificateRequest(BaseModel):
    signing_certificate_pem: str


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"detail": message}, status_code=status)


async def _read_body(request: Request, limit: int) -> bytes:
    """The body, refused as soon as it passes ``limit`` (a client may lie in Content-Length
    or send none)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise HqError(413, f"the request is larger than {limit // (1024 * 1024)} MB; send "
                           f"fewer records at a time")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HqError(413, f"the request is larger than {limit // (1024 * 1024)} MB; "
                               f"send fewer records at a time")
        chunks.append(chunk)
    return b"".join(chunks)


ROSTER_UPLOAD_PATH = "/console/events/preview"
UPLOAD_FORM_OVERHEAD = 64 * 1024  # the event's fields and the multipart boundaries


class BodyLimit:
    """Every request body is bounded before any route reads it: 1 MB, or the batch size on
    the two record routes, or a roster's size on the console's roster upload. A larger
    Content-Length is answered 413 at once; a body that grows past the limit as it streams
    (no or a false Content-Length) is answered 413 as soon as it does, having held at most
    the limit in memory. Without it, the unauthenticated enrolment read a 256 MB body whole
    (895 MB peak)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    @staticmethod
    def limit_for(path: str) -> int:
        if path in (f"{API_PREFIX}/records", f"{API_PREFIX}/records/known"):
            return MAX_REQUEST_BYTES
        if path == ROSTER_UPLOAD_PATH:  # a roster of some tens of thousands of guards
            return MAX_UPLOAD_BYTES + UPLOAD_FORM_OVERHEAD
        return MAX_SMALL_REQUEST_BYTES

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length", b"").decode("latin-1")
        if declared.isdigit() and int(declared) > limit:
            await self._refuse(send, limit)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await self._refuse(send, limit)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        delivered = False

        async def replay() -> dict[str, Any]:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            message: dict[str, Any] = await receive()
            return message

        await self.app(scope, replay, send)

    @staticmethod
    async def _refuse(send: Any, limit: int) -> None:
        payload = json.dumps({"detail": f"the request is larger than "
                                        f"{limit // (1024 * 1024)} MB"}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(payload)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": payload})


class PlainAddress:
    """A request whose address (path or query) holds a NUL character is answered 400 before
    any route sees it: no id or parameter of this API has one, and PostgreSQL refuses NUL in
    text, so a route that looked such an id up answered 500 (found by
    tests/test_fuzz_hq_api.py: ``GET /api/v1/evaluations/%00/pdf``)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and ("\x00" in scope.get("path", "")
                                        or b"%00" in scope.get("query_string", b"")
                                        or b"\x00" in scope.get("query_string", b"")):
            payload = json.dumps({"detail": "the address holds a NUL character"}).encode()
            await send({"type": "http.response.start", "status": 400,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"content-length", str(len(payload)).encode())]})
            await send({"type": "http.response.body", "body": payload})
            return
        await self.app(scope, receive, send)


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise HqError(400, "the request is not valid JSON") from None
    except RecursionError:
        # Python's parser gives up near 1,000 levels; a record nests 3 (body, list, record).
        raise HqError(400, "the request's JSON is nested too deeply to be a batch of "
                           "records") from None
    if not isinstance(value, dict):
        raise HqError(400, "the request must be a JSON object")
    return value


def current_device(request: Request) -> Device:
    """The enrolled, unrevoked device whose bearer token came with the request."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError(401, "no device token was sent; enrol this laptop first")
    store: HqStore = request.app.state.store
    return store.authenticate(token.strip())


# Module level: FastAPI resolves the (postponed) annotations against the module's names.
DeviceDep = Annotated[Device, Depends(current_device)]


def create_app(store: HqStore) -> FastAPI:
    app = FastAPI(title="Venue Supervisor HQ", docs_url=None, redoc_url=None,
                  openapi_url=None)
    app.state.store = store
    app.add_middleware(BodyLimit)
    app.add_middleware(PlainAddress)
    app.state.sign_in_throttle = SignInThrottle()

    @app.exception_handler(HqError)
    async def hq_error(_request: Request, exc: HqError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        response = _error(exc.status, exc.message)
        if headers:
            response.headers.update(headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error.get('loc', ())[1:]) or 'body'}: "
            f"{error.get('msg', '')}" for error in exc.errors()[:5])
        return _error(400, f"the request is not valid ({problems})")

    @app.exception_handler(OperationalError)
    async def database_busy(_request: Request, exc: OperationalError) -> JSONResponse:
        # The laptop keeps the batch pending and retries; nothing was half stored (the
        # batch is one transaction).
        return _error(503, f"headquarters' database is busy or unavailable; the laptop will "
                           f"try again ({exc.orig})")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        response = _error(exc.status_code, str(exc.detail))
        response.headers.update(exc.headers or {})  # WWW-Authenticate: the browser asks
        return response

    @app.post(f"{API_PREFIX}/enrol")
    def enrol(body: EnrolRequest) -> dict[str, str]:
        try:
            public_key = b64decode(body.device_public_key)
        except ValueError:
            raise HqError(400, "device_public_key is not base64") from None
        return store.enrol(body.code, body.device_name, public_key,
                           body.signing_certificate_pem, body.previous_token).as_dict()

    @app.get(f"{API_PREFIX}/devices/me")
    def who_am_i(device: DeviceDep) -> dict[str, Any]:
        # Every sync starts here: a wrong token, a revoked laptop or a changed certificate
        # shows even when there is nothing to send.
        return {"device_id": device.id, "name": device.name, "supervisor": device.supervisor,
                "signing_certificate_registered": bool(device.signing_certificate_pem)}

    @app.post(f"{API_PREFIX}/devices/me/certificate")
    def register_certificate(body: CertificateRequest, device: DeviceDep) -> dict[str, str]:
        return {"status": store.register_certificate(device, body.signing_certificate_pem)}

    @app.get(f"{API_PREFIX}/events")
    def events(_device: DeviceDep) -> dict[str, Any]:
        return {"events": store.events_available()}

    @app.get(f"{API_PREFIX}/events/{{event_id}}/package")
    def event_package(event_id: str, device: DeviceDep) -> Response:
        # The laptop served the package took the event down: it may send records of it.
        return Response(store.event_package(event_id, device.id),
                        media_type="application/octet-stream",
                        headers={"Content-Disposition":
                                 f'attachment; filename="event-{event_id}.vsp"'})

    @app.post(f"{API_PREFIX}/records/known")
    async def known(request: Request, device: DeviceDep) -> dict[str, Any]:
        raw = await _read_body(request, MAX_REQUEST_BYTES)
        body = await run_in_threadpool(_json_object, raw)
        items = body.get("records")
        if not isinstance(items, list):
            raise HqError(400, "the request has no list of records")
        return {"known": await run_in_threadpool(store.known, items, device.id)}

    @app.post(f"{API_PREFIX}/records")
    async def records(request: Request, device: DeviceDep) -> dict[str, Any]:
        raw = await _read_body(request, MAX_REQUEST_BYTES)
        # json.loads, not a pydantic model per record: a 1,000-record batch is parsed in
        # one C call, and the checks that matter are the protocol's (app.sync.protocol).
        body = await run_in_threadpool(_json_object, raw)
        items = body.get("records")
        if not isinstance(items, list):
            raise HqError(400, "the request has no list of records")
        if len(items) > MAX_BATCH_RECORDS:
            raise HqError(413, f"at most {MAX_BATCH_RECORDS} records per request; "
                               f"{len(items)} were sent")
        results = await run_in_threadpool(store.ingest, device.id, items)
        return {"results": results}

    @app.get(f"{API_PREFIX}/stats")
    def stats(_device: DeviceDep) -> dict[str, int]:
        return store.stats()

    app.include_router(web.router)  # HQ staff's read side: evaluations, companies, pages
    app.include_router(console_api.router)  # HQ staff's changes, by role, audited
    for console_router in console.routers:  # HQ staff's console in the browser
        app.include_router(console_router)
    app.include_router(console.public_router)  # the public register (一公开): no sign-in
    app.include_router(api_people.router)  # a person's file, by certificate
    app.include_router(web.public_router)
    return app


def serve(store: HqStore, host: str = "127.0.0.1", port: int = 8080,
          certfile: str | os.PathLike[str] | None = None,
          keyfile: str | os.PathLike[str] | None = None,
          ready_file: str | os.PathLike[str] | None = None,
          keyfile_password: str | None = None) -> None:
    """Run the service until interrupted. With ``certfile`` and ``keyfile``: HTTPS (an
    encrypted ``keyfile`` opened with ``keyfile_password``).

    ``ready_file`` receives the base URL once the socket listens (with ``port=0`` the port
    the system chose), for scripts and tests that start the service and wait for it.
    """
    tls = bool(certfile and keyfile)
    config = uvicorn.Config(
        create_app(store), host=host, port=port, log_level="warning", access_log=False,
        ssl_certfile=str(certfile) if tls else None, ssl_keyfile=str(keyfile) if tls else None,
        ssl_keyfile_password=keyfile_password if tls else None,
        # One process: the store's engine and its pool are shared by the worker threads.
        workers=1, timeout_keep_alive=30)
    server = uvicorn.Server(config)

    def announce() -> None:
        while not server.started:
            if server.should_exit:
                return
            time.sleep(0.02)
        bound = port
        for listener in getattr(server, "servers", []) or []:
            for sock in listener.sockets or []:
                bound = sock.getsockname()[1]
                break
        shown = host if ":" not in host else f"[{host}]"
        url = f"{'https' if tls else 'http'}://{shown}:{bound}"
        print(f"HQ service listening on {url}", flush=True)
        if tls and certfile:
            # What a supervisor may give `enrol --fingerprint` to check the first contact.
            pem = Path(certfile).read_text(encoding="ascii", errors="replace")
            der = ssl.PEM_cert_to_DER_cert(pem)
            print(f"TLS certificate SHA-256 fingerprint: {hashlib.sha256(der).hexdigest()}",
                  flush=True)
        if ready_file:
            target = Path(ready_file)
            temporary = target.with_name(target.name + ".tmp")
            temporary.write_text(url + "\n", encoding="utf-8")
            os.replace(temporary, target)  # a reader never sees half a URL

    threading.Thread(target=announce, name="hq-ready", daemon=True).start()
    server.run()
