"""The accounts of auth.mode local, as the contract writes them: the users table's profile
fields, the endpoints' paths, what sign-in answers, and the abuse limits.

Every default reproduces what the generator served before these keys existed (register, login,
token and me under auth.routes_prefix; login answers {access_token, token_type, expires_in});
logout, profile update and password change are served only when the plan names their path."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from sp_backend.plan.model import FieldSpec, Identifier, _Strict

# The users table's own columns and the names the account endpoints read: not profile fields.
ACCOUNT_COLUMNS = frozenset({"id", "email", "password", "password_hash", "created_at"})
JSON_KEY = r"^[A-Za-z_][A-Za-z0-9_]{0,62}$"
PROFILE_TYPES = ("str", "text", "int", "float", "bool", "enum", "date")


AccountRoute = Literal["register", "login", "token", "me", "logout", "profile", "password"]


class LoginAnswer(_Strict):
    """The body of a successful sign-in (the OAuth2 form always answers access_token and
    token_type, as RFC 6749 requires)."""

    token_key: str = Field(
        "access_token", pattern=JSON_KEY, description="Key holding the token (token, jwt, ...)."
    )
    token_type: bool = Field(True, description='Include "token_type": "bearer".')
    expires_in: bool = Field(True, description="Include expires_in (seconds).")
    user_key: str | None = Field(
        None, pattern=JSON_KEY, description="Key holding the account ({token, user: {...}})."
    )

    @model_validator(mode="after")
    def _distinct(self) -> LoginAnswer:
        keys = [self.token_key, self.user_key, "token_type", "expires_in"]
        if self.user_key in ("token_type", "expires_in") or self.token_key in (
            self.user_key,
            "token_type",
            "expires_in",
        ):
            raise ValueError(f"login answer keys must be distinct, not {keys}")
        return self


class LoginThrottle(_Strict):
    """Failed sign-ins allowed per account and per client address in a window; past either
    limit sign-in answers 429 with Retry-After until the window's oldest failure ages out."""

    per_account: int = Field(5, ge=1, le=1000)
    per_address: int = Field(20, ge=1, le=100_000)
    window_seconds: int = Field(900, ge=1, le=86_400)
    max_tracked: int = Field(
        10_000, ge=100, le=10_000_000, description="Bound on the keys remembered (memory)."
    )


