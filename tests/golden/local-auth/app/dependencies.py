"""Dependencies the routers share, as Annotated aliases: `session: SessionDep`."""

from typing import Annotated

from fastapi import Depends, HTTPException, Path
from sqlmodel import Session

from app.database import Reader, get_reader, get_session
from app.utils.auth import UserId, current_user_id

SessionDep = Annotated[Session, Depends(get_session)]
ReaderDep = Annotated[Reader, Depends(get_reader)]
CurrentUserId = Annotated[UserId, Depends(current_user_id)]


async def require_path_user(user_id: Annotated[str, Path()], current: CurrentUserId) -> None:
    """A {user_id} in the path must be the caller's own; queries still use the token's id."""
    if user_id != str(current):
        raise HTTPException(status_code=403, detail="You may only access your own data")
