"""A synchronous httpx transport that serves requests from an ASGI app in-process.

The HTTP adapters talk to the providers through a plain ``httpx.Client``. Given this transport the
client reaches an ASGI app (the fake providers) through exactly the same HTTP protocol — methods,
headers, status codes, bodies — without opening a socket:

    client = httpx.Client(transport=SyncASGITransport(create_app(world)), base_url="http://providers.test")

Requests are served on the transport's own event loop, which runs in a daemon thread started on
the first request and stopped by ``close()`` (or when the transport is garbage-collected); the
whole response body is read inside that loop, so the response handed back is an ordinary,
fully-buffered synchronous response. Any thread may call it: the main thread, a worker thread of a
running server (a sync Starlette endpoint in the threadpool), or a thread that is itself running an
event loop (a sync call made inside ``async def`` code), which simply waits for the answer. Only a
call made on the transport's own loop thread (the app calling itself synchronously) cannot wait for
that loop; it is served on a fresh event loop in a helper thread instead.

One long-lived loop instead of ``asyncio.run`` per request: creating and closing an event loop cost
about a tenth of an in-process scenario run.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
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


class _LoopThread:
    """An event loop running forever in a daemon thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, name="sync-asgi-loop", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_forever()
        finally:
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
            self.loop.close()

    def stop(self) -> None:
        if self.loop.is_closed():
            return
        try:
            self.loop.call_soon_threadsafe(self.loop.stop)
        except RuntimeError:  # closed meanwhile
            return
        if threading.current_thread() is not self.thread:
            self.thread.join(timeout=5)


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
        self._loop: _LoopThread | None = None
        self._finalizer: weakref.finalize | None = None

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
        loop = self._loop_thread()
        if threading.current_thread() is loop.thread:
            return self._helper_pool().submit(self._run_fresh, buffered).result()
        status, headers, content = asyncio.run_coroutine_threadsafe(self._serve(buffered), loop.loop).result()
        return httpx.Response(status, headers=headers, content=content, request=buffered)

    def _run_fresh(self, request: httpx.Request) -> httpx.Response:
        status, headers, content = asyncio.run(self._serve(request))
        return httpx.Response(status, headers=headers, content=content, request=request)

    def _loop_thread(self) -> _LoopThread:
        with self._helper_lock:
            if self._loop is None:
                self._loop = _LoopThread()
                self._finalizer = weakref.finalize(self, self._loop.stop)
            return self._loop

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
            finalizer, self._finalizer, self._loop = self._finalizer, None, None
        if helper is not None:
            helper.shutdown(wait=True)
        if finalizer is not None:
            finalizer()  # stops the loop thread, once
