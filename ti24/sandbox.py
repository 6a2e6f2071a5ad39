"""Sandbox mode of ``ti24 serve --sandbox``: a practice copy of the system for trainees.

* ``/sandbox`` — the 연습 menu: [초기화] (a clean system and a clean outside world) and preset
  situations, each loading the people, companies and certificates it needs (faker ko_KR, valid
  사업자등록번호 check digits) for the trainee who asked;
* a side panel on every page (the site's and the providers') with what that trainee needs to
  finish alone: the people and their SNS logins, member and company accounts, the test
  certificates and their passwords, the fake phone's text messages (PASS codes) and the
  간편인증 requests waiting on the phone app;
* ``/sandbox/trainer`` — the trainer's view: per trainee, the situations loaded and finished, the
  flows completed and where they were refused, read from the audit log.

A trainee is one browser, known by its own long-lived cookie (``ti24_trainee``); every audit
row written while serving that browser carries the trainee's id (see ``REQUEST_ORIGIN``).
The production web app is untouched: the panel is added to HTML responses on the way out.
Nothing here runs unless ``--sandbox`` is given.
"""

from __future__ import annotations

import hmac
import json
import random
import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

import anyio.to_thread
from faker import Faker
from jinja2 import Environment, FileSystemLoader
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import Message, Receive, Scope, Send

from simulator.adapters.clock import SystemClock
from simulator.domain import bizno as bizno_rules
from simulator.service_layer import seed
from simulator.service_layer.context import REQUEST_ORIGIN, unit_of_work
from simulator.web.app import create_app as create_site

from .compose import OneOrigin
from .embedded import Embedded, build

HERE = Path(__file__).parent
COOKIE = "ti24_trainee"
TRAINER_COOKIE = "ti24_trainer"
PREFIX = "/sandbox"
PANEL_MARK = b"</body>"

# Successful actions of the audit log, as the flows a trainer talks about.
FLOWS = {
    "simple_signup": "간편회원 가입", "general_signup": "일반회원 가입", "login": "로그인",
    "company_login": "기업정보 관리 로그인", "company_register": "기업정보 등록", "affiliate": "소속기업 등록",
    "legacy_conversion": "기존 회원 전환", "legacy_password_reset": "기존 회원 전환 (비밀번호 설정)",
    "password_reset": "비밀번호 재설정", "approval_password_change": "승인비밀번호 변경",
    "company_authenticate": "기업인증", "company_edit": "기업정보 수정", "employee_release": "소속직원 관계 해지",
    "apply": "서비스 신청", "mileage_use": "서비스 마일리지 사용", "legacy_company_edit": "기업정보 수정",
    "legacy_approve": "정회원 승인", "legacy_master_transfer": "MASTER 권한 넘기기", "legacy_release": "관계 해지",
}
# Where a refusal happened (the page's path), as a flow.
PATH_FLOWS = (
    ("/signup/simple", "간편회원 가입"), ("/oauth", "간편회원 가입·로그인"), ("/signup/general", "일반회원 가입"),
    ("/company/register", "기업정보 등록"), ("/mykotra/company", "소속기업 등록"), ("/login/company", "기업정보 관리 로그인"),
    ("/login/certificate", "공동인증서 로그인"), ("/login", "로그인"), ("/company-admin/approval-password", "승인비밀번호 변경"),
    ("/company-admin", "기업정보 관리"), ("/conversion", "기존 회원 전환"), ("/find-id", "아이디 찾기"),
    ("/password-reset", "비밀번호 재설정"), ("/services", "서비스 이용"), ("/certificate", "기업인증 (인증서)"),
    ("/mykotra", "mykotra"),
)


def flow_of_path(path: str) -> str:
    return next((name for prefix, name in PATH_FLOWS if path.startswith(prefix)), path or "-")


# --- what a preset loads ----------------------------------------------------------------------

@dataclass
class Loaded:
    """What one preset created for one trainee; shown in the side panel."""

    preset: str
    title: str
    goal: str
    hints: list[str]
    loaded_at: str
    people: list[dict[str, Any]] = field(default_factory=list)
    accounts: list[dict[str, str]] = field(default_factory=list)  # member / (구) accounts
    companies: list[dict[str, str]] = field(default_factory=list)
    certificates: list[dict[str, str]] = field(default_factory=list)
    key: str = ""  # what "finished" is checked against (a 사업자등록번호 or a user id)


