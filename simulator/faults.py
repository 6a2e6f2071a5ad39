"""Deliberate deviations from the manual, switched on from outside, so anyone can watch the
specification catch each one.

Production code carries no hooks for this. Every fault is a set of reversible, process-global
patches applied from outside:

- ``Setting``: one module or class attribute replaced (a policy constant, a message, a method);
- ``Mutation``: one function or method replaced by a copy of its own source with a small textual
  edit, compiled in the module's namespace and bound wherever the original was bound — the edit
  must match the source exactly once, so a fault that no longer fits the code fails loudly;
- ``MatrixEdit``: an altered copy of the entitlement data that ``domain/entitlements.py`` loads
  (its caches are cleared on the way in and out).

``FAULTS`` maps each fault's name to a ``Fault`` whose ``breaks`` lists exactly the catalogue
requirements whose scenarios fail while it is on. ``activate(names)`` switches several on and
returns the ``ExitStack`` that switches them off.

Used as a pytest plugin (``-p simulator.faults``) it activates the faults named by ``--faults``
or the ``TI24_FAULTS`` environment variable (comma-separated) at session start, and only then —
in-process runs and a server started in the same process (browser mode) both see them.
"""

from __future__ import annotations

import copy
import functools
import importlib
import inspect
import linecache
import os
import re
import sys
import textwrap
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import FunctionType, ModuleType
from typing import Any, Protocol
from unittest.mock import patch

import pytest

# Every module a fault may touch is imported now, so that no module imported while a fault is
# on binds a patched object for good (``from x import f`` copies whatever ``x.f`` is then).
from .adapters import certificate_verifier  # noqa: F401
from .domain import bizno, certificate_types, entitlements, model, policy, throttle, uploads  # noqa: F401
from .domain.throttle import Limit
from .service_layer import (  # noqa: F401
    affiliation,
    auth,
    company_admin,
    company_registration,
    context,
    member_services,
    migration,
    recovery,
    signup,
    verification,
)
from .web import security  # noqa: F401

SOURCE_ATTRIBUTE = "__ti24_fault_source__"
ALIAS_PACKAGES = ("simulator", "steps", "ti24")  # where a patched function's other bindings are looked for
ENVIRONMENT = "TI24_FAULTS"


class FaultError(RuntimeError):
    """A fault that no longer fits the code it patches."""


class Patch(Protocol):
    def applied(self, fault: str) -> Any:  # a context manager
        ...


def _resolve(target: str) -> tuple[Any, str]:
    """``"package.module:Class.attribute"`` → (owner, attribute name)."""
    module_name, _, path = target.partition(":")
    owner: Any = importlib.import_module(module_name)
    *parents, attribute = path.split(".")
    for parent in parents:
        owner = getattr(owner, parent)
    if attribute not in vars(owner):
        raise FaultError(f"{target}: no such attribute")
    return owner, attribute


def _function(obj: Any) -> FunctionType:
    """The plain function behind a function, staticmethod, classmethod or property."""
    inner = obj.fget if isinstance(obj, property) else getattr(obj, "__func__", obj)
    if not isinstance(inner, FunctionType):
        raise FaultError(f"{obj!r} is not a function")
    return inner


def _aliases(original: Any, owner: Any, attribute: str) -> Iterator[tuple[ModuleType, str]]:
    """Other module-level bindings of ``original`` (``from module import function``)."""
    for name, module in list(sys.modules.items()):
        if module is None or not name.startswith(ALIAS_PACKAGES):
            continue
        for key, value in list(vars(module).items()):
            if value is original and not (module is owner and key == attribute):
                yield module, key


@dataclass(frozen=True)
class Setting:
    """Replace one attribute (a constant, a message, a method) for as long as the fault is on."""

    target: str
    value: Any

    @contextmanager
    def applied(self, fault: str) -> Iterator[None]:
        owner, attribute = _resolve(self.target)
        with patch.object(owner, attribute, self.value):
            yield


@dataclass(frozen=True)
class Mutation:
    """Replace a function by a copy of its source with ``edits`` (old → new, each found once)."""

    target: str
    edits: tuple[tuple[str, str], ...]

    def source(self, fault: str) -> tuple[Any, str, Any, str]:
        owner, attribute = _resolve(self.target)
        original = vars(owner)[attribute]
        function = _function(original)
        source = getattr(function, SOURCE_ATTRIBUTE, None) or textwrap.dedent(inspect.getsource(function))
        for old, new in self.edits:
            found = source.count(old)
            if found != 1:
                raise FaultError(f"{fault}: {self.target} contains {old!r} {found} times, expected once")
            source = source.replace(old, new)
        return owner, attribute, original, source

    @contextmanager
    def applied(self, fault: str) -> Iterator[None]:
        owner, attribute, original, source = self.source(fault)
        function = _function(original)
        filename = f"<fault {fault}: {self.target}>"
        linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
        # ``annotations`` is the __future__ feature imported above: annotations stay unevaluated, as in
        # the original module (some name types imported only under TYPE_CHECKING).
        code = compile(source, filename, "exec", flags=annotations.compiler_flag, dont_inherit=True)
        namespace: dict[str, Any] = {}
        exec(code, function.__globals__, namespace)
        replacement = namespace[function.__name__]
        new_function = _function(replacement)
        new_function.__qualname__ = function.__qualname__
        setattr(new_function, SOURCE_ATTRIBUTE, source)
        with ExitStack() as stack:
            stack.enter_context(patch.object(owner, attribute, replacement))
            if isinstance(owner, ModuleType):
                for module, name in list(_aliases(original, owner, attribute)):
                    stack.enter_context(patch.object(module, name, replacement))
            yield


