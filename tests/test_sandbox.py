"""Sandbox mode (ti24 serve --sandbox): every preset situation loaded from the 연습 menu and
finished in Chromium with nothing but what the side panel shows, then the trainer's view.

One sandbox server on a free 127.0.0.1 port for the module; one browser context per preset (one
trainee each). The flows reuse the Playwright driver of the acceptance suite.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import httpx
import pytest

from steps.driver import Actor, CompanyForm, CompanyProof, MemberInfo, Refused
from steps.profile import SiteProfile
from ti24.sandbox import PRESETS, Sandbox, flow_of_path
from ti24.testmode import RunningServer, free_port

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    port = free_port()
    app = Sandbox(f"http://127.0.0.1:{port}", hashing="cheap")
    server = RunningServer(app, port)
    try:
        yield app
    finally:
        server.stop()


class Trainee:
    """One trainee's browser: loads a preset from the menu and reads the side panel."""

    def __init__(self, browser: Any, sandbox: Sandbox, name: str) -> None:
        from steps.browser import PlaywrightDriver

        self.base = sandbox.origin
        self.context = browser.new_context(locale="ko-KR", timezone_id="Asia/Seoul", base_url=self.base,
                                           viewport={"width": 1300, "height": 900})
        self.context.set_default_timeout(8_000)
        self.page = self.context.new_page()
        self.driver = PlaywrightDriver(browser, self.base, httpx.Client(base_url=self.base, timeout=30.0),
                                       SiteProfile.load(None))
        self.driver.tracing = False
        self.page.goto(self.base + "/sandbox")
        self.page.get_by_label("연습생 이름").fill(name)
        self.page.get_by_role("button", name="이름 저장").click()

    def load(self, preset: str) -> Any:
        self.page.goto(self.base + "/sandbox")
        self.page.get_by_role("button", name=f"불러오기: {PRESETS[preset].title}").click()
        message = self.page.locator("main [role=status], main [role=alert]").first.inner_text(timeout=30_000)
        assert "상황을 불러왔습니다" in message, message
        return self.page.locator(f'#ti24-sandbox section[data-preset="{preset}"]')

    def actor(self, panel: Any, *, person: int = -1, account: int = -1) -> Actor:
        """The trainee as the driver knows people, from the panel's cards only."""
        card = panel.locator(".sbx-person").nth(person)
        name = card.get_attribute("data-name")
        birth = card.get_attribute("data-birth")
        actor = Actor(alias=name, name=name, birth_date=date(int(birth[:4]), int(birth[4:6]), int(birth[6:])),
                      phone=card.get_attribute("data-phone"), email=card.get_attribute("data-email"),
                      carrier=card.get_attribute("data-carrier"))
        accounts = panel.locator(".sbx-account")
        if accounts.count():
            account_card = accounts.nth(account)
            actor.user_id = account_card.get_attribute("data-user-id")
            actor.password = account_card.get_attribute("data-password")
        # The driver drives this very browser (the trainee's cookie) under the person's name.
        self.driver.contexts[name] = self.context
        self.driver.pages[name] = self.page
        return actor

    def done(self, preset: str) -> bool:
        self.page.goto(self.base + "/sandbox")
        return self.page.locator(f'#ti24-sandbox section[data-preset="{preset}"]').get_attribute("data-done") == "yes"

    def close(self) -> None:
        self.driver.contexts.clear()
        self.context.close()


def _company(panel: Any, index: int = 0) -> dict[str, str]:
    card = panel.locator(".sbx-company").nth(index)
    return {key: card.get_attribute(f"data-{key}") or "" for key in ("bizno", "name", "admin-password",
                                                                    "approval-password")}


def _certificates(panel: Any) -> list[dict[str, str]]:
    cards = panel.locator(".sbx-certificate")
    return [{key: cards.nth(i).get_attribute(f"data-{key}") or "" for key in ("serial", "password", "state", "bizno")}
            for i in range(cards.count())]


