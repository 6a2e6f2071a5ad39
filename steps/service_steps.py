"""The services of the entitlement matrices, member classes of both schemes, and the audit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from pytest_bdd import given, then, when

from .common_steps import must
from .company_steps import register_company
from .driver import Actor, CompanyProof
from .phrases import ko
from .signup_steps import join_general, join_simple
from .world import DEFAULT_PASSWORD, World

COMPANY = "124-81-00998"
COMPANY_NAME = "삼성전자 주식회사"
ADMIN_PASSWORD = "Company-Admin1"
APPROVAL_PASSWORD = "739164"
NEW_ADDRESS = "서울특별시 서초구 서초대로74길 11"


# --- member classes ---------------------------------------------------------------------------

def _company_with_owner(world: World, owner: Actor) -> None:
    world.seeder.directory_company(COMPANY, COMPANY_NAME)
    world.seeder.certificate(owner, "한국정보인증(법인)", COMPANY, "cert-pass-1")
    register_company(world, owner, COMPANY, ADMIN_PASSWORD, APPROVAL_PASSWORD)


def _certificate_member(world: World, actor: Actor) -> None:
    join_general(world, actor)
    _company_with_owner(world, actor)


def _approval_member(world: World, actor: Actor) -> None:
    owner = world.seeder.person("대표")
    world.actors.setdefault("대표", owner)
    join_general(world, owner)
    _company_with_owner(world, owner)
    join_general(world, actor, company=CompanyProof(COMPANY, approval_password=APPROVAL_PASSWORD))


MEMBER_CLASSES: dict[str, Callable[[World, Actor], None]] = {
    "소속기업 범용인증서를 통해 인증한 회원": _certificate_member,
    "승인 비밀번호를 공유받은 회원": _approval_member,
    "소속기업 정보를 등록하지 않은 일반회원": lambda world, actor: join_general(world, actor),
    "간편회원": lambda world, actor: join_simple(world, actor, "카카오"),
}


@given(ko('"{kind}"인 "{alias}"[이가] 로그인해 있다'))
def member_of_class(world: World, kind: str, alias: str) -> None:
    actor = world.actors[alias] = world.seeder.person(alias)
    MEMBER_CLASSES[kind](world, actor)
    if kind == "간편회원":
        must(lambda: world.driver.login_simple(actor, "카카오"))
    else:
        must(lambda: world.driver.login(actor, actor.user_id or "", actor.password or ""))


def _legacy(world: World, alias: str, role: str, bizno: str | None) -> Actor:
    actor = world.actors[alias] = world.seeder.person(alias)
    if bizno:
        world.seeder.directory_company(bizno, COMPANY_NAME)
    world.seeder.legacy_member(actor, role, world.next_user_id(), DEFAULT_PASSWORD, bizno)
    return actor


@given(ko('(구) 체계의 "{role}" "{alias}"[이가] 로그인해 있다'))
def legacy_logged_in(world: World, role: str, alias: str) -> None:
    actor = _legacy(world, alias, role, None if role == "개인회원" else COMPANY)
    must(lambda: world.driver.login(actor, actor.user_id or "", actor.password or ""))


@given(ko('(구) 체계의 "{role}" "{alias}"[이가] "{other}"[과와] 같은 기업에 있다'))
def legacy_colleague(world: World, role: str, alias: str, other: str) -> None:
    _legacy(world, alias, role, COMPANY)


@given(ko('(구) 체계의 "{role}" "{alias}"[이가] 아이디 "{user_id}", 비밀번호 "{password}"[로] 있다'))
def legacy_account(world: World, role: str, alias: str, user_id: str, password: str) -> None:
    actor = world.actors[alias] = world.seeder.person(alias)
    world.seeder.legacy_member(actor, role, user_id, password, None)


@given(ko('(구) 체계에서 "{bizno}" 기업의 "{role}" "{alias}"[이가] 아이디 "{user_id}", 비밀번호 "{password}"[로] 있다'))
def legacy_company_account(world: World, bizno: str, role: str, alias: str, user_id: str, password: str) -> None:
    actor = world.actors[alias] = world.seeder.person(alias)
    world.seeder.legacy_member(actor, role, user_id, password, bizno)


# --- using a service ----------------------------------------------------------------------------

def _colleague(world: World, actor: Actor, role: str | None) -> str:
    """Someone the service acts on: a new 일반회원, or a (구) member of the actor's company."""
    alias = f"{actor.alias}의 동료"
    if role is None:
        colleague = world.actors[alias] = world.seeder.person(alias)
        join_general(world, colleague)
    else:
        colleague = _legacy(world, alias, role, COMPANY)
    return colleague.user_id or ""


