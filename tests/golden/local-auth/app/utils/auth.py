"""Bearer-token authentication: who is calling, taken only from a verified token."""

import hashlib
import time
from typing import Annotated, Any

import jwt
from fastapi import Depends, HTTPException, status
from fastapi.security import OAuth2PasswordBearer

from app.config import Settings, get_settings
from app.utils.logging import security_event

# Pinned: the token's own "alg" header never chooses how it is verified.
ALGORITHMS = ["HS256"]
USER_ID_CLAIM = "sub"
# Longer than any real access token: refused before it is parsed or remembered.
MAX_TOKEN_LENGTH = 8192
# RFC 7519 NumericDate claims: a number, never a string that looks like one.
NUMERIC_CLAIMS = ("exp", "iat", "nbf")

UserId = str

# /docs "Authorize" signs in through the password form at this URL. auto_error=False: a
# missing header is answered by our 401 (with WWW-Authenticate) in the error envelope.
bearer_scheme = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)


class VerifiedTokens:
    """Tokens that passed every check in decode_token, remembered until they expire.

    Checking a signature and parsing claims is the largest CPU cost of a simple request. The
    key is the token's SHA-256 digest (32 bytes whatever the token's size, and no token kept
    in memory), so only a token that was verified in full is ever accepted from here, and
    expiry is checked again on every use. At most `size` entries of fixed size.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: dict[bytes, tuple[UserId, float]] = {}

    def get(self, token: str, leeway: float) -> UserId | None:
        entry = self._entries.get(_digest(token))
        if entry is None:
            return None
        user_id, expires_at = entry
        if time.time() >= expires_at + leeway:  # the rule PyJWT applies to "exp"
            self._entries.pop(_digest(token), None)
            return None
        return user_id

    def add(self, token: str, user_id: UserId, expires_at: float) -> None:
        if self.size <= 0:
            return
        if len(self._entries) >= self.size:
            self._entries.clear()  # simple, and safe across threads; it refills as callers return
        self._entries[_digest(token)] = (user_id, float(expires_at))

    def clear(self) -> None:
        self._entries.clear()


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


verified_tokens = VerifiedTokens(get_settings().verified_token_cache_size)


def unauthorized(message: str) -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail=message,
        headers={"WWW-Authenticate": "Bearer"},
    )


def decode_token(token: str, settings: Settings) -> dict[str, Any]:
    """Verify signature, expiry (required) and, when configured, issuer and audience."""
    key = settings.app_jwt_secret.get_secret_value()
    claims: dict[str, Any] = jwt.decode(
        token,
        key,
        algorithms=ALGORITHMS,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        leeway=settings.jwt_leeway_seconds,
        options={
            "require": ["exp", USER_ID_CLAIM],
            "verify_aud": settings.jwt_audience is not None,
            "verify_iss": settings.jwt_issuer is not None,
        },
    )
    for name in NUMERIC_CLAIMS:
        value = claims.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise jwt.InvalidTokenError(f"{name} must be a number")
    return claims


def parse_user_id(raw: object) -> UserId:
    if not isinstance(raw, str) or not raw or len(raw) > 255:
        raise ValueError("user id must be a non-empty string")
    return raw


def issue_token(user_id: UserId, settings: Settings) -> str:
    """A signed access token for a user who just proved their password."""
    now = int(time.time())
    claims: dict[str, object] = {
        "sub": str(user_id),
        "iat": now,
        "exp": now + settings.access_token_minutes * 60,
    }
    if settings.jwt_issuer:
        claims["iss"] = settings.jwt_issuer
    if settings.jwt_audience:
        claims["aud"] = settings.jwt_audience
    secret = settings.app_jwt_secret.get_secret_value()
    return jwt.encode(claims, secret, algorithm=ALGORITHMS[0])


# Async: verifying an HMAC-signed token is a few microseconds of CPU, not worth a thread hop.
async def current_user_id(
    token: Annotated[str | None, Depends(bearer_scheme)],
) -> UserId:
    settings = get_settings()
    if not token:
        raise unauthorized("Not authenticated")
    if len(token) > MAX_TOKEN_LENGTH:
        security_event("token_refused", reason="too long", length=len(token))
        raise unauthorized("Invalid or expired token")
    user_id = verified_tokens.get(token, settings.jwt_leeway_seconds)
    if user_id is not None:
        return user_id
    try:
        claims = decode_token(token, settings)
        user_id = parse_user_id(claims[USER_ID_CLAIM])
    except (jwt.PyJWTError, KeyError, ValueError, TypeError) as exc:
        # The reason is the exception's class (ExpiredSignatureError, ...): never the token.
        security_event("token_refused", reason=exc.__class__.__name__)
        raise unauthorized("Invalid or expired token") from None
    verified_tokens.add(token, user_id, claims["exp"])
    return user_id