class Loader:
    """Creates the outside world (control API of the fakes) and KOTRA's records (seed services)."""

    def __init__(self, embedded: Embedded, faker: Faker) -> None:
        self.embedded = embedded
        self.faker = faker
        self.control = embedded.browser()

    def _post(self, path: str, body: dict) -> dict:
        response = self.control.post(f"/control{path}", json=body)
        if response.status_code >= 400:
            raise RuntimeError(response.json().get("message", response.text))
        return response.json()

    def bizno(self) -> str:
        """A fresh 사업자등록번호 with a valid check digit (법인: middle digits 81/86/87/88)."""
        while True:
            first = f"{random.randint(101, 899)}{random.choice(('81', '86', '87', '88'))}{random.randint(0, 9999):04d}"
            number = first + str(bizno_rules.check_digit(first))
            exists = self.embedded.ctx.db.execute(
                "SELECT 1 FROM companies WHERE bizno = ? UNION SELECT 1 FROM company_directory WHERE bizno = ?",
                [number, number]).fetchone()
            if not exists:
                return number

    def person(self, loaded: Loaded, role: str, sns: tuple[str, ...] = ()) -> dict[str, Any]:
        person = self._post("/persons", {})
        entry = {"role": role, "name": person["name"], "birth_date": person["birth_date"].replace("-", ""),
                 "phone": person["phone"], "carrier": person["carrier"], "cards": ", ".join(person["cards"]),
                 "email": person["email"], "ci": person["ci"], "di": person["di"], "gender": person["gender"],
                 "sns": []}
        for channel in sns:
            account = self._post("/sns-accounts", {"channel": channel, "phone": person["phone"]})
            entry["sns"].append({"channel": {"kakao": "카카오", "naver": "네이버"}.get(channel, channel),
                                 "login_id": account["login_id"], "password": account["password"]})
        loaded.people.append(entry)
        return entry

    def user_id(self) -> str:
        """A fresh ID under the ID policy (a lower-case letter first, 6–20 of a-z, 0-9, _)."""
        base = re.sub(r"[^a-z0-9_]", "", self.faker.user_name().lower()).lstrip("_0123456789")[:10]
        if len(base) < 3:
            base = f"{base}trainee"
        while True:
            user_id = f"{base}{random.randint(100, 999)}"
            if not self.embedded.ctx.db.execute("SELECT 1 FROM members WHERE user_id = ?", [user_id]).fetchone():
                return user_id

    def member(self, loaded: Loaded, person: dict[str, Any], note: str) -> dict[str, Any]:
        user_id, password = self.user_id(), f"Train-{random.randint(1000, 9999)}!"
        member_id = seed.general_member(
            self.embedded.ctx, user_id=user_id, password=password, name=person["name"],
            birth_date=f"{person['birth_date'][:4]}-{person['birth_date'][4:6]}-{person['birth_date'][6:]}",
            phone=person["phone"], email=person["email"], ci=person["ci"], di=person["di"], carrier=person["carrier"],
            gender=person["gender"])
        loaded.accounts.append({"kind": "일반회원", "name": person["name"], "user_id": user_id, "password": password,
                                "note": note})
        return {"id": member_id, "user_id": user_id, "password": password}

    def business(self, loaded: Loaded, status: str, note: str, *, directory: bool = False) -> dict[str, str]:
        number = self.bizno()
        business = self._post("/businesses", {"b_no": number, "status": status})
        if directory:
            seed.directory_company(self.embedded.ctx, number, business["name"], business["representative"],
                                   self.faker.address())
        company = {"bizno": bizno_rules.display(number), "digits": number, "name": business["name"],
                   "representative": business["representative"], "status": business["b_stt"], "note": note}
        loaded.companies.append(company)
        return company

    def certificate(self, loaded: Loaded, company: dict[str, str], holder: dict[str, Any], *,
                    condition: str | None = None, note: str = "") -> dict[str, str]:
        password = f"cert-{random.randint(1000, 9999)}"
        body = {"product": "금융결제원(법인)", "bizno": company["digits"], "holder_name": holder["name"],
                "password": password, **({"condition": condition} if condition else {})}
        issued = self._post("/certificates", body)
        entry = {"serial": issued["serial"], "holder": issued["holder"], "bizno": company["bizno"],
                 "company": company["name"], "product": issued["product"], "password": password,
                 "not_after": issued["not_after"][:10], "state": "만료됨" if condition == "expired" else "유효",
                 "note": note}
        loaded.certificates.append(entry)
        return entry


