"""One error envelope for every failure: validation, HTTP, integrity and the unexpected."""

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DataError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from app.utils.logging import current_request_id

logger = logging.getLogger("app.errors")

VALIDATION_STATUS = 422
VALIDATION_MESSAGE = "Validation failed"
CONFLICT_MESSAGE = "The request conflicts with existing data"
CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    412: "PRECONDITION_FAILED",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "VALIDATION_ERROR",
    429: "TOO_MANY_REQUESTS",
    431: "HEADERS_TOO_LARGE",
    500: "INTERNAL_ERROR",
    503: "SERVICE_UNAVAILABLE",
}


class ErrorDetail(BaseModel):
    field: str
    message: str
    type: str


Details = list[ErrorDetail]


class ErrorBody(BaseModel):
    code: str
    message: str
    details: Details | None = None


class ErrorResponse(BaseModel):
    """{"error": {"code": ..., "message": ..., "details": ...}}"""

    error: ErrorBody


def error_response(
    status_code: int,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    code = CODES.get(status_code, HTTPStatus(status_code).phrase.upper().replace(" ", "_"))
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    content = {"error": body}
    return JSONResponse(content, status_code=status_code, headers=headers)


class NotFoundError(Exception):
    """The row does not exist for this caller (someone else's row looks the same)."""


class ForbiddenError(Exception):
    """The caller may not touch this row."""


class ConflictError(Exception):
    """The request conflicts with the data as it is now; the message says how."""


class IdempotencyKeyReusedError(Exception):
    """An Idempotency-Key sent before with another request body: refused, not replayed."""


class InvalidValueError(Exception):
    """A value the schema accepts but the data refuses (a reference to no row, a cursor that
    does not decode): answered as invalid input, like a schema error, at `where`."""

    def __init__(self, where: tuple[str, ...], message: str) -> None:
        super().__init__(message)
        self.where = where
        self.message = message


def _field(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc)


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    # Only location, message and type: echoing the input could leak what the client sent.
    details = [
        {"field": _field(err["loc"]), "message": err["msg"], "type": err["type"]}
        for err in exc.errors()
    ]
    return error_response(VALIDATION_STATUS, VALIDATION_MESSAGE, jsonable_encoder(details))


async def _invalid_value(request: Request, exc: InvalidValueError) -> JSONResponse:
    details = [{"field": _field(exc.where), "message": exc.message, "type": "value_error"}]
    return error_response(VALIDATION_STATUS, VALIDATION_MESSAGE, details)


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    message = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    headers = getattr(exc, "headers", None)
    if exc.status_code == status.HTTP_405_METHOD_NOT_ALLOWED:
        headers = {**(headers or {}), "Allow": _allowed_methods(request)}
    return error_response(exc.status_code, message, headers=headers)


def _allowed_methods(request: Request) -> str:
    """Every method the path answers: each method is its own route, and Starlette's 405 names
    only the first route that matched the path."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:
            methods |= getattr(route, "methods", None) or set()
    return ", ".join(sorted(methods))


async def _not_found(request: Request, exc: NotFoundError) -> JSONResponse:
    return error_response(status.HTTP_404_NOT_FOUND, str(exc) or "Not found")


async def _forbidden(request: Request, exc: ForbiddenError) -> JSONResponse:
    return error_response(status.HTTP_403_FORBIDDEN, str(exc) or "Forbidden")


async def _conflict(request: Request, exc: ConflictError) -> JSONResponse:
    return error_response(status.HTTP_409_CONFLICT, str(exc) or CONFLICT_MESSAGE)


async def _idempotency_key_reused(request: Request, exc: IdempotencyKeyReusedError) -> JSONResponse:
    message = "This Idempotency-Key was already used with a different request"
    return error_response(VALIDATION_STATUS, message)


async def _integrity_error(request: Request, exc: IntegrityError) -> JSONResponse:
    logger.info("integrity error: %s", exc.orig.__class__.__name__)
    return error_response(status.HTTP_409_CONFLICT, CONFLICT_MESSAGE)


async def _unstorable_value(request: Request, exc: DataError) -> JSONResponse:
    # Valid by the schema but not storable (e.g. a NUL byte in PostgreSQL text): invalid input.
    logger.info("data error: %s", exc.orig.__class__.__name__)
    return error_response(VALIDATION_STATUS, "A value cannot be stored")


async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    # The database cannot serve now (connection lost, server restarting, statement timeout,
    # pool exhausted): the request may succeed if retried, so 503, never a 500.
    cause = getattr(exc, "orig", None) or exc
    logger.error("database unavailable: %s", cause.__class__.__name__)
    return error_response(
        status.HTTP_503_SERVICE_UNAVAILABLE,
        "The service is temporarily unavailable",
        headers={"Retry-After": "5"},
    )


def internal_error_response() -> JSONResponse:
    return error_response(status.HTTP_500_INTERNAL_SERVER_ERROR, "An unexpected error occurred")


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    # Reached only from outside the request log middleware, which answers the rest itself.
    logger.exception("unhandled error (request id %s)", current_request_id())
    return internal_error_response()


def install_error_handlers(app: FastAPI) -> None:
    # app.exception_handler(E)(handler), not app.add_exception_handler(E, handler): the same
    # registration, and typed for a handler of E (Starlette types every handler as taking the
    # base Exception, which a handler of one exception class is not).
    app.exception_handler(RequestValidationError)(_validation_error)
    app.exception_handler(StarletteHTTPException)(_http_error)
    app.exception_handler(NotFoundError)(_not_found)
    app.exception_handler(ForbiddenError)(_forbidden)
    app.exception_handler(ConflictError)(_conflict)
    app.exception_handler(IdempotencyKeyReusedError)(_idempotency_key_reused)
    app.exception_handler(InvalidValueError)(_invalid_value)
    app.exception_handler(IntegrityError)(_integrity_error)
    app.exception_handler(DataError)(_unstorable_value)
    app.exception_handler(OperationalError)(_database_unavailable)
    app.exception_handler(InterfaceError)(_database_unavailable)
    app.exception_handler(PoolTimeoutError)(_database_unavailable)
    app.exception_handler(Exception)(_unexpected)


# A route's `responses=`: the OpenAPI's documented answers, by status.
Responses = dict[int | str, dict[str, Any]]

ERROR_RESPONSES: Responses = {
    400: {"model": ErrorResponse, "description": "Malformed request body"},
    401: {"model": ErrorResponse, "description": "Missing, invalid or expired token"},
    VALIDATION_STATUS: {"model": ErrorResponse, "description": "Invalid input"},
}
