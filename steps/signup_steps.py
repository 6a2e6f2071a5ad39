"""회원가입: 간편회원 and 일반회원, 실명인증, STEP3 with optional 소속기업."""

from __future__ import annotations

from pytest_bdd import given, then, when

from .common_steps import must
from .driver import Actor, CompanyProof, MemberInfo
from .phrases import ko
from .world import DEFAULT_PASSWORD, World

YES = {"예": True, "아니오": False}


# --- people and accounts at the providers -------------------------------------------------

@given(ko('"{alias}"[은는] "{channel}" 계정이 있다'))
def has_sns_account(world: World, alias: str, channel: str) -> None:
    world.seeder.sns_account(world.actor(alias), channel)


@given(ko('"{alias}"의 휴대전화 통신사는 "{carrier}"이다'))
def carrier_is(world: World, alias: str, carrier: str) -> None:
    world.seeder.update_person(world.actor(alias), carrier=carrier)


@given(ko('"{alias}"[은는] "{company}" 카드를 가지고 있다'))
def holds_card(world: World, alias: str, company: str) -> None:
    actor = world.actor(alias)
    world.seeder.update_person(actor, cards=tuple(dict.fromkeys((*actor.cards, company))))


@given(ko('"{alias}"[은는] "{company}" 카드만 가지고 있다'))
def holds_only_card(world: World, alias: str, company: str) -> None:
    world.seeder.update_person(world.actor(alias), cards=(company,))


# --- composite preconditions, through the same public flows -------------------------------

CHANNEL_CODES = {"카카오": "kakao", "네이버": "naver", "구글": "google", "페이스북": "facebook"}


def join_simple(world: World, actor: Actor, channel: str) -> None:
    if CHANNEL_CODES[channel] not in actor.sns:
        world.seeder.sns_account(actor, channel)
    must(lambda: world.driver.choose_simple_signup(actor, channel))
    must(lambda: world.driver.sns_login_at_provider(actor))
    must(lambda: world.driver.join_simple(actor, terms=True, privacy=True))


def join_general(world: World, actor: Actor, user_id: str | None = None, password: str = DEFAULT_PASSWORD,
                 company: CompanyProof | None = None) -> None:
    to_step3(world, actor)
    info = MemberInfo(user_id or world.next_user_id(), password, password, actor.email, company=company)
    must(lambda: world.driver.submit_member_info(actor, info))


def to_step3(world: World, actor: Actor) -> None:
    must(lambda: world.driver.start_general_signup(actor))
    must(lambda: world.driver.agree_terms(actor, terms=True, privacy=True))
    must(lambda: world.driver.verify_real_name(actor, "휴대전화"))


@given(ko('"{alias}"[은는] "{channel}"[로] 가입한 간편회원이다'))
def is_simple_member(world: World, alias: str, channel: str) -> None:
    join_simple(world, world.actor(alias), channel)


@given(ko('"{alias}"[은는] 일반회원이다'))
def is_general_member(world: World, alias: str) -> None:
    join_general(world, world.actor(alias))


@given(ko('"{alias}"[은는] 아이디 "{user_id}", 비밀번호 "{password}"[로] 가입한 일반회원이다'))
def is_general_member_with(world: World, alias: str, user_id: str, password: str) -> None:
    join_general(world, world.actor(alias), user_id, password)


# --- 간편회원 가입 ----------------------------------------------------------------------------

@when(ko('"{alias}"[이가] 간편회원 가입에서 "{channel}"[을를] 선택한다'))
def choose_channel(world: World, alias: str, channel: str) -> None:
    world.attempt(lambda: world.driver.choose_simple_signup(world.actor(alias), channel))


@when(ko('"{alias}"[이가] 선택한 채널의 본인 계정으로 로그인한다'))
def login_at_channel(world: World, alias: str) -> None:
    world.attempt(lambda: world.driver.sns_login_at_provider(world.actor(alias)))


@when(ko('"{alias}"[이가] 선택한 채널에서 정보 제공에 동의하지 않는다'))
def refuse_at_channel(world: World, alias: str) -> None:
    world.attempt(lambda: world.driver.sns_login_at_provider(world.actor(alias), consent=False))


@when(ko('"{alias}"에게 다른 가입 절차의 SNS 응답이 전달된다'))
def foreign_response(world: World, alias: str) -> None:
    world.attempt(lambda: world.driver.receive_foreign_sns_response(world.actor(alias)))


@when(ko('"{alias}"[이가] 약관에 동의하고 가입한다'))
def agree_and_join(world: World, alias: str) -> None:
    world.attempt(lambda: world.driver.join_simple(world.actor(alias), terms=True, privacy=True))


@when(ko('"{alias}"[이가] 약관에 동의하지 않고 가입한다'))
def join_without_terms(world: World, alias: str) -> None:
    world.attempt(lambda: world.driver.join_simple(world.actor(alias), terms=False, privacy=True))


