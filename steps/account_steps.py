"""로그인, 메뉴, 로그아웃, 아이디 찾기, 비밀번호 재설정 and 기존 회원 전환."""

from __future__ import annotations

from pytest_bdd import given, then, when

from .common_steps import must
from .phrases import ko
from .world import World

MENUS = {"mykotra/로그아웃": ["mykotra", "로그아웃"], "로그인/회원가입": ["로그인", "회원가입"]}
CHANNEL_LABELS = {"카카오", "네이버", "구글", "페이스북", "KOTRA 무역투자24"}


# --- 로그인 ------------------------------------------------------------------------------

@when(ko('"{alias}"[이가] 아이디 "{user_id}", 비밀번호 "{password}"[로] 로그인한다'))
def login(world: World, alias: str, user_id: str, password: str) -> None:
    world.attempt(lambda: world.driver.login(world.actor(alias), user_id, password))


@when(ko('"{alias}"[이가] 일반회원으로 로그인한다'))
def login_as_member(world: World, alias: str) -> None:
    actor = world.actor(alias)
    world.attempt(lambda: world.driver.login(actor, actor.user_id or "", actor.password or ""))


@given(ko('"{alias}"[이가] 일반회원으로 로그인했다'))
def logged_in(world: World, alias: str) -> None:
    actor = world.actor(alias)
    must(lambda: world.driver.login(actor, actor.user_id or "", actor.password or ""))


@when(ko('"{alias}"[이가] "{channel}"[로] 간편회원 로그인한다'))
def login_simple(world: World, alias: str, channel: str) -> None:
    world.attempt(lambda: world.driver.login_simple(world.actor(alias), channel))


@given(ko('"{alias}"[이가] "{channel}"[로] 간편회원 로그인했다'))
def logged_in_simple(world: World, alias: str, channel: str) -> None:
    must(lambda: world.driver.login_simple(world.actor(alias), channel))


@when(ko('"{alias}"[이가] 아이디 "{user_id}"의 비밀번호를 {times:d}회 틀린다'))
def wrong_passwords(world: World, alias: str, user_id: str, times: str) -> None:
    actor = world.actor(alias)
    for n in range(int(times)):
        world.attempt(lambda n=n: world.driver.login(actor, user_id, f"Wrong-Password-{n}"))
        assert world.error is not None and "일치하지 않습니다" in world.error.message, world.error


@given(ko('"{alias}"의 로그인 세션이 복사되었다'))
def session_copied(world: World, alias: str) -> None:
    must(lambda: world.driver.copy_session(world.actor(alias)))


@when(ko('복사해 둔 "{alias}"의 세션으로 다시 접속한다'))
def copied_session_back(world: World, alias: str) -> None:
    world.attempt(lambda: world.driver.restore_copied_session(world.actor(alias)))


@when(ko('"{alias}"[이가] 로그아웃한다'))
def logout(world: World, alias: str) -> None:
    world.attempt(lambda: world.driver.logout(world.actor(alias)))


@then(ko('"{alias}"의 메뉴는 "{menu}"이다'))
@given(ko('"{alias}"의 메뉴는 "{menu}"이다'))
def menu_is(world: World, alias: str, menu: str) -> None:
    assert world.driver.menu(world.actor(alias))["menu"] == MENUS[menu]


@then(ko('"{alias}"의 회원유형은 "{kind}"이다'))
def member_type(world: World, alias: str, kind: str) -> None:
    actor = world.actor(alias)
    shown = world.driver.menu(actor)
    if shown["menu"] != MENUS["mykotra/로그아웃"] and actor.user_id:
        must(lambda: world.driver.login(actor, actor.user_id or "", actor.password or ""))
        shown = world.driver.menu(actor)
    assert shown.get("회원유형") == kind, shown


@then(ko('"{alias}"의 가입채널은 "{channel}"이다'))
def signup_channel(world: World, alias: str, channel: str) -> None:
    assert channel in CHANNEL_LABELS
    assert world.driver.menu(world.actor(alias)).get("가입채널") == channel


@then(ko('"{alias}"[은는] 아이디 "{user_id}", 비밀번호 "{password}"[로] 로그인할 수 있다'))
def can_login(world: World, alias: str, user_id: str, password: str) -> None:
    actor = world.actor(alias)
    world.driver.logout(actor)
    must(lambda: world.driver.login(actor, user_id, password))
    assert world.driver.menu(actor)["menu"] == MENUS["mykotra/로그아웃"]


@then(ko('"{alias}"[은는] 아이디 "{user_id}", 비밀번호 "{password}"[로] 로그인할 수 없다'))
def cannot_login(world: World, alias: str, user_id: str, password: str) -> None:
    actor = world.actor(alias)
    world.driver.logout(actor)
    world.attempt(lambda: world.driver.login(actor, user_id, password))
    assert world.error is not None and "일치하지 않습니다" in world.error.message


# --- 아이디 찾기 ----------------------------------------------------------------------------

@when(ko('"{alias}"[이가] "{method}"[로] 아이디를 찾는다'))
def find_id(world: World, alias: str, method: str) -> None:
    world.attempt(lambda: world.driver.find_id(world.actor(alias), method))


@when(ko('"{alias}"[이가] "{app}" 간편인증으로 아이디를 찾는다'))
def find_id_app(world: World, alias: str, app: str) -> None:
    world.attempt(lambda: world.driver.find_id(world.actor(alias), "간편인증", app=app))


