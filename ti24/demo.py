"""Demo data for trying the system by hand (``ti24 serve --demo``): people the providers know,
their SNS accounts, companies in KOTRA's records and at 국세청, a company certificate and a
(구) account — printed so a trainee can use them."""

from __future__ import annotations

from simulator.service_layer import seed

from .embedded import Embedded

COMPANIES = [("124-81-00998", "01"), ("220-81-62517", "02"), ("120-81-47521", "03")]


def seed_demo(embedded: Embedded) -> str:
    control = embedded.browser()

    def post(path: str, body: dict) -> dict:
        response = control.post(f"/control{path}", json=body)
        response.raise_for_status()
        return response.json()

    lines = ["", "예시 데이터 (이 프로세스가 끝나면 외부 기관 쪽 데이터는 사라집니다)", ""]
    people = [post("/persons", {}) for _ in range(3)]
    for person in people:
        lines.append(f"- {person['name']}  생년월일 {person['birth_date']}  휴대폰 {person['phone']} ({person['carrier']})"
                     f"  카드 {', '.join(person['cards'])}")
        for channel in ("kakao", "naver"):
            account = post("/sns-accounts", {"channel": channel, "phone": person["phone"]})
            lines.append(f"    {channel} 로그인: {account['login_id']} / {account['password']}")
    lines.append("  휴대전화 인증번호는 /pass/sms?phone=<휴대폰번호> 에서, 간편인증 요청은 /simple-auth/app?phone=… 에서 확인합니다.")
    lines.append("")
    for bizno, status in COMPANIES:
        business = post("/businesses", {"b_no": bizno.replace("-", ""), "status": status})
        if status == "01":
            seed.directory_company(embedded.ctx, bizno, business["name"], business["representative"],
                                   "서울특별시 중구 세종대로 110")
        lines.append(f"- 기업 {bizno} {business['name']} ({business['b_stt']})")
    owner = people[0]
    certificate = post("/certificates", {"product": "금융결제원(법인)", "bizno": COMPANIES[0][0],
                                         "holder_name": owner["name"], "password": "demo-cert-1"})
    lines.append(f"- {owner['name']}의 기업 범용인증서: {COMPANIES[0][0]} 금융결제원(법인), 인증서 암호 demo-cert-1"
                 f" (인증서 보관 위치 '{certificate['holder']}')")
    if not any(embedded.ctx.db["members"].rows_where("user_id = ?", ["legacy_demo"])):
        seed.legacy_member(embedded.ctx, user_id="legacy_demo", password="Legacy-Demo1", name=people[1]["name"],
                           email=people[1]["email"], phone=people[1]["phone"], role="개인회원")
    lines.append("- (구) 개인회원: 아이디 legacy_demo / 비밀번호 Legacy-Demo1 (로그인하면 기존 회원 전환)")
    return "\n".join(lines)
