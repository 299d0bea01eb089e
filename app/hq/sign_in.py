"""Who is asking: HQ staff sign in to the console and the JSON API with their own account
(HTTP Basic, parsed by FastAPI's security utilities), and each route asks for a role
(app.hq.accounts: viewer < staff < admin).

The shared staff password of before (``hq staff-password``, any user name) still opens the
read side, as a viewer: HQ's scripts that read keep working; nothing changes with it.
Failed sign-ins are throttled per address and name (app.hq.throttle).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPBasic, HTTPBasicCredentials

from app.hq.accounts import ROLES, Account
from app.hq.models import utc_now
from app.hq.throttle import SignInThrottle

STAFF_REALM = 'Basic realm="Venue Supervisor HQ", charset="UTF-8"'
SHARED_PASSWORD_ACCOUNT = "staff-password"  # who the audit log names for the shared one
basic = HTTPBasic(auto_error=False, realm="Venue Supervisor HQ")


def sign_in_throttle(request: Request) -> SignInThrottle:
    """The app's throttle (create_app makes it; an app that only includes these routes gets
    one on its first sign-in)."""
    state = request.app.state
    if getattr(state, "sign_in_throttle", None) is None:
        state.sign_in_throttle = SignInThrottle()
    throttle: SignInThrottle = state.sign_in_throttle
    return throttle


def signed_in(request: Request,
              credentials: Annotated[HTTPBasicCredentials | None, Depends(basic)]) -> Account:
    """The account behind the request's credentials; 401 without valid ones (429 after
    too many failures), 403 while HQ has neither accounts nor a shared password."""
    store = request.app.state.store
    accounts = getattr(store, "accounts", None)  # an app over a bare store: the password only
    throttle = sign_in_throttle(request)
    address = request.client.host if request.client else "?"
    user = credentials.username if credentials else ""
    if credentials is not None:  # a browser's first visit sends none: not a failure
        wait = throttle.retry_after(address, user)
        if wait:
            raise HTTPException(429, f"too many failed sign-ins: try again in {wait} s",
                                headers={"Retry-After": str(wait)})
        account: Account | None = (accounts.authenticate(user, credentials.password)
                                   if accounts is not None else None)
        if account is None and store.check_staff_password(credentials.password):
            account = Account(SHARED_PASSWORD_ACCOUNT, "viewer", utc_now(), None)
        if account is not None:
            throttle.succeeded(address, user)
            return account
        throttle.failed(address, user)
    elif (accounts is None or not accounts.any_active()) \
            and store.check_staff_password(None) is None:
        raise HTTPException(403, "the staff pages are closed until an account exists: run "
                                 "`python -m app hq user add NAME --role admin` (or, for "
                                 "reading only, `python -m app hq staff-password`) on the HQ "
                                 "server")
    raise HTTPException(401, "sign in with your account", headers={
        "WWW-Authenticate": STAFF_REALM})


def require(role: str) -> Callable[..., Account]:
    """A dependency: the signed-in account, which must hold ``role`` (403 otherwise)."""
    assert role in ROLES

    def check(account: Annotated[Account, Depends(signed_in)]) -> Account:
        if not account.may(role):
            raise HTTPException(403, f"your account ({account.role}) may not do this: it "
                                     f"takes the {role} role")
        return account

    return check


Viewer = Annotated[Account, Depends(require("viewer"))]
Staff = Annotated[Account, Depends(require("staff"))]
Admin = Annotated[Account, Depends(require("admin"))]
