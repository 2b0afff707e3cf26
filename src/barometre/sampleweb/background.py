"""The sample web in a background thread, for synchronous callers (``barometre demo``,
CLI tests): ``with BackgroundSampleWeb() as web: …`` while other code runs its own
event loops against it over loopback."""

from __future__ import annotations

import asyncio
import threading
from types import TracebackType
from typing import Any

from barometre.sampleweb.server import SampleWeb


class BackgroundSampleWeb:
    def __init__(self, *, start_timeout: float = 30.0, **options: Any) -> None:
        self._options = options
        self._timeout = start_timeout
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._web: SampleWeb | None = None
        self._error: BaseException | None = None

    def _serve(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        web = SampleWeb(**self._options)
        try:
            loop.run_until_complete(web.start())
        except BaseException as exc:  # reported to the caller's thread
            self._error = exc
            self._ready.set()
            loop.run_until_complete(web.stop())
            loop.close()
            return
        self._web = web
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(web.stop())
            loop.close()

    def __enter__(self) -> SampleWeb:
        self._thread = threading.Thread(target=self._serve, name="sampleweb", daemon=True)
        self._thread.start()
        if not self._ready.wait(self._timeout):
            raise RuntimeError("le web d'exemple n'a pas démarré à temps")
        if self._error is not None:
            raise self._error
        assert self._web is not None
        return self._web

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._loop is not None and self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(30)

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"<BackgroundSampleWeb running={self._web is not None}>"
