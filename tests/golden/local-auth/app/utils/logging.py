"""Structured request logging: one line per request, and a request id the client can quote.

Every answer carries X-Request-ID, an unexpected error's 500 included, and every line logged
while a request is served names it.
"""

import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "X-Request-ID"
_request_id: ContextVar[str] = ContextVar("request_id", default="-")
# A client-sent id is reused only if it is short and plain: it ends up in our logs.
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

access_logger = logging.getLogger("app.access")
error_logger = logging.getLogger("app.errors")
security_logger = logging.getLogger("app.security")
# Control characters (CR, LF, ESC, ...) in a logged value could forge lines or recolour a
# terminal; text logs show them escaped.
_CONTROL = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0))}
_CONTROL.update({0x2028: "\\u2028", 0x2029: "\\u2029"})


def current_request_id() -> str:
    return _request_id.get()


def escape_control(text: str) -> str:
    return text.translate(_CONTROL)


def security_event(event: str, **fields: object) -> None:
    """A refused token, a failed sign-in...: what happened, never a secret or a token."""
    details = " ".join(f"{name}={value}" for name, value in fields.items())
    security_logger.warning("%s %s", event, details, extra={"fields": {"event": event, **fields}})


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": current_request_id(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class TextFormatter(logging.Formatter):
    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging's name
        record.request_id = current_request_id()
        record.message = escape_control(record.message)
        return super().formatMessage(record)


def configure_logging(level: str, as_json: bool) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(
        JsonFormatter()
        if as_json
        else TextFormatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
    )
    root = logging.getLogger("app")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


class RequestLogMiddleware:
    """Pure ASGI (no BaseHTTPMiddleware): no extra task or body buffering per request.

    An exception no handler answered is logged here, while the request id is still known, and
    answered with `internal_error()` (the error envelope) if the answer has not started; once
    it has, nothing truthful can be added, so the exception goes no further.
    """

    def __init__(self, app: ASGIApp, internal_error: Callable[[], Response]) -> None:
        self.app = app
        self.internal_error = internal_error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = (
            dict(scope["headers"]).get(REQUEST_ID_HEADER.lower().encode(), b"").decode("latin-1")
        )
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        token = _request_id.set(request_id)
        started = time.perf_counter()
        status_code = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status_code, response_started
            if message["type"] == "http.response.start":
                status_code = message["status"]
                response_started = True
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER.lower().encode(), request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            error_logger.exception("unhandled error (request id %s)", request_id)
            if not response_started:
                await self.internal_error()(scope, receive, send_with_id)
        finally:
            duration_ms = round((time.perf_counter() - started) * 1000, 2)
            access_logger.info(
                "%s %s %s %.2fms",
                scope["method"],
                scope["path"],
                status_code,
                duration_ms,
                extra={
                    "fields": {
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": status_code,
                        "duration_ms": duration_ms,
                    }
                },
            )
            _request_id.reset(token)