def test_every_preset_is_finished_in_the_browser_and_shows_in_the_trainer_view(sandbox: Sandbox, own_chromium) -> None:
    trainees: dict[str, Trainee] = {}

    def trainee(preset: str) -> tuple[Trainee, Any]:
        trainees[preset] = Trainee(own_chromium, sandbox, f"연습생-{preset}")
        return trainees[preset], trainees[preset].load(preset)

    try:
        # 휴업/폐업 회사의 등록 시도: both refusals seen
        t, panel = trainee("closed-company")
        actor = t.actor(panel)
        suspended, closed = _company(panel, 0)["bizno"], _company(panel, 1)["bizno"]
        assert not t.done("closed-company")
        t.driver.login(actor, actor.user_id, actor.password)
        t.driver.start_company_registration(actor, terms=True, privacy=True)
        with pytest.raises(Refused, match="휴업"):
            t.driver.enter_bizno(actor, suspended)
        with pytest.raises(Refused, match="폐업"):
            t.driver.enter_bizno(actor, closed)
        assert t.done("closed-company")

        # 기존 회원 전환
        t, panel = trainee("legacy-conversion")
        actor = t.actor(panel)
        t.driver.login(actor, actor.user_id, actor.password)
        t.driver.confirm_existing(actor, is_me=True)
        t.driver.conversion_password(actor, "Converted-2024!", "Converted-2024!")
        t.driver.conversion_consent(actor, terms=True, privacy=True)
        assert t.done("legacy-conversion")

        # 승인비밀번호를 모르는 직원: the administrator sets a new one, the employee uses it
        t, panel = trainee("unknown-approval-password")
        company = _company(panel)
        assert company["approval-password"] == ""  # nobody knows it
        actor = t.actor(panel, person=-1, account=-1)
        (certificate,) = _certificates(panel)
        actor.certificates[company["bizno"]] = (certificate["serial"], certificate["password"])
        t.driver.company_login(actor, company["bizno"], company["admin-password"])
        t.driver.company_authenticate(actor)
        t.driver.change_approval_password(actor, "615243", "615243")
        t.driver.logout(actor)
        t.driver.login(actor, actor.user_id, actor.password)
        t.driver.join_company(actor, CompanyProof(company["bizno"], approval_password="615243"))
        assert t.done("unknown-approval-password")

        # 이미 등록된 기업: told so, then joins with the shared approval password
        t, panel = trainee("already-registered")
        company = _company(panel)
        actor = t.actor(panel)
        t.driver.login(actor, actor.user_id, actor.password)
        t.driver.start_company_registration(actor, terms=True, privacy=True)
        with pytest.raises(Refused, match="기업정보 등록이 완료된 기업"):
            t.driver.enter_bizno(actor, company["bizno"])
        assert not t.done("already-registered")
        t.driver.join_company(actor, CompanyProof(company["bizno"], approval_password=company["approval-password"]))
        assert t.done("already-registered")

        # 만료된 인증서: refused with the expired one, registered with the renewed one
        t, panel = trainee("expired-certificate")
        expired, renewed = sorted(_certificates(panel), key=lambda c: c["state"] == "유효")
        assert expired["state"] == "만료됨" and renewed["state"] == "유효"
        actor = t.actor(panel)
        bizno = expired["bizno"].replace("-", "")
        t.driver.login(actor, actor.user_id, actor.password)
        t.driver.start_company_registration(actor, terms=True, privacy=True)
        assert t.driver.enter_bizno(actor, bizno)["outcome"] == "directory"
        actor.certificates[bizno] = (expired["serial"], expired["password"])
        with pytest.raises(Refused, match=r"유효기간|만료"):
            t.driver.authenticate_with_certificate(actor, bizno, expired["password"])
        actor.certificates[bizno] = (renewed["serial"], renewed["password"])
        t.driver.authenticate_with_certificate(actor, bizno, renewed["password"])
        t.driver.enter_company_info(actor, CompanyForm(admin_password="Company-Pass-77", approval_password="592817"))
        assert t.done("expired-certificate")

        # 처음 가입하는 사람: the PASS code arrives in the panel's SMS list
        t, panel = trainee("new-member")
        actor = t.actor(panel)
        t.driver.start_general_signup(actor)
        t.driver.agree_terms(actor, terms=True, privacy=True)
        t.driver.verify_real_name(actor, "휴대전화")
        t.driver.submit_member_info(actor, MemberInfo("trainee_new1", "Trainee-Pass-1", "Trainee-Pass-1", actor.email))
        assert t.done("new-member")
        sms = t.page.locator(f'#ti24-sandbox .sbx-phone[data-phone="{actor.phone}"] .sbx-sms').inner_text()
        assert re.search(r"\d{6}", sms), sms

        # The trainer's view: every trainee finished, and where the first one was refused
        view = trainees["closed-company"].page
        view.goto(sandbox.origin + "/sandbox/trainer?key=" + sandbox.trainer_key)
        for preset in PRESETS:
            section = view.locator(f'section.trainee[data-trainee="연습생-{preset}"]')
            situations = section.get_by_role("table", name=re.compile("^연습 상황"))
            assert "완료" in situations.inner_text(), preset
        refusals = view.locator('section.trainee[data-trainee="연습생-closed-company"]').get_by_role(
            "table", name=re.compile("^거절된 곳")).inner_text()
        assert "휴업" in refusals and "폐업" in refusals and "기업정보 등록" in refusals
        flows = view.locator('section.trainee[data-trainee="연습생-expired-certificate"]').get_by_role(
            "table", name=re.compile("^끝낸 절차")).inner_text()
        assert "기업정보 등록" in flows
    finally:
        for t in trainees.values():
            t.close()