def disabled(condition: str) -> tuple[str, str]:
    """The edit that makes ``if <condition>:`` never true."""
    return f"if {condition}:", f"if False:  # fault: was {condition}"


@dataclass(frozen=True)
class MatrixEdit:
    """An altered copy of the entitlement data (entitlements.toml) behind both matrices."""

    edit: Callable[[dict], None]

    @contextmanager
    def applied(self, fault: str) -> Iterator[None]:
        previous = entitlements._raw

        @functools.cache
        def altered() -> dict:
            data = copy.deepcopy(previous())
            self.edit(data)
            return data

        altered()  # a cell that is not there fails now, not in the middle of a scenario
        entitlements.matrix.cache_clear()
        try:
            with patch.object(entitlements, "_raw", altered):
                yield
        finally:
            entitlements.matrix.cache_clear()


def cell(scheme: str, row: str, column: str, allowed: bool) -> MatrixEdit:
    """Flip one cell of the manual's matrix: ``row`` is the manual's row label."""

    def edit(data: dict) -> None:
        spec = data["schemes"][scheme]
        found = [r for r in spec["rows"] if r["row"] == row]
        if len(found) != 1 or column not in spec["columns"]:
            raise FaultError(f"no cell ({row!r}, {column!r}) in the {scheme} matrix")
        index = spec["columns"].index(column)
        if found[0]["allowed"][index] == allowed:
            raise FaultError(f"cell ({row!r}, {column!r}) of the {scheme} matrix is already {allowed}")
        found[0]["allowed"][index] = allowed

    return MatrixEdit(edit)


def scheme_start(day: date) -> MatrixEdit:
    def edit(data: dict) -> None:
        data["schemes"][entitlements.NEW]["effective_from"] = day

    return MatrixEdit(edit)


_ACTIVE: dict[str, int] = {}
_ACTIVE_LOCK = threading.Lock()


@dataclass(frozen=True)
class Fault:
    name: str  # kebab-case English
    description: str  # what deviates from the manual, in Korean
    breaks: frozenset[str]  # catalogue requirements whose scenarios fail while the fault is on
    patches: tuple[Patch, ...] = field(repr=False)

    @contextmanager
    def apply(self) -> Iterator[None]:
        """Switch the fault on for the duration of the block (nested applications share one)."""
        with _ACTIVE_LOCK:
            nested = self.name in _ACTIVE
            if nested:
                _ACTIVE[self.name] += 1
        if nested:
            try:
                yield
            finally:
                with _ACTIVE_LOCK:
                    _ACTIVE[self.name] -= 1
            return
        with ExitStack() as stack:
            for one in self.patches:
                stack.enter_context(one.applied(self.name))
            with _ACTIVE_LOCK:
                _ACTIVE[self.name] = 1
            try:
                yield
            finally:
                with _ACTIVE_LOCK:
                    del _ACTIVE[self.name]


def _fault(name: str, description: str, breaks: str, *patches: Patch) -> Fault:
    return Fault(name, description, frozenset(breaks.split()), patches)


SIGNUP = "simulator.service_layer.signup"
AFFILIATION = "simulator.service_layer.affiliation"
REGISTRATION = "simulator.service_layer.company_registration"
ADMIN = "simulator.service_layer.company_admin"
AUTH = "simulator.service_layer.auth"
RECOVERY = "simulator.service_layer.recovery"
MIGRATION = "simulator.service_layer.migration"
SERVICES = "simulator.service_layer.member_services"
CONTEXT = "simulator.service_layer.context"
POLICY = "simulator.domain.policy"
UPLOADS = "simulator.domain.uploads"
VERIFIER = "simulator.adapters.certificate_verifier:X509CertificateVerifier"
NEW, LEGACY = entitlements.NEW, entitlements.LEGACY
MILEAGE_ROW = "서비스 마일리지 사용, 기업정보 수정 (기업 범용인증서 사용 시)"
APPROVAL_ROW = "신규 가입한 소속기업직원 승인권한 (승인 비밀번호(6자리))"
TAX_INVOICE_OID = "1.2.410.200004.5.2.1.6.257"  # 정보인증전자세금융 (법인)


