"""Schemathesis against every generated example: each backend is migrated, served with uvicorn
on SQLite, authenticated (a development token; a registered account where the API issues its
own tokens; tokens signed by a local key server in JWKS mode) and fuzzed with a fixed seed, at
least 100 examples per operation, all checks (stateful where the OpenAPI links operations).

Zero failures allowed. The case counts are printed (`pytest -s` shows them)."""

from __future__ import annotations

import contextlib
import http.server
import json
import re
import shutil
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import jwt
import pytest
from live_backend import BIN, backend_env, devtoken, migrate, run_in, serve

from conftest import EXAMPLES, PLAN_FIXTURES, make_project, sp_backend

pytest.importorskip("schemathesis")

from sp_backend.plan.load import load_plan
from sp_backend.plan.model import AuthConfig

TASK_CRUD = EXAMPLES / "task-crud" / "specs" / "backend" / "task-crud.plan.yaml"
LOCAL = EXAMPLES / "local-auth" / "specs" / "backend"
# Each example: its plans, emitted in this order into one backend (the last names the run).
PLANS: dict[str, list[Path]] = {
    "task-crud": [TASK_CRUD],
    "habits": [EXAMPLES / "shared-secret-path" / "specs" / "backend" / "habits.plan.yaml"],
    "local-auth": [LOCAL / "authentication.plan.yaml", LOCAL / "notes.plan.yaml"],
    "jwks": [EXAMPLES / "jwks" / "specs" / "backend" / "projects.plan.yaml"],
    "task-crud-auth": [
        TASK_CRUD,
        EXAMPLES / "task-crud-auth" / "specs" / "backend" / "authentication.plan.yaml",
    ],
    **{p.name.removesuffix(".plan.yaml"): [p] for p in sorted(PLAN_FIXTURES.glob("*.plan.yaml"))},
}
EXAMPLES_PER_OPERATION = 100
SEED = 20261126
HOOKS = Path(__file__).resolve().parent / "schemathesis_hooks.py"
SPEC_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "specs"
FUZZ_PASSWORD = "fuzz-Password-12345"  # the fuzzer's own account
# The tenant the fuzzer's token names, by auth.tenant_id_type.
FUZZ_TENANTS = {"str": "fuzz-tenant", "uuid": "0b8f1c2d-3e4f-4a5b-9c6d-7e8f9a0b1c2d", "int": "77"}


def _unstated_rules(plan_files: list[Path]) -> dict[str, object]:
    """The rules JSON Schema cannot state (see schemathesis_hooks.py), read from the plans."""
    clock: dict[str, str] = {}
    cursors: list[str] = []
    resources = [item for f in plan_files for item in load_plan(f).resources.items()]
    for _, resource in resources:
        for field, spec in resource.fields.items():
            for rule in spec.input_rules:
                if rule in ("future", "past"):
                    clock[field] = rule
        listing = resource.operations.list
        if listing is not None and listing.pagination.style == "cursor":
            cursors.append(listing.pagination.cursor_param)
    rules: dict[str, object] = {"clock": clock, "cursor_params": cursors}
    local = next((p.auth for p in map(load_plan, plan_files) if p.auth.mode == "local"), None)
    if local is not None and local.accounts.password_path:
        rules["password_change"] = {
            "path": local.accounts.password_path,
            "current_key": local.accounts.current_password_key,
            "new_key": local.accounts.new_password_key,
            "password": FUZZ_PASSWORD,
        }
    return rules


