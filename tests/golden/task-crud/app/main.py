"""The FastAPI application: middleware, error handlers and every feature's routers."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app import database
from app.config import get_settings
from app.database import engine
from app.extensions.main import router as extensions_router
from app.routers.tasks import router as tasks_router
from app.utils.errors import error_response, install_error_handlers, internal_error_response
from app.utils.limits import RequestSizeLimitMiddleware
from app.utils.logging import RequestLogMiddleware, configure_logging
from app.utils.security_headers import SecurityHeadersMiddleware

logger = logging.getLogger("app")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Fail fast with a clear message when the database is unreachable at start.
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:
        logger.critical("cannot reach the database: %s", exc.__class__.__name__)
        raise RuntimeError("database unreachable at start-up; check DATABASE_URL") from None
    await database.reader.open()
    yield
    await database.reader.close()
    engine.dispose()


def create_app() -> FastAPI:
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    docs = settings.serves_docs
    app = FastAPI(
        title="Task API",
        version="1.0.0",
        lifespan=lifespan,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
    )
    install_error_handlers(app)
    # Added last runs first: the security headers and the request id are on every answer.
    app.add_middleware(
        RequestSizeLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        max_header_bytes=settings.max_header_bytes,
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["*"],
        )
    app.add_middleware(RequestLogMiddleware, internal_error=internal_error_response)
    app.add_middleware(SecurityHeadersMiddleware, hsts_seconds=settings.hsts_seconds)
    # Your own app-wide routes (app/extensions/main.py), then the generated ones.
    app.include_router(extensions_router)
    app.include_router(tasks_router)

    @app.get("/health", tags=["health"])
    def health() -> dict[str, str]:
        """Liveness: the process answers. It does not touch the database."""
        return {"status": "ok"}

    @app.get("/ready", tags=["health"], responses={503: {"description": "Database unreachable"}})
    def ready() -> JSONResponse:
        """Readiness: the database answers, so this instance can take traffic."""
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError as exc:
            logger.warning("not ready: %s", exc.__class__.__name__)
            return error_response(503, "The database is unreachable", headers={"Retry-After": "5"})
        return JSONResponse({"status": "ready"})

    return app


app = create_app()