def _no_audit(self: Any, actor: str, action: str, target: str = "", **detail: Any) -> None:
    return None


_FAULT_LIST = (
    # --- 회원분류와 이용 가능 서비스 ((신)·(구) matrices) ---------------------------------------
    _fault("simple-member-other-service", "간편회원도 기타 서비스를 신청할 수 있다 (매뉴얼: 간편회원 X)",
           "MTX-N3 CLS-03 CLS-05",
           cell(NEW, "기타 서비스 신청", "간편회원", True)),
    _fault("simple-member-no-online-consultation", "간편회원이 온라인 상담을 이용할 수 없다 (매뉴얼: 간편회원 O)",
           "MTX-N1 CLS-03 CLS-05",
           cell(NEW, "온라인 상담", "간편회원", False)),
    _fault("approval-member-uses-mileage",
           "승인 비밀번호로 소속된 회원도 서비스 마일리지를 사용하고 기업정보를 수정할 수 있다 (매뉴얼: 범용인증서로 인증한 회원만)",
           "MTX-N4 CLS-03 CLS-05",
           cell(NEW, MILEAGE_ROW, "승인비밀번호소속", True)),
    _fault("unaffiliated-member-approves-staff", "소속기업이 없는 일반회원도 소속직원을 승인할 수 있다 (매뉴얼: X)",
           "MTX-N5 CLS-03 CLS-04 CLS-05",
           cell(NEW, APPROVAL_ROW, "소속기업없음", True)),
    _fault("approval-member-counted-as-certificate",
           "승인 비밀번호로 소속된 회원을 범용인증서로 인증한 회원과 같은 유형으로 분류한다",
           "MTX-N4 CLS-03 CLS-05",
           Mutation("simulator.domain.model:column",
                    (('return "인증서소속" if member.via is Via.CERTIFICATE else "승인비밀번호소속"',
                      'return "인증서소속"'),))),
    _fault("company-member-shown-as-general", "소속기업을 등록한 일반회원의 회원유형이 '기업소속 일반회원'이 아닌 '일반회원'으로 보인다",
           "CLS-03 GEN-09 GEN-10 APW-01",
           Mutation("simulator.domain.model:Member.type_label",
                    (('return "기업소속 일반회원" if self.company else "일반회원"', 'return "일반회원"'),))),
    _fault("legacy-individual-other-service", "(구) 개인회원도 기타 서비스를 신청할 수 있다 (매뉴얼: 개인회원 X)",
           "MTX-O3 MIG-06 OLD-01",
           cell(LEGACY, "기타 서비스 신청", "개인회원", True)),
    _fault("legacy-associate-uses-mileage", "(구) 준회원도 서비스 마일리지를 사용하고 기업정보를 수정할 수 있다 (매뉴얼: 준회원 X)",
           "MTX-O4 MIG-06",
           cell(LEGACY, "서비스 마일리지 사용, 기업정보 수정", "준회원", True)),
    _fault("legacy-regular-manages-members",
           "(구) 정회원도 MASTER 권한 넘기기, 정회원 승인, 관계 해지를 할 수 있다 (매뉴얼: MASTER만)",
           "MTX-O5 MIG-06 OLD-02",
           cell(LEGACY, "MASTER 권한 넘기기, 정회원 승인 및 관계 해지", "정회원", True)),
    _fault("new-scheme-one-day-early", "(신) 회원체계가 2023.5.22.이 아닌 2023.5.21.부터 적용된다",
           "MIG-06",
           scheme_start(date(2023, 5, 21))),
    # --- 회원가입 - 간편회원 --------------------------------------------------------------------
    _fault("sns-duplicate-account", "이미 간편회원으로 가입한 SNS 계정으로 다시 가입할 수 있다",
           "SNS-05",
           Mutation(f"{SIGNUP}:sns_returned", (("if next(ctx.db", "if False and next(ctx.db"),))),
    _fault("sns-consent-refusal-unexplained", "SNS 채널에서 정보 제공을 거부해도 가입할 수 없다는 안내 없이 넘어간다",
           "SNS-04",
           Mutation(f"{SIGNUP}:sns_returned",
                    (("if error or not code:\n", "if error or not code:\n            return {}\n"),))),
    _fault("sns-state-not-checked", "SNS 응답의 state를 가입 절차의 요청과 대조하지 않는다",
           "SNS-06",
           Mutation(f"{SIGNUP}:sns_returned", (disabled("state != request.state"),))),
    _fault("simple-signup-without-terms", "간편회원 가입에서 약관에 동의하지 않아도 가입된다",
           "SNS-03",
           Mutation(f"{SIGNUP}:finish_simple", (("_require_consent(terms, privacy)", "pass"),))),
    # --- 회원가입 - 일반회원, 실명인증 -------------------------------------------------------------
    _fault("general-signup-without-terms", "일반회원 가입 STEP1에서 약관에 동의하지 않아도 다음 단계로 넘어간다",
           "GEN-01",
           Mutation(f"{SIGNUP}:agree", (("_require_consent(terms, privacy)", "pass"),))),
    _fault("real-name-before-terms", "약관동의(STEP1) 없이 실명인증(STEP2)을 할 수 있다",
           "GEN-02",
           Mutation(f"{SIGNUP}:_step2", (disabled('flow["step"] < 2'),))),
    _fault("duplicate-real-name-member", "이미 가입한 사람(같은 연계정보)의 실명인증을 막지 않는다",
           "GEN-02 GEN-13",
           Mutation(f"{SIGNUP}:verify_real_name", (("if next(ctx.db", "if False and next(ctx.db"),))),
    _fault("verification-not-bound", "가입 절차가 요청하지 않은 본인인증(다른 절차의 인증 결과)도 실명인증으로 받아들인다",
           "GEN-18",
           Mutation("simulator.service_layer.verification:take",
                    (disabled('opened is None or opened != {"method": method, "id": verification_id}'),
                     ('del data["verification"]', 'data.pop("verification", None)')))),
    _fault("bad-user-id-accepted", "아이디 규칙(영문 소문자로 시작하는 6~20자)에 맞지 않는 아이디를 받는다",
           "GEN-14",
           Setting(f"{POLICY}:ID_PATTERN", re.compile(r"^[A-Za-z0-9_-]{3,30}$"))),
    _fault("common-password-accepted", "흔한 비밀번호(password1 등)를 받는다",
           "GEN-15",
           Setting(f"{POLICY}:COMMON_PASSWORDS", frozenset())),
    _fault("short-password-accepted", "비밀번호 최소 길이를 8자가 아닌 5자로 검사해 7자 비밀번호를 받는다",
           "GEN-15 PWD-03",
           Setting(f"{POLICY}:PASSWORD_MIN", 5)),
    _fault("interests-dropped", "회원정보 입력의 선택항목(관심 키워드, 산업, 품목, 지역)을 저장하지 않는다",
           "GEN-08",
           Mutation(f"{SIGNUP}:submit_info", (("json.dumps(interests or {}", "json.dumps({}"),))),
    _fault("signup-flow-never-expires", "가입 절차를 30분 안에 마치지 않아도 처음부터 다시 하지 않는다",
           "GEN-17",
           Setting(f"{CONTEXT}:FLOW_LIFETIME", timedelta(days=365))),
    # --- 소속기업 등록 (승인 비밀번호) ------------------------------------------------------------
    _fault("approval-password-not-checked", "소속기업 등록에서 승인 비밀번호가 맞는지 확인하지 않는다",
           "APW-01 APW-04 APW-05 ADM-05 ADM-06 GEN-16",
           Mutation(f"{AFFILIATION}:check_approval_password",
                    (disabled('not ctx.hasher.verify(company["approval_password_hash"], approval_password)'),))),
    _fault("five-digit-approval-password", "5자리 승인 비밀번호를 받는다 (매뉴얼: 6자리)",
           "APW-03 REG-03",
           Setting(f"{POLICY}:APPROVAL_PASSWORD", re.compile(r"^[0-9]{5,6}$"))),
    _fault("approval-password-no-lockout", "승인 비밀번호를 연속 5회 틀려도 계속 시도할 수 있다",
           "APW-04",
           Setting(f"{POLICY}:MAX_APPROVAL_FAILURES", 10**9)),
    _fault("approval-no-person-limit", "한 사람이 여러 번 승인 비밀번호를 틀려도 그 사람의 입력을 제한하지 않는다",
           "APW-05",
           Setting(f"{POLICY}:APPROVAL_FAILURES_PER_PERSON", Limit("approval_person", 10**9, timedelta(hours=24)))),
    _fault("approval-change-keeps-lockout", "관리자가 승인 비밀번호를 바꿔도 입력 오류 횟수 초과 제한이 풀리지 않는다",
           "APW-04 APW-05",
           Mutation(f"{ADMIN}:change_approval_password", (('"approval_failures": 0}', "}"),))),
    _fault("weak-approval-password-allowed", "같은 숫자나 연속된 숫자로만 된 승인 비밀번호(111111, 123456)를 설정할 수 있다",
           "APW-03 REG-03",
           Mutation(f"{POLICY}:check_new_approval_password",
                    (disabled("len(set(value)) == 1 or steps in ({1}, {-1})"),))),
    # --- 기업정보 등록 ---------------------------------------------------------------------------
    _fault("suspended-company-registers", "국세청에서 휴업으로 조회된 기업도 기업정보를 등록할 수 있다",
           "REG-08",
           Mutation(f"{AFFILIATION}:search", (disabled('state.code == "02"'),))),
    _fault("closed-company-registers", "국세청에서 폐업으로 조회된 기업도 기업정보를 등록할 수 있다",
           "REG-08",
           Mutation(f"{AFFILIATION}:search", (disabled('state.code == "03"'),))),
    _fault("registration-without-terms", "기업정보 등록 STEP1에서 이용약관에 동의하지 않아도 진행된다",
           "REG-01",
           Mutation(f"{REGISTRATION}:agree", (disabled("not terms"),))),
    _fault("registration-without-certificate", "기업 범용인증서 인증(STEP2) 없이 기업정보를 등록할 수 있다",
           "CORP-01 REG-02 CERT-03 CERT-04 CERT-05",
           Mutation(f"{REGISTRATION}:submit", (disabled('flow["step"] < 3'),))),
    _fault("scan-not-required", "신규기업 등록에서 사업자등록증 스캔본 없이도 등록된다",
           "REG-06",
           Mutation(f"{REGISTRATION}:submit",
                    (('"scan_file": _store_scan(ctx, scan)}', '"scan_file": _store_scan(ctx, scan) if scan else None}'),))),
    _fault("scan-content-not-checked", "사업자등록증 파일의 내용이 확장자(PDF, JPG, PNG)와 맞는지 확인하지 않는다",
           "REG-10",
           Mutation(f"{UPLOADS}:check_scan", (disabled("kind is None or kind.mime != EXTENSIONS[ext]"),))),
    _fault("registered-company-not-detected", "이미 기업정보가 등록된 기업을 조회해도 기업정보관리 로그인을 안내하지 않는다",
           "REG-07",
           Mutation(f"{REGISTRATION}:lookup", (disabled("found.outcome == affiliation.REGISTERED"),))),
    _fault("simple-member-registers-company", "간편회원도 소속기업 정보 등록을 시작할 수 있다",
           "REG-09",
           Mutation(f"{REGISTRATION}:start", (disabled("member.kind is not Kind.GENERAL"),))),
    _fault("bizno-checksum-ignored", "사업자등록번호의 검증번호를 확인하지 않는다",
           "CORP-04",
           Mutation("simulator.domain.bizno:is_valid",
                    (("return check_digit(number[:9]) == int(number[9])", "return True"),))),
    # --- 기업 범용인증서 ---------------------------------------------------------------------------
    _fault("personal-certificate-accepted", "목록(17종)에 없는 개인 인증서로도 기업인증이 된다",
           "CERT-02",
           Mutation("simulator.domain.certificate_types:accepted_type",
                    (("        if oid in _BY_OID:\n            return _BY_OID[oid]",
                      "        return _BY_OID.get(oid, ACCEPTED_CERTIFICATE_TYPES[0])"),))),
    _fault("certificate-type-missing", "17종 중 '정보인증전자세금융 (법인)' 인증서를 받지 않는다",
           "CERT-01 CERT-05",
           Setting("simulator.domain.certificate_types:_BY_OID",
                   {k: v for k, v in certificate_types._BY_OID.items() if k != TAX_INVOICE_OID})),
    _fault("other-company-certificate-accepted", "다른 기업의 사업자등록번호로 발급된 인증서로도 인증된다 (VID 확인 생략)",
           "CERT-03 ADM-02 GEN-11",
           Mutation(f"{VERIFIER}.verify",
                    (("self._check_vid(vids, normalized, presented.random_num)", "None  # fault: VID not checked"),))),
    _fault("expired-certificate-accepted", "유효기간이 지났거나 아직 시작되지 않은 인증서를 받는다",
           "CERT-04",
           Mutation(f"{VERIFIER}.verify", (("self._check_validity(certificate, now)", "None  # fault"),))),
    _fault("certificate-signature-not-checked", "인증서 전자서명이 이번 인증 요청(challenge)에 대한 것인지 확인하지 않는다",
           "CERT-06",
           Mutation(f"{VERIFIER}.verify",
                    (("self._check_signature(certificate, presented.signature, challenge)", "None  # fault"),))),
    _fault("revoked-certificate-accepted", "폐지된 인증서를 받는다 (CRL의 폐지 목록을 보지 않음)",
           "CERT-04",
           Mutation(f"{VERIFIER}._check_revocation",
                    (disabled("crl.get_revoked_certificate_by_serial_number(certificate.serial_number) is not None"),))),
    # --- 기업정보 관리자 ---------------------------------------------------------------------------
    _fault("edit-without-company-auth", "[기업인증]을 거치지 않아도 기업정보를 수정할 수 있다",
           "ADM-04",
           Mutation(f"{ADMIN}:edit", (("row = _authenticated(ctx, token)", 'row = session_row(ctx, token, "company")'),))),
    _fault("approval-change-without-company-auth", "[기업인증]을 거치지 않아도 승인 비밀번호를 변경할 수 있다",
           "ADM-05",
           Mutation(f"{ADMIN}:change_approval_password",
                    (("row = _authenticated(ctx, token)", 'row = session_row(ctx, token, "company")'),))),
    _fault("approval-change-no-share-notice", "승인 비밀번호를 변경해도 기존 소속직원에게 공유하라는 안내가 없다",
           "ADM-05 ADM-06",
           Setting(f"{ADMIN}:SHARE_NOTICE", "승인비밀번호가 변경되었습니다.")),
    _fault("company-login-no-lockout", "기업 로그인 비밀번호를 연속 5회 틀려도 비밀번호 로그인이 제한되지 않는다",
           "ADM-09",
           Mutation(f"{ADMIN}:login_password",
                    (('company["admin_failures"] >= policy.MAX_LOGIN_FAILURES', "False"),))),
    _fault("company-login-reveals-unknown-bizno", "등록되지 않은 사업자등록번호로 기업 로그인하면 다른 안내로 그 사실을 알려준다",
           "ADM-01",
           Mutation(f"{ADMIN}:login_password",
                    (('if company is None:\n            raise FailedAttempt("bad_company_credentials", BAD_COMPANY_CREDENTIALS,',
                      'if company is None:\n            raise FailedAttempt("bad_company_credentials",'
                      ' "등록되지 않은 사업자등록번호입니다.",'),))),
    _fault("employee-release-ignored", "소속직원 관계 해지가 반영되지 않는다",
           "ADM-07",
           Mutation(f"{ADMIN}:release", (('ctx.db["affiliations"].delete(found["member_id"])', "None  # fault"),))),
    # --- 로그인 -------------------------------------------------------------------------------------
    _fault("login-no-lockout", "일반회원이 비밀번호를 연속 5회 틀려도 로그인이 제한되지 않는다",
           "LOGIN-04",
           Mutation(f"{AUTH}:login_general", (('row["failed_logins"] >= policy.MAX_LOGIN_FAILURES', "False"),))),
    _fault("login-reveals-unknown-id", "없는 아이디로 로그인하면 비밀번호가 틀린 경우와 다른 안내를 한다",
           "LOGIN-04 LOGIN-09",
           Mutation(f"{AUTH}:login_general",
                    (('if row is None:\n            raise FailedAttempt("bad_credentials", BAD_CREDENTIALS,',
                      'if row is None:\n            raise FailedAttempt("bad_credentials", "등록되지 않은 아이디입니다.",'),))),
    _fault("menu-not-switched", "로그인해도 메뉴바가 mykotra/로그아웃으로 바뀌지 않는다",
           "LOGIN-01 LOGIN-02 LOGIN-03 LOGIN-04 LOGIN-07 MIG-01 MIG-02 MIG-03 MIG-05 MIG-06 CLS-01 GEN-01 GEN-02"
           " GEN-06 GEN-07 GEN-12 FIND-01 FIND-02 FIND-03 FIND-04 FIND-05 FIND-07 PWD-01 PWD-02 PWD-03 PWD-04 PWD-05",
           Mutation(f"{AUTH}:menu", (('result = {"menu": ["mykotra", "로그아웃"]', 'result = {"menu": ["로그인", "회원가입"]'),))),
    _fault("simple-login-by-name", "간편회원 로그인에서 SNS 계정이 아니라 이름으로 회원을 찾아, 가입하지 않은 채널로도 로그인된다",
           "LOGIN-01",
           Mutation(f"{AUTH}:finish_simple_login",
                    (('rows_where("sns_channel = ? AND sns_subject = ?",\n'
                      '                                                [profile.channel, profile.subject])',
                      'rows_where("kind = ? AND name = ?", [Kind.SIMPLE.value, profile.name])'),))),
    _fault("unknown-id-never-locks", "없는 아이디는 5회 틀려도 제한되지 않아 가입 여부가 드러난다",
           "LOGIN-09",
           Mutation(f"{AUTH}:login_general", (("locked = not within_limit(ctx, *unknown) if row is None else",
                                                "locked = False if row is None else"),))),
    _fault("session-never-idles", "1시간 동안 이용하지 않아도 로그인이 끝나지 않는다",
           "LOGIN-07",
           Setting(f"{CONTEXT}:SESSION_IDLE", timedelta(days=30))),
    _fault("logout-keeps-session", "로그아웃해도 서버의 로그인 세션이 끝나지 않아 로그아웃 전의 세션으로 계속 이용할 수 있다",
           "LOGIN-08",
           Mutation(f"{AUTH}:logout", (("ctx.db[\"sessions\"].delete(token)", "pass  # fault"),)),
           Mutation("simulator.web.security:SessionStore.rotate",
                    (("self._sessions.pop(session.id, None)",
                      "self._sessions[session.id] = __import__(\"copy\").deepcopy(session)  # fault: old id kept"),))),
    # --- 아이디 찾기 ---------------------------------------------------------------------------------
    _fault("find-id-wrong-phone-matches", "아이디 찾기(휴대폰)에서 휴대폰번호가 달라도 이름만 맞으면 아이디를 보여준다",
           "FIND-02 FIND-06 FIND-08",
           Mutation(f"{RECOVERY}:find_id_by_phone",
                    (('if _digits(r["phone"] or "") == _digits(phone) and _digits(phone)', "if _digits(phone)"),))),
    _fault("find-id-email-ignores-name", "아이디 찾기(이메일)에서 이름이 달라도 이메일만 맞으면 아이디를 보여준다",
           "FIND-04 FIND-06",
           Mutation(f"{RECOVERY}:find_id_by_email", (("AND name = ? AND", "AND (name = ? OR 1) AND"),))),
    _fault("find-id-shows-full-id", "아이디 찾기에서 조회된 아이디를 가리지 않고 전부 보여준다",
           "FIND-01 FIND-02 FIND-03 FIND-04 FIND-05 FIND-07",
           Mutation(f"{RECOVERY}:_found", (('policy.mask_user_id(r["user_id"])', 'r["user_id"]'),))),
    _fault("find-id-no-target-limit", "같은 휴대폰번호로 아이디 찾기를 몇 번이든 조회할 수 있다",
           "FIND-08",
           Setting(f"{POLICY}:FIND_ID_PER_TARGET", Limit("find_id_target", 10**9, timedelta(hours=1)))),
    _fault("find-id-shows-other-members", "아이디 찾기(간편인증)에서 본인이 아닌 다른 회원의 아이디까지 보여준다",
           "FIND-03 FIND-06",
           Mutation(f"{RECOVERY}:find_id_by_simple_auth",
                    (('rows_where("kind = ? AND ci = ?", [Kind.GENERAL.value, person.ci])',
                      'rows_where("kind = ?", [Kind.GENERAL.value])'),))),
    # --- 비밀번호 재설정 -----------------------------------------------------------------------------
    _fault("reset-ignores-member-name", "비밀번호 재설정에서 회원명이 달라도 아이디만 맞으면 시작된다",
           "PWD-01 PWD-06",
           Mutation(f"{RECOVERY}:start_reset",
                    (('rows_where("user_id = ? AND name = ?", [user_id.strip(), name.strip()])',
                      'rows_where("user_id = ?", [user_id.strip()])'),))),
    _fault("reset-start-reveals-unknown-id", "비밀번호 재설정을 시작할 때 아이디·회원명이 맞지 않으면 바로 알려준다",
           "PWD-01 PWD-06",
           Mutation(f"{RECOVERY}:start_reset",
                    (('return start_flow(ctx, "password_reset", member_id=row["id"] if row else None)',
                      'if row is None:\n            raise Refusal("member_not_found", NO_MATCH)\n'
                      '        return start_flow(ctx, "password_reset", member_id=row["id"])'),))),
    _fault("reset-identity-not-compared", "비밀번호 재설정에서 본인인증한 사람이 그 회원인지 대조하지 않는다",
           "PWD-04",
           Mutation(f"{RECOVERY}:verify_identity", (disabled('member["ci"] != person.ci'),))),
    _fault("reset-without-identity", "본인인증 없이 새 비밀번호를 저장할 수 있다",
           "PWD-03 PWD-04",
           Mutation(f"{RECOVERY}:save_password",
                    (disabled('flow["step"] < 2'),
                     ('flow["data"]["verified_at"]', 'flow["data"].get("verified_at", ctx.stamp())')))),
    _fault("reset-keeps-old-password", "비밀번호를 재설정해도 새 비밀번호가 저장되지 않아 이전 비밀번호가 그대로 쓰인다",
           "PWD-01 PWD-02 PWD-03 PWD-05 LOGIN-04",
           Mutation(f"{RECOVERY}:save_password", (('"password_hash": ctx.hasher.hash(new), ', ""),))),
    _fault("reset-does-not-unlock", "비밀번호를 재설정해도 로그인 제한이 풀리지 않는다",
           "PWD-05 LOGIN-04",
           Mutation(f"{RECOVERY}:save_password", (('"failed_logins": 0}', "}"),))),
    _fault("reset-never-expires", "본인인증 후 10분이 지나도 새 비밀번호를 저장할 수 있다",
           "PWD-05",
           Setting(f"{RECOVERY}:RESET_TTL", timedelta(days=1))),
    # --- 기존 회원 전환 -------------------------------------------------------------------------------
    _fault("conversion-skipped", "(구) 회원이 2023.5.22. 이후 처음 로그인해도 기존 회원 전환 절차 없이 로그인된다",
           "MIG-01 MIG-02 MIG-03 MIG-04 MIG-05",
           Mutation(f"{AUTH}:login_general", (disabled("member.status is Status.LEGACY and ctx.scheme() == NEW"),))),
    _fault("conversion-not-mine-ignored", "기존 회원정보가 본인 것이 아니라고 해도 전환이 계속된다",
           "MIG-01",
           Mutation(f"{MIGRATION}:confirm", (disabled("not is_me"),))),
    _fault("conversion-password-reused", "기존 회원 전환에서 기존 비밀번호를 그대로 다시 쓸 수 있다",
           "MIG-02",
           Mutation(f"{MIGRATION}:reset_password", (disabled('ctx.hasher.verify(row["password_hash"], new)'),))),
    _fault("conversion-without-consent", "기존 회원 전환에서 이용약관에 다시 동의하지 않아도 전환된다",
           "MIG-03",
           Mutation(f"{MIGRATION}:consent", (disabled("not terms"),))),
    _fault("conversion-company-not-offered", "소속기업이 있던 (구) 기업회원에게 전환 후 [소속기업 등록]을 안내하지 않는다",
           "MIG-04 MIG-05",
           Mutation(f"{MIGRATION}:consent",
                    (('"offer_company": member.legacy_company is not None', '"offer_company": False'),))),
    # --- 서비스와 마일리지 -----------------------------------------------------------------------------
    _fault("company-history-not-recorded", "소속기업 명의로 신청한 서비스가 그 기업의 참여이력과 마일리지가 되지 않는다",
           "SVC-01 SVC-02 ADM-08 CLS-01 CLS-03 CLS-05 MIG-06 MTX-N4 MTX-O4",
           Mutation(f"{SERVICES}:apply", (("number = company_of(member, scheme)", "number = None"),))),
    _fault("mileage-overdraft", "적립된 것보다 많은 서비스 마일리지를 사용할 수 있다",
           "SVC-02",
           Mutation(f"{SERVICES}:use_mileage", (disabled("points > balance"),))),
    # --- 감사 기록 --------------------------------------------------------------------------------------
    _fault("audit-not-recorded", "회원과 기업의 변경을 감사 기록에 남기지 않는다",
           "AUD-01",
           Setting("simulator.service_layer.context:Context.audit", _no_audit)),
    _fault("audit-misses-company-registration", "기업정보 등록을 감사 기록에 남기지 않는다",
           "AUD-01",
           Mutation(f"{REGISTRATION}:submit",
                    (('ctx.audit(f"member:{flow[\'member_id\']}", "company_register", number, source=record["source"])',
                      "None  # fault: not audited"),))),
)