def use(world: World, actor: Actor, service: str) -> Callable[[], object]:
    driver = world.driver
    if service == "서비스 마일리지 사용":
        return lambda: driver.use_mileage(actor, 100)
    if service == "기업정보 수정":
        return lambda: driver.member_edit_company(actor, {"address": NEW_ADDRESS}, with_certificate=True)
    if service == "소속직원 승인":
        user_id = _colleague(world, actor, None)
        return lambda: driver.approve_colleague(actor, user_id)
    if service == "정회원 승인":
        user_id = _colleague(world, actor, "준회원")
        return lambda: driver.approve_colleague(actor, user_id)
    if service == "MASTER 권한 넘기기":
        user_id = _colleague(world, actor, "정회원")
        return lambda: driver.transfer_master(actor, user_id)
    if service == "관계 해지":
        user_id = _colleague(world, actor, "정회원")
        return lambda: driver.release_relation(actor, user_id)
    return lambda: driver.apply_service(actor, service)


@when(ko('"{alias}"[이가] "{service}" 서비스를 이용한다'))
def use_service(world: World, alias: str, service: str) -> None:
    actor = world.actor(alias)
    world.attempt(use(world, actor, service))


@when(ko('"{alias}"[이가] {hours:d}시간 동안 {minutes:d}분마다 "{service}" 서비스를 이용한다'))
def keep_using(world: World, alias: str, hours: str, minutes: str, service: str) -> None:
    actor = world.actor(alias)
    for _ in range(int(hours) * 60 // int(minutes)):
        world.seeder.advance(timedelta(minutes=int(minutes)))
        world.attempt(use(world, actor, service))
        if world.error is not None:
            return


@given(ko('"{alias}"[이가] "{service}" 서비스를 이용했다'))
def used_service(world: World, alias: str, service: str) -> None:
    actor = world.actor(alias)
    must(use(world, actor, service))


@then(ko('"{service}" 서비스 이용 결과는 "{outcome}"이다'))
def service_outcome(world: World, service: str, outcome: str) -> None:
    if outcome == "이용 가능":
        world.expect_success()
    else:
        assert outcome == "이용 불가"
        assert world.error is not None, f"'{service}' 이용이 거부되어야 합니다."
        assert f"'{service}' 서비스를 이용할 수 없습니다" in world.error.message, world.error.message


@then(ko('"{alias}"[은는] "{service}" 서비스를 이용할 수 있다'))
def can_use(world: World, alias: str, service: str) -> None:
    world.attempt(use(world, world.actor(alias), service))
    world.expect_success()


@then(ko('"{alias}"[은는] "{service}" 서비스를 이용할 수 없다'))
def cannot_use(world: World, alias: str, service: str) -> None:
    world.attempt(use(world, world.actor(alias), service))
    assert world.error is not None and "이용할 수 없습니다" in world.error.message, world.error


@then(ko('"{alias}"[이가] "{service}" 서비스를 이용하면 "{text}" 안내를 받는다'))
def use_and_told(world: World, alias: str, service: str, text: str) -> None:
    world.attempt(use(world, world.actor(alias), service))
    assert world.error is not None and text in world.error.message, world.error


# --- (구) actions named in the scenarios ------------------------------------------------------

@when(ko('"{alias}"[이가] "{other}"[을를] 정회원으로 승인한다'))
def approve_regular(world: World, alias: str, other: str) -> None:
    world.attempt(lambda: world.driver.approve_colleague(world.actor(alias), world.actor(other).user_id or ""))


@when(ko('"{alias}"[이가] "{other}"에게 MASTER 권한을 넘긴다'))
def hand_over_master(world: World, alias: str, other: str) -> None:
    world.attempt(lambda: world.driver.transfer_master(world.actor(alias), world.actor(other).user_id or ""))


@when(ko('"{alias}"[이가] "{other}"[과와]의 관계를 해지한다'))
def release(world: World, alias: str, other: str) -> None:
    world.attempt(lambda: world.driver.release_relation(world.actor(alias), world.actor(other).user_id or ""))


# --- mileage, history, member-side 기업정보 수정 -------------------------------------------------

@when(ko('"{alias}"[이가] 서비스 마일리지 {points:d}점을 사용한다'))
def spend(world: World, alias: str, points: str) -> None:
    world.attempt(lambda: world.driver.use_mileage(world.actor(alias), int(points)))


@when(ko('"{alias}"[이가] 인증서 없이 기업정보의 주소를 "{address}"[로] 수정한다'))
def edit_without_certificate(world: World, alias: str, address: str) -> None:
    world.attempt(lambda: world.driver.member_edit_company(world.actor(alias), {"address": address},
                                                           with_certificate=False))


@then(ko('"{alias}"의 소속기업 참여이력에 "{service}"[이가] 있다'))
def in_history(world: World, alias: str, service: str) -> None:
    world.expect_success()
    history = world.driver.my_participation(world.actor(alias))["참여이력"]
    assert service in [h["서비스"] for h in history]


@then("감사 기록에 다음 활동이 순서대로 있다")
def audit_in_order(world: World, datatable: list[list[str]]) -> None:
    actions = iter(world.seeder.audit_actions())
    for (wanted,) in datatable[1:]:
        assert any(action == wanted for action in actions), f"감사 기록에 '{wanted}'이(가) 순서대로 없습니다."



