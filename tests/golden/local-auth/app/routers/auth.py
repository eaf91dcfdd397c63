"""Accounts: this API registers users and issues its own tokens.

Tokens are stateless JWTs: signing out cannot revoke one, it stays valid until it expires
(30 minutes after sign-in); clients discard it."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordRequestForm
from sqlmodel import Session

from app.config import Settings, get_settings
from app.dependencies import CurrentUserId, SessionDep
from app.models.user import User
from app.schemas.user import LoginRequest, Token, UserCreate, UserPublic
from app.services import user_service
from app.utils.auth import UserId, issue_token, unauthorized
from app.utils.errors import ERROR_RESPONSES, ErrorResponse, Responses
from app.utils.logging import security_event
from app.utils.throttle import (
    LoginThrottle,
    TooManyAttempts,
    account_key,
    address_key,
    get_login_throttle,
    too_many_attempts,
)

SettingsDep = Annotated[Settings, Depends(get_settings)]
ThrottleDep = Annotated[LoginThrottle, Depends(get_login_throttle)]
# One message for an unknown email and a wrong password: it must not tell them apart.
SIGN_IN_FAILED = "Incorrect email or password"
THROTTLED: Responses = {429: {"model": ErrorResponse, "description": "Too many failed attempts"}}

router = APIRouter(tags=["auth"], responses=ERROR_RESPONSES)


@router.post(
    "/api/auth/register",
    status_code=201,
    response_model=UserPublic,
    responses={
        409: {"model": ErrorResponse, "description": "Email already registered"},
        **THROTTLED,
    },
)
def register(
    data: UserCreate,
    request: Request,
    session: SessionDep,
    throttle: ThrottleDep,
) -> User:
    # A taken address answers 409 (the contract asks for it); those answers count as failures
    # of the caller's address, so addresses cannot be probed faster than sign-in allows.
    address = address_key(request.client.host if request.client else None)
    try:
        throttle.check(address)
    except TooManyAttempts as exc:
        raise too_many_attempts(exc) from None
    try:
        user = user_service.register(session, data)
    except user_service.EmailTakenError:
        throttle.failed(address)
        raise HTTPException(
            status_code=status.HTTP_409_CONFLICT,
            detail="An account with this email already exists",
        ) from None
    return user


@router.post("/api/auth/login", response_model=Token, responses=THROTTLED)
def login(
    data: LoginRequest,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    throttle: ThrottleDep,
) -> Token:
    user = _sign_in(session, throttle, request, data.email, data.password)
    return _token(user, settings)


@router.post("/api/auth/token", response_model=Token, responses=THROTTLED)
def token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    throttle: ThrottleDep,
) -> Token:
    """The OAuth2 password flow behind /docs "Authorize": the username is the email."""
    if len(form.username) > 320 or len(form.password) > 128:
        raise unauthorized(SIGN_IN_FAILED)
    email = form.username.strip().lower()
    return _token(_sign_in(session, throttle, request, email, form.password), settings)


@router.get("/api/auth/me", response_model=UserPublic)
def me(user_id: CurrentUserId, session: SessionDep) -> User:
    return _account(session, user_id)


def _account(session: Session, user_id: UserId) -> User:
    user = user_service.get_user(session, user_id)
    if user is None:  # a valid token for an account that no longer exists
        raise unauthorized("Invalid or expired token")
    return user


def _sign_in(
    session: Session, throttle: LoginThrottle, request: Request, email: str, password: str
) -> User:
    keys = (account_key(email), address_key(request.client.host if request.client else None))
    # A digest, not the address: enough to see repeated attempts on one account, and a
    # password typed into the email field never reaches the logs.
    account = keys[0].removeprefix("account:")[:16]
    try:
        throttle.check(*keys)
    except TooManyAttempts as exc:
        security_event("sign_in_throttled", account=account)
        raise too_many_attempts(exc) from None
    user = user_service.authenticate(session, email, password)
    if user is None:
        throttle.failed(*keys)
        security_event("sign_in_failed", account=account)
        raise unauthorized(SIGN_IN_FAILED)
    throttle.succeeded(keys[0])
    return user


def _token(user: User, settings: Settings) -> Token:
    return Token(
        access_token=issue_token(user.id, settings),
        expires_in=settings.access_token_minutes * 60,
    )
