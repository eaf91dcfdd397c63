"""Small pieces the record writers share: input errors, YAML scalars, no-overwrite writes."""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from pathlib import Path

import yaml

from sp_backend.errors import EXIT_USAGE, SkillError, WriteError


class InputError(SkillError):
    """A bad argument or input file: the message says what was expected."""

    exit_code = EXIT_USAGE


def slugify(text: str) -> str:
    """Lowercase; every run of characters outside a-z0-9 becomes one '-'; trimmed of '-'."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def yaml_scalar(value: str) -> str:
    """`value` as a YAML scalar that reads back as the same string: plain when that is safe
    (how people write front matter), double-quoted otherwise (colons, '#', 'yes', '0012'...)."""
    if value and "\n" not in value:
        try:
            if yaml.safe_load(f"k: {value}") == {"k": value}:
                return value
        except yaml.YAMLError:
            pass
    # JSON strings are valid YAML double-quoted scalars.
    return json.dumps(value, ensure_ascii=False)


def create_new(path: Path, text: str) -> None:
    """Write `text` to `path` atomically, refusing to replace anything already there.

    The content goes to a temporary file beside the target first; a hard link then publishes it
    under the final name, which fails if the name exists (so two writers never clobber each
    other and a reader never sees half a file). Raises FileExistsError when `path` exists.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise
        except OSError:
            # Filesystems without hard links: reserve the name exclusively, then swap in.
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
            os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def replace_file(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write `data` to `path` atomically, replacing what is there."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise WriteError(f"{path}: cannot write: {exc}") from None
