"""기업정보 등록, 소속기업 등록 from mykotra, 기업 범용인증서 and 기업정보 관리자."""

from __future__ import annotations

from pytest_bdd import given, then, when

from .common_steps import must
from .driver import Actor, CompanyForm, CompanyProof
from .phrases import ko
from .signup_steps import join_general
from .world import World

SCAN_CONTENT = {"PDF": b"%PDF-1.7\n% business registration\n", "JPEG": b"\xff\xd8\xff\xe0" + b"\0" * 64,
                "PNG": b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "텍스트": "사업자등록증 아님".encode(),
                "빈 파일": b"", "10MB 초과 PDF": b"%PDF-1.7\n" + b"\0" * (10 * 1024 * 1024)}


def bare(bizno: str) -> str:
    return bizno.replace("-", "")


# --- the world outside: KOTRA company records, 국세청, certificates -------------------------

@given(ko('KOTRA 기업 DB에 사업자등록번호 "{bizno}"인 "{name}"[이가] 있다'))
def directory_company(world: World, bizno: str, name: str) -> None:
    world.seeder.directory_company(bizno, name)


@given(ko('국세청에 사업자등록번호 "{bizno}"[은는] "{status}"이다'))
def nts_status(world: World, bizno: str, status: str) -> None:
    world.seeder.business_status(bizno, status)


@given(ko('"{alias}"[은는] "{bizno}" 기업의 "{product}" 인증서를 암호 "{password}"[로] 가지고 있다'))
def holds_certificate(world: World, alias: str, bizno: str, product: str, password: str) -> None:
    world.seeder.certificate(world.actor(alias), product, bizno, password)


@given(ko('"{alias}"[은는] "{bizno}" 기업의 "{product}" {condition} 인증서를 암호 "{password}"[로] 가지고 있다'))
def holds_bad_certificate(world: World, alias: str, bizno: str, product: str, condition: str, password: str) -> None:
    world.seeder.certificate(world.actor(alias), product, bizno, password, condition)


# --- composite: a registered company and its members -----------------------------------------

def register_company(world: World, actor: Actor, bizno: str, admin: str, approval: str) -> None:
    """The whole 기업정보 등록 of a directory company by a logged-in 일반회원 holding its certificate."""
    must(lambda: world.driver.login(actor, actor.user_id or "", actor.password or ""))
    must(lambda: world.driver.start_company_registration(actor, terms=True, privacy=True))
    must(lambda: world.driver.enter_bizno(actor, bizno))
    _, password = actor.certificates[bare(bizno)]
    must(lambda: world.driver.authenticate_with_certificate(actor, bare(bizno), password))
    must(lambda: world.driver.enter_company_info(actor, CompanyForm(admin, approval)))
    world.company_passwords[bare(bizno)] = admin
    world.approval_passwords[bare(bizno)] = approval


@given(ko('"{alias}"[이가] "{bizno}" 기업정보를 기업 로그인 비밀번호 "{admin}", 승인 비밀번호 "{approval}"[로] 등록했다'))
def company_registered(world: World, alias: str, bizno: str, admin: str, approval: str) -> None:
    register_company(world, world.actor(alias), bizno, admin, approval)


@given(ko('"{alias}"[은는] "{bizno}" 기업의 승인 비밀번호로 소속기업을 등록한 일반회원이다'))
def approval_member(world: World, alias: str, bizno: str) -> None:
    actor = world.actor(alias)
    join_general(world, actor, company=CompanyProof(bizno, approval_password=world.approval_passwords[bare(bizno)]))


# --- 소속기업 등록 from mykotra ----------------------------------------------------------------

@when(ko('"{alias}"[이가] mykotra에서 "{bizno}" 기업에 승인 비밀번호 "{approval}"[로] 소속기업을 등록한다'))
def join_with_approval(world: World, alias: str, bizno: str, approval: str) -> None:
    world.attempt(lambda: world.driver.join_company(world.actor(alias), CompanyProof(bizno, approval)))


