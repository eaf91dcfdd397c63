#!/usr/bin/env python3
"""Benchmark the generated backend side by side with the anchors in ../shared/bench.

    python bench/run.py [--rows N] [--seconds S] [--out DIR] [--smoke]
    python bench/run.py --scale [--scale-rows N ...] [--seconds S] [--out DIR]

Generates the task example backend (with the claim and secret names the anchors use), seeds
PostgreSQL with N tasks for each of two users, starts each app under uvicorn as in production
and drives every operation with wrk (32 connections, one client process on loopback). Writes
DIR/results.json, DIR/results.md and DIR/results.png, and prints the generator's own timings.

Needs: wrk (Debian package), PostgreSQL (SPB_POSTGRES_URL, default
postgresql://postgres@127.0.0.1:5432/test; each run makes and drops its own databases), and
`pip install -e ".[bench]"`. Exit status 1 if any request failed or answered non-2xx.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path

import psycopg

REPO = Path(__file__).resolve().parents[1]
ANCHORS = REPO.parent / "shared" / "bench"
LUA = Path(__file__).resolve().parent / "lua"
EXAMPLE_PLAN = (
    REPO / "assets" / "examples" / "task-crud" / "specs" / "backend" / "task-crud.plan.yaml"
)
ADMIN_URL = os.environ.get("SPB_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
# Random for each run: the generated backend runs as production, which refuses weak secrets.
SECRET = secrets.token_hex(32)
USERS = ("11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222")
PY = sys.executable
OPERATIONS = [
    "list_first",
    "list_deep",
    "list_cursor_deep",
    "list_filtered",
    "get",
    "create",
    "patch",
    "delete",
]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- databases --------------------------------------------------------------------------------


@contextmanager
def database(label: str):
    name = f"spb_bench_{label}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def sqlalchemy_url(url: str, driver: str = "psycopg") -> str:
    return url.replace("postgresql://", f"postgresql+{driver}://", 1)


def token(user: str) -> str:
    import jwt

    now = int(time.time())
    return jwt.encode(
        {"user_id": user, "iat": now, "exp": now + 6 * 3600}, SECRET, algorithm="HS256"
    )


# --- the generated backend --------------------------------------------------------------------


def bench_plan(style: str) -> str:
    """The example plan with the anchors' token conventions (claim user_id, UUID users,
    SECRET_KEY), so one token works for every app. The data model is the example's."""
    text = EXAMPLE_PLAN.read_text()
    for old, new in (
        ("user_id_claim: sub", "user_id_claim: user_id"),
        ("user_id_type: str", "user_id_type: uuid"),
        ("secret_env: BETTER_AUTH_SECRET", "secret_env: SECRET_KEY"),
        ("style: page", f"style: {style}"),
    ):
        assert old in text, old
        text = text.replace(old, new)
    if style == "cursor":
        text = text.replace("          order_param: order\n", "")
    return text


def generate(workdir: Path, style: str) -> Path:
    root = workdir / f"project-{style}"
    (root / "specs" / "backend").mkdir(parents=True)
    (root / "specs" / "backend" / "task-crud.plan.yaml").write_text(bench_plan(style))
    started = time.perf_counter()
    run([PY, str(REPO / "scripts" / "emit_backend.py"), "task-crud", "--root", str(root)])
    log(f"   emitted the {style}-paginated backend in {time.perf_counter() - started:.2f}s")
    return root / "backend"


