"""Home, the menu bar's targets: [회원가입] choice, mykotra and 로그아웃."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..domain.errors import Refusal
from ..service_layer import auth, company_admin, member_services
from .common import action, call, company_token, ctx_of, flash, login_of, member_token, page, path, redirect, render
from .security import rotate


async def home(request: Request) -> Response:
    return await render(request, "home.html", {"title": "홈"})


async def signup(request: Request) -> Response:
    """[회원가입] → 간편회원 가입 / 일반회원 가입."""
    return await render(request, "signup_choice.html", {"title": "회원가입"})


async def mykotra(request: Request) -> Response:
    ctx = ctx_of(request)
    if company_token(request):
        return await company_mykotra(request)
    token = member_token(request)
    try:
        info = await call(request, member_services.my_info, ctx, token)
        participation = await call(request, member_services.my_participation, ctx, token)
    except Refusal as refusal:
        return await render(request, "mykotra_member.html", {"title": "mykotra", "info": None},
                            alert=refusal.message, status=401)
    return await render(request, "mykotra_member.html",
                        {"title": "mykotra", "info": info, "participation": participation})


async def company_mykotra(request: Request, alert: str | None = None) -> Response:
    """mykotra of the 기업정보 관리자: 기업정보, [기업인증], 승인비밀번호 변경, 소속직원 관리, 참여이력."""
    ctx, token = ctx_of(request), company_token(request)
    try:
        info = await call(request, company_admin.company_info, ctx, token)
        employees = await call(request, company_admin.employees, ctx, token)
        participation = await call(request, company_admin.participation, ctx, token)
    except Refusal as refusal:
        return await render(request, "mykotra_member.html", {"title": "mykotra", "info": None},
                            alert=refusal.message, status=401)
    return await render(request, "mykotra_company.html",
                        {"title": "mykotra", "company": info, "employees": employees,
                         "participation": participation}, alert=alert)


async def logout(request: Request) -> Response:
    login = login_of(request)
    if login:
        await call(request, auth.logout, ctx_of(request), login["token"])
    rotate(request, keep_data=False)
    flash(request, "로그아웃되었습니다.")
    return redirect(path(request, "home"))


routes = [
    page("/", home),
    page("/signup", signup),
    page("/mykotra", mykotra),
    action("/logout", logout),
]