@dataclass(frozen=True)
class Preset:
    id: str
    title: str
    situation: str
    goal: str
    hints: tuple[str, ...]
    load: Callable[[Loader, Loaded], None]
    done: Callable[[list[dict[str, Any]], Loaded], bool]


def _closed_company(loader: Loader, loaded: Loaded) -> None:
    person = loader.person(loaded, "연습생 본인")
    loader.member(loaded, person, "이 아이디로 로그인합니다")
    loader.business(loaded, "02", "국세청에 휴업자로 조회됩니다")
    loader.business(loaded, "03", "국세청에 폐업자로 조회됩니다")


def _legacy(loader: Loader, loaded: Loaded) -> None:
    person = loader.person(loaded, "연습생 본인")
    user_id, password = loader.user_id(), f"Legacy-{random.randint(1000, 9999)}"
    seed.legacy_member(loader.embedded.ctx, user_id=user_id, password=password, name=person["name"],
                       email=person["email"], phone=person["phone"], role="개인회원")
    loaded.accounts.append({"kind": "(구) 개인회원", "name": person["name"], "user_id": user_id, "password": password,
                            "note": "2023.5.22. 이전에 가입한 계정입니다"})
    loaded.key = user_id


def _registered(loader: Loader, loaded: Loaded, *, share_approval: bool) -> dict[str, str]:
    boss = loader.person(loaded, "대표 (기업정보를 처음 등록한 사람)")
    boss_member = loader.member(loaded, boss, "대표의 계정 (연습에는 필요 없음)")
    company = loader.business(loaded, "01", "기업정보 등록이 끝난 기업입니다")
    admin_password = f"Company-{random.randint(1000, 9999)}"
    approval = random.choice(("482915", "730468", "915372", "264803"))
    seed.registered_company(loader.embedded.ctx, bizno=company["digits"], name=company["name"],
                            representative=company["representative"], address=loader.faker.address(),
                            admin_password=admin_password, approval_password=approval,
                            registered_by=boss_member["id"])
    company["admin_password"] = admin_password
    if share_approval:
        company["approval_password"] = approval
        company["note"] += " · 대표가 승인 비밀번호를 알려 주었습니다"
    else:
        company["note"] += " · 승인 비밀번호는 아무도 기억하지 못합니다 (대표가 기업 로그인 정보를 알려 주었습니다)"
    loaded.key = company["digits"]
    return company


def _unknown_approval(loader: Loader, loaded: Loaded) -> None:
    company = _registered(loader, loaded, share_approval=False)
    person = loader.person(loaded, "연습생 본인 (직원)")
    loader.member(loaded, person, "소속기업이 없는 일반회원입니다")
    loader.certificate(loaded, company, person, note="회사가 맡긴 기업 범용인증서 (이 PC에 있음)")


def _already_registered(loader: Loader, loaded: Loaded) -> None:
    _registered(loader, loaded, share_approval=True)
    person = loader.person(loaded, "연습생 본인 (직원)")
    loader.member(loaded, person, "소속기업이 없는 일반회원입니다")


def _expired(loader: Loader, loaded: Loaded) -> None:
    person = loader.person(loaded, "연습생 본인")
    loader.member(loaded, person, "이 아이디로 로그인합니다")
    company = loader.business(loaded, "01", "KOTRA 기업정보에 있는 계속사업자, 아직 아무도 등록하지 않았습니다", directory=True)
    loader.certificate(loaded, company, person, condition="expired", note="유효기간이 지난 인증서")
    loader.certificate(loaded, company, person, note="갱신한 인증서")
    loaded.key = company["digits"]


def _new_member(loader: Loader, loaded: Loaded) -> None:
    person = loader.person(loaded, "연습생 본인", sns=("kakao",))
    loaded.key = person["name"]


def _any(rows: list[dict[str, Any]], action: str, target: str | None = None) -> bool:
    return any(r["action"] == action and (target is None or r["target"] == target) for r in rows)


def _refused(rows: list[dict[str, Any]], *codes: str) -> set[str]:
    return {r["target"] for r in rows if r["action"] == "refused" and r["target"] in codes}