@pytest.fixture
def new_client(sandbox: Sandbox) -> Iterator[Callable[..., httpx.Client]]:
    """A fresh browser (own cookies) at the sandbox; closed after the test."""
    clients: list[httpx.Client] = []

    def make(**options: Any) -> httpx.Client:
        clients.append(httpx.Client(base_url=sandbox.origin, **options))
        return clients[-1]

    yield make
    for client in clients:
        client.close()


def test_reset_empties_the_system_but_the_trainer_keeps_the_history(
    sandbox: Sandbox, new_client: Callable[..., httpx.Client]
) -> None:
    client = new_client(follow_redirects=True)
    menu = client.get("/sandbox")
    csrf = re.search(r'name="csrf" value="([^"]+)"', menu.text).group(1)
    assert client.post("/sandbox/load", data={"csrf": "wrong", "preset": "legacy-conversion"}).status_code == 403
    loaded = client.post("/sandbox/load", data={"csrf": csrf, "preset": "legacy-conversion"})
    assert 'data-preset="legacy-conversion"' in loaded.text
    user_id = re.search(r'sbx-account"[^>]*data-user-id="([^"]+)"', loaded.text).group(1)
    refused = client.post("/login", data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"',
                                                                   client.get("/login").text).group(1),
                                          "user_id": user_id, "password": "wrong-password"})
    assert "비밀번호" in refused.text and 'id="ti24-sandbox"' in refused.text  # panel on the site's pages
    rounds = sandbox.round
    assert client.post("/sandbox/reset", data={"csrf": csrf}).status_code == 200
    assert sandbox.round == rounds + 1
    assert not list(sandbox.embedded.ctx.db["members"].rows_where("user_id = ?", [user_id]))
    trainer = client.get("/sandbox/trainer", params={"key": sandbox.trainer_key}).text
    assert "bad_credentials" in trainer  # the refused login before the reset is still listed
    assert "기존 회원 전환" in trainer  # and the situation loaded before it
    assert client.post("/sandbox/load", data={"csrf": csrf, "preset": "nope"}).status_code == 400


