"""Notes API: FastAPI + SQLModel backend."""
