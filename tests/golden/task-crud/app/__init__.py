"""Task API: FastAPI + SQLModel backend."""