PRESETS: dict[str, Preset] = {p.id: p for p in (
    Preset("closed-company", "휴업/폐업 회사의 등록 시도",
           "일반회원인 당신이 소속기업 정보를 등록하려는데, 회사 두 곳이 국세청에 휴업자와 폐업자로 조회됩니다.",
           "두 회사의 사업자등록번호로 각각 기업정보 등록(또는 소속기업 등록)을 시도하고, 휴업·폐업 안내를 모두 확인합니다.",
           ("로그인 → mykotra → 기업정보 등록 → 약관 동의 → 사업자등록번호 입력 → [조회]",
            "안내 문구를 읽고 다른 번호로 한 번 더 해 봅니다."),
           _closed_company, lambda rows, loaded: _refused(rows, "company_suspended", "company_closed") == {
               "company_suspended", "company_closed"}),
    Preset("legacy-conversion", "기존 회원 전환",
           "2023.5.22. 이전에 가입한 (구) 개인회원 계정이 있습니다. 새 회원 체계로 전환해야 합니다.",
           "(구) 계정으로 로그인해 본인 확인, 새 비밀번호, 약관 동의를 거쳐 일반회원으로 전환합니다.",
           ("[로그인] → 일반회원 → (구) 아이디와 비밀번호 → [로그인]", "본인 맞음 → 새 비밀번호 → 약관 동의"),
           _legacy, lambda rows, loaded: _any(rows, "legacy_conversion")),
    Preset("unknown-approval-password", "승인비밀번호를 모르는 직원",
           "회사는 이미 기업정보를 등록했지만, 소속기업 등록에 필요한 승인 비밀번호를 아무도 기억하지 못합니다.",
           "소속기업을 등록합니다: 회사 인증서로 바로 인증하거나, 기업정보 관리자로 로그인해 [기업인증] 후 승인 비밀번호를"
           " 새로 정하고 직원 계정으로 그 승인 비밀번호를 씁니다.",
           ("방법 1: 직원 계정으로 로그인 → mykotra → 소속기업 등록 → 사업자등록번호 [검색] → [기업인증하기] → 회사 인증서",
            "방법 2: [로그인] → [기업정보 관리 로그인] → [기업인증] (회사 인증서) → 승인비밀번호 변경(6자리) → 로그아웃",
            "→ 직원 계정으로 로그인 → mykotra → 소속기업 등록 → 새 승인 비밀번호"),
           _unknown_approval, lambda rows, loaded: _any(rows, "affiliate", loaded.key)),
    Preset("already-registered", "이미 등록된 기업",
           "당신의 회사는 대표가 이미 기업정보를 등록했습니다. 당신은 아직 소속기업이 없는 일반회원입니다.",
           "기업정보 등록을 시도해 '이미 등록된 기업' 안내를 확인하고, 대표가 알려 준 승인 비밀번호로 소속기업을 등록합니다.",
           ("로그인 → mykotra → 기업정보 등록 → 사업자등록번호 → [조회] (이미 등록된 기업 안내)",
            "mykotra → 소속기업 등록 → 사업자등록번호 [검색] → 승인 비밀번호 → [소속기업 등록]"),
           _already_registered, lambda rows, loaded: _any(rows, "affiliate", loaded.key)),
    Preset("expired-certificate", "만료된 인증서",
           "회사 기업정보를 처음 등록하려 합니다. PC에 기업 범용인증서가 두 개 있는데 하나는 유효기간이 지났습니다.",
           "만료된 인증서로 [기업인증하기]를 해 보고 거절 안내를 확인한 뒤, 갱신한 인증서로 기업정보 등록을 마칩니다.",
           ("로그인 → mykotra → 기업정보 등록 → 약관 동의 → 사업자등록번호 → [조회] → [기업인증하기]",
            "인증서 선택 창에서 만료된 인증서 → 거절 안내 → 다시 [기업인증하기] → 갱신한 인증서",
            "기업 로그인 비밀번호와 승인 비밀번호(6자리) 설정 → [다음]"),
           _expired, lambda rows, loaded: _any(rows, "company_register", loaded.key)),
    Preset("new-member", "처음 가입하는 사람 (휴대전화 본인인증)",
           "아직 무역투자24 회원이 아닙니다. 휴대전화 본인인증으로 일반회원에 가입합니다 (카카오 계정도 있습니다).",
           "[회원가입] → 일반회원 가입 → 약관 동의 → 휴대전화 본인인증 (인증번호는 옆 패널의 문자) → 회원정보 입력 → [가입하기].",
           ("통신사, 이름, 생년월일, 휴대폰번호는 옆 패널에 있습니다.", "인증번호 문자는 옆 패널 '받은 문자'에 옵니다."),
           _new_member, lambda rows, loaded: _any(rows, "general_signup")),
)}