@when(ko('"{alias}"[이가] mykotra에서 "{bizno}" 기업의 승인 비밀번호를 {times:d}회 틀린다'))
def wrong_approval(world: World, alias: str, bizno: str, times: str) -> None:
    actor = world.actor(alias)
    right = world.approval_passwords[bare(bizno)]
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(int(times)):
        world.attempt(lambda: world.driver.join_company(actor, CompanyProof(bizno, wrong)))
        assert world.error is not None and "일치하지 않습니다" in world.error.message, world.error


@then(ko('"{alias}"의 소속기업은 "{name}"이다'))
def company_is(world: World, alias: str, name: str) -> None:
    world.expect_success()
    actor = world.actor(alias)
    must(lambda: world.driver.login(actor, actor.user_id or "", actor.password or ""))
    assert world.driver.profile(actor).get("소속기업") == name


# --- 기업정보 등록 STEP1–STEP4 -----------------------------------------------------------------

@when(ko('"{alias}"[이가] 소속기업 정보 등록을 시작해 약관에 동의한다'))
def start_registration(world: World, alias: str) -> None:
    world.roles["registering"] = alias
    world.attempt(lambda: world.driver.start_company_registration(world.actor(alias), terms=True, privacy=True))


@given(ko('"{alias}"[이가] 소속기업 정보 등록을 시작해 약관에 동의했다'))
def started_registration(world: World, alias: str) -> None:
    world.roles["registering"] = alias
    must(lambda: world.driver.start_company_registration(world.actor(alias), terms=True, privacy=True))


@when(ko('"{alias}"[이가] 소속기업 정보 등록을 시작해 약관에 동의하지 않는다'))
def start_registration_refusing(world: World, alias: str) -> None:
    world.roles["registering"] = alias
    world.attempt(lambda: world.driver.start_company_registration(world.actor(alias), terms=False, privacy=True))


@when(ko('"{alias}"[이가] 사업자등록번호 "{bizno}"[을를] 입력한다'))
def enter_bizno(world: World, alias: str, bizno: str) -> None:
    world.attempt(lambda: world.driver.enter_bizno(world.actor(alias), bizno))


@given(ko('"{alias}"[이가] 사업자등록번호 "{bizno}"[을를] 입력했다'))
def entered_bizno(world: World, alias: str, bizno: str) -> None:
    must(lambda: world.driver.enter_bizno(world.actor(alias), bizno))


@then(ko('조회된 기업정보는 "{name}"이다'))
def looked_up(world: World, name: str) -> None:
    world.expect_success()
    assert world.result["outcome"] == "directory" and world.result["name"] == name, world.result


@then("신규기업 등록 안내를 받는다")
def new_company_guidance(world: World) -> None:
    world.expect_success()
    assert world.result["outcome"] == "not_found" and "신규기업 등록" in world.result["guidance"], world.result


@when(ko('"{alias}"[이가] 기업인증하기에서 "{bizno}" 인증서를 선택하고 인증서 암호 "{password}"[을를] 입력한다'))
def company_certificate(world: World, alias: str, bizno: str, password: str) -> None:
    world.attempt(lambda: world.driver.authenticate_with_certificate(world.actor(alias), bare(bizno), password))


@given(ko('"{alias}"[이가] "{bizno}" 인증서로 서명한 기업인증 응답이 사이트에 닿기 전에 가로채졌다'))
def intercepted_answer(world: World, alias: str, bizno: str) -> None:
    must(lambda: world.driver.intercept_certificate_answer(world.actor(alias), bare(bizno)))


@when(ko('"{alias}"의 다음 기업인증하기 요청에 가로챈 응답이 대신 제출된다'))
def replayed_answer(world: World, alias: str) -> None:
    world.attempt(lambda: world.driver.authenticate_with_intercepted_answer(world.actor(alias)))


@then("기업인증이 완료된다")
def company_authenticated(world: World) -> None:
    world.expect_success()


@then("기업인증이 완료되지 않는다")
def company_not_authenticated(world: World) -> None:
    assert world.error is not None
    actor = world.in_role("registering")
    world.attempt(lambda: world.driver.enter_company_info(actor, CompanyForm("Probe-Admin24", "905172")))
    assert world.error is not None and "기업인증" in world.error.message, "기업인증 없이 다음 단계로 넘어갔습니다."


