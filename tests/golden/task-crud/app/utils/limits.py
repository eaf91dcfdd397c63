"""Refuse oversized requests before any work is done: bodies with 413, headers with 431.

The server has already parsed the headers when this runs; the limit keeps a huge header (a
megabytes-long Authorization) from reaching token parsing and the logs. Limit header size at
the server or proxy in front too (README, "Run it").
"""

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.utils.errors import error_response


class PayloadTooLarge(HTTPException):
    def __init__(self) -> None:
        super().__init__(status_code=413, detail="Request body too large")


class RequestSizeLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int, max_header_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_header_bytes = max_header_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = scope["headers"]
        if sum(len(name) + len(value) for name, value in headers) > self.max_header_bytes:
            await _refuse(send, 431, "Request headers too large")
            return
        declared = dict(headers).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await _refuse(send, 413, "Request body too large")
            return
        received = 0

        async def limited_receive() -> Message:
            # Chunked bodies carry no length: count as they arrive. The HTTPException raised
            # here reaches the app's error handlers, which answer 413 in the error envelope.
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise PayloadTooLarge
            return message

        await self.app(scope, limited_receive, send)


async def _refuse(send: Send, status_code: int, message: str) -> None:
    response = error_response(status_code, message)
    start = {"type": "http.response.start", "status": status_code, "headers": response.raw_headers}
    await send(start)
    await send({"type": "http.response.body", "body": response.body})