# --- trainees and the sandbox itself -----------------------------------------------------------

@dataclass
class Trainee:
    id: str
    number: int
    name: str = ""
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    loaded: list[Loaded] = field(default_factory=list)
    past: list[dict[str, Any]] = field(default_factory=list)  # situations of rounds before a [초기화]

    @property
    def label(self) -> str:
        return self.name or f"연습생 {self.number}"


class Sandbox:
    """The ASGI app of ``ti24 serve --sandbox``: the site and the fakes, the 연습 pages, the panel."""

    def __init__(self, origin: str, *, seed_value: int | None = None, hashing: str = "serving",
                 trainer_key: str | None = None) -> None:
        self.origin = origin.rstrip("/")
        # The trainer's view lists every trainee's refusals: it opens with this key (printed when the
        # server starts), not for whoever follows the menu's link.
        self.trainer_key = trainer_key or secrets.token_urlsafe(12)
        self.hashing = hashing
        self.seed_value = seed_value
        self.faker = Faker("ko_KR")
        if seed_value is not None:
            self.faker.seed_instance(seed_value)
            random.seed(seed_value)
        self.trainees: dict[str, Trainee] = {}
        self.archive: list[dict[str, Any]] = []  # audit rows of rounds before the last [초기화]
        self.round = 0
        self.guard = threading.Lock()
        env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True, trim_blocks=True,
                          lstrip_blocks=True)
        self.templates = {name: env.get_template(f"sandbox_{name}.html") for name in ("menu", "panel", "trainer", "trainer_key")}
        self._build()

    def _build(self) -> None:
        self.round += 1
        self.embedded = build(hashing=self.hashing, site_url=self.origin, providers_url=self.origin,
                              clock=SystemClock(), seed=self.seed_value)
        site = create_site(self.embedded.ctx, providers_base_url=self.origin, secure_cookies=False)
        self.lock = site.state.web.lock  # the services share one SQLite connection
        self.inner = OneOrigin(site, self.embedded.providers_app)

    # --- state changes ---------------------------------------------------------------------

    def reset(self) -> None:
        """[초기화]: keep what trainees did so far for the trainer, then start from nothing."""
        with self.lock:
            rows = self._rows(self.round)
            self.archive.extend(rows)
            for trainee in self.trainees.values():
                mine = [r for r in rows if r["trainee"] == trainee.id]
                trainee.past += [{"title": loaded.title, "loaded_at": loaded.loaded_at, "round": self.round,
                                  "done": PRESETS[loaded.preset].done([r for r in mine if r["at"] >= loaded.loaded_at],
                                                                      loaded)}
                                 for loaded in trainee.loaded]
                trainee.loaded.clear()
            self._build()

    def load(self, trainee: Trainee, preset_id: str) -> Loaded:
        preset = PRESETS[preset_id]
        with self.lock:
            loaded = Loaded(preset.id, preset.title, preset.goal, list(preset.hints), self.embedded.ctx.stamp())
            preset.load(Loader(self.embedded, self.faker), loaded)
            with unit_of_work(self.embedded.ctx):
                self.embedded.ctx.audit(f"trainee:{trainee.id}", "sandbox_preset", preset.id, trainee=trainee.id)
        trainee.loaded.append(loaded)
        return loaded

    # --- reading the audit log --------------------------------------------------------------

    def _rows(self, round_: int) -> list[dict[str, Any]]:
        rows = []
        for row in self.embedded.ctx.db["audit_log"].rows_where(order_by="id"):
            detail = json.loads(row["detail"] or "{}")
            rows.append({**row, "detail": detail, "trainee": detail.get("trainee"), "round": round_})
        return rows

    def rows_of(self, trainee_id: str) -> list[dict[str, Any]]:
        with self.lock:
            current = self._rows(self.round)
        return [r for r in self.archive + current if r["trainee"] == trainee_id]

    def report(self) -> list[dict[str, Any]]:
        """The trainer's view: per trainee, situations (finished or not), flows done, refusals."""
        result = []
        for trainee in sorted(self.trainees.values(), key=lambda t: t.number):
            rows = self.rows_of(trainee.id)
            current = [r for r in rows if r["round"] == self.round]
            done_flows = [{"at": r["at"], "flow": FLOWS[r["action"]], "round": r["round"]}
                          for r in rows if r["action"] in FLOWS]
            refusals = [{"at": r["at"], "flow": flow_of_path(r["detail"].get("path", "")),
                         "message": r["detail"].get("message", ""), "code": r["target"], "round": r["round"]}
                        for r in rows if r["action"] == "refused"]
            situations = trainee.past + [{"title": loaded.title, "loaded_at": loaded.loaded_at, "round": self.round,
                           "done": PRESETS[loaded.preset].done([r for r in current if r["at"] >= loaded.loaded_at],
                                                               loaded)}
                          for loaded in trainee.loaded]
            if rows or situations or trainee.name:
                result.append({"trainee": trainee, "situations": situations, "flows": done_flows,
                               "refusals": refusals})
        return result

    # --- the panel ----------------------------------------------------------------------------

    def panel(self, trainee: Trainee) -> str:
        world = self.embedded.world
        phones = []
        for loaded in trainee.loaded:
            for person in loaded.people:
                messages = [{"text": m.text, "at": m.sent_at.astimezone().strftime("%H:%M:%S")}
                            for m in world.inbox.entries(person["phone"])][-3:]
                pending = world.simple.pending(person["phone"])
                phones.append({"name": person["name"], "phone": person["phone"], "messages": messages,
                               "pending": pending, "app_url": "/simple-auth/app?" + urlencode({"phone": person["phone"]})})
        rows = [r for r in self.rows_of(trainee.id) if r["round"] == self.round]
        situations = [(loaded, PRESETS[loaded.preset].done([r for r in rows if r["at"] >= loaded.loaded_at], loaded))
                      for loaded in trainee.loaded]
        return self.templates["panel"].render(trainee=trainee, phones=phones, situations=situations)

    # --- ASGI ---------------------------------------------------------------------------------

    def _trainee(self, scope: Scope) -> tuple[Trainee, bool]:
        headers = dict(scope.get("headers") or [])
        cookie = SimpleCookie()
        try:
            cookie.load(headers.get(b"cookie", b"").decode("latin-1"))
        except Exception:  # a malformed Cookie header: treat as a new browser
            cookie = SimpleCookie()
        value = cookie[COOKIE].value if COOKIE in cookie else ""
        with self.guard:
            if value in self.trainees:
                return self.trainees[value], False
            trainee = Trainee(secrets.token_urlsafe(16), len(self.trainees) + 1)
            self.trainees[trainee.id] = trainee
            return trainee, True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.inner(scope, receive, send)
            return
        trainee, new = self._trainee(scope)
        set_cookie = f"{COOKIE}={trainee.id}; Path=/; HttpOnly; SameSite=Lax; Max-Age=2592000".encode()
        if scope["path"] == PREFIX or scope["path"].startswith(PREFIX + "/"):
            response = await self._sandbox_page(Request(scope, receive), trainee)
            response.raw_headers.append((b"set-cookie", set_cookie))
            await response(scope, receive, send)
            return
        token = REQUEST_ORIGIN.set({"trainee": trainee.id})
        try:
            await self.inner(scope, receive, self._injecting(send, trainee, set_cookie if new else None))
        finally:
            REQUEST_ORIGIN.reset(token)

    def _injecting(self, send: Send, trainee: Trainee, set_cookie: bytes | None) -> Send:
        """``send`` that adds the side panel before ``</body>`` of every HTML page."""
        state: dict[str, Any] = {"start": None, "body": []}

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                if set_cookie:
                    headers.append((b"set-cookie", set_cookie))
                content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                if not content_type.startswith(b"text/html"):
                    await send({**message, "headers": headers})
                    return
                state["start"] = {**message, "headers": headers}
                return
            if state["start"] is None:
                await send(message)
                return
            state["body"].append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(state["body"])
            if PANEL_MARK in body:
                panel = (await anyio.to_thread.run_sync(self.panel, trainee)).encode()
                at = body.rfind(PANEL_MARK)
                body = body[:at] + panel + body[at:]
            headers = [(k, v) for k, v in state["start"]["headers"] if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**state["start"], "headers": headers})
            await send({"type": "http.response.body", "body": body})

        return wrapped

    async def _sandbox_page(self, request: Request, trainee: Trainee) -> Response:
        path = request.url.path.removeprefix(PREFIX) or "/"
        if path == "/static/sandbox.css":
            return Response((HERE / "static" / "sandbox.css").read_bytes(), media_type="text/css")
        if request.method == "POST":
            form = parse_qs((await request.body()).decode("utf-8", "replace"))
            if form.get("csrf", [""])[0] != trainee.csrf:
                return await self._menu(trainee, alert="요청이 만료되었습니다. 연습 메뉴를 새로 고친 뒤 다시 시도해 주세요.",
                                        status=403)
            if path == "/reset":
                await anyio.to_thread.run_sync(self.reset)
                return RedirectResponse(PREFIX + "?done=reset", status_code=303)
            if path == "/name":
                name = form.get("name", [""])[0].strip()[:30]
                if not name:
                    return await self._menu(trainee, alert="이름을 입력해 주세요.", status=400)
                trainee.name = name
                return RedirectResponse(PREFIX + "?done=name", status_code=303)
            if path == "/load":
                preset = form.get("preset", [""])[0]
                if preset not in PRESETS:
                    return await self._menu(trainee, alert="알 수 없는 연습 상황입니다.", status=400)
                try:
                    await anyio.to_thread.run_sync(self.load, trainee, preset)
                except Exception as error:  # the fakes or the records refused: say so, keep nothing half-loaded
                    return await self._menu(trainee, alert=f"연습 상황을 불러오지 못했습니다: {error}", status=500)
                return RedirectResponse(PREFIX + f"?done=load&preset={preset}", status_code=303)
            return await self._menu(trainee, alert="허용되지 않는 요청입니다.", status=405)
        if path == "/":
            done = request.query_params.get("done")
            notice = {"reset": "초기화했습니다. 회원, 기업, 인증서가 모두 지워졌습니다.",
                      "name": "이름을 저장했습니다.",
                      "load": f"'{PRESETS.get(request.query_params.get('preset', ''), PRESETS['closed-company']).title}'"
                              " 상황을 불러왔습니다. 오른쪽 패널에 필요한 정보가 있습니다."}.get(done or "")
            return await self._menu(trainee, notice=notice)
        if path == "/trainer":
            offered = request.query_params.get("key") or request.cookies.get(TRAINER_COOKIE, "")
            if not hmac.compare_digest(offered.encode(), self.trainer_key.encode()):
                alert = "강사 열쇠가 맞지 않습니다." if offered else None
                return HTMLResponse(self.templates["trainer_key"].render(alert=alert), status_code=403)
            report = await anyio.to_thread.run_sync(self.report)
            response = HTMLResponse(self.templates["trainer"].render(report=report, round=self.round))
            response.set_cookie(TRAINER_COOKIE, self.trainer_key, path=PREFIX + "/trainer", httponly=True,
                                samesite="strict")
            return response
        return await self._menu(trainee, alert="요청하신 연습 페이지를 찾을 수 없습니다.", status=404)

    async def _menu(self, trainee: Trainee, *, alert: str | None = None, notice: str | None = None,
                    status: int = 200) -> HTMLResponse:
        panel = await anyio.to_thread.run_sync(self.panel, trainee)
        html = self.templates["menu"].render(trainee=trainee, presets=list(PRESETS.values()), alert=alert,
                                             notice=notice, panel=panel)
        return HTMLResponse(html, status_code=status)


def sandbox_intro(origin: str, trainer_key: str) -> str:
    return (f"연습(샌드박스) 모드: {origin}/sandbox 에서 상황을 고릅니다.\n"
            f"  강사 화면 (연습생에게 알리지 마십시오): {origin}/sandbox/trainer?key={trainer_key}\n"
            "  [초기화]는 회원, 기업, 인증서를 모두 지웁니다 (강사 화면의 기록은 남습니다).")


__all__ = ["PRESETS", "Sandbox", "flow_of_path", "sandbox_intro"]
