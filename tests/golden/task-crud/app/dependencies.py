"""FastAPI's wiring, in one place: the Annotated aliases routes take (`session: SessionDep`,
`service: TaskServiceDep`) and the providers behind them.

The services (app/services/) are plain classes that know nothing of FastAPI: a script, a worker
or a test builds one directly; routes get theirs from here.
"""

from typing import Annotated

from fastapi import Depends
from sqlmodel import Session

from app.database import Reader, get_reader, get_session
from app.services.task_service import TaskQueries, TaskService
from app.utils.auth import UserId, current_user_id

SessionDep = Annotated[Session, Depends(get_session)]
ReaderDep = Annotated[Reader, Depends(get_reader)]
CurrentUserId = Annotated[UserId, Depends(current_user_id)]


async def get_task_queries(reader: ReaderDep, user_id: CurrentUserId) -> TaskQueries:
    # The owner is always the authenticated caller: no route can pass another id.
    return TaskQueries(reader, user_id)


async def get_task_service(session: SessionDep, user_id: CurrentUserId) -> TaskService:
    # No I/O here, so async: FastAPI would otherwise spend a threadpool hop on it.
    return TaskService(session, user_id)


TaskQueriesDep = Annotated[TaskQueries, Depends(get_task_queries)]
TaskServiceDep = Annotated[TaskService, Depends(get_task_service)]