def _assert_described(doc: dict, rules: dict) -> None:
    """Each rule the hooks adjust for is one the OpenAPI says in words, where a client reads."""
    properties = {
        name: prop
        for schema in doc.get("components", {}).get("schemas", {}).values()
        for name, prop in schema.get("properties", {}).items()
    }
    for field, rule in rules["clock"].items():
        words = properties[field].get("description", "")
        said = ("later", "after") if rule == "future" else ("earlier", "before")
        assert any(word in words for word in said), (field, words)
        assert "request is made" in words, (field, words)
    parameters = [
        parameter
        for item in doc["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict)
        for parameter in operation.get("parameters", [])
    ]
    for parameter in parameters:
        if parameter["name"] in rules["cursor_params"]:
            assert "opaque" in parameter["description"], parameter
            assert parameter["schema"]["anyOf"][0]["pattern"], parameter
        if parameter["name"].lower() == "idempotency-key":
            assert "new key for each new create" in parameter["description"], parameter


def _user_id(plan_files: list[Path]) -> str:
    kind = load_plan(plan_files[-1]).auth.user_id_type
    return {"int": "4242", "uuid": "3f0c6b1e-8a4d-4c57-9a6e-1d2b3c4d5e6f"}.get(kind, "fuzz-user-1")


def _post_json(url: str, body: dict[str, object], token: str = "") -> dict:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body else None
    request = urllib.request.Request(url, data=data, headers=headers)
    with urllib.request.urlopen(request, timeout=20) as response:
        return json.loads(response.read())


# A valid value of each profile field type, for the fuzzer's own account (within the bounds
# the fixtures state: short text, small numbers).
_PROFILE_SAMPLES = {"str": "Fuzzer", "text": "Fuzzer", "int": 7, "float": 7.0, "bool": False}


def _sign_up(
    base_url: str, auth: AuthConfig, grant: Callable[[str], None] | None = None
) -> tuple[str, str]:
    """Register and log in through the API at the plan's account paths; return the token and
    the account's id. `grant` gives the new account a role (by email) before it signs in."""
    accounts = auth.accounts
    paths = accounts.paths(auth.routes_prefix)
    account: dict[str, object] = {"email": "fuzzer@example.com", "password": FUZZ_PASSWORD}
    for name, spec in accounts.fields.items():
        if spec.required and spec.values:
            account[name] = spec.values[0]
        elif spec.required:
            account[name] = _PROFILE_SAMPLES.get(spec.type, "2030-01-01")  # a date
    _post_json(base_url + paths["register"], account)
    if grant is not None:
        grant(str(account["email"]))
    credentials = {"email": account["email"], "password": account["password"]}
    token = _post_json(base_url + paths["login"], credentials)[accounts.login_answer.token_key]
    headers = {"Authorization": f"Bearer {token}"}
    me = urllib.request.Request(base_url + paths["me"], headers=headers)
    with urllib.request.urlopen(me, timeout=20) as response:
        return token, str(json.loads(response.read())["id"])


class KeyServer:
    """A JSON Web Key Set for one fresh ES256 key on 127.0.0.1, and tokens signed with it."""

    def __enter__(self) -> KeyServer:
        from cryptography.hazmat.primitives.asymmetric import ec
        from jwt.algorithms import ECAlgorithm

        self.key = ec.generate_private_key(ec.SECP256R1())
        public = json.loads(ECAlgorithm.to_jwk(self.key.public_key()))
        body = json.dumps({"keys": [{**public, "kid": "fuzz-key", "alg": "ES256"}]}).encode()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/jwks.json"
        return self

    def token(self, auth: object, user_id: str) -> str:
        now = int(time.time())
        claims = {auth.user_id_claim: user_id, "iat": now, "exp": now + 3600}
        if auth.issuer:
            claims["iss"] = auth.issuer
        if auth.audience:
            claims["aud"] = auth.audience
        if auth.tenant_claim:
            claims[auth.tenant_claim] = FUZZ_TENANTS[auth.tenant_id_type]
        return jwt.encode(claims, self.key, algorithm="ES256", headers={"kid": "fuzz-key"})

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()


@pytest.mark.parametrize("feature", list(PLANS))
def test_schemathesis_finds_nothing(feature: str, tmp_path: Path) -> None:
    with contextlib.ExitStack() as stack:
        _run_schemathesis(feature, PLANS[feature], tmp_path, stack)


# Spec fixtures whose contracts shape the accounts (paths, profile fields, sign-in answers) or
# every answer (JSend, the page inside its data, a delete's bare marker): the plan gather
# writes, unedited, fuzzed like the examples.
GATHERED = {
    "allotment-accounts": "plots",
    "observatory-ddl": "observing",
    "bike-coop-openapi": "repairs",
    "radio-schedule": "shows",
}


@pytest.mark.parametrize("fixture", list(GATHERED))
def test_schemathesis_finds_nothing_on_gathered_accounts(fixture: str, tmp_path: Path) -> None:
    specs = tmp_path / "specs-root"
    shutil.copytree(SPEC_FIXTURES / fixture, specs, ignore=shutil.ignore_patterns("expected*"))
    gathered = sp_backend("gather", GATHERED[fixture], "--root", str(specs))
    assert gathered.returncode == 0, gathered.stderr
    plan = specs / "specs" / "backend" / f"{GATHERED[fixture]}.plan.yaml"
    with contextlib.ExitStack() as stack:
        _run_schemathesis(fixture, [plan], tmp_path / "fuzz", stack)


def _run_schemathesis(
    feature: str, plan_files: list[Path], tmp_path: Path, stack: contextlib.ExitStack
) -> None:
    root = make_project(tmp_path, *plan_files)
    for plan_file in plan_files:
        emitted = sp_backend("emit", load_plan(plan_file).feature, "--root", str(root))
        assert emitted.returncode == 0, emitted.stderr
    backend = root / "backend"
    env = backend_env(f"sqlite:///{tmp_path}/fuzz.db")
    migrate(backend, env)
    auths = [p.auth for p in map(load_plan, plan_files)]
    local = next((a for a in auths if a.mode == "local"), None)
    jwks = next((a for a in auths if a.mode == "jwks"), None)
    user_id = _user_id(plan_files)
    keys = None
    if jwks:  # tokens from a provider: serve its keys here and sign as it would
        keys = stack.enter_context(KeyServer())
        env[jwks.jwks_url_env] = keys.url
        token = keys.token(jwks, user_id)
    else:
        mode = "none" if all(a.mode == "none" for a in auths) else ""
        # Every role the plans name: schemathesis reaches each role-gated operation too.
        named = [
            r.access.role_names for p in map(load_plan, plan_files) for r in p.resources.values()
        ]
        roles = sorted({role for names in named for role in names})
        # A tenant's rows are reached with a token naming a tenant (auth.tenant_claim).
        scoped = next((a for a in auths if a.tenant_claim), None)
        tenant = None if scoped is None else FUZZ_TENANTS[scoped.tenant_id_type]
        token = "" if local else devtoken(backend, env, user_id, mode, roles, tenant)
    rules = _unstated_rules(plan_files)
    with serve(backend, env, tmp_path / "server.log") as server:
        with urllib.request.urlopen(f"{server.url}/openapi.json", timeout=20) as response:
            _assert_described(json.loads(response.read()), rules)
        if local:  # a real account, so /me and every owned route see an existing user
            grant = None
            if local.role_column and roles:  # the account's role, as an operator grants it

                def grant(email: str) -> None:
                    command = [sys.executable, "-m", "app.roles", "grant", email, roles[0]]
                    result = run_in(backend, command, env)
                    assert result.returncode == 0, result.stderr

            token, user_id = _sign_up(server.url, local, grant)
        run_env = {
            **env,
            "SCHEMATHESIS_HOOKS": "schemathesis_hooks",
            "PYTHONPATH": str(HOOKS.parent),
            "SPB_FUZZ_RULES": json.dumps(rules),
        }
        # A {user_id} in the path must be the token's: pin it, or every call is a 403.
        config = tmp_path / "schemathesis.toml"
        config.write_text(f'[parameters]\n"path.user_id" = "{user_id}"\n', encoding="utf-8")
        result = run_in(
            tmp_path,
            [
                str(BIN / "schemathesis"),
                "--config-file",
                str(config),
                "run",
                f"{server.url}/openapi.json",
                # No header for an API without authentication (auth.mode none).
                *(["--header", f"Authorization: Bearer {token}"] if token else []),
                "--checks",
                "all",
                "--max-examples",
                str(EXAMPLES_PER_OPERATION),
                "--seed",
                str(SEED),
                "--generation-database",
                "none",
                "--workers",
                "1",
                "--no-color",
                "--request-timeout",
                "20",
            ],
            run_env,
            timeout=900,
        )
        server_log = server.output()
    output = result.stdout + result.stderr
    counts = re.search(r"Test cases:\s*\n\s*(.+)", output)
    operations = re.search(r"Tested: (\d+)", output)
    print(
        f"\nschemathesis {feature}: {operations.group(1) if operations else '?'} operations, "
        f"{counts.group(1).strip() if counts else 'no count'}",
        file=sys.stderr,
    )
    assert result.returncode == 0, output[-12000:] + "\n--- server log ---\n" + server_log[-3000:]
    assert counts and "generated" in counts.group(1)
    assert "Traceback" not in server_log, server_log[-4000:]
