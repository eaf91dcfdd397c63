"""sp.backend-engineer: Markdown API contracts -> backend plan -> FastAPI + SQLModel backend."""

__version__ = "0.1.0"
