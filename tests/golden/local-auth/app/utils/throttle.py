"""Sign-in throttle: failed attempts are counted per account and per client address over a
sliding window; past either limit the endpoint answers 429 with Retry-After, whether or not the
password is right, until the window's oldest failure ages out.

The default store (LOGIN_THROTTLE_STORE=memory) counts in this process: every worker counts on
its own, so with N workers a guesser gets up to N times the limits. With several workers or
hosts set LOGIN_THROTTLE_STORE to "package.module:factory", a callable taking no argument that
returns a ThrottleStore keeping its counts somewhere shared (Redis, the database, ...).
"""

import hashlib
import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from functools import lru_cache
from importlib import import_module
from threading import Lock
from typing import Protocol

from fastapi import HTTPException, status

from app.config import get_settings


class ThrottleStore(Protocol):
    """Failure times per key; each method is atomic for its key."""

    def recent(self, key: str, since: float) -> list[float]:
        """The key's failure times after `since`, oldest first."""
        ...

    def add(self, key: str, at: float, keep: int, since: float) -> None:
        """Record a failure; keep at most the `keep` latest after `since`."""
        ...

    def clear(self, key: str) -> None: ...


class MemoryStore:
    """Per-process and bounded: past `max_keys` keys, the least recently failed is forgotten."""

    def __init__(self, max_keys: int) -> None:
        self.max_keys = max_keys
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = Lock()

    def recent(self, key: str, since: float) -> list[float]:
        with self._lock:
            return [t for t in self._failures.get(key, ()) if t > since]

    def add(self, key: str, at: float, keep: int, since: float) -> None:
        with self._lock:
            times = self._failures.pop(key, None) or deque(maxlen=keep)
            while times and times[0] <= since:
                times.popleft()
            times.append(at)
            self._failures[key] = times
            while len(self._failures) > self.max_keys:
                self._failures.popitem(last=False)

    def clear(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def reset(self) -> None:
        with self._lock:
            self._failures.clear()


class TooManyAttempts(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


def too_many_attempts(exc: TooManyAttempts) -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_429_TOO_MANY_REQUESTS,
        detail="Too many failed attempts; try again later",
        headers={"Retry-After": str(exc.retry_after)},
    )


def account_key(email: str) -> str:
    """A digest, not the address: the store and the logs never hold what was typed."""
    return "account:" + hashlib.sha256(email.encode()).hexdigest()[:32]


def address_key(address: str | None) -> str:
    return f"address:{address or 'unknown'}"


class LoginThrottle:
    def __init__(
        self,
        store: ThrottleStore,
        per_account: int,
        per_address: int,
        window_seconds: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.limits = {"account": per_account, "address": per_address}
        self.window = window_seconds
        self.clock = clock

    def check(self, *keys: str) -> None:
        """Raise TooManyAttempts when any key has used up its failures."""
        now = self.clock()
        since = now - self.window
        wait = 0.0
        for key in keys:
            limit = self.limits[key.split(":", 1)[0]]
            times = self.store.recent(key, since)
            if len(times) >= limit:
                wait = max(wait, times[-limit] + self.window - now)
        if wait > 0:
            raise TooManyAttempts(max(1, math.ceil(wait)))

    def failed(self, *keys: str) -> None:
        now = self.clock()
        for key in keys:
            limit = self.limits[key.split(":", 1)[0]]
            self.store.add(key, now, limit, now - self.window)

    def succeeded(self, key: str) -> None:
        """A right password clears its account's count (not the address's: signing in to an
        account of one's own must not buy more guesses at others)."""
        self.store.clear(key)


def _store() -> ThrottleStore:
    settings = get_settings()
    if settings.login_throttle_store == "memory":
        return MemoryStore(settings.login_throttle_max_keys)
    module, _, name = settings.login_throttle_store.partition(":")
    # The setting names a factory of ThrottleStore (module docstring).
    factory: Callable[[], ThrottleStore] = getattr(import_module(module), name)
    return factory()


@lru_cache
def get_login_throttle() -> LoginThrottle:
    settings = get_settings()
    return LoginThrottle(
        _store(),
        per_account=settings.login_max_failures_per_account,
        per_address=settings.login_max_failures_per_address,
        window_seconds=settings.login_throttle_window_seconds,
    )