@then("간편회원 가입이 완료된다")
@then("일반회원 가입이 완료된다")
def signup_done(world: World) -> None:
    world.expect_success()


@then(ko('"{alias}"[은는] "{channel}"[로] 간편회원 로그인할 수 있다'))
def can_login_simple(world: World, alias: str, channel: str) -> None:
    actor = world.actor(alias)
    must(lambda: world.driver.login_simple(actor, channel))
    assert world.driver.menu(actor)["회원유형"] == "간편회원"


@then(ko('"{alias}"[은는] "{channel}"[로] 간편회원 로그인할 수 없다'))
def cannot_login_simple(world: World, alias: str, channel: str) -> None:
    actor = world.actor(alias)
    world.attempt(lambda: world.driver.login_simple(actor, channel))
    assert world.error is not None, "가입되지 않았어야 하는데 로그인되었습니다."


@then(ko('"{alias}"의 회원정보에는 이름, 휴대폰번호, 이메일만 있다'))
def minimal_info(world: World, alias: str) -> None:
    actor = world.actor(alias)
    must(lambda: world.driver.login_simple(actor, "네이버"))
    info = world.driver.profile(actor)
    personal = {k for k in info if k not in ("회원유형", "가입채널")}
    assert personal == {"이름", "휴대폰번호", "이메일"}, info
    assert info["이름"] == actor.name and info["휴대폰번호"] == actor.phone and info["이메일"] == actor.email


# --- 일반회원 가입 ----------------------------------------------------------------------------

@when(ko('"{alias}"[이가] 일반회원 가입을 시작한다'))
def start_general(world: World, alias: str) -> None:
    world.roles["signing_up"] = alias
    world.attempt(lambda: world.driver.start_general_signup(world.actor(alias)))


@given(ko('"{alias}"[이가] 일반회원 가입을 시작해 약관에 동의했다'))
def started_and_agreed(world: World, alias: str) -> None:
    world.roles["signing_up"] = alias
    actor = world.actor(alias)
    must(lambda: world.driver.start_general_signup(actor))
    must(lambda: world.driver.agree_terms(actor, terms=True, privacy=True))


@when(ko('"{alias}"[이가] 홈페이지 이용약관과 개인정보수집에 동의한다'))
def agree_both(world: World, alias: str) -> None:
    world.attempt(lambda: world.driver.agree_terms(world.actor(alias), terms=True, privacy=True))


@when(ko('"{alias}"[이가] 이용약관 동의 "{terms}", 개인정보수집 동의 "{privacy}"[로] 확인한다'))
def agree_partly(world: World, alias: str, terms: str, privacy: str) -> None:
    world.attempt(lambda: world.driver.agree_terms(world.actor(alias), terms=YES[terms], privacy=YES[privacy]))


@when(ko('"{alias}"[이가] "{method}" 실명인증을 한다'))
def verify(world: World, alias: str, method: str) -> None:
    world.attempt(lambda: world.driver.verify_real_name(world.actor(alias), method))


@when(ko('"{alias}"[이가] "{method}" 실명인증에서 "{option}"[을를] 선택해 인증한다'))
def verify_with(world: World, alias: str, method: str, option: str) -> None:
    world.attempt(lambda: world.driver.verify_real_name(world.actor(alias), method, option))


@when(ko('"{alias}"[이가] "{method}" 실명인증에서 "{company}"[과와] "{card_method}"[을를] 선택해 인증한다'))
def verify_card(world: World, alias: str, method: str, company: str, card_method: str) -> None:
    world.attempt(lambda: world.driver.verify_real_name(world.actor(alias), method, company,
                                                        card_method=card_method))


@when(ko('"{alias}"[이가] 휴대전화 본인인증에서 인증번호를 잘못 입력한다'))
def wrong_sms_code(world: World, alias: str) -> None:
    world.attempt(lambda: world.driver.verify_real_name(world.actor(alias), "휴대전화", wrong_code=True))


@when(ko('"{alias}"[이가] "{method}" 실명인증 요청을 휴대폰 앱에서 거절한다'))
def deny_in_app(world: World, alias: str, method: str) -> None:
    world.attempt(lambda: world.driver.verify_real_name(world.actor(alias), method, deny=True))


@then("실명인증이 완료되어 회원정보 입력으로 넘어간다")
def verified(world: World) -> None:
    world.expect_success()


@then("실명인증이 완료되지 않는다")
def not_verified(world: World) -> None:
    assert world.error is not None
    for actor in [world.in_role("signing_up")]:
        probe = MemberInfo("probe_member", DEFAULT_PASSWORD, DEFAULT_PASSWORD, actor.email)
        world.attempt(lambda a=actor, info=probe: world.driver.submit_member_info(a, info))
        assert world.error is not None and "실명인증" in world.error.message, "실명인증 없이 다음 단계로 넘어갔습니다."


@given(ko('"{alias}"[이가] 다른 가입 절차에서 "{method}" 본인인증을 마쳤지만 사이트로 돌아오지 않았다'))
def abandoned_verification(world: World, alias: str, method: str) -> None:
    must(lambda: world.driver.abandon_real_name(world.actor(alias), method))


