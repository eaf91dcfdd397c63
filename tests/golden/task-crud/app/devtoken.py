"""Print a signed token for local testing: python -m app.devtoken USER_ID [--minutes N].

Tokens normally come from the identity provider; this lets /docs, curl and
test tools call the API on a developer machine. It refuses to run outside development.
"""

import argparse
import sys
import time

import jwt

from app.config import get_settings
from app.utils.auth import ALGORITHMS, USER_ID_CLAIM, parse_user_id


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
    now = int(time.time())
    claims = {USER_ID_CLAIM: str(user_id), "iat": now, "exp": now + args.minutes * 60}
    if settings.jwt_issuer:
        claims["iss"] = settings.jwt_issuer
    if settings.jwt_audience:
        claims["aud"] = settings.jwt_audience
    secret = settings.better_auth_secret.get_secret_value()
    print(jwt.encode(claims, secret, algorithm=ALGORITHMS[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
