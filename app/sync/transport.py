"""Talking to headquarters over HTTP(S): the address checked, HQ's certificate pinned at
enrolment and nothing else trusted, the device token sent, and every failure said to the
supervisor in plain words (SyncError).
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import ssl
from typing import Any
from urllib.parse import urlsplit

from app.i18n import translate
from app.sync.protocol import API_PREFIX
from app.sync.state import SyncError

REQUEST_TIMEOUT = 30.0
CONNECT_TIMEOUT = 5.0


def base_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SyncError(translate("Sync", "“{0}” is not a headquarters address: it must "
                                  "start with http:// or https://").format(url))
    return url.strip().rstrip("/")


def is_loopback(host: str) -> bool:
    """True for an address that never leaves this machine: 127.0.0.0/8, ::1, localhost."""
    host = host.strip().strip("[]").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_plain_http(url: str) -> bool:
    return urlsplit(url.strip()).scheme.lower() == "http"


def plain_http_warning(url: str) -> str | None:
    """The warning for plain http beyond this machine (None for https or loopback)."""
    if not is_plain_http(url) or is_loopback(urlsplit(url.strip()).hostname or ""):
        return None
    return translate("Sync", "Warning: plain http to {0}: the device token and every record "
                     "cross the network unencrypted; have headquarters serve with "
                     "--cert/--key and enrol with its https:// address").format(url.strip())


def fetch_server_certificate(url: str) -> str:
    """The PEM certificate an https server presents, unverified (trust on first use; the
    supervisor compares its fingerprint with the one HQ gives out)."""
    parts = urlsplit(url)
    try:
        return ssl.get_server_certificate((parts.hostname or "", parts.port or 443),
                                          timeout=CONNECT_TIMEOUT)
    except (OSError, ssl.SSLError) as exc:
        raise SyncError(translate("Sync", "Headquarters cannot be reached at {0} ({1})")
                        .format(url, exc)) from None


def certificate_fingerprint(pem: str) -> str:
    der = ssl.PEM_cert_to_DER_cert(pem)
    return hashlib.sha256(der).hexdigest()


def _pinned_context(pem: str) -> ssl.SSLContext:
    # The enrolled certificate is the only trust anchor: a different certificate, even one a
    # public CA signed, fails the handshake. Host names are not checked because HQ is often
    # reached by an IP address on its own network; the pin is the stronger check.
    context = ssl.create_default_context(cadata=pem)
    context.check_hostname = False
    context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
    return context


class HqConnection:
    """One HTTP client to HQ: pinned TLS, the device token, errors in plain words."""

    def __init__(self, url: str, token: str | None = None,
                 pinned_certificate: str | None = None) -> None:
        # Imported here, not at the top: httpx costs 0.16 to 0.25 s to import (python -X
        # importtime on this machine), and the window imports this module at every start
        # while most starts never talk to headquarters.
        import httpx

        self.url = base_url(url)
        verify: ssl.SSLContext | bool = True
        if self.url.startswith("https://"):
            if not pinned_certificate:
                raise SyncError(translate("Sync", "No headquarters certificate is pinned "
                                          "for {0}; enrol this laptop again").format(self.url))
            verify = _pinned_context(pinned_certificate)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._client = httpx.Client(
            base_url=self.url + API_PREFIX, headers=headers, verify=verify,
            timeout=httpx.Timeout(REQUEST_TIMEOUT, connect=CONNECT_TIMEOUT), trust_env=False)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HqConnection:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def request(self, method: str, path: str, payload: object | None = None) -> Any:
        import httpx  # already loaded by __init__: see there why it is not at the top

        content = None if payload is None else json.dumps(payload, ensure_ascii=False).encode()
        try:
            response = self._client.request(
                method, path, content=content,
                headers={"Content-Type": "application/json"} if content is not None else None)
        except httpx.ConnectError as exc:
            if isinstance(exc.__context__, ssl.SSLError) or "CERTIFICATE" in str(exc).upper():
                raise SyncError(translate(
                    "Sync", "Headquarters at {0} presented a certificate other than the one "
                    "this laptop enrolled with; nothing was sent (the connection may be "
                    "intercepted, or HQ renewed its certificate: enrol again)")
                    .format(self.url)) from None
            raise SyncError(translate("Sync", "Headquarters cannot be reached at {0}: no "
                                      "network, or the service is not running")
                            .format(self.url)) from None
        except httpx.TimeoutException:
            raise SyncError(translate("Sync", "Headquarters at {0} did not answer in time")
                            .format(self.url)) from None
        except (httpx.HTTPError, OSError) as exc:
            raise SyncError(translate("Sync", "The connection to headquarters failed: {0}")
                            .format(exc)) from None
        if response.status_code >= 400:
            try:
                body = response.json()
            except ValueError:
                body = None
            detail = (str(body.get("detail", "")) if isinstance(body, dict)
                      else response.text[:200])
            if response.status_code == 401:
                raise SyncError(translate("Sync", "Headquarters does not accept this laptop "
                                          "({0}); enrol it again").format(detail))
            if response.status_code == 403:
                raise SyncError(translate("Sync", "Headquarters refused this laptop: {0}")
                                .format(detail))
            raise SyncError(translate("Sync", "Headquarters answered with an error "
                                      "({0}): {1}").format(response.status_code, detail))
        if response.headers.get("content-type", "").startswith("application/json"):
            try:
                return response.json()
            except ValueError:
                raise SyncError(translate("Sync", "Headquarters sent an answer this laptop "
                                          "cannot read")) from None
        return response.content

    def request_object(self, method: str, path: str,
                       payload: object | None = None) -> dict[str, Any]:
        """A request whose answer must be a JSON object."""
        answer = self.request(method, path, payload)
        if not isinstance(answer, dict):
            raise SyncError(translate("Sync", "Headquarters sent an answer this laptop "
                                      "cannot read"))
        return answer
