"""HQ in the test's own process: the laptops' sync client (httpx) reaches HQ's FastAPI app
through a TestClient, without a server or a socket."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.hq.server import create_app
from app.hq.store import HqStore

HQ_URL = "http://testserver"


def route_laptops_to(store: HqStore, monkeypatch: pytest.MonkeyPatch) -> FastAPI:
    """Every httpx.Client made for HQ_URL from now on (the test's end undoes it) talks to
    ``store``'s app; any other address is a real client. The app, for more clients."""
    app = create_app(store)
    real_client = httpx.Client

    def client(**kwargs: Any) -> httpx.Client:
        if str(kwargs.get("base_url", "")).startswith(HQ_URL):
            return TestClient(app, base_url=str(kwargs["base_url"]),
                              headers=kwargs.get("headers") or {})
        return real_client(**kwargs)

    monkeypatch.setattr(httpx, "Client", client)
    return app
