"""Every table model, imported so SQLModel.metadata (and Alembic) sees them all."""

from app.models.task import Task
from app.models.task_idempotency import TaskIdempotencyKey

__all__ = ["Task", "TaskIdempotencyKey"]
