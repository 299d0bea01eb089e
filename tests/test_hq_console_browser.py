"""HQ's console in a real browser (issue 14): Debian's chromium, headless, driven by Selenium
through Debian's chromedriver, against the real ``python -m app hq serve`` on loopback with
the demo event and three accounts made by ``hq user add``.

Staff black-list the demo company through the form; the admin reads the change, by that
account, on the audit log page; a viewer sees no form, and a POST sent with the viewer's own
session and CSRF token (the browser's fetch) answers 403 with nothing changed in the database.

The pictures of the companies and audit pages go to the test's folder; with
VS_CONSOLE_SCREENSHOTS=docs/screenshots they replace the README's
(hq-console-companies.png, hq-console-audit.png).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.ui import Select, WebDriverWait
from sqlalchemy import func, select

from app.demo_data import DEMO_COMPANY_LICENCE, MAIN_COMPANY
from app.hq.models import AuditEntry, CompanyRegisterEntry, RevokedCertificate, Vetting
from app.hq.models import Record as RecordRow
from app.hq.store import HqStore
from tests.helpers.hq_process import key_passphrase_env, last_json, run_app

pytestmark = pytest.mark.slow  # starts HQ's service and a browser

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ACCOUNTS = {"admin-li": ("admin", "admin password 1"),
            "staff-wang": ("staff", "staff password 1"),
            "viewer-zhao": ("viewer", "viewer password 1")}
REASON = "转包安保勤务（考评附件3第7项）"


@pytest.fixture
def hq_url(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(the service's base URL, its database URL): a fresh SQLite HQ with the demo event and
    the three accounts, served by ``hq serve --port 0`` in a child process."""
    db = f"sqlite:///{tmp_path / 'hq.sqlite3'}"
    env = key_passphrase_env(tmp_path)
    run_app("hq", "demo-event", "--db", db, extra_env=env)
    for name, (role, password) in ACCOUNTS.items():
        secret = tmp_path / f"{name}.txt"
        secret.write_text(password + "\n", encoding="utf-8")
        shown = last_json(run_app("hq", "user", "add", name, "--role", role, "--db", db,
                                  "--password-file", str(secret), extra_env=env).stdout)
        assert shown["name"] == name and shown["role"] == role
    ready = tmp_path / "ready"
    log = open(tmp_path / "serve.log", "wb")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "hq", "serve", "--db", db, "--host", "127.0.0.1",
         "--port", "0", "--ready-file", str(ready)], cwd=REPO, stdout=log, stderr=log,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen", **env))
    try:
        deadline = time.monotonic() + 30
        while not (ready.exists() and ready.read_text().strip()):
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError((tmp_path / "serve.log").read_text(errors="replace"))
            time.sleep(0.05)
        yield ready.read_text().strip(), db
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    assert CHROMIUM.exists() and CHROMEDRIVER.exists(), (
        "Debian's chromium and chromium-driver are needed: scripts/test.sh installs them")
    options = Options()
    options.binary_location = str(CHROMIUM)  # never Selenium Manager's download
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--disable-gpu", "--lang=zh-CN", "--window-size=1400,900",
                     f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})
    driver = webdriver.Chrome(options=options, service=Service(
        executable_path=str(CHROMEDRIVER), log_output=str(tmp_path / "chromedriver.log")))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def stored(db: str) -> tuple[int, str | None, str | None]:
    """The audit log's length, the demo company's list and reason, read from HQ's database."""
    store = HqStore(db)
    try:
        with store.Session() as s:
            entries = int(s.scalar(select(func.count()).select_from(AuditEntry)) or 0)
            entry = s.get(CompanyRegisterEntry, DEMO_COMPANY_LICENCE)
            return entries, entry.list_name if entry else None, entry.reason if entry else None
    finally:
        store.close()