def seed_generated(
    backend: Path, url: str, rows: int, env: dict[str, str], other_users: int = 0
) -> dict[str, list[str]]:
    """`rows` tasks for each of the two measured users, and `rows // 10` for each of
    `other_users` more, so the table holds many owners as a real one does."""
    run([PY, "-m", "alembic", "upgrade", "head"], cwd=backend, env=env)
    ids: dict[str, list[str]] = {}
    owners = [(user, rows) for user in USERS]
    owners += [(str(uuid.uuid4()), max(1, rows // 10)) for _ in range(other_users)]
    with psycopg.connect(url, autocommit=True) as conn:
        for user, count in owners:
            conn.execute(
                """INSERT INTO tasks (id, user_id, title, description, priority, completed,
                                      due_date, tags, created_at, updated_at)
                   SELECT gen_random_uuid(), %s, 'task ' || i, repeat('d', 40),
                          (ARRAY['low', 'medium', 'high'])[1 + i %% 3], i %% 2 = 0, NULL,
                          '["a", "b"]'::json, now() - make_interval(secs => i), now()
                   FROM generate_series(1, %s) AS i""",
                (user, count),
            )
        settle(conn, "tasks")
        for user in USERS:
            found = conn.execute(
                "SELECT id FROM tasks WHERE user_id = %s ORDER BY random() LIMIT 2000", (user,)
            ).fetchall()
            ids[user] = [str(r[0]) for r in found]
    return ids


def add_rows_to_delete(url: str, count: int) -> list[str]:
    new_ids = [str(uuid.uuid4()) for _ in range(count)]
    with psycopg.connect(url, autocommit=True) as conn, conn.cursor() as cur:
        with cur.copy(
            "COPY tasks (id, user_id, title, priority, completed, tags, created_at, "
            "updated_at) FROM STDIN"
        ) as copy:
            for i, row_id in enumerate(new_ids):
                copy.write_row(
                    (
                        row_id,
                        USERS[0],
                        f"doomed {i}",
                        "low",
                        False,
                        "[]",
                        "2020-01-01T00:00:00Z",
                        "2020-01-01T00:00:00Z",
                    )
                )
    return new_ids


def cursor_at(port: int, offset: int, auth: str) -> str:
    """Walk the cursor pages to the given offset, as a client would."""
    cursor, seen = None, 0
    while seen < offset:
        query = "limit=100" + (f"&cursor={cursor}" if cursor else "")
        page = http_json(port, f"/api/tasks?{query}", auth)
        seen += len(page["items"])
        cursor = page["pagination"]["next_cursor"]
    assert cursor is not None
    return cursor


# --- processes --------------------------------------------------------------------------------


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if result.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return result


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server(
    app_dir: Path,
    module: str,
    env: dict[str, str],
    workers: int = 1,
    cold_start: tuple[str, dict[str, float]] | None = None,
):
    """The app under uvicorn, as in production; yields its port. With `cold_start` (a token
    and a dict), records the seconds from launching the process to its first answered list
    request (import, settings, pools, first query) as `cold_start_s`."""
    port = free_port()
    cmd = [
        PY,
        "-m",
        "uvicorn",
        module,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    logfile = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
    launched = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=app_dir, env=env, stdout=logfile, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if proc.poll() is not None:
                    log_text = Path(logfile.name).read_text()
                    raise SystemExit(f"{module} did not start:\n{log_text}") from None
                time.sleep(0.01)
        if cold_start is not None:
            auth, record = cold_start
            try:
                first_answer(port, auth)
            except OSError as exc:
                log_text = Path(logfile.name).read_text()
                raise SystemExit(f"{module} did not answer ({exc}):\n{log_text}") from None
            record["cold_start_s"] = round(time.perf_counter() - launched, 3)
        time.sleep(0.5 * workers)
        PIDS[port] = proc.pid
        yield port
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


# The process serving each port (one worker: the process that answers).
PIDS: dict[int, int] = {}


def first_answer(port: int, auth: str) -> None:
    deadline = time.time() + 30
    while True:
        try:
            http_json(port, LIST_FIRST, auth)
            return
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(0.005)


def resident_mb(port: int) -> float:
    """The serving process's resident memory now (Linux /proc), after the load it served."""
    status = Path(f"/proc/{PIDS[port]}/status").read_text()
    rss = next(line for line in status.splitlines() if line.startswith("VmRSS"))
    kilobytes = int(rss.split()[1])
    return round(kilobytes / 1024, 1)


def http_json(port: int, path: str, auth: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Bearer {auth}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def wrk(
    port: int,
    path: str,
    auth: str,
    seconds: float,
    connections: int,
    script: str | None = None,
    env: dict[str, str] | None = None,
) -> dict[str, float]:
    """One wrk run; returns rps, p50_ms, p99_ms, errors (socket errors + status >= 400)."""
    body = (LUA / script).read_text() if script else ""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(body + "\n" + (LUA / "report.lua").read_text())
    url = f"http://127.0.0.1:{port}{path}"
    cmd = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--latency",
        "--timeout",  # so a slow app (the seed's) shows as slow, not as socket errors
        "10s",
        "-H",
        f"Authorization: Bearer {auth}",
        "-s",
        handle.name,
        url,
    ]
    out = subprocess.run(
        cmd, capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=seconds + 60
    )
    os.unlink(handle.name)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("BENCH_JSON ")), None)
    if line is None:
        raise SystemExit(f"wrk gave no result for {url}:\n{out.stdout}{out.stderr}")
    data = json.loads(line.removeprefix("BENCH_JSON "))
    return {
        "rps": round(data["requests"] / data["seconds"], 1),
        "p50_ms": round(data["p50_us"] / 1000, 2),
        "p99_ms": round(data["p99_us"] / 1000, 2),
        "errors": data["socket_errors"] + data["http_errors"],
    }


def warm(port: int, path: str, auth: str) -> None:
    wrk(port, path, auth, 1, 8)


# --- the run ----------------------------------------------------------------------------------

LIST_FIRST = "/api/tasks?page=1&page_size=20"
FILTERED = (
    "/api/tasks?page=1&page_size=20&completed=false&priority=high&search=task"
    "&sort_by=title&order=asc"
)
FLOOR = Path(__file__).resolve().parent / "floor"


def deep_offset(rows: int) -> int:
    return min(5000, rows // 2)  # offset 5,000 (less for --smoke's small table)


def measure_operations(
    port: int, url: str, auth: str, args: argparse.Namespace, workdir: Path
) -> dict[str, dict]:
    """Every list, get and write operation on one running app, then the table restored, so
    the next app in the run reads and writes the same rows."""
    ops: dict[str, dict] = {}
    base = "/api/tasks"
    lua_env = {"BENCH_IDS": str(workdir / "ids.txt"), "BENCH_BASE": base}
    deep_page = deep_offset(args.rows) // 20 + 1
    warm(port, LIST_FIRST, auth)
    for op, path, script in (
        ("list_first", LIST_FIRST, None),
        ("list_deep", f"{base}?page={deep_page}&page_size=20", None),
        ("list_filtered", FILTERED, None),
        ("get", base, "get.lua"),
        ("create", base, "create.lua"),
        ("patch", base, "patch.lua"),
    ):
        ops[op] = wrk(port, path, auth, args.seconds, args.connections, script, lua_env)
        log(f"   {op:17} {ops[op]}")
    doomed = workdir / "doomed.txt"
    doomed.write_text("\n".join(add_rows_to_delete(url, args.delete_pool)) + "\n")
    delete_env = {"BENCH_IDS": str(doomed), "BENCH_BASE": base}
    ops["delete"] = wrk(port, base, auth, args.seconds, args.connections, "delete.lua", delete_env)
    log(f"   {'delete':17} {ops['delete']}")
    restore(url)
    return ops


def measure_cursor_pages(
    port: int, auth: str, cursor: str, args: argparse.Namespace
) -> dict[str, dict]:
    ops: dict[str, dict] = {}
    warm(port, f"/api/tasks?limit=20&cursor={cursor}", auth)
    for op, path in (
        ("list_cursor_first", "/api/tasks?limit=20"),
        ("list_cursor_deep", f"/api/tasks?limit=20&cursor={cursor}"),
    ):
        ops[op] = wrk(port, path, auth, args.seconds, args.connections)
        log(f"   {op:17} {ops[op]}")
    return ops


def floor_cursor(url: str, offset: int) -> str:
    """The floor app's own cursor for the row at the deep offset (its format, not the
    generated backend's opaque one)."""
    with psycopg.connect(url) as conn:
        created_at, row_id = conn.execute(
            "SELECT created_at, id FROM tasks WHERE user_id = %s "
            "ORDER BY created_at DESC, id DESC OFFSET %s LIMIT 1",
            (USERS[0], offset - 1),
        ).fetchone()
    text = f"{created_at.isoformat()}|{row_id}"
    return base64.urlsafe_b64encode(text.encode()).decode()


def measure_generated(args: argparse.Namespace, workdir: Path, results: dict) -> None:
    with database("gen") as url:
        env = {
            **os.environ,
            "DATABASE_URL": sqlalchemy_url(url),
            "SECRET_KEY": SECRET,
            "ENVIRONMENT": "production",
            "LOG_LEVEL": "WARNING",
        }
        page_backend = generate(workdir, "page")
        cursor_backend = generate(workdir, "cursor")
        ids = seed_generated(page_backend, url, args.rows, env)
        auth = token(USERS[0])
        (workdir / "ids.txt").write_text("\n".join(ids[USERS[0]]) + "\n")
        deep = deep_offset(args.rows)
        footprint: dict[str, dict] = {}
        for workers in args.workers:
            name = "generated" if workers == 1 else f"generated_{workers}w"
            first = workers == args.workers[0]
            log(f"== {name}")
            started: dict[str, float] = {}
            with server(page_backend, "app.main:app", env, workers, (auth, started)) as port:
                ops = measure_operations(port, url, auth, args, workdir)
                if workers == 1:
                    footprint[name] = {**started, "rss_mb": resident_mb(port)}
            with server(cursor_backend, "app.main:app", env, workers) as port:
                ops.update(measure_cursor_pages(port, auth, cursor_at(port, deep, auth), args))
            results["apps"][name] = ops
            if not first or args.smoke:
                continue
            # The floor of every operation, on the same table in the same state, same run.
            log("== raw_limit (floor of every operation, bench/floor, on the generated schema)")
            floor_env = {**os.environ, "PG_DSN": url, "SECRET_KEY": SECRET}
            started = {}
            with server(FLOOR, "app:app", floor_env, 1, (auth, started)) as port:
                floor = measure_operations(port, url, auth, args, workdir)
                footprint["raw_limit"] = {**started, "rss_mb": resident_mb(port)}
                floor.update(measure_cursor_pages(port, auth, floor_cursor(url, deep), args))
            results["apps"]["raw_limit"] = floor
            if ANCHORS.exists():
                # The shared anchor's own floor app, list only: the same figure by another hand.
                results["apps"]["raw_limit_anchor"] = {"list_first": raw_limit(url, auth, args)}
            # Issue 13's data-path question, measured: the same backend, the same statements,
            # on SQLAlchemy's async engine for reads and writes.
            log("== generated_async_engine (reads and writes on SQLAlchemy's async engine)")
            started = {}
            async_backend = on_the_async_engine(page_backend, workdir)
            with server(async_backend, "app.main:app", env, 1, (auth, started)) as port:
                results["apps"]["generated_async_engine"] = measure_operations(
                    port, url, auth, args, workdir
                )
                footprint["generated_async_engine"] = {**started, "rss_mb": resident_mb(port)}
            # And the older alternative: reads on the sync engine in the threadpool.
            log("== generated_engine_reads (DB_ASYNC_READS=false)")
            engine_env = {**env, "DB_ASYNC_READS": "false"}
            with server(page_backend, "app.main:app", engine_env, 1) as port:
                warm(port, LIST_FIRST, auth)
                measured = wrk(port, LIST_FIRST, auth, args.seconds, args.connections)
            log(f"   list_first        {measured}")
            results["apps"]["generated_engine_reads"] = {"list_first": measured}
            # Issue 13's response question, measured: routes that return the model and let
            # FastAPI serialise it (response_model, return annotation) against json_response.
            log("== generated_response_model (routes return the model)")
            returning = returns_the_model(page_backend, workdir)
            measured_ops: dict[str, dict] = {}
            lua_env = {"BENCH_IDS": str(workdir / "ids.txt"), "BENCH_BASE": "/api/tasks"}
            with server(returning, "app.main:app", env, 1) as port:
                warm(port, LIST_FIRST, auth)
                for op, path, script in (
                    ("list_first", LIST_FIRST, None),
                    ("get", "/api/tasks", "get.lua"),
                ):
                    measured_ops[op] = wrk(
                        port, path, auth, args.seconds, args.connections, script, lua_env
                    )
                    log(f"   {op:17} {measured_ops[op]}")
            results["apps"]["generated_response_model"] = measured_ops
            results["decisions"] = decide(page_backend, async_backend, returning, env, auth, args)
        results["footprint"] = footprint


def decide(
    backend: Path,
    async_backend: Path,
    returning: Path,
    env: dict[str, str],
    auth: str,
    args: argparse.Namespace,
) -> dict[str, dict]:
    """Issue 13's two choices, each between two apps served side by side and measured in
    alternation (three rounds each), so a load that comes and goes on the machine falls on
    both alike: the read path (custom asyncpg reader or SQLAlchemy's async engine) on
    list_first, and the response (json_response or the returned model) on list_first and get."""
    lua_env = {"BENCH_IDS": str(Path(args.workdir) / "ids.txt"), "BENCH_BASE": "/api/tasks"}
    choices = {
        "read_path": (
            ("generated", backend),
            ("generated_async_engine", async_backend),
            [("list_first", LIST_FIRST, None)],
        ),
        "response": (
            ("generated", backend),
            ("generated_response_model", returning),
            [("list_first", LIST_FIRST, None), ("get", "/api/tasks", "get.lua")],
        ),
    }
    decisions: dict[str, dict] = {}
    for choice, (first, second, operations) in choices.items():
        log(f"== decision: {choice}, {first[0]} and {second[0]} in alternation")
        figures: dict[str, dict[str, list[float]]] = {first[0]: {}, second[0]: {}}
        with (
            server(first[1], "app.main:app", env) as one,
            server(second[1], "app.main:app", env) as other,
        ):
            ports = {first[0]: one, second[0]: other}
            for port in ports.values():
                warm(port, LIST_FIRST, auth)
            for _ in range(3):
                for name, port in ports.items():
                    for op, path, script in operations:
                        measured = wrk(
                            port, path, auth, args.seconds, args.connections, script, lua_env
                        )
                        figures[name].setdefault(op, []).append(measured["rps"])
        medians = {
            name: {op: statistics.median(rounds) for op, rounds in ops.items()}
            for name, ops in figures.items()
        }
        log(f"   medians {medians}")
        decisions[choice] = {"rps_rounds": figures, "median_rps": medians}
    read = decisions["read_path"]["median_rps"]
    # The rule: keep the custom reader only if it is at least 25% faster on list_first.
    decisions["read_path"]["custom_reader_kept"] = (
        read["generated"]["list_first"] >= 1.25 * read["generated_async_engine"]["list_first"]
    )
    return decisions


SEARCHED = "/api/tasks?page=1&page_size=20&search=task%204"
# The generated list statements, compiled in the backend's own process for its dialect, so the
# plans shown are those of the SQL it sends.
COMPILE_LISTS = """
import json
from sqlalchemy.dialects import postgresql
from app.services.task_service import list_statement
dialect = postgresql.psycopg.dialect()
shapes = {"list_first": (), "list_searched": ("search",)}
print(json.dumps({
    name: str(list_statement(names, "created_at", True).compile(dialect=dialect))
    for name, names in shapes.items()
}))
"""


def query_plans(backend: Path, url: str, env: dict[str, str]) -> dict[str, str]:
    compiled = json.loads(run([PY, "-c", COMPILE_LISTS], cwd=backend, env=env).stdout)
    values = {"owner": USERS[0], "offset": 0, "limit": 20, "search": "%task 4%"}
    plans: dict[str, str] = {}
    with psycopg.connect(url) as conn:
        for name, sql in compiled.items():
            rows = conn.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", values).fetchall()
            plans[name] = "\n".join(row[0] for row in rows)
    return plans


def measure_scale(args: argparse.Namespace, workdir: Path, results: dict) -> None:
    """Every read at each table size, on a fresh database each: how the cost grows."""
    page_backend = generate(workdir, "page")
    cursor_backend = generate(workdir, "cursor")
    auth = token(USERS[0])
    scale: dict[str, dict] = {}
    for rows in args.scale_rows:
        log(f"== scale: {rows} rows per user, {args.scale_users} other users")
        with database(f"scale{rows}") as url:
            env = {
                **os.environ,
                "DATABASE_URL": sqlalchemy_url(url),
                "SECRET_KEY": SECRET,
                "ENVIRONMENT": "production",
                "LOG_LEVEL": "WARNING",
            }
            ids = seed_generated(page_backend, url, rows, env, args.scale_users)
            (workdir / "ids.txt").write_text("\n".join(ids[USERS[0]]) + "\n")
            lua_env = {"BENCH_IDS": str(workdir / "ids.txt"), "BENCH_BASE": "/api/tasks"}
            ops: dict[str, dict] = {}
            with server(page_backend, "app.main:app", env) as port:
                warm(port, LIST_FIRST, auth)
                for op, path, script in (
                    ("list_first", LIST_FIRST, None),
                    ("list_searched", SEARCHED, None),
                    ("get", "/api/tasks", "get.lua"),
                ):
                    ops[op] = wrk(port, path, auth, args.seconds, args.connections, script, lua_env)
                    log(f"   {op:17} {ops[op]}")
            with server(cursor_backend, "app.main:app", env) as port:
                cursor = cursor_at(port, rows // 2, auth)
                ops.update(measure_cursor_pages(port, auth, cursor, args))
            scale[str(rows)] = {"operations": ops, "plans": query_plans(page_backend, url, env)}
    results["scale"] = scale


def returns_the_model(backend: Path, workdir: Path) -> Path:
    """A copy of the generated backend whose list and get routes return their model, typed,
    for FastAPI to serialise (the FastAPI way), instead of json_response(model)."""
    copy = workdir / "returns-the-model"
    shutil.copytree(backend, copy)
    router = copy / "app" / "routers" / "tasks.py"
    text = router.read_text()
    for old, new in (
        (
            ") -> Response:\n    items, total = await queries.list_page(params)",
            ") -> TaskPage:\n    items, total = await queries.list_page(params)",
        ),
        ("    return json_response(page)\n", "    return page\n"),
        (
            "async def read_task(task_id: TaskId, queries: TaskQueriesDep) -> Response:\n"
            "    return json_response(TaskPublic.model_validate(await queries.get(task_id)))",
            "async def read_task(task_id: TaskId, queries: TaskQueriesDep) -> TaskPublic:\n"
            "    return TaskPublic.model_validate(await queries.get(task_id))",
        ),
    ):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    router.write_text(text)
    return copy


ASYNC_ENGINE_DATABASE = """

# --- bench: the same statements on SQLAlchemy's async engine (asyncpg), reads and writes ---
from collections.abc import AsyncIterator as _AsyncIterator  # noqa: E402

from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine  # noqa: E402
from sqlmodel.ext.asyncio.session import AsyncSession  # noqa: E402


def _build_async_engine(settings: Settings) -> AsyncEngine:
    url = make_url(settings.database_url).set(drivername="postgresql+asyncpg")
    server_settings = {}
    if settings.db_statement_timeout_ms:
        server_settings["statement_timeout"] = str(settings.db_statement_timeout_ms)
    return create_async_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_pre_ping=settings.db_pool_pre_ping,
        pool_recycle=settings.db_pool_recycle_seconds,
        connect_args={"server_settings": server_settings},
    )


class AsyncEngineReader:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def open(self) -> None:
        return None

    async def close(self) -> None:
        await self.engine.dispose()

    async def all(self, statement, params):
        async with self.engine.connect() as connection:
            result = await connection.execute(statement, dict(params))
            return [dict(row) for row in result.mappings()]


async_engine = _build_async_engine(get_settings())
reader = AsyncEngineReader(async_engine)


async def get_session() -> _AsyncIterator[AsyncSession]:
    async with AsyncSession(async_engine) as session:
        yield session
"""


def on_the_async_engine(backend: Path, workdir: Path) -> Path:
    """A copy of the generated backend whose reads and writes run the same statements on
    SQLAlchemy's async engine (asyncpg driver): the reader is an AsyncConnection, the services'
    Session an AsyncSession, every write route async. Issue 13's alternative data path."""
    copy = workdir / "async-engine"
    shutil.copytree(backend, copy)
    database = copy / "app" / "database.py"
    database.write_text(database.read_text() + ASYNC_ENGINE_DATABASE)
    service = copy / "app" / "services" / "task_service.py"
    text = service.read_text()
    body = text[text.index("class TaskService") :]
    head = text[: text.index("class TaskService")]
    for method in ("create", "update", "complete", "delete", "_change", "_current", "_replay"):
        body = body.replace(f"    def {method}(", f"    async def {method}(")
        body = body.replace(f"self.{method}(", f"await self.{method}(")
    body = body.replace("    def _forget_expired_keys(", "    async def _forget_expired_keys(")
    body = body.replace("self._forget_expired_keys()", "await self._forget_expired_keys()")
    body = body.replace(
        "self.session.connection().execute(", "await (await self.session.connection()).execute("
    )
    for call in ("exec(", "commit()", "rollback()"):
        body = body.replace(f"self.session.{call}", f"await self.session.{call}")
    # `await x(...).first()` would await first()'s result: the awaited call is bracketed.
    body = re.sub(
        r"await (self\.session\.exec\([^()]*(?:\([^()]*\))?[^()]*\))\.first\(\)",
        r"(await \1).first()",
        body,
    )
    service.write_text(head + body)
    router = copy / "app" / "routers" / "tasks.py"
    text = router.read_text()
    text = re.sub(r"^def (\w+)\(", r"async def \1(", text, flags=re.M)
    text = re.sub(r"\bservice\.(\w+)\(", r"await service.\1(", text)
    router.write_text(text)
    return copy


def raw_limit(url: str, auth: str, args: argparse.Namespace) -> dict[str, float]:
    log("== raw_limit (on the generated schema)")
    raw_env = {
        **os.environ,
        "PG_DSN": url,
        "SECRET_KEY": SECRET,
        "BENCH_TABLE": "tasks",
        "BENCH_OWNER": "user_id",
        "BENCH_ORDER": "created_at DESC, id DESC",
        "BENCH_COLS": "id, user_id, title, description, priority, completed, "
        "due_date, tags, created_at, updated_at",
    }
    with server(ANCHORS / "raw_limit", "app:app", raw_env) as port:
        warm(port, LIST_FIRST, auth)
        measured = wrk(port, LIST_FIRST, auth, args.seconds, args.connections)
    log(f"   list_first        {measured}")
    return measured


def restore(url: str) -> None:
    """Undo the write phase (rows and bloat) so the next configuration reads the same table."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DELETE FROM tasks WHERE title LIKE 'bench %' OR title LIKE 'doomed %'")
        settle(conn, "tasks")


def settle(conn: psycopg.Connection, table: str | None = None) -> None:
    """Every configuration reads a settled table: statistics and visibility map current
    (index-only counts), nothing left for autovacuum or a checkpoint to do meanwhile."""
    conn.execute(f"VACUUM ANALYZE {table}" if table else "VACUUM ANALYZE")
    conn.execute("CHECKPOINT")


def measure_anchors(args: argparse.Namespace, results: dict) -> None:
    with database("anchors") as url:
        env = {
            **os.environ,
            "DATABASE_URL": sqlalchemy_url(url),
            "SECRET_KEY": SECRET,
            "ASYNC_DATABASE_URL": sqlalchemy_url(url, "asyncpg"),
            "PG_DSN": url,
        }
        seeded = run([PY, "seed_data.py", str(args.rows)], cwd=ANCHORS / "seed_baseline", env=env)
        seed_token = seeded.stdout.split()[0]
        with psycopg.connect(url, autocommit=True) as conn:
            settle(conn)  # as for the generated backend
        for app in ("seed_baseline", "handwritten", "fastapi_async_core", "fastapi_asyncpg"):
            log(f"== {app}")
            with server(ANCHORS / app, "app:app", env) as port:
                warm(port, LIST_FIRST, seed_token)
                results["apps"][app] = {
                    "list_first": wrk(port, LIST_FIRST, seed_token, args.seconds, args.connections)
                }
                log(f"   list_first        {results['apps'][app]['list_first']}")


def generator_timings(workdir: Path) -> dict[str, float]:
    """emit of a 20-resource plan, and gather on each corpus folder (wall time, in-process)."""
    sys.path.insert(0, str(REPO / "scripts"))
    import yaml

    from sp_backend.emit.backend import emit
    from sp_backend.readers.gather import gather

    plan = yaml.safe_load(EXAMPLE_PLAN.read_text())
    base = plan["resources"].pop("task")
    for i in range(20):
        resource = json.loads(json.dumps(base))
        resource["table"] = f"items_{i}"
        resource["path"] = f"/api/items-{i}"
        plan["resources"][f"item_{i}"] = resource
    plan["unresolved"] = []
    root = workdir / "twenty"
    (root / "specs" / "backend").mkdir(parents=True)
    (root / "specs" / "backend" / "task-crud.plan.yaml").write_text(yaml.safe_dump(plan))
    timings: dict[str, float] = {}
    started = time.perf_counter()
    emit(root, "task-crud", with_tests=True)
    timings["emit_20_resources_s"] = round(time.perf_counter() - started, 3)
    corpus = REPO.parent / "shared" / "corpus" / "real-specs"
    for folder in sorted(corpus.iterdir()) if corpus.exists() else []:
        started = time.perf_counter()
        try:
            gather(folder, "task-crud")
        except Exception as exc:  # a folder the reader cannot handle still gets a timing line
            log(f"   gather {folder.name}: {type(exc).__name__}: {exc}")
        timings[f"gather_{folder.name}_s"] = round(time.perf_counter() - started, 3)
    return timings


def summarise(results: dict) -> dict:
    """The ratios the issues set bars on, computed from this run's figures only."""
    apps = results["apps"]
    generated = apps.get("generated", {})

    def ratio(app: str, other: str, op: str) -> float | None:
        mine, theirs = apps.get(app, {}).get(op), apps.get(other, {}).get(op)
        if not mine or not theirs or not theirs["rps"]:
            return None
        return round(mine["rps"] / theirs["rps"], 3)

    summary: dict = {
        # Each generated operation against its own floor (bench/floor, same table, same run).
        "generated_over_floor": {op: ratio("generated", "raw_limit", op) for op in generated},
        "async_engine_over_generated": {
            op: ratio("generated_async_engine", "generated", op)
            for op in apps.get("generated_async_engine", {})
        },
        "response_model_over_generated": {
            op: ratio("generated_response_model", "generated", op)
            for op in apps.get("generated_response_model", {})
        },
        "list_first_over_handwritten": ratio("generated", "handwritten", "list_first"),
    }
    if "decisions" in results:
        summary["custom_reader_kept"] = results["decisions"]["read_path"]["custom_reader_kept"]
    return summary


def write_reports(results: dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    lines = ["| app | operation | req/s | p50 ms | p99 ms | errors |", "|---|---|---|---|---|---|"]
    for app, ops in results["apps"].items():
        for op, m in ops.items():
            lines.append(
                f"| {app} | {op} | {m['rps']} | {m['p50_ms']} | {m['p99_ms']} | {m['errors']} |"
            )
    apps = results["apps"]
    if "raw_limit" in apps and "generated" in apps:
        lines += [
            "",
            "| operation | generated req/s | floor req/s | generated / floor "
            "| async engine req/s | async engine / generated |",
            "|---|---|---|---|---|---|",
        ]
        summary = results.get("summary", {})
        engine = apps.get("generated_async_engine", {})
        for op, m in apps["generated"].items():
            floor = apps["raw_limit"].get(op, {}).get("rps", "–")
            over_floor = summary.get("generated_over_floor", {}).get(op) or "–"
            engine_rps = engine.get(op, {}).get("rps", "–")
            engine_ratio = summary.get("async_engine_over_generated", {}).get(op) or "–"
            lines.append(
                f"| {op} | {m['rps']} | {floor} | {over_floor} | {engine_rps} | {engine_ratio} |"
            )
    if results.get("footprint"):
        lines += ["", "| app | cold start to first list answer, s | resident MB after the run |"]
        lines.append("|---|---|---|")
        for app, facts in results["footprint"].items():
            lines.append(f"| {app} | {facts.get('cold_start_s', '–')} | {facts['rss_mb']} |")
    (out / "results.md").write_text("\n".join(lines) + "\n")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log("matplotlib missing: no chart (pip install -e '.[bench]')")
        return
    apps = [a for a in results["apps"] if "list_first" in results["apps"][a]]
    values = [results["apps"][a]["list_first"]["rps"] for a in apps]
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.barh(apps, values, color=["#2a7" if a.startswith("generated") else "#888" for a in apps])
    ax.set_xlabel("requests/s, GET /api/tasks?page=1&page_size=20 (32 connections)")
    ax.invert_yaxis()
    for i, v in enumerate(values):
        ax.text(v, i, f" {v:.0f}", va="center")
    fig.tight_layout()
    fig.savefig(out / "results.png", dpi=120)


def run_scale(args: argparse.Namespace) -> int:
    results: dict = {"seconds": args.seconds, "connections": args.connections}
    with tempfile.TemporaryDirectory(prefix="spb-bench-") as tmp:
        measure_scale(args, Path(tmp), results)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "scale.json").write_text(json.dumps(results, indent=2) + "\n")
    sizes = list(results["scale"])
    operations = list(results["scale"][sizes[0]]["operations"])
    lines = [
        "| operation | " + " | ".join(f"{size} rows/user req/s (p99 ms)" for size in sizes) + " |",
        "|---|" + "---|" * len(sizes),
    ]
    for op in operations:
        cells = []
        for size in sizes:
            m = results["scale"][size]["operations"][op]
            cells.append(f"{m['rps']} ({m['p99_ms']})")
        lines.append(f"| {op} | " + " | ".join(cells) + " |")
    for size in sizes:
        for name, plan in results["scale"][size]["plans"].items():
            lines += ["", f"{name}, {size} rows per user:", "", "```", plan, "```"]
    (args.out / "scale.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    failed = [
        (size, op)
        for size, facts in results["scale"].items()
        for op, m in facts["operations"].items()
        if m["errors"]
    ]
    if failed:
        log(f"errors or non-2xx answers in: {failed}")
        return 1
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=10_000, help="tasks per user (default 10000)")
    parser.add_argument("--seconds", type=float, default=10, help="per operation (default 10)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--workers",
        type=int,
        nargs="+",
        default=[1, 2],
        help="uvicorn worker counts for the generated backend (default 1 2)",
    )
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="CI smoke: 1000 rows, 2 s per operation, generated backend only",
    )
    parser.add_argument(
        "--scale",
        action="store_true",
        help="instead: the reads at each --scale-rows size (writes DIR/scale.json, scale.md)",
    )
    parser.add_argument(
        "--scale-rows", type=int, nargs="+", default=[1_000, 10_000, 100_000], metavar="N"
    )
    parser.add_argument(
        "--scale-users",
        type=int,
        default=50,
        help="--scale: other users in the table, rows/10 each (default 50)",
    )
    args = parser.parse_args()
    if args.smoke:
        args.rows, args.seconds, args.workers = 1000, 2, [1]
    args.delete_pool = max(5000, int(args.seconds * 3000))
    if shutil.which("wrk") is None:
        log("wrk is not installed: apt-get install -y wrk")
        return 2
    results: dict = {
        "rows_per_user": args.rows,
        "seconds": args.seconds,
        "connections": args.connections,
        "apps": {},
    }
    if args.scale:
        return run_scale(args)
    with tempfile.TemporaryDirectory(prefix="spb-bench-") as tmp:
        workdir = Path(tmp)
        args.workdir = tmp
        measure_generated(args, workdir, results)
        if not args.smoke and ANCHORS.exists():
            measure_anchors(args, results)
        results["generator"] = generator_timings(workdir)
    results["summary"] = summarise(results)
    for key, value in results["generator"].items():
        print(f"{key}: {value}")
    write_reports(results, args.out)
    print((args.out / "results.md").read_text())
    print(json.dumps(results["summary"], indent=2))
    failed = [
        (app, op) for app, ops in results["apps"].items() for op, m in ops.items() if m["errors"]
    ]
    if failed:
        log(f"errors or non-2xx answers in: {failed}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
