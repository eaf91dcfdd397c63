"""The view of auth.accounts the account templates read (models/user.py, schemas/user.py,
routers/auth.py, utils/throttle.py and tests/test_accounts.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sp_backend.emit.fields import FieldView, build_field, py_literal
from sp_backend.plan.accounts import Accounts, LoginAnswer
from sp_backend.plan.model import AuthConfig

WHERE = "auth.accounts"


@dataclass
class AccountsView:
    auth: AuthConfig
    spec: Accounts
    fields: list[FieldView]

    @classmethod
    def of(cls, auth: AuthConfig) -> AccountsView:
        spec = auth.accounts
        fields = [
            build_field("user", name, f, WHERE, owned=False, wire=f.json_name)
            for name, f in spec.fields.items()
        ]
        return cls(auth, spec, fields)

    # --- endpoints ----------------------------------------------------------------------------

    @property
    def paths(self) -> dict[str, str]:
        return self.spec.paths(self.auth.routes_prefix)

    @property
    def logout(self) -> bool:
        return "logout" in self.paths

    @property
    def profile(self) -> bool:
        return "profile" in self.paths

    @property
    def password_change(self) -> bool:
        return "password" in self.paths

    @property
    def public_paths(self) -> list[str]:
        """Account endpoints that take no token."""
        return [self.paths[n] for n in ("register", "login", "token")]

    # --- answers -------------------------------------------------------------------------------

    @property
    def login(self) -> LoginAnswer:
        return self.spec.login_answer

    @property
    def login_is_token(self) -> bool:
        """JSON sign-in answers exactly what the OAuth2 form does."""
        return self.login == LoginAnswer()

    @property
    def login_cls(self) -> str:
        return "Token" if self.login_is_token else "SignedIn"

    @property
    def token_attr(self) -> str:
        """The SignedIn attribute holding the token (the contract's key is its alias)."""
        key = self.login.token_key
        return key if key in ("token", "access_token") else "token"

    @property
    def user_attr(self) -> str:
        key = self.login.user_key
        return key if key in ("user", "account") else "user"

    @property
    def register_cls(self) -> str:
        return self.login_cls if self.spec.register_answer == "login" else "UserPublic"

    @property
    def login_keys(self) -> list[str]:
        a = self.login
        keys = [a.token_key]
        if a.token_type:
            keys.append("token_type")
        if a.expires_in:
            keys.append("expires_in")
        if a.user_key:
            keys.append(a.user_key)
        return keys

    @property
    def user_keys(self) -> list[str]:
        return ["id", "email", *(f.wire for f in self.fields), "created_at"]

    @property
    def token_subscript(self) -> str:
        """Takes the token out of a parsed sign-in answer."""
        return f"[{py_literal(self.login.token_key)}]"

    @property
    def enum_fields(self) -> list[FieldView]:
        return [f for f in self.fields if f.enum_alias]

    @property
    def required_fields(self) -> list[FieldView]:
        return [f for f in self.fields if f.required]

    @property
    def optional_fields(self) -> list[FieldView]:
        return [f for f in self.fields if not f.required]

    @property
    def uses(self) -> set[str]:
        return {f.type for f in self.fields}

    def profile_payload(self, second: bool = False) -> dict[str, Any]:
        """Every profile field with a valid value (the second set differs where it can), under
        its JSON key."""
        return {f.wire: (f.other_valid_value if second else f.valid_value) for f in self.fields}

    def required_payload(self) -> dict[str, Any]:
        return {f.wire: f.valid_value for f in self.required_fields}

    @property
    def invalid_cases(self) -> list[tuple[str, Any, str]]:
        """(JSON key, value, why) that register must refuse."""
        return [(f.wire, value, why) for f in self.fields for value, why in f.invalid_cases]

    @property
    def readme_register_body(self) -> str:
        import json

        body = {"email": "ada@example.com", "password": "a long passphrase 1"}
        return json.dumps(body | self.required_payload(), ensure_ascii=False).replace("'", "")

    @property
    def throttle(self) -> Any:
        return self.spec.throttle


__all__ = ["AccountsView"]