FAULTS: dict[str, Fault] = {f.name: f for f in _FAULT_LIST}
if len(FAULTS) != len(_FAULT_LIST):
    raise FaultError("two faults share a name")


def parse(names: str | Iterable[str]) -> list[str]:
    """``"a,b"`` or ``["a", "b,c"]`` → ``["a", "b", "c"]`` (blanks dropped)."""
    items = [names] if isinstance(names, str) else list(names)
    return [n.strip() for item in items for n in item.split(",") if n.strip()]


def activate(names: str | Iterable[str]) -> ExitStack:
    """Switch the named faults on; closing the returned stack switches them off again."""
    wanted = parse(names)
    unknown = [n for n in wanted if n not in FAULTS]
    if unknown:
        raise ValueError(f"알 수 없는 결함: {', '.join(unknown)}. 사용할 수 있는 결함: {', '.join(FAULTS)}")
    stack = ExitStack()
    try:
        for name in dict.fromkeys(wanted):
            stack.enter_context(FAULTS[name].apply())
    except BaseException:
        stack.close()
        raise
    return stack


def active() -> list[str]:
    """The faults switched on in this process now."""
    with _ACTIVE_LOCK:
        return [name for name in FAULTS if name in _ACTIVE]


# --- pytest plugin (-p simulator.faults) -----------------------------------------------------------

_STACK = pytest.StashKey[ExitStack]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("ti24").addoption(
        "--faults", dest="ti24_faults", default=os.environ.get(ENVIRONMENT, ""),
        help=f"comma-separated faults to switch on for the session (default: ${ENVIRONMENT})")


def pytest_sessionstart(session: pytest.Session) -> None:
    names = parse(session.config.getoption("ti24_faults") or "")
    if names:
        session.config.stash[_STACK] = activate(names)


def pytest_sessionfinish(session: pytest.Session) -> None:
    stack = session.config.stash.get(_STACK, None)
    if stack is not None:
        stack.close()
        del session.config.stash[_STACK]


def pytest_report_header(config: pytest.Config) -> str | None:
    names = parse(config.getoption("ti24_faults") or "")
    return f"ti24 faults: {', '.join(names)}" if names else None
