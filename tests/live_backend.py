"""Run a generated backend for real: migrate a fresh database with Alembic, mint a development
token, serve it with uvicorn on a free 127.0.0.1 port, stop it afterwards."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def backend_env(database_url: str, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "TEST_DATABASE_URL", "ENVIRONMENT")
    }
    env.update(ENVIRONMENT="development", DATABASE_URL=database_url, LOG_LEVEL="WARNING", **extra)
    return env


def run_in(
    backend: Path, args: list[str], env: dict[str, str], timeout: int = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, check=False, cwd=backend, env=env, capture_output=True, text=True, timeout=timeout
    )


def migrate(backend: Path, env: dict[str, str]) -> None:
    result = run_in(backend, [sys.executable, "-m", "alembic", "upgrade", "head"], env)
    assert result.returncode == 0, result.stderr[-3000:]


def devtoken(
    backend: Path,
    env: dict[str, str],
    user_id: str,
    mode: str = "",
    roles: tuple[str, ...] | list[str] = (),
    tenant: str | None = None,
) -> str:
    """A development token (holding `roles`, for a plan with auth.roles_claim); "" when the
    plan's auth.mode is none: that backend has no app/devtoken.py to run, and answers without
    a token."""
    if mode == "none":
        return ""
    role_args = [arg for role in roles for arg in ("--role", role)]
    if tenant is not None:  # a plan with auth.tenant_claim: the tenant the token names
        role_args += ["--tenant", tenant]
    command = [sys.executable, "-m", "app.devtoken", user_id, *role_args]
    result = run_in(backend, command, env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@dataclass
class Server:
    url: str
    process: subprocess.Popen[str]
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def wait_until_up(url: str, process: subprocess.Popen[str], timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2):
                return True
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    return False


@contextmanager
def serve(backend: Path, env: dict[str, str], log: Path) -> Iterator[Server]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "app.main:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            cwd=backend,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
    server = Server(url, process, log)
    try:
        assert wait_until_up(url, process), f"server did not start:\n{server.output()[-3000:]}"
        yield server
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