def test_refusals_are_recorded_once_in_the_service_layer_with_the_request_origin() -> None:
    from simulator.service_layer import auth
    from simulator.service_layer.context import REQUEST_ORIGIN
    from ti24.embedded import build

    embedded = build()
    token = REQUEST_ORIGIN.set({"browser": "b-1", "trainee": "t-1", "path": "/login"})
    try:
        with pytest.raises(Exception, match=r"아이디|비밀번호"):
            auth.login_general(embedded.ctx, "nobody_here", "Whatever-123")
    finally:
        REQUEST_ORIGIN.reset(token)
    rows = [r for r in embedded.ctx.db["audit_log"].rows_where("action = 'refused'")]
    assert len(rows) == 1
    assert '"trainee": "t-1"' in rows[0]["detail"] and '"path": "/login"' in rows[0]["detail"]
    assert flow_of_path("/login") == "로그인" and flow_of_path("/company/register/auth") == "기업정보 등록"


def test_sandbox_is_off_unless_asked() -> None:
    from starlette.testclient import TestClient

    from ti24.cli import main
    from ti24.testmode import SimulatorUnderTest

    assert main(["serve", "--sandbox", "--demo"]) == 2  # refused before anything starts
    page = TestClient(SimulatorUnderTest("http://127.0.0.1:1").app).get("/sandbox")
    assert page.status_code == 404 and "ti24-sandbox" not in page.text


def test_presets_generate_valid_people_numbers_and_accounts_every_time() -> None:
    from simulator.domain import bizno, policy
    from ti24.sandbox import Trainee as SandboxTrainee

    app = Sandbox("http://127.0.0.1:1", hashing="cheap")
    trainee = SandboxTrainee("t", 1)
    for _ in range(4):
        for preset in PRESETS:
            app.load(trainee, preset)
    assert len(trainee.loaded) == 4 * len(PRESETS)
    companies = [c for loaded in trainee.loaded for c in loaded.companies]
    assert companies and all(bizno.is_valid(c["digits"]) for c in companies)
    assert len({c["digits"] for c in companies}) == len(companies)
    accounts = [a for loaded in trainee.loaded for a in loaded.accounts]
    assert all(policy.check_user_id(a["user_id"]) for a in accounts)
    names = [p["name"] for loaded in trainee.loaded for p in loaded.people]
    assert all(re.fullmatch(r"[가-힣]{2,4}", name) for name in names)  # faker ko_KR


def test_the_trainer_view_opens_only_with_the_trainer_key(
    sandbox: Sandbox, new_client: Callable[..., httpx.Client]
) -> None:
    trainee, trainer = new_client(), new_client()
    menu = trainee.get("/sandbox")
    csrf = re.search(r'name="csrf" value="([^"]+)"', menu.text).group(1)
    trainee.post("/sandbox/name", data={"csrf": csrf, "name": "열쇠없는연습생"})
    for params in ({}, {"key": "wrong-key"}):
        page = trainee.get("/sandbox/trainer", params=params)
        assert page.status_code == 403 and "강사 열쇠" in page.text
        assert "열쇠없는연습생" not in page.text and "ti24_trainer" not in page.headers.get("set-cookie", "")
    assert "강사 열쇠가 맞지 않습니다." in trainee.get("/sandbox/trainer", params={"key": "wrong-key"}).text
    opened = trainer.get("/sandbox/trainer", params={"key": sandbox.trainer_key})
    assert opened.status_code == 200 and "열쇠없는연습생" in opened.text
    assert trainer.get("/sandbox/trainer").status_code == 200  # the cookie keeps it open on refresh


def test_serve_sandbox_prints_the_trainer_address_with_its_key() -> None:
    from ti24.sandbox import sandbox_intro

    intro = sandbox_intro("http://127.0.0.1:8000", "k3y")
    assert "http://127.0.0.1:8000/sandbox/trainer?key=k3y" in intro
