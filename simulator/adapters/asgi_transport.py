"""A synchronous httpx transport that serves requests from an ASGI app in-process.

The HTTP adapters talk to the providers through a plain ``httpx.Client``. Given this transport the
client reaches an ASGI app (the fake providers) through exactly the same HTTP protocol — methods,
headers, status codes, bodies — without opening a socket:

    client = httpx.Client(transport=SyncASGITransport(create_app(world)), base_url="http://providers.test")

Each request runs on a fresh event loop (``asyncio.run``) and the whole response body is read inside
that loop, so the response handed back is an ordinary, fully-buffered synchronous response. This
works from the main thread and from a worker thread of a running server (e.g. a sync Starlette
endpoint run in the threadpool). When the calling thread itself is running an event loop (a sync
call made directly inside ``async def`` code), the request is served on a helper thread instead,
because ``asyncio.run`` cannot nest.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

__all__ = ["ASGIApp", "SyncASGITransport"]

ASGIApp = Callable[
    [MutableMapping[str, Any], Callable[[], Awaitable[MutableMapping[str, Any]]],
     Callable[[MutableMapping[str, Any]], Awaitable[None]]],
    Awaitable[None],
]


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class SyncASGITransport(httpx.BaseTransport):
    """Serve a synchronous ``httpx.Client`` from an ASGI application, in-process.

    ``raise_app_exceptions`` — re-raise an exception escaping the app (useful in tests); when False
    the client sees a ``500`` like it would from a real server. ``root_path`` and ``client`` are
    passed into the ASGI scope as with ``httpx.ASGITransport``.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        raise_app_exceptions: bool = True,
        root_path: str = "",
        client: tuple[str, int] = ("127.0.0.1", 123),
    ) -> None:
        self.app = app
        self.raise_app_exceptions = raise_app_exceptions
        self.root_path = root_path
        self.client = client
        self._helper: ThreadPoolExecutor | None = None
        self._helper_lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        # The body of a request built by a sync client may be a sync-only stream: buffer it so the
        # async transport can iterate it.
        body = request.read()
        buffered = httpx.Request(
            request.method,
            request.url,
            headers=request.headers,
            content=body,
            extensions=request.extensions,
        )
        if _loop_running():
            return self._helper_pool().submit(self._run, buffered).result()
        return self._run(buffered)

    def _run(self, request: httpx.Request) -> httpx.Response:
        status, headers, content = asyncio.run(self._serve(request))
        return httpx.Response(status, headers=headers, content=content, request=request)

    async def _serve(self, request: httpx.Request) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        transport = httpx.ASGITransport(
            app=self.app,
            raise_app_exceptions=self.raise_app_exceptions,
            root_path=self.root_path,
            client=self.client,
        )
        response = await transport.handle_async_request(request)
        try:
            content = b"".join([chunk async for chunk in response.stream])  # type: ignore[union-attr]
        finally:
            await response.aclose()
        return response.status_code, list(response.headers.raw), content

    def _helper_pool(self) -> ThreadPoolExecutor:
        with self._helper_lock:
            if self._helper is None:
                self._helper = ThreadPoolExecutor(max_workers=4, thread_name_prefix="sync-asgi")
            return self._helper

    def close(self) -> None:
        with self._helper_lock:
            helper, self._helper = self._helper, None
        if helper is not None:
            helper.shutdown(wait=True)