@when(ko('"{alias}"의 가입 절차에 "{other}"의 본인인증 결과가 전달된다'))
def foreign_verification(world: World, alias: str, other: str) -> None:
    world.attempt(lambda: world.driver.present_real_name_of(world.actor(alias), world.actor(other)))


@when(ko('"{alias}"[이가] 다시 일반회원 가입을 시작해 "{method}" 실명인증을 한다'))
def again(world: World, alias: str, method: str) -> None:
    actor = world.actor(alias)

    def run() -> None:
        world.driver.start_general_signup(actor)
        world.driver.agree_terms(actor, terms=True, privacy=True)
        world.driver.verify_real_name(actor, method)

    world.attempt(run)


@when(ko('"{alias}"[이가] 아이디 "{user_id}", 비밀번호 "{password}"[로] 회원정보를 입력한다'))
def enter_info(world: World, alias: str, user_id: str, password: str) -> None:
    actor = world.actor(alias)
    info = MemberInfo(user_id, password, password, actor.email)
    world.attempt(lambda: world.driver.submit_member_info(actor, info))


@when(ko('"{alias}"[이가] 비밀번호 확인을 다르게 입력해 회원정보를 입력한다'))
def enter_info_mismatch(world: World, alias: str) -> None:
    actor = world.actor(alias)
    info = MemberInfo(world.next_user_id(), DEFAULT_PASSWORD, DEFAULT_PASSWORD + "x", actor.email)
    world.attempt(lambda: world.driver.submit_member_info(actor, info))


@when(ko('"{alias}"[이가] 다음 관심 항목과 함께 회원정보를 입력한다'))
def enter_info_interests(world: World, alias: str, datatable: list[list[str]]) -> None:
    actor = world.actor(alias)
    interests = {row[0]: [v.strip() for v in row[1].split(",")] for row in datatable[1:]}
    info = MemberInfo(world.next_user_id(), DEFAULT_PASSWORD, DEFAULT_PASSWORD, actor.email, interests)
    world.attempt(lambda: world.driver.submit_member_info(actor, info))


@then(ko('"{alias}"의 "{field}"[은는] "{value}"이다'))
def profile_field(world: World, alias: str, field: str, value: str) -> None:
    actor = world.actor(alias)
    must(lambda: world.driver.login(actor, actor.user_id or "", actor.password or ""))
    assert world.driver.profile(actor).get(field) == value


@then(ko('"{alias}"[은는] 가입되어 있지 않다'))
def not_registered(world: World, alias: str) -> None:
    actor = world.actor(alias)
    world.attempt(lambda: world.driver.find_id(actor, "휴대폰"))
    assert world.error is not None and "일치하는 회원이 없습니다" in world.error.message, world.result


# --- STEP3 소속기업 등록 -----------------------------------------------------------------------

@when(ko('"{alias}"[이가] 일반회원 가입을 STEP3까지 진행한다'))
def up_to_step3(world: World, alias: str) -> None:
    world.attempt(lambda: to_step3(world, world.actor(alias)))


@when(ko('"{alias}"[이가] 소속기업 "{bizno}"[을를] 검색한다'))
def search(world: World, alias: str, bizno: str) -> None:
    world.searched[alias] = bizno
    world.attempt(lambda: world.driver.search_company(world.actor(alias), bizno))


@then(ko('검색된 기업은 "{name}"이다'))
def searched(world: World, name: str) -> None:
    world.expect_success()
    assert world.result["name"] == name


def _submit_with(world: World, actor: Actor, proof: CompanyProof) -> None:
    info = MemberInfo(world.next_user_id(), DEFAULT_PASSWORD, DEFAULT_PASSWORD, actor.email, company=proof)
    world.attempt(lambda: world.driver.submit_member_info(actor, info))


@when(ko('"{alias}"[이가] 승인 비밀번호 "{approval}"[로] 소속기업을 인증하며 회원정보를 입력한다'))
def submit_with_approval(world: World, alias: str, approval: str) -> None:
    actor = world.actor(alias)
    _submit_with(world, actor, CompanyProof(world.searched.get(alias, ""), approval_password=approval))


@when(ko('"{alias}"[이가] 기업 범용인증서로 소속기업을 인증하며 회원정보를 입력한다'))
def submit_with_certificate(world: World, alias: str) -> None:
    actor = world.actor(alias)
    bizno = world.searched.get(alias, "").replace("-", "")
    _submit_with(world, actor, CompanyProof(bizno, certificate_of=bizno))


@when(ko('"{alias}"[이가] 소속기업 "{bizno}"[을를] "{other}" 기업 인증서로 인증하며 회원정보를 입력한다'))
def submit_with_other_certificate(world: World, alias: str, bizno: str, other: str) -> None:
    actor = world.actor(alias)
    _submit_with(world, actor, CompanyProof(bizno, certificate_of=other.replace("-", "")))