@when(ko('"{alias}"[이가] 기업 로그인 비밀번호 "{admin}", 승인 비밀번호 "{approval}"[을를] 설정한다'))
def set_passwords(world: World, alias: str, admin: str, approval: str) -> None:
    world.attempt(lambda: world.driver.enter_company_info(world.actor(alias), CompanyForm(admin, approval)))


def _new_company(world: World, alias: str, name: str, scan_name: str | None, scan: bytes | None) -> None:
    form = CompanyForm("Company-Admin24", "905172", name=name, representative=f"{name} 대표",
                       address="서울특별시 영등포구 여의대로 128", scan_name=scan_name, scan_data=scan)
    world.attempt(lambda: world.driver.enter_company_info(world.actor(alias), form))


@when(ko('"{alias}"[이가] 신규기업 "{name}" 정보를 사업자등록증 "{filename}"[을를] 첨부해 입력한다'))
def new_company_with_scan(world: World, alias: str, name: str, filename: str) -> None:
    _new_company(world, alias, name, filename, SCAN_CONTENT["PDF"])


@when(ko('"{alias}"[이가] 신규기업 "{name}" 정보를 사업자등록증 없이 입력한다'))
def new_company_without_scan(world: World, alias: str, name: str) -> None:
    _new_company(world, alias, name, None, None)


@when(ko('"{alias}"[이가] 신규기업 "{name}" 정보를 "{filename}" 파일({content})[을를] 첨부해 입력한다'))
def new_company_with_file(world: World, alias: str, name: str, filename: str, content: str) -> None:
    _new_company(world, alias, name, filename, SCAN_CONTENT[content])


@then("기업정보 등록이 완료된다")
def registration_done(world: World) -> None:
    world.expect_success()


@then(ko('사업자등록번호 "{bizno}"의 기업정보는 등록되어 있지 않다'))
def not_registered_company(world: World, bizno: str) -> None:
    probe = world.actors[next(iter(world.actors))]
    world.attempt(lambda: world.driver.search_company(probe, bizno))
    assert world.error is not None or world.result["outcome"] != "registered", world.result


@then(ko('사업자등록번호 "{bizno}", 비밀번호 "{password}"[로] 기업정보 관리 로그인할 수 있다'))
def can_company_login(world: World, bizno: str, password: str) -> None:
    actor = world.actors[next(iter(world.actors))]
    must(lambda: world.driver.company_login(actor, bizno, password))
    assert world.driver.company_info(actor)["사업자등록번호"] == bizno


# --- 기업정보 관리자 ---------------------------------------------------------------------------

@when(ko('"{alias}"[이가] 사업자등록번호 "{bizno}", 비밀번호 "{password}"[로] 기업정보 관리 로그인한다'))
def company_login(world: World, alias: str, bizno: str, password: str) -> None:
    world.attempt(lambda: world.driver.company_login(world.actor(alias), bizno, password))
    if world.error is None:
        world.roles["admin"] = alias


@given(ko('"{alias}"[이가] 사업자등록번호 "{bizno}", 비밀번호 "{password}"[로] 기업정보 관리 로그인했다'))
def company_logged_in(world: World, alias: str, bizno: str, password: str) -> None:
    must(lambda: world.driver.company_login(world.actor(alias), bizno, password))
    world.roles["admin"] = alias


@when(ko('"{alias}"[이가] 기업 로그인 비밀번호를 {times:d}회 틀린다'))
def company_login_wrong(world: World, alias: str, times: str) -> None:
    actor = world.actor(alias)
    bizno, right = next(iter(world.company_passwords.items()))
    for _ in range(int(times)):
        world.attempt(lambda: world.driver.company_login(actor, bizno, right + "x"))
        assert world.error is not None and "일치하지 않습니다" in world.error.message, world.error


@when(ko('"{alias}"[이가] "{bizno}" 기업 공동인증서로 로그인한다'))
def certificate_login(world: World, alias: str, bizno: str) -> None:
    world.attempt(lambda: world.driver.company_certificate_login(world.actor(alias), bizno, bare(bizno)))
    if world.error is None:
        world.roles["admin"] = alias


