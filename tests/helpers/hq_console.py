"""HQ's console in tests: the three accounts, a signed-in TestClient's CSRF token."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi.testclient import TestClient

from app.hq.server import create_app
from app.hq.store import HqStore

PASSWORDS = {"admin-li": "admin password 1", "staff-wang": "staff password 1",
             "viewer-zhao": "viewer password 1"}
ROLES = {"admin-li": "admin", "staff-wang": "staff", "viewer-zhao": "viewer"}


def add_accounts(store: HqStore) -> HqStore:
    """The admin, the staff member and the viewer the console's tests sign in as."""
    for name, role in ROLES.items():
        store.accounts.add(name, role, PASSWORDS[name], "test")
    return store


@contextmanager
def console_client(hq: HqStore) -> Iterator[TestClient]:
    """HQ's real app in process, on loopback's address (the console's cookies need it)."""
    with TestClient(create_app(hq), base_url="http://127.0.0.1") as client:
        yield client


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def sign_in(client: TestClient, name: str, password: str | None = None) -> str:
    """Signs in through the form; the session's CSRF token (from the page it lands on)."""
    form = client.get("/console/sign-in")
    assert form.status_code == 200
    answer = client.post("/console/sign-in", data={
        "csrf": csrf_of(form.text), "name": name,
        "password": PASSWORDS[name] if password is None else password})
    assert answer.status_code == 200, answer.text  # followed the 303 to the home page
    assert str(answer.url).endswith("/console/")
    return csrf_of(answer.text)
