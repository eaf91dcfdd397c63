"""Print a signed token for local testing: python -m app.devtoken USER_ID [--minutes N].

Tokens normally come from this API's login; this lets /docs, curl and
test tools call the API on a developer machine. It refuses to run outside development.

The account the token names is created if it does not exist (dev-<id>@example.com, with no
password that signs in): the rows a user owns refer to their account (a foreign key).
"""

import argparse
import sys
import time

import jwt
from pydantic import ValidationError
from sqlmodel import Session

from app.config import get_settings
from app.database import engine
from app.models.user import User
from app.schemas.user import UserCreate
from app.utils.auth import ALGORITHMS, USER_ID_CLAIM, UserId, parse_user_id


def ensure_account(user_id: UserId) -> None:
    """Create the development account if there is none: the profile's required fields are
    validated by the register schema (the password only passes it and is dropped: the hash
    "!" is no Argon2 hash, so no password signs in). Raises ValidationError when the id makes
    no valid address."""
    with Session(engine) as session:
        if session.get(User, user_id) is not None:
            return
        account = UserCreate.model_validate(
            {
                "email": f"dev-{user_id}@example.com",
                "password": "42 Correct horse battery staple",
            }
        ).model_dump(exclude={"password"})
        session.add(User(id=user_id, **account, password_hash="!"))
        session.commit()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.devtoken", description=__doc__)
    parser.add_argument("user_id", help="the user id the token carries")
    parser.add_argument("--minutes", type=int, default=60, help="lifetime (default: 60)")
    args = parser.parse_args(argv)
    settings = get_settings()
    if settings.environment != "development":
        print(
            "refusing: development tokens are only issued when ENVIRONMENT=development",
            file=sys.stderr,
        )
        return 1
    try:
        user_id = parse_user_id(args.user_id)
    except ValueError as exc:
        print(f"invalid user id: {exc}", file=sys.stderr)
        return 2
    try:
        ensure_account(user_id)
    except ValidationError as exc:
        print(f"cannot create the account dev-{user_id}@example.com: {exc}", file=sys.stderr)
        return 2
    now = int(time.time())
    claims = {USER_ID_CLAIM: str(user_id), "iat": now, "exp": now + args.minutes * 60}
    if settings.jwt_issuer:
        claims["iss"] = settings.jwt_issuer
    if settings.jwt_audience:
        claims["aud"] = settings.jwt_audience
    secret = settings.app_jwt_secret.get_secret_value()
    print(jwt.encode(claims, secret, algorithm=ALGORITHMS[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