@when(ko('"{alias}"[이가] "{bizno}" 기업에 "{other}" 인증서로 공동인증서 로그인한다'))
def certificate_login_other(world: World, alias: str, bizno: str, other: str) -> None:
    world.attempt(lambda: world.driver.company_certificate_login(world.actor(alias), bizno, bare(other)))


@when(ko('"{alias}"[이가] 기업관리에서 기업인증을 한다'))
def admin_authenticates(world: World, alias: str) -> None:
    world.attempt(lambda: world.driver.company_authenticate(world.actor(alias)))


@when(ko('"{alias}"[이가] 기업정보의 주소를 "{address}"[로] 수정한다'))
def admin_edits(world: World, alias: str, address: str) -> None:
    world.attempt(lambda: world.driver.edit_company(world.actor(alias), {"address": address}))


@then(ko('기업정보의 주소는 "{address}"이다'))
def address_is(world: World, address: str) -> None:
    world.expect_success()
    admin = world.in_role("admin")
    assert world.driver.company_info(admin)["주소"] == address


@when(ko('"{alias}"[이가] 승인 비밀번호를 "{new}"[로] 변경한다'))
def change_approval(world: World, alias: str, new: str) -> None:
    actor = world.actor(alias)
    world.notice = world.attempt(lambda: world.driver.change_approval_password(actor, new, new))
    if world.error is None:
        bizno = world.driver.company_info(actor)["사업자등록번호"].replace("-", "")
        world.approval_passwords[bizno] = new


@then(ko('"{alias}"의 소속직원 목록에 "{member}"[이가] 있다'))
def employee_listed(world: World, alias: str, member: str) -> None:
    admin, employee = world.actor(alias), world.actor(member)
    if world.roles.get("admin") != alias:
        bizno = next(iter(world.company_passwords))
        must(lambda: world.driver.company_login(admin, bizno, world.company_passwords[bizno]))
        world.roles["admin"] = alias
    assert employee.user_id in [e["아이디"] for e in world.driver.employees(admin)]


@then(ko('"{alias}"의 소속직원 목록에 "{member}"[이가] 없다'))
def employee_not_listed(world: World, alias: str, member: str) -> None:
    world.expect_success()
    admin, employee = world.actor(alias), world.actor(member)
    assert employee.user_id not in [e["아이디"] for e in world.driver.employees(admin)]


@when(ko('"{alias}"[이가] 소속직원 "{member}"의 관계를 해지한다'))
def release_employee(world: World, alias: str, member: str) -> None:
    world.attempt(lambda: world.driver.release_employee(world.actor(alias), world.actor(member).user_id or ""))


@then("기업의 서비스 참여이력은 다음과 같다")
def company_history(world: World, datatable: list[list[str]]) -> None:
    world.expect_success()
    admin = world.in_role("admin")
    history = world.driver.company_participation(admin)["참여이력"]
    assert [[h["서비스"], h["신청자"]] for h in history] == datatable[1:]


@then(ko("기업의 마일리지는 {points:d}점이다"))
def company_mileage(world: World, points: str) -> None:
    admin = world.in_role("admin")
    assert world.driver.company_participation(admin)["마일리지"] == int(points)


@then(ko('기업 "{bizno}"의 마일리지는 {points:d}점이다'))
def mileage_of(world: World, bizno: str, points: str) -> None:
    inspector = world.seeder.person("마일리지 조회 담당")
    must(lambda: world.driver.company_login(inspector, bizno, world.company_passwords[bare(bizno)]))
    assert world.driver.company_participation(inspector)["마일리지"] == int(points)


@then(ko('"{alias}"의 기업정보에서 승인 비밀번호는 "{state}"이다'))
def approval_state_is(world: World, alias: str, state: str) -> None:
    world.expect_success()
    shown = world.driver.company_info(world.actor(alias))["승인 비밀번호"]
    assert shown == state, f"기업정보의 승인 비밀번호: {shown!r} (기대: {state!r})"
