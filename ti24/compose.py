"""One origin for everything: the simulator's web UI, and beside it every fake provider under
its own path prefix (/kakao, /naver, /google, /facebook, /pass, /card, /simple-auth, /nts, /ca,
/control) — the way a vendor's staging system would reach them."""

from __future__ import annotations

from typing import Any

PROVIDER_PREFIXES = frozenset({"kakao", "naver", "google", "facebook", "pass", "card", "simple-auth", "nts", "ca",
                               "control"})


class OneOrigin:
    """An ASGI app that sends provider paths to the providers' app and the rest to the site."""

    def __init__(self, site: Any, providers: Any) -> None:
        self.site = site
        self.providers = providers

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self.site(scope, receive, send)
            return
        first = scope.get("path", "/").lstrip("/").split("/", 1)[0]
        await (self.providers if first in PROVIDER_PREFIXES else self.site)(scope, receive, send)
