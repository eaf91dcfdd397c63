"""FastAPI's wiring, in one place: the Annotated aliases routes take (`session: SessionDep`,
`service: NoteServiceDep`) and the providers behind them.

The services (app/services/) are plain classes that know nothing of FastAPI: a script, a worker
or a test builds one directly; routes get theirs from here.
"""

from typing import Annotated

from fastapi import Depends, HTTPException, Path
from sqlmodel import Session

from app.database import Reader, get_reader, get_session
from app.services.note_service import NoteQueries, NoteService
from app.utils.auth import UserId, current_user_id

SessionDep = Annotated[Session, Depends(get_session)]
ReaderDep = Annotated[Reader, Depends(get_reader)]
CurrentUserId = Annotated[UserId, Depends(current_user_id)]


async def require_path_user(user_id: Annotated[str, Path()], current: CurrentUserId) -> None:
    """A {user_id} in the path must be the caller's own; queries still use the token's id."""
    if user_id != str(current):
        raise HTTPException(status_code=403, detail="You may only access your own data")


async def get_note_queries(reader: ReaderDep, user_id: CurrentUserId) -> NoteQueries:
    # The owner is always the authenticated caller: no route can pass another id.
    return NoteQueries(reader, user_id)


async def get_note_service(session: SessionDep, user_id: CurrentUserId) -> NoteService:
    # No I/O here, so async: FastAPI would otherwise spend a threadpool hop on it.
    return NoteService(session, user_id)


NoteQueriesDep = Annotated[NoteQueries, Depends(get_note_queries)]
NoteServiceDep = Annotated[NoteService, Depends(get_note_service)]