@when(ko('"{alias}"[이가] 이름 "{name}", 휴대폰번호 "{phone}"[로] 아이디를 조회한다'))
def find_id_phone(world: World, alias: str, name: str, phone: str) -> None:
    world.attempt(lambda: world.driver.find_id(world.actor(alias), "휴대폰", name=name, phone=phone))


@when(ko('"{alias}"[이가] 이름 "{name}", 휴대폰번호 "{phone}"[로] 아이디를 {times:d}회 조회한다'))
def find_id_phone_times(world: World, alias: str, name: str, phone: str, times: str) -> None:
    for _ in range(int(times)):
        find_id_phone(world, alias, name, phone)
        assert world.error is None or "시도 횟수" not in world.error.message, world.error


@when(ko('"{alias}"[이가] 이름 "{name}", 가입 이메일로 아이디를 조회한다'))
def find_id_email(world: World, alias: str, name: str) -> None:
    world.attempt(lambda: world.driver.find_id(world.actor(alias), "이메일", name=name))


@then(ko('조회된 아이디는 "{user_id}", 가입일자는 "{joined}"이다'))
def found_id(world: World, user_id: str, joined: str) -> None:
    world.expect_success()
    assert world.result == [{"아이디": user_id, "가입일자": joined}], world.result


@then(ko('"{alias}"[은는] 조회된 아이디와 비밀번호 "{password}"[로] 로그인할 수 있다'))
def login_with_found(world: World, alias: str, password: str) -> None:
    found = world.result[0]["아이디"]  # masked: the member recognises the visible part as theirs
    actor = world.actor(alias)
    user_id = actor.user_id or ""
    visible = found.rstrip("*")
    assert len(found) == len(user_id) and user_id.startswith(visible) and visible != user_id, (found, user_id)
    must(lambda: world.driver.login(actor, user_id, password))
    assert world.driver.menu(actor)["menu"] == MENUS["mykotra/로그아웃"]


# --- 비밀번호 재설정 -------------------------------------------------------------------------

@when(ko('"{alias}"[이가] 아이디 "{user_id}", 회원명 "{name}"[로] 비밀번호 재설정을 시작한다'))
def start_reset(world: World, alias: str, user_id: str, name: str) -> None:
    world.roles["resetting"] = alias
    world.attempt(lambda: world.driver.start_password_reset(world.actor(alias), user_id, name))


@when(ko('"{alias}"[이가] 아이디 "{user_id}", 회원명 "{name}"[로] 비밀번호 재설정을 {times:d}회 시작한다'))
def start_reset_times(world: World, alias: str, user_id: str, name: str, times: str) -> None:
    for _ in range(int(times)):
        start_reset(world, alias, user_id, name)
        assert world.error is None, world.error


@when(ko('"{alias}"[이가] "{method}"[로] 본인인증을 한다'))
def verify_for_reset(world: World, alias: str, method: str) -> None:
    world.attempt(lambda: world.driver.verify_for_reset(world.actor(alias), method))


@when(ko('"{other}"[이가] 대신 "{method}"[로] 본인인증을 한다'))
def someone_else_verifies(world: World, other: str, method: str) -> None:
    owner = world.in_role("resetting")
    world.attempt(lambda: world.driver.verify_for_reset(owner, method, verifier=world.actor(other)))


@when(ko('"{alias}"[이가] 새 비밀번호 "{password}"[을를] 저장한다'))
def save_password(world: World, alias: str, password: str) -> None:
    world.attempt(lambda: world.driver.save_new_password(world.actor(alias), password, password))


# --- 기존 회원 전환 --------------------------------------------------------------------------

@then(ko('"{alias}"에게 기존 회원정보 "{user_id}"[이가] 보인다'))
def existing_info(world: World, alias: str, user_id: str) -> None:
    world.expect_success()
    info = world.driver.existing_member_info(world.actor(alias))
    assert info["아이디"] == user_id and info["이름"] == world.actor(alias).name, info


@when(ko('"{alias}"[이가] 기존 회원정보가 본인 것임을 확인한다'))
def confirm_existing(world: World, alias: str) -> None:
    world.attempt(lambda: world.driver.confirm_existing(world.actor(alias), is_me=True))


@when(ko('"{alias}"[이가] 기존 회원정보가 본인 것이 아니라고 선택한다'))
def deny_existing(world: World, alias: str) -> None:
    world.attempt(lambda: world.driver.confirm_existing(world.actor(alias), is_me=False))


@when(ko('"{alias}"[이가] 전환 비밀번호를 "{password}"[로] 재설정한다'))
def conversion_password(world: World, alias: str, password: str) -> None:
    actor = world.actor(alias)
    world.attempt(lambda: world.driver.conversion_password(actor, password, password))
    if world.error is None:
        actor.password = password


@when(ko('"{alias}"[이가] 이용약관 및 개인정보 수집이용에 동의한다'))
def conversion_consent(world: World, alias: str) -> None:
    world.attempt(lambda: world.driver.conversion_consent(world.actor(alias), terms=True, privacy=True))


@when(ko('"{alias}"[이가] 이용약관에 동의하지 않는다'))
def conversion_refuse(world: World, alias: str) -> None:
    world.attempt(lambda: world.driver.conversion_consent(world.actor(alias), terms=False, privacy=True))


@then(ko('"{alias}"에게 소속기업 등록이 안내된다'))
def company_offered(world: World, alias: str) -> None:
    world.expect_success()
    assert world.result["offer_company"] is True


@then(ko('"{alias}"에게 소속기업 등록이 안내되지 않는다'))
def company_not_offered(world: World, alias: str) -> None:
    world.expect_success()
    assert world.result["offer_company"] is False