class Accounts(_Strict):
    fields: dict[Identifier, FieldSpec] = Field(
        default_factory=dict,
        description="Profile fields of the users table beyond email and password (full_name, "
        "display_name, avatar_url, ...): given on register (required ones must be), shown in "
        "register/me answers, editable through the profile update when there is one.",
    )
    register_path: str | None = Field(
        None,
        pattern=r"^(/[a-z0-9_-]+)+$",
        description="POST: create an account. Default: {routes_prefix}/register.",
    )
    login_path: str | None = Field(
        None, pattern=r"^(/[a-z0-9_-]+)+$", description="POST JSON sign-in. Default: .../login."
    )
    token_path: str | None = Field(
        None,
        pattern=r"^(/[a-z0-9_-]+)+$",
        description="POST OAuth2 password form (/docs Authorize). Default: .../token.",
    )
    me_path: str | None = Field(
        None,
        pattern=r"^(/[a-z0-9_-]+)+$",
        description="GET the signed-in account. Default: .../me.",
    )
    logout_path: str | None = Field(
        None,
        pattern=r"^(/[a-z0-9_-]+)+$",
        description="POST sign-out; tokens are stateless, the answer says so. Null: not served.",
    )
    logout_status: Literal[200, 204] = 200
    profile_path: str | None = Field(
        None,
        pattern=r"^(/[a-z0-9_-]+)+$",
        description="Update the signed-in account's profile fields. Null: not served.",
    )
    profile_method: Literal["PATCH", "PUT"] = "PATCH"
    password_path: str | None = Field(
        None,
        pattern=r"^(/[a-z0-9_-]+)+$",
        description="Change the password (the current one required). Null: not served.",
    )
    password_method: Literal["POST", "PUT", "PATCH"] = "POST"
    password_status: Literal[200, 204] = 204
    current_password_key: str = Field("current_password", pattern=JSON_KEY)
    new_password_key: str = Field("new_password", pattern=JSON_KEY)
    wrong_password_status: Literal[400, 401, 403] = Field(
        400, description="Password change with a wrong current password."
    )
    register_status: Literal[200, 201] = 201
    register_answer: Literal["user", "login"] = Field(
        "user", description="user: the account; login: what sign-in answers (201)."
    )
    login_answer: LoginAnswer = Field(default_factory=LoginAnswer)
    owner_on_delete: Literal["cascade", "restrict"] = Field(
        "cascade",
        description="What deleting an account does to the rows it owns: the owner column of "
        "every owned resource is a foreign key to users.id. cascade: they are deleted with it; "
        "restrict: the delete is refused while it owns rows. (set_null is not possible: an "
        "owned row always has an owner.)",
    )
    throttle: LoginThrottle = Field(default_factory=LoginThrottle)
    sources: dict[AccountRoute, str] = Field(
        default_factory=dict,
        description="Where the contract states each account route, file:line (gather fills it).",
        examples=[{"register": "specs/api/auth.md:12", "login": "specs/api/auth.md:30"}],
    )
    source: str | None = None

    @field_validator("owner_on_delete", mode="before")
    @classmethod
    def _owner_kept(cls, value: object) -> object:
        if value in ("set_null", "set null"):
            raise ValueError(
                "set_null is not possible for the owner column: it is NOT NULL, every owned row "
                "has an owner; use cascade (the rows go with the account) or restrict (the "
                "account cannot be deleted while it owns rows)"
            )
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Accounts:
        for name, spec in self.fields.items():
            where = f"profile field {name!r}"
            if name in ACCOUNT_COLUMNS or name in (
                self.current_password_key,
                self.new_password_key,
            ):
                raise ValueError(
                    f"{where}: the name is taken by the account itself ({sorted(ACCOUNT_COLUMNS)}"
                    " and the password change keys)"
                )
            if spec.unique:
                raise ValueError(f"{where}: unique profile fields are not supported (email is)")
            if spec.read_only:
                raise ValueError(f"{where}: profile fields are the user's own; drop read_only")
            if spec.type not in PROFILE_TYPES:
                raise ValueError(
                    f"{where}: type {spec.type} is not supported for profile fields "
                    f"(use one of {list(PROFILE_TYPES)})"
                )
            if set(spec.input_rules) - {"not_blank"}:
                raise ValueError(f"{where}: only the input rule not_blank applies to profiles")
        wires = [spec.json_name or name for name, spec in self.fields.items()]
        taken = [w for w in wires if w in ACCOUNT_COLUMNS or wires.count(w) > 1]
        if taken:
            raise ValueError(
                f"profile json_name {taken[0]!r}: the key is taken by the account itself or by "
                "another profile field; expected a key of its own"
            )
        if self.current_password_key == self.new_password_key:
            raise ValueError("current_password_key and new_password_key must differ")
        return self

    def paths(self, prefix: str) -> dict[str, str]:
        """Every served account endpoint's path by name (register, login, token, me, and the
        optional logout, profile and password)."""
        found = {
            "register": self.register_path or f"{prefix}/register",
            "login": self.login_path or f"{prefix}/login",
            "token": self.token_path or f"{prefix}/token",
            "me": self.me_path or f"{prefix}/me",
        }
        for name in ("logout", "profile", "password"):
            path = getattr(self, f"{name}_path")
            if path:
                found[name] = path
        return found

    def clashes(self, prefix: str) -> str | None:
        """Why two account endpoints cannot share their path and method (None when fine)."""
        methods = {
            "register": "POST",
            "login": "POST",
            "token": "POST",
            "me": "GET",
            "logout": "POST",
            "profile": self.profile_method,
            "password": self.password_method,
        }
        seen: dict[tuple[str, str], str] = {}
        for name, path in self.paths(prefix).items():
            key = (methods[name], path)
            if key in seen:
                return f"{seen[key]} and {name} are both {key[0]} {path}"
            seen[key] = name
        return None


def path_collides(path: str, resource_path: str) -> bool:
    """An account endpoint shadowed by (or shadowing) a resource's /{id} route."""
    pattern = re.escape(resource_path).replace(r"\{user_id\}", "[^/]+") + r"(/[^/]+)?"
    return re.fullmatch(pattern, path) is not None


__all__ = ["ACCOUNT_COLUMNS", "Accounts", "LoginAnswer", "LoginThrottle", "path_collides"]
