"""Decisions the architecture notes (specs/architecture.md) state in prose: caching, background
work, file storage; plus hints that sharpen plan decisions (serverless PostgreSQL, async).

Only what the project has decided counts: lines that rule something out, and everything under a
roadmap, future-phase or out-of-scope heading (or a table row naming a later phase), are not
decisions yet and suggest nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sp_backend.records.significance import Decision, Significance

ARCHITECTURE = Path("specs") / "architecture.md"

# A line that rules something out ("no caching for now", "file uploads: out of scope").
_NEGATED = re.compile(
    r"\b(no|not|without|none|n/a|out of scope|future|later|deferred|won't)\b", re.IGNORECASE
)


# Headings whose section is plans, not decisions.
_NOT_YET = re.compile(
    r"\b(roadmap|future|later|upcoming|planned|backlog|deferred|next (phase|steps?)"
    r"|out of scope|non-goals?|wish ?list|ideas)\b",
    re.IGNORECASE,
)
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*)$")
# A line that places something in a phase to come ("| Phase V | Kafka |", "Phase 3: ...").
_LATER_PHASE = re.compile(r"\bphase\s*([2-9]|i{2,3}|iv|v|vi{0,3})\b", re.IGNORECASE)


@dataclass(frozen=True)
class Topic:
    slug: str
    title: str
    pattern: re.Pattern[str]
    # (regex, name) pairs naming the technology chosen, first match wins
    technologies: tuple[tuple[str, str], ...]
    generic: str
    significance: Significance
    keywords: tuple[tuple[str, ...], ...]


def _rx(text: str) -> re.Pattern[str]:
    return re.compile(text, re.IGNORECASE)


TOPICS = (
    Topic(
        "caching-strategy",
        "Caching strategy",
        _rx(r"\b(redis|memcached|valkey|cach(e|es|ed|ing))\b"),
        (("redis", "Redis"), ("memcached", "Memcached"), ("valkey", "Valkey")),
        "a cache layer",
        Significance(
            "cached data must be invalidated on every write path from then on",
            (
                "no cache (measure first)",
                "HTTP caching headers",
                "an in-process cache (breaks with several workers)",
            ),
            ("read paths", "every write path (invalidation)", "deployment"),
        ),
        (("cach",), ("redis",)),
    ),
    Topic(
        "background-task-processing",
        "Background task processing",
        _rx(
            r"\b(celery|dramatiq|arq|huey|rq|background (tasks?|jobs?|work(ers?)?|processing)"
            r"|(task|job|message) queues?|message brokers?|rabbitmq|kafka|scheduled (jobs?|tasks?)"
            r"|cron)\b"
        ),
        (
            ("celery", "Celery"),
            ("dramatiq", "Dramatiq"),
            (r"\barq\b", "arq"),
            ("huey", "Huey"),
            (r"\brq\b", "RQ"),
            ("rabbitmq", "RabbitMQ"),
            ("kafka", "Kafka"),
            ("cron", "cron"),
        ),
        "a background worker",
        Significance(
            "work leaves the request cycle: retries, idempotency and monitoring "
            "become part of every feature that uses it",
            (
                "FastAPI BackgroundTasks in the web process",
                "a task queue with workers",
                "doing the work inline",
            ),
            ("request handlers", "a worker deployment", "error handling and retries"),
        ),
        (
            ("background",),
            ("celery",),
            ("dramatiq",),
            ("task", "queue"),
            ("job", "queue"),
            ("message", "queue"),
        ),
    ),
    Topic(
        "file-storage",
        "File storage",
        _rx(
            r"\b(s3|object storage|blob storage|file (storage|uploads?)|uploads?|attachments?"
            r"|cloudinary|minio|gcs|cloud storage)\b"
        ),
        (
            ("s3", "S3"),
            ("cloudinary", "Cloudinary"),
            ("minio", "MinIO"),
            ("gcs", "GCS"),
            ("blob", "blob storage"),
        ),
        "object storage",
        Significance(
            "stored files and their URLs outlive any one server and any one provider contract",
            (
                "database BLOBs",
                "local disk (breaks with several machines)",
                "object storage with signed URLs",
            ),
            ("upload endpoints", "deployment and backups", "clients that show files"),
        ),
        (("file", "storage"), ("object", "storage"), ("s3",), ("upload",), ("blob",)),
    ),
)

SERVERLESS = _rx(
    r"\b(neon|serverless|supabase|cockroach(db)?|yugabyte(db)?|aurora|pgbouncer"
    r"|connection pool(ing)?)\b"
)
ASYNC = _rx(r"\b(async(io)?\s+(sqlalchemy|sqlmodel|engine|session|database|db)|asyncpg)\b")


@dataclass
class Notes:
    decisions: list[Decision]
    serverless: list[str]  # "file:line" citations mentioning serverless PostgreSQL or pooling
    async_db: list[str]  # citations asking for async database access


def read_notes(root: Path) -> Notes | None:
    """Decisions and hints in specs/architecture.md; None when the project has none."""
    path = root / ARCHITECTURE
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError):
        return None
    display = ARCHITECTURE.as_posix()
    found: dict[str, Decision] = {}
    serverless: list[str] = []
    async_db: list[str] = []
    skipping_level = 0  # inside a roadmap/future section opened at this heading level
    fenced = False
    for number, line in enumerate(lines, start=1):
        cite = f"{display}:{number}"
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            continue
        heading = None if fenced else _HEADING.match(line)
        if heading:
            level = len(heading.group(1))
            if skipping_level and level <= skipping_level:
                skipping_level = 0
            if not skipping_level and _NOT_YET.search(heading.group(2)):
                skipping_level = level
            continue
        if fenced or skipping_level or _NEGATED.search(line) or _later_phase_row(line):
            continue
        if SERVERLESS.search(line):
            serverless.append(cite)
        if ASYNC.search(line):
            async_db.append(cite)
        for topic in TOPICS:
            if topic.pattern.search(line):
                if topic.slug in found:
                    found[topic.slug].sources.append(cite)
                else:
                    found[topic.slug] = _decision(topic, line, cite)
    return Notes(list(found.values()), serverless, async_db)


def _later_phase_row(line: str) -> bool:
    """A table row or bullet that files its content under a later phase."""
    return bool(_LATER_PHASE.search(line)) and line.lstrip().startswith(("|", "-", "*"))


def _decision(topic: Topic, line: str, cite: str) -> Decision:
    tech = next(
        (name for rx, name in topic.technologies if re.search(rx, line, re.IGNORECASE)),
        topic.generic,
    )
    what = {
        "caching-strategy": f"Cache with {tech}, as the architecture notes plan",
        "background-task-processing": f"Run background work with {tech}, as the architecture "
        "notes plan",
        "file-storage": f"Store files in {tech}, as the architecture notes plan",
    }[topic.slug]
    return Decision(topic.slug, topic.title, what, topic.significance, [cite], topic.keywords)