def screenshot(driver: Any, name: str, tmp_path: Path) -> Path:
    """The whole page (the window made as tall as the page) as a PNG."""
    folder = Path(os.environ.get("VS_CONSOLE_SCREENSHOTS") or tmp_path)
    if not folder.is_absolute():
        folder = REPO / folder
    width, height = driver.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": max(1280, min(int(width), 2000)), "height": max(600, min(int(height), 3000)),
        "deviceScaleFactor": 1, "mobile": False})
    path = folder / name
    assert driver.save_screenshot(str(path))
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    return path


def test_console_in_a_real_browser(hq_url: tuple[str, str], browser: Any,
                                   tmp_path: Path) -> None:
    base, db = hq_url
    d = browser

    def arrives(url: str) -> None:
        """Waits for the page a click led to (a click returns before it loads)."""
        try:
            WebDriverWait(d, 15).until(lambda driver: driver.current_url == url
                                       and driver.execute_script(
                                           "return document.readyState") == "complete")
        except TimeoutException:
            raise AssertionError(f"{d.current_url} is not {url}:\n{d.page_source}") from None

    def sign_in(name: str) -> None:
        d.get(f"{base}/console/")
        assert d.current_url == f"{base}/console/sign-in"
        for field, value in (("name", name), ("password", ACCOUNTS[name][1])):
            d.find_element(By.ID, field).clear()  # the form keeps the name typed before
            d.find_element(By.ID, field).send_keys(value)
        d.find_element(By.ID, "sign-in").click()
        arrives(f"{base}/console/")
        assert d.find_element(By.ID, "account").text == name

    def sign_out() -> None:
        d.find_element(By.ID, "sign-out").click()
        arrives(f"{base}/console/sign-in")

    def company_row() -> Any:
        return d.find_element(By.CSS_SELECTOR, f'tr[data-licence="{DEMO_COMPANY_LICENCE}"]')

    # A wrong password: the form again, with the reason, and no session.
    d.get(f"{base}/console/sign-in")
    d.find_element(By.ID, "name").send_keys("staff-wang")
    d.find_element(By.ID, "password").send_keys("not the password")
    d.find_element(By.ID, "sign-in").click()
    WebDriverWait(d, 15).until(lambda driver: driver.find_elements(By.ID, "error"))
    assert "wrong account name or password" in d.find_element(By.ID, "error").text
    assert stored(db)[1] is None

    # Staff black-list the demo company through its form.
    sign_in("staff-wang")
    d.find_element(By.LINK_TEXT, "保安公司 (Companies)").click()
    arrives(f"{base}/console/companies")
    row = company_row()
    assert MAIN_COMPANY in row.find_element(By.CLASS_NAME, "company-name").text
    entries_before = stored(db)[0]
    credit = row.find_element(By.NAME, "credit_grade")
    credit.clear()
    credit.send_keys("C")
    Select(row.find_element(By.NAME, "list")).select_by_value("black")
    row.find_element(By.NAME, "reason").send_keys(REASON)
    row.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    arrives(f"{base}/console/companies?saved={quote(DEMO_COMPANY_LICENCE)}")
    assert DEMO_COMPANY_LICENCE in d.find_element(By.ID, "saved").text
    row = company_row()
    assert row.find_element(By.CLASS_NAME, "list").text == "黑名单 (black list)"
    assert row.find_element(By.CLASS_NAME, "reason").text == REASON
    assert row.find_element(By.CLASS_NAME, "credit").text == "C"
    assert stored(db) == (entries_before + 1, "black", REASON)
    screenshot(d, "hq-console-companies.png", tmp_path)
    sign_out()

    # The admin reads that change, by that account, on the audit log page.
    sign_in("admin-li")
    d.find_element(By.LINK_TEXT, "审计日志 (Audit log)").click()
    arrives(f"{base}/console/audit")
    assert "the chain of hashes holds" in d.find_element(By.ID, "chain").text
    newest = d.find_element(By.CSS_SELECTOR, "#audit tbody tr")
    assert newest.find_element(By.CLASS_NAME, "actor").text == "staff-wang"
    assert newest.find_element(By.CLASS_NAME, "target").text == (
        f"company:{DEMO_COMPANY_LICENCE}")
    after = json.loads(newest.find_element(By.CLASS_NAME, "after").text)
    assert after == {"credit_grade": "C", "list": "black", "reason": REASON}
    screenshot(d, "hq-console-audit.png", tmp_path)
    sign_out()

    # A viewer: no form; a POST with the viewer's own session and token answers 403.
    sign_in("viewer-zhao")
    d.get(f"{base}/console/companies")
    assert not d.find_elements(By.NAME, "reason")
    assert not d.find_elements(By.CSS_SELECTOR, 'form[action="/console/companies"]')
    before = stored(db)
    status = d.execute_async_script(
        """const done = arguments[arguments.length - 1];
        const csrf = document.querySelector('input[name=csrf]').value;
        fetch('/console/companies', {method: 'POST', redirect: 'manual',
              headers: {'Content-Type': 'application/x-www-form-urlencoded'},
              body: new URLSearchParams({csrf: csrf, licence_no: arguments[0],
                                         credit_grade: 'A', list: '', reason: 'viewer'})})
          .then(r => done(r.status), e => done(String(e)));""", DEMO_COMPANY_LICENCE)
    assert status == 403
    assert stored(db) == before
    d.get(f"{base}/console/audit")
    assert "Not allowed" in d.page_source


