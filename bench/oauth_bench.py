"""4. Fake OAuth providers: full authorization-code flows per second of the fake Kakao and Google
(``ti24 providers``) against ``oauth2-mock-server`` (npm), on this machine in the same run.

A flow is what a relying party's user and back end do: open the authorization URL, come back with
a code, exchange it at the token endpoint, fetch the user info. The fakes show a login-and-consent
page first (GET it, POST the account's login), so their flow is one request more than the mock
server's, which redirects with a code at once. oauth2-mock-server is installed with npm into
``bench/.node/`` (ignored by git) the first time.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import re
import secrets
import shutil
import subprocess
import time
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from .common import PYTHON, ROOT, ServerProcess, Table, free_port, verdict

NODE_DIR = ROOT / "bench" / ".node"
MOCK_VERSION = "7.2.1"
MOCK_SCRIPT = NODE_DIR / "node_modules" / "oauth2-mock-server" / "dist" / "oauth2-mock-server.js"
REDIRECT = "http://127.0.0.1/oauth/{channel}/callback"  # registered for the simulator's client by default
REQUEST_ID = re.compile(r'name="request" value="([^"]+)"')
TARGET = 1.0


def install_mock_server() -> Path:
    if not MOCK_SCRIPT.is_file():
        if shutil.which("npm") is None:
            raise RuntimeError("npm is needed to install oauth2-mock-server")
        NODE_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent", f"oauth2-mock-server@{MOCK_VERSION}"],
                       cwd=NODE_DIR, check=True, timeout=600)
    return MOCK_SCRIPT


class Fake:
    """One fake provider (kakao or google) of a running ``ti24 providers``."""

    PATHS: ClassVar[dict[str, tuple[str, str, str]]] = {"kakao": ("/kakao/oauth/authorize", "/kakao/oauth/token", "/kakao/v2/user/me"),
             "google": ("/google/o/oauth2/v2/auth", "/google/token", "/google/v1/userinfo")}

    def __init__(self, base: str, channel: str) -> None:
        self.base, self.channel = base, channel
        self.client_id, self.secret = f"ti24-{channel}-client", f"ti24-{channel}-secret"
        self.redirect = REDIRECT.format(channel=channel)
        with httpx.Client(base_url=base) as control:
            person = control.post("/control/persons", json={"name": "벤치"}).json()
            account = control.post("/control/sns-accounts", json={"channel": channel, "phone": person["phone"]})
            account.raise_for_status()
            self.login = account.json()

    async def flow(self, client: httpx.AsyncClient) -> bool:
        authorize, token_path, userinfo = self.PATHS[self.channel]
        state = secrets.token_urlsafe(12)
        params = {"client_id": self.client_id, "redirect_uri": self.redirect, "response_type": "code", "state": state}
        if self.channel == "google":
            params.update(scope="openid email profile", nonce=secrets.token_urlsafe(12))
        page = await client.get(f"{authorize}?{urlencode(params)}")
        found = REQUEST_ID.search(page.text)
        if found is None:
            return False
        back = await client.post(authorize, data={"request": found.group(1), "action": "agree",
                                                  "login_id": self.login["login_id"], "password": self.login["password"]})
        query = parse_qs(urlsplit(back.headers.get("location", "")).query)
        if query.get("state") != [state] or "code" not in query:
            return False
        form = {"grant_type": "authorization_code", "code": query["code"][0], "redirect_uri": self.redirect}
        headers = {}
        if self.channel == "google":
            basic = base64.b64encode(f"{self.client_id}:{self.secret}".encode()).decode()
            headers["authorization"] = f"Basic {basic}"
        else:
            form.update(client_id=self.client_id, client_secret=self.secret)
        token = await client.post(token_path, data=form, headers=headers)
        if token.status_code != 200:
            return False
        info = await client.get(userinfo, headers={"authorization": f"Bearer {token.json()['access_token']}"})
        return info.status_code == 200


class MockServer:
    """oauth2-mock-server: /authorize redirects with a code, /token signs an ID token, /userinfo."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.redirect = REDIRECT.format(channel="mock")

    async def flow(self, client: httpx.AsyncClient) -> bool:
        state = secrets.token_urlsafe(12)
        params = {"client_id": "ti24-mock-client", "redirect_uri": self.redirect, "response_type": "code",
                  "state": state, "scope": "openid email profile", "nonce": secrets.token_urlsafe(12)}
        back = await client.get(f"/authorize?{urlencode(params)}")
        query = parse_qs(urlsplit(back.headers.get("location", "")).query)
        if query.get("state") != [state] or "code" not in query:
            return False
        token = await client.post("/token", data={"grant_type": "authorization_code", "code": query["code"][0],
                                                  "redirect_uri": self.redirect, "client_id": "ti24-mock-client"})
        if token.status_code != 200:
            return False
        info = await client.get("/userinfo", headers={"authorization": f"Bearer {token.json()['access_token']}"})
        return info.status_code == 200


