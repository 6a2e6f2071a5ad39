"""Seeders: the world outside the member's actions.

The outside parties (people, SNS accounts, 국세청, certificates) are set up through the fake
providers' control API — the same calls work for a vendor's staging system that uses the fakes.
KOTRA's own pre-existing records ((구) accounts, company records) and the clock go either
straight into the simulator (in-process) or through its declared seeding endpoint (browser).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import httpx

from simulator.adapters.clock import KST
from simulator.service_layer import seed
from ti24.embedded import Embedded
from ti24.testmode import TOKEN_HEADER

from . import http_client
from .driver import Actor

CHANNELS = {"카카오": "kakao", "네이버": "naver", "구글": "google", "페이스북": "facebook"}
STATUS_CODES = {"계속사업자": "01", "휴업자": "02", "폐업자": "03"}
CONDITIONS = {"": None, "만료된": "expired", "아직 유효하지 않은": "not_yet_valid", "사설 CA가 발급한": "untrusted"}
DIRECTORY_ADDRESS = "서울특별시 중구 세종대로 110"


def at_ten(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), KST)


class ProviderControl:
    """The providers' side, through their control API."""

    def __init__(self, control: httpx.Client) -> None:
        self.control = control

    def _post(self, path: str, body: dict) -> dict:
        response = self.control.post(f"/control{path}", json=body)
        assert response.status_code in (200, 201), response.text
        return response.json()

    def person(self, alias: str, **attrs: Any) -> Actor:
        p = self._post("/persons", {"name": alias, **attrs})
        return Actor(alias=alias, name=p["name"], birth_date=date.fromisoformat(p["birth_date"]), phone=p["phone"],
                     email=p["email"], carrier=p["carrier"], cards=tuple(p["cards"]))

    def update_person(self, actor: Actor, **attrs: Any) -> None:
        body = {k: list(v) if isinstance(v, tuple) else v for k, v in attrs.items()}
        response = self.control.patch(f"/control/persons/{actor.phone}", json=body)
        assert response.status_code == 200, response.text
        p = response.json()
        actor.carrier, actor.cards = p["carrier"], tuple(p["cards"])

    def sns_account(self, actor: Actor, channel: str) -> None:
        code = CHANNELS[channel]
        account = self._post("/sns-accounts", {"channel": code, "phone": actor.phone})
        actor.sns[code] = (account["login_id"], account["password"])

    def business_status(self, bizno: str, status: str, name: str = "") -> None:
        body = {"b_no": bizno.replace("-", ""), "status": STATUS_CODES[status]}
        if name:
            body["name"] = name
        self._post("/businesses", body)

    def certificate(self, actor: Actor, product: str, bizno: str, password: str, condition: str = "") -> None:
        body = {"product": product, "bizno": bizno, "holder_name": actor.name, "password": password,
                "holder": actor.alias}
        if CONDITIONS.get(condition):
            body["condition"] = CONDITIONS[condition]
        issued = self._post("/certificates", body)
        if condition == "폐지된":
            self._post(f"/certificates/{issued['serial']}/revoke", {})
        actor.certificates[bizno.replace("-", "")] = (issued["serial"], password)

    def directory_company(self, bizno: str, name: str) -> None:
        self._directory(bizno, name, f"{name} 대표", DIRECTORY_ADDRESS)
        self.business_status(bizno, "계속사업자", name=name)

    def _directory(self, bizno: str, name: str, representative: str, address: str) -> None:
        raise NotImplementedError


class InProcessSeeder(ProviderControl):
    """KOTRA's records and the clock straight in the simulator of an in-process run."""

    def __init__(self, embedded: Embedded) -> None:
        super().__init__(embedded.browser())
        self.e = embedded

    def _directory(self, bizno: str, name: str, representative: str, address: str) -> None:
        seed.directory_company(self.e.ctx, bizno, name, representative=representative, address=address)

    def legacy_member(self, actor: Actor, role: str, user_id: str, password: str, bizno: str | None) -> None:
        seed.legacy_member(self.e.ctx, user_id=user_id, password=password, name=actor.name, email=actor.email,
                           phone=actor.phone, role=role, bizno=bizno)
        actor.user_id, actor.password = user_id, password

    def today(self, day: date) -> None:
        self.e.clock.set(at_ten(day))

    def advance(self, delta: timedelta) -> None:
        self.e.clock.advance(delta)

    def audit_actions(self) -> list[str]:
        return seed.audit_actions(self.e.ctx)


class HttpSeeder(ProviderControl):
    """KOTRA's records and the clock through the simulator's declared seeding endpoint."""

    def __init__(self, base_url: str, token: str) -> None:
        super().__init__(http_client.client(base_url))
        self.site = http_client.client(base_url, headers={TOKEN_HEADER: token})

    def _seed(self, path: str, body: dict) -> dict:
        response = self.site.post(f"/_ti24{path}", json=body)
        assert response.status_code in (200, 201), response.text
        return response.json()

    def _directory(self, bizno: str, name: str, representative: str, address: str) -> None:
        self._seed("/directory-companies", {"bizno": bizno, "name": name, "representative": representative,
                                            "address": address})

    def legacy_member(self, actor: Actor, role: str, user_id: str, password: str, bizno: str | None) -> None:
        self._seed("/legacy-members", {"user_id": user_id, "password": password, "name": actor.name,
                                       "email": actor.email, "phone": actor.phone, "role": role, "bizno": bizno})
        actor.user_id, actor.password = user_id, password

    def today(self, day: date) -> None:
        self._seed("/clock", {"set": at_ten(day).isoformat()})

    def advance(self, delta: timedelta) -> None:
        self._seed("/clock", {"advance_seconds": delta.total_seconds()})

    def audit_actions(self) -> list[str]:
        response = self.site.get("/_ti24/audit")
        assert response.status_code == 200, response.text
        return response.json()["actions"]

    def reset(self, now: datetime) -> None:
        self._seed("/reset", {"now": now.isoformat()})
