"""Accounts: registration, password sign-in."""

from pwdlib import PasswordHash
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.models.user import User
from app.schemas.user import UserCreate
from app.utils.auth import UserId

password_hash = PasswordHash.recommended()  # Argon2id
# Checked against when the email is unknown, so a miss costs as long as a wrong password and
# timing does not tell which addresses have accounts.
DUMMY_HASH = password_hash.hash("not-a-real-password: equalises sign-in timing")


class EmailTakenError(Exception):
    """An account with this email exists already."""


def register(session: Session, data: UserCreate) -> User:
    # Hashed before the insert either way, so a taken address answers in the same time.
    hashed = password_hash.hash(data.password)
    user = User(**data.model_dump(exclude={"password"}), password_hash=hashed)
    session.add(user)
    try:
        session.commit()
    except IntegrityError:
        # The unique constraint decides, so two simultaneous sign-ups cannot both succeed.
        session.rollback()
        raise EmailTakenError from None
    session.refresh(user)
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user whose password this is, or None; the same work is done either way."""
    user = session.exec(select(User).where(User.email == email)).first()
    if user is None:
        password_hash.verify(password, DUMMY_HASH)
        return None
    valid, new_hash = password_hash.verify_and_update(password, user.password_hash)
    if not valid:
        return None
    if new_hash is not None:  # hashing parameters were raised since: upgrade the stored hash
        user.password_hash = new_hash
        session.add(user)
        session.commit()
        session.refresh(user)
    return user


def get_user(session: Session, user_id: UserId) -> User | None:
    return session.get(User, user_id)