async def _drive(target: Fake | MockServer, base: str, flows: int, concurrency: int) -> tuple[int, int, float]:
    counter = iter(range(flows))
    ok = failed = 0

    async def user() -> None:
        nonlocal ok, failed
        async with httpx.AsyncClient(base_url=base, timeout=60.0) as client:
            for _ in counter:
                client.cookies.clear()
                if await target.flow(client):
                    ok += 1
                else:
                    failed += 1

    start = time.perf_counter()
    await asyncio.gather(*(user() for _ in range(concurrency)))
    return ok, failed, time.perf_counter() - start


def _measure(target: Fake | MockServer, base: str, server: ServerProcess, flows: int,
             concurrency: int) -> tuple[float, float, int]:
    asyncio.run(_drive(target, base, min(10, flows), concurrency))  # warm-up
    cpu = server.cpu
    ok, failed, elapsed = asyncio.run(_drive(target, base, flows, concurrency))
    return ok / elapsed, (server.cpu - cpu) / max(ok, 1), failed


def run(*, quick: bool = False, flows: int | None = None, concurrency: int = 4) -> Table:
    flows = flows or (30 if quick else 600)
    script = install_mock_server()
    rows: dict[str, tuple[float, float, int, int]] = {}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with ServerProcess([PYTHON, "-m", "ti24.cli", "providers", "--port", str(port)], f"{base}/control/openapi.json") as fakes:
        for channel in ("kakao", "google"):
            rate, cpu, failed = _measure(Fake(base, channel), base, fakes, flows, concurrency)
            rows[f"ti24 fake {'Kakao' if channel == 'kakao' else 'Google'} (uvicorn, 1 process)"] = (rate, cpu, failed, 4)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with ServerProcess(["node", str(script), "-a", "127.0.0.1", "-p", str(port)], f"{base}/.well-known/openid-configuration",
                       cwd=NODE_DIR) as mock:
        rate, cpu, failed = _measure(MockServer(base), base, mock, flows, concurrency)
        rows[f"oauth2-mock-server {MOCK_VERSION} (Node {_node_version()})"] = (rate, cpu, failed, 3)
    mock_rate = rows[next(k for k in rows if k.startswith("oauth2-mock-server"))][0]
    mock_cpu = rows[next(k for k in rows if k.startswith("oauth2-mock-server"))][1]
    table = Table("4. OAuth authorization-code flows per second", ["provider", "requests per flow", "flows/s",
                                                                   "server CPU ms per flow", "÷ mock: flows/s",
                                                                   "÷ mock: flows per CPU-second", "failed"])
    worst = worst_cpu = float("inf")
    for name, (rate, cpu, failed, requests) in rows.items():
        table.add(name, requests, rate, cpu * 1e3, f"×{rate / mock_rate:.2f}", f"×{mock_cpu / cpu:.2f}", failed)
        if name.startswith("ti24"):
            worst, worst_cpu = min(worst, rate / mock_rate), min(worst_cpu, mock_cpu / cpu)
    table.notes.append(f"target: ≥ ×{TARGET:.1f} of oauth2-mock-server — flows/s {verdict(worst >= TARGET)} (worst ×{worst:.2f}), "
                       f"flows per server CPU-second {verdict(worst_cpu >= TARGET)} (worst ×{worst_cpu:.2f})")
    table.notes.append("flows/s also counts the Python client, which shares the 2 cores; server CPU per flow does not")
    table.notes.append(f"{flows} flows each, {concurrency} concurrent clients (httpx, in the bench process), "
                       "servers on 127.0.0.1 in their own processes")
    return table


def _node_version() -> str:
    return subprocess.run(["node", "--version"], capture_output=True, text=True, check=False).stdout.strip()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--flows", type=int)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args(argv)
    print(run(quick=args.quick, flows=args.flows, concurrency=args.concurrency).render())


if __name__ == "__main__":
    main()
