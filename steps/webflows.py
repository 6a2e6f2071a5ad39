"""Members driving a running simulator over real HTTP, through its public web forms only.

Used by the reliability tests (crash safety, concurrency, form fuzzing) and by ``tools/load_test.py``
against ``ti24 serve`` on a loopback port: the site and the fake providers share one origin there, so
one ``httpx.Client`` (its own cookie jar) is one member's browser. Preconditions that belong to the
outside world (a person the carriers know, an SNS account, a company certificate, the 국세청 status)
go through the fake providers' control API (``/control/…``), never through KOTRA's own records.
"""

from __future__ import annotations

import base64
import itertools
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from .htmlform import Page, parse

TINY_PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


class FlowError(AssertionError):
    """A step of a flow did not land where a member would expect (carries the page's alert)."""

    def __init__(self, message: str, page: Page | None = None) -> None:
        super().__init__(f"{message}: {page.status} {page.url} {page.alert!r}" if page else message)
        self.page = page


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """``ti24 serve`` as a child process on a free 127.0.0.1 port (serving argon2 profile)."""

    database: Path
    port: int = field(default_factory=free_port)
    log: Path | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> Server:
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL  # noqa: SIM115 (kept open for the child)
        command = [sys.executable, "-m", "ti24.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port),
                   "--database", str(self.database)]
        self.process = subprocess.Popen(command, stdout=out, stderr=out, cwd=Path(__file__).resolve().parent.parent,
                                        env={**os.environ, "PYTHONUNBUFFERED": "1"})
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"ti24 serve ended with {self.process.returncode}")
            try:
                if httpx.get(f"{self.origin}/", timeout=1.0).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("ti24 serve did not answer in time")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, no atexit."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


_numbers = itertools.count(1)


