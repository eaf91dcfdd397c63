"""The custom PostgreSQL read path (app/database.py's PostgresReader: SQLAlchemy compiles,
asyncpg sends the SQL) behaves exactly like SQLAlchemy's engine on the same statements: rows and
their Python types (TypeDecorators both ways, Enum, JSON, Numeric read as float and float as
Decimal), expanding IN (a bindparam list, a literal list, an empty list) and the SQLAlchemy error
class of each failure (DataError, IntegrityError, ProgrammingError, OperationalError for a
statement timeout, StatementError before any I/O). The statements and the comparison are in
tests/fixtures/reader/parity.py, run inside the golden task-crud backend."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO

GOLDEN = REPO / "tests" / "golden" / "task-crud"
PARITY = REPO / "tests" / "fixtures" / "reader" / "parity.py"


def test_postgres_reader_answers_as_the_engine(tmp_path: Path, postgres_database: str) -> None:
    backend = tmp_path / "backend"
    shutil.copytree(GOLDEN, backend)
    env = {
        **os.environ,
        "PYTHONPATH": str(backend),
        "DATABASE_URL": postgres_database,
        "ENVIRONMENT": "development",
        # Both paths set it on their connections; the pg_sleep(2) case must hit it.
        "DB_STATEMENT_TIMEOUT_MS": "300",
        "DB_ASYNC_READS": "true",
    }
    result = subprocess.run(
        [sys.executable, str(PARITY)],
        cwd=backend,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("same: ") == 33, result.stdout