ROSTER = REPO / "tests" / "fixtures" / "roster_concert_600.xlsx"
EVENT_NAME = "浏览器测试演唱会"


def hq_rows(db: str) -> dict[str, Any]:
    """What the browser's clicks must have stored, read from HQ's database."""
    store = HqStore(db)
    try:
        with store.Session() as s:
            events = {json.loads(r.payload)["name"]: r.id for r in s.scalars(
                select(RecordRow).where(RecordRow.kind == "event"))}
            event_id = events.get(EVENT_NAME)
            guards = [json.loads(r.payload) for r in s.scalars(select(RecordRow).where(
                RecordRow.kind == "guard", RecordRow.event_id == event_id))] \
                if event_id else []
            return {"event_id": event_id, "guards": guards,
                    "vetting": {v.cert_key: (v.background, v.trained, v.officer)
                                for v in s.scalars(select(Vetting))},
                    "revoked": set(s.scalars(select(RevokedCertificate.cert_key))),
                    "actions": [(a.actor, a.action) for a in s.scalars(
                        select(AuditEntry).order_by(AuditEntry.id))]}
    finally:
        store.close()


def test_staff_prepare_an_event_vet_a_guard_and_revoke_a_badge_in_a_real_browser(
        hq_url: tuple[str, str], browser: Any, tmp_path: Path) -> None:
    """The roster uploaded in the browser, previewed row by row, confirmed into an event;
    one of its guards failed at vetting and another's certificate revoked, each through its
    page; a recommendation letter written and the organiser's choice recorded; the admin
    reads these changes in the audit log; a viewer changes nothing. The
    main pages are photographed (Chinese), for docs/screenshots with VS_CONSOLE_SCREENSHOTS."""
    base, db = hq_url
    d = browser

    def arrives(prefix: str) -> None:
        try:
            WebDriverWait(d, 30).until(lambda driver: driver.current_url.startswith(prefix)
                                       and driver.execute_script(
                                           "return document.readyState") == "complete")
        except TimeoutException:
            raise AssertionError(f"{d.current_url} is not {prefix}:\n{d.page_source}") from None

    def submits(button: Any, prefix: str) -> None:
        """Clicks and waits for the next page: the old one gone, the new one loaded (its
        address alone may be the old one's, e.g. a search's answer saved to itself)."""
        old = d.find_element(By.TAG_NAME, "html")
        button.click()
        WebDriverWait(d, 30).until(staleness_of(old))
        arrives(prefix)

    def sign_in(name: str) -> None:
        d.get(f"{base}/console/sign-in")
        for field, value in (("name", name), ("password", ACCOUNTS[name][1])):
            d.find_element(By.ID, field).clear()
            d.find_element(By.ID, field).send_keys(value)
        d.find_element(By.ID, "sign-in").click()
        arrives(f"{base}/console/")

    sign_in("staff-wang")
    d.find_element(By.LINK_TEXT, "活动 (Events)").click()
    arrives(f"{base}/console/events")
    d.find_element(By.ID, "new-event").click()
    arrives(f"{base}/console/events/new")
    d.find_element(By.NAME, "roster").send_keys(str(ROSTER))
    d.find_element(By.NAME, "name").send_keys(EVENT_NAME)
    d.find_element(By.NAME, "venue").send_keys("市体育场")
    d.find_element(By.NAME, "attendance").send_keys("42000")
    d.find_element(By.ID, "preview").click()
    arrives(f"{base}/console/events/preview")
    totals = d.find_element(By.ID, "totals").text
    assert hq_rows(db)["event_id"] is None  # the preview stored nothing
    valid = int(d.find_elements(By.CSS_SELECTOR, "#totals b")[1].text)
    assert valid > 500, totals
    assert d.find_elements(By.CSS_SELECTOR, "#rows tbody tr")
    screenshot(d, "hq-console-event-preview.png", tmp_path)
    submits(d.find_element(By.ID, "confirm"), f"{base}/console/events/")
    assert "saved=created" in d.current_url
    stored_now = hq_rows(db)
    assert stored_now["event_id"] and len(stored_now["guards"]) == valid
    assert EVENT_NAME in d.find_element(By.TAG_NAME, "h1").text
    assert "市体育场" in d.find_element(By.ID, "facts").text
    screenshot(d, "hq-console-event.png", tmp_path)

    # HQ's vetting: one guard failed, through the vetting page's form.
    failed_guard, revoked_guard = stored_now["guards"][0], stored_now["guards"][1]
    d.find_element(By.LINK_TEXT, "背景审查 (Vetting)").click()
    arrives(f"{base}/console/vetting")
    search = d.find_element(By.CSS_SELECTOR, "#search input[name=cert_no]")
    search.send_keys(failed_guard["cert_no"])
    submits(d.find_element(By.CSS_SELECTOR, "#search button[type=submit]"),
            f"{base}/console/vetting?")
    form = d.find_element(By.ID, "vetting-form")
    Select(form.find_element(By.NAME, "background")).select_by_value("failed")
    form.find_element(By.NAME, "officer").send_keys("王警官")
    form.find_element(By.NAME, "note").send_keys("有违法记录")
    Select(form.find_element(By.NAME, "trained")).select_by_value("yes")
    submits(d.find_element(By.ID, "save-vetting"), f"{base}/console/vetting?")
    assert d.find_elements(By.ID, "saved"), d.page_source
    assert hq_rows(db)["vetting"][failed_guard["cert_key"]] == ("failed", True, "王警官")
    screenshot(d, "hq-console-vetting.png", tmp_path)

    # Revoke another guard's certificate from the person's file.
    d.find_element(By.LINK_TEXT, "人员档案 (People)").click()
    arrives(f"{base}/console/people")
    d.find_element(By.CSS_SELECTOR, "#search input[name=cert_no]").send_keys(
        revoked_guard["cert_no"])
    submits(d.find_element(By.CSS_SELECTOR, "#search button[type=submit]"),
            f"{base}/console/people/")
    assert EVENT_NAME in d.find_element(By.ID, "events").text
    d.find_element(By.CSS_SELECTOR, "#revoke input[name=reason]").send_keys("证件遗失")
    submits(d.find_element(By.ID, "revoke-button"), f"{base}/console/people/")
    assert d.find_elements(By.ID, "saved"), d.page_source
    assert revoked_guard["cert_key"] in hq_rows(db)["revoked"]
    screenshot(d, "hq-console-person.png", tmp_path)

    # A recommendation letter for an organiser, and the organiser's choice recorded.
    d.find_element(By.LINK_TEXT, "推荐函 (Letters)").click()
    arrives(f"{base}/console/letters")
    form = d.find_element(By.ID, "letter-form")
    form.find_element(By.NAME, "organiser").send_keys("市体育中心管理处")
    form.find_element(By.NAME, "event_name").send_keys("2027年新年音乐会")
    d.execute_script("arguments[0].value = '2027-01-01'",  # the date picker's own format
                     form.find_element(By.NAME, "event_date"))
    form.find_element(By.NAME, "attendance").send_keys("8000")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    arrives(f"{base}/console/letters/")
    recommended = d.find_elements(By.CSS_SELECTOR, "#companies tbody tr")
    assert len(recommended) >= 3, d.page_source
    chosen_name = recommended[1].find_elements(By.TAG_NAME, "td")[1].text
    submits(recommended[1].find_element(By.CSS_SELECTOR, "button[type=submit]"),
            f"{base}/console/letters/")
    assert chosen_name in d.find_element(By.ID, "chosen").text
    screenshot(d, "hq-console-letter.png", tmp_path)
    for link, url, picture in (("证件 (Badges)", "/console/badges", "hq-console-badges.png"),
                               ("考评收件 (Evaluations)", "/console/evaluations",
                                "hq-console-evaluations.png"),
                               ("活动 (Events)", "/console/events", "hq-console-events.png")):
        d.find_element(By.LINK_TEXT, link).click()
        arrives(f"{base}{url}")
        screenshot(d, picture, tmp_path)
    d.find_element(By.ID, "sign-out").click()
    arrives(f"{base}/console/sign-in")

    # The admin reads the three changes, by the staff account, in the audit log.
    sign_in("admin-li")
    d.get(f"{base}/console/audit")
    actors = [row.text for row in d.find_elements(By.CSS_SELECTOR, "#audit tbody td.actor")]
    assert actors[:5] == ["staff-wang"] * 5, actors
    assert [a for a in hq_rows(db)["actions"] if a[0] == "staff-wang"] == [
        ("staff-wang", "event.add"), ("staff-wang", "vetting.set"),
        ("staff-wang", "certificate.revoke"), ("staff-wang", "letter.create"),
        ("staff-wang", "letter.choice")]
    d.find_element(By.ID, "sign-out").click()
    arrives(f"{base}/console/sign-in")

    # A viewer sees no form to change anything, and a POST with its own token answers 403.
    sign_in("viewer-zhao")
    before = hq_rows(db)
    d.get(f"{base}/console/events")
    assert not d.find_elements(By.ID, "new-event")
    d.get(f"{base}/console/vetting?cert_no={quote(failed_guard['cert_no'])}")
    assert not d.find_elements(By.ID, "vetting-form")
    d.get(f"{base}/console/people/{quote(failed_guard['cert_no'])}")
    assert not d.find_elements(By.ID, "revoke")
    statuses = d.execute_async_script(
        """const done = arguments[arguments.length - 1];
        const csrf = document.querySelector('input[name=csrf]').value;
        const post = (url, fields) => fetch(url, {method: 'POST', redirect: 'manual',
              headers: {'Content-Type': 'application/x-www-form-urlencoded'},
              body: new URLSearchParams({csrf: csrf, ...fields})}).then(r => r.status);
        Promise.all([
          post('/console/vetting/' + encodeURIComponent(arguments[0]),
               {background: 'cleared', trained: 'yes', note: '', background_date: '',
                officer: '', training_session: '', training_date: ''}),
          post('/console/people/' + encodeURIComponent(arguments[0]) + '/revoke',
               {reason: 'viewer'})]).then(done, e => done(String(e)));""",
        failed_guard["cert_no"])
    assert statuses == [403, 403]
    assert hq_rows(db) == before