class Member:
    """One member's browser: own cookies, follows redirects within the one origin."""

    def __init__(self, origin: str, timeout: float = 60.0, transport: httpx.BaseTransport | None = None) -> None:
        """``transport``: e.g. an in-process ASGI transport instead of a socket (same HTTP)."""
        self.origin = origin
        self.client = httpx.Client(base_url=origin, follow_redirects=True, timeout=timeout, transport=transport,
                                   event_hooks={"request": [self._count]})
        self.page: Page | None = None
        self.requests = 0  # HTTP requests sent, redirects followed included

    def _count(self, request: httpx.Request) -> None:
        self.requests += 1

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Member:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- plumbing ------------------------------------------------------------------------------

    def _take(self, response: httpx.Response) -> Page:
        self.page = parse(str(response.url), response.status_code, response.text)
        if response.status_code >= 500:
            raise FlowError("server error", self.page)
        return self.page

    def get(self, url: str, **params: str) -> Page:
        return self._take(self.client.get(url, params=params or None))

    def csrf(self) -> str:
        """The browser session's CSRF token, from the page at hand or else the 로그인 page."""
        pages = [self.page] if self.page and self.page.url.startswith(self.origin) else []
        for page in [*pages, None]:
            page = page or self.get("/login")
            for form in page.forms:
                if "csrf_token" in form.fields:
                    return form.fields["csrf_token"]
        raise FlowError("no csrf_token on the page", self.page)

    def post(self, url: str, data: dict[str, str] | None = None, files: dict[str, Any] | None = None) -> Page:
        body = {"csrf_token": self.csrf(), **(data or {})}
        return self._take(self.client.post(url, data=body, files=files))

    def submit(self, page: Page, containing: str | None = None, **values: str) -> Page:
        form = page.form(containing)
        data = form.filled(**values)
        if form.method == "post":
            return self._take(self.client.post(page.action(form), data=data))
        return self._take(self.client.get(page.action(form), params=data))

    def control(self, method: str, url: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.client.request(method, f"/control{url}", json=body)
        if response.status_code >= 300:
            raise FlowError(f"control {url} answered {response.status_code}: {response.text[:200]}")
        answer: dict[str, Any] = response.json()
        return answer

    @staticmethod
    def expect(page: Page, path_end: str, what: str) -> Page:
        if not page.url.split("?", 1)[0].endswith(path_end):
            raise FlowError(f"expected {what} ({path_end})", page)
        return page

    # --- preconditions in the outside world -----------------------------------------------------

    def new_person(self) -> dict[str, Any]:
        """A person the carriers know (name, birth date, phone) — through the control API."""
        return self.control("POST", "/persons", {})

    # --- 일반회원 가입 (STEP1–STEP4) with 휴대전화 본인인증 ------------------------------------------

    def general_signup_until_submit(self, person: dict[str, Any]) -> Page:
        """STEP1 약관동의 → STEP2 휴대전화 본인인증 (PASS window, SMS code) → the STEP3 form."""
        self.get("/signup")
        page = self.expect(self.post("/signup/general/start"), "/signup/general", "STEP1")
        page = self.expect(self.post("/signup/general", {"terms": "on", "privacy": "on"}),
                           "/signup/general/verify", "STEP2")
        page = self.post("/signup/general/verify/phone")  # → the PASS window: 통신사 선택
        page = self.submit(page, "carrier", carrier=person["carrier"])
        page = self.submit(page, "name", name=person["name"], phone=person["phone"],
                           birth_date=person["birth_date"].replace("-", ""), agree="on", action="send")
        code = self.control("GET", f"/sms/{person['phone']}")["latest_code"]
        page = self.submit(page, "code", code=code, action="confirm")
        return self.expect(page, "/signup/general/info", "STEP3 회원정보 입력")

    def general_submit(self, user_id: str, password: str, email: str | None = None) -> Page:
        """[가입하기] on STEP3; the page after it (STEP4 가입완료 when accepted)."""
        return self.post("/signup/general/info", {"user_id": user_id, "password": password,
                                                  "password_confirm": password,
                                                  "email": email or f"{user_id}@example.com"})

    def general_signup(self, user_id: str, password: str) -> dict[str, Any]:
        person = self.new_person()
        self.general_signup_until_submit(person)
        self.expect(self.general_submit(user_id, password), "/signup/general/done", "STEP4 가입완료")
        return person

    # --- 간편회원 가입 ---------------------------------------------------------------------------

    def simple_signup(self, channel: str = "kakao") -> dict[str, Any]:
        account = self.control("POST", "/sns-accounts", {"channel": channel})
        self.get("/signup/simple")
        page = self.post("/signup/simple", {"channel": channel})  # → the SNS login page
        page = self.submit(page, "login_id", login_id=account["login_id"], password=account["password"],
                           action="agree")
        page = self.expect(page, "/signup/simple/terms", "약관동의")
        page = self.post("/signup/simple/terms", {"terms": "on", "privacy": "on"})
        self.expect(page, "/signup/simple/done", "간편회원 가입 완료")
        return account

    # --- 로그인 / 로그아웃 -----------------------------------------------------------------------

    def login(self, user_id: str, password: str) -> Page:
        self.get("/login")
        return self.post("/login", {"user_id": user_id, "password": password})

    def logout(self) -> Page:
        return self.post("/logout")

    # --- 기업정보 등록 (STEP1–STEP4) --------------------------------------------------------------

    def company_certificate(self, bizno: str, holder: str, password: str) -> dict[str, Any]:
        """A 기업 범용인증서 of ``bizno`` in ``holder``'s wallet, and the company 계속사업자 at 국세청."""
        return self.control("POST", "/certificates", {"product": "금융결제원(법인)", "bizno": bizno, "holder_name": holder,
                                                      "holder": holder, "password": password})

    def company_registration_until_submit(self, bizno: str, certificate: dict[str, Any], password: str) -> Page:
        """STEP1 약관동의 → STEP2 [조회] + [기업인증하기] through the certificate dialog → the STEP3 form."""
        self.get("/company/register")
        page = self.expect(self.post("/company/register", {"terms": "on", "privacy": "on"}),
                           "/company/register/auth", "STEP2 기업 인증")
        page = self.post("/company/register/auth/lookup", {"bizno": bizno})
        if page.status != 200:
            raise FlowError("[조회] refused", page)
        dialog = self._no_follow_post("/company/register/auth/certificate")
        url = dialog.headers["location"] + f"&holder={certificate['holder']}"
        page = self.get(url)
        page = self.submit(page, "password", serial=certificate["serial"], password=password, action="ok")
        autopost = page.form("certificate")
        # the dialog's auto-submitted cross-site form, then back in our origin with the cookie
        page = self._take(self.client.post(page.action(autopost), data=autopost.fields))
        return self.expect(page, "/company/register/info", "STEP3 기업 정보 입력")

    def _no_follow_post(self, url: str) -> httpx.Response:
        response = self.client.post(url, data={"csrf_token": self.csrf()}, follow_redirects=False)
        if response.status_code != 303:
            raise FlowError(f"{url} answered {response.status_code}")
        return response

    def company_submit(self, details: dict[str, str], admin_password: str, approval_password: str) -> Page:
        data = {**details, "admin_password": admin_password, "admin_password_confirm": admin_password,
                "approval_password": approval_password, "approval_password_confirm": approval_password}
        return self.post("/company/register/info", data,
                         files={"scan": ("사업자등록증.pdf", TINY_PDF, "application/pdf")})


def unique_user_id(prefix: str = "m") -> str:
    """A fresh ID within the policy (letters and digits), unique within this process and run."""
    stamp = base64.b32encode(os.urandom(5)).decode().lower().rstrip("=")
    return f"{prefix}{next(_numbers)}{stamp}"[:16]


def bizno_with_check_digit(first9: str) -> str:
    """A 사업자등록번호 (10 digits) whose check digit is right."""
    weights = (1, 3, 7, 1, 3, 7, 1, 3, 5)
    digits = [int(c) for c in first9]
    total = sum(d * w for d, w in zip(digits, weights, strict=True)) + digits[8] * 5 // 10
    return first9 + str((10 - total % 10) % 10)
