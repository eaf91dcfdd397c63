"""Dependencies the routers share, as Annotated aliases: `session: SessionDep`."""

from typing import Annotated

from fastapi import Depends
from sqlmodel import Session

from app.database import Reader, get_reader, get_session
from app.utils.auth import UserId, current_user_id

SessionDep = Annotated[Session, Depends(get_session)]
ReaderDep = Annotated[Reader, Depends(get_reader)]
CurrentUserId = Annotated[UserId, Depends(current_user_id)]
