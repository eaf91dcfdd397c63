"""The code blocks of references/*.md: parsing, assembling and running them.

The convention, written in the documents as HTML comments right above a ```python fence (GitHub
does not render them):

    <!-- block: engine -->                 names the block (unique within its document)
    <!-- requires: models, engine -->      runs those blocks first, in the same namespace
    <!-- mirrors: app/utils/auth.py decode_token -->
                                           the block shows the generator's own code: every
                                           statement of `decode_token` in the block must be in
                                           the rendered file (see tests/test_references.py)

`requires` may name a block of another reference as `auth-patterns.md#name`, and is followed
transitively; each block runs once per chain. `mirrors` may start with the feature whose
backend is meant (`expenses:app/services/expense_service.py ExpenseService.get`); the default is
the task-crud example. Every ```python block runs: there is no way to skip one.

Blocks run in a child process that imports the heavy libraries once and forks a fresh child per
block (its requirements first), with warnings turned into errors, in an empty temporary working
directory, so that SQLModel's table registry starts empty for every block.

Run as a script (`python reference_blocks.py JOBS.json`) it is that child process.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REFERENCES = REPO / "references"
DIRECTIVE = re.compile(r"^<!--\s*([a-z-]+)\s*:\s*(.*?)\s*-->\s*$")
KNOWN_DIRECTIVES = {"block", "requires", "mirrors"}
FENCE_OPEN = re.compile(r"^(`{3,})\s*([A-Za-z0-9_+-]*)\s*$")


@dataclass
class Mirror:
    feature: str
    path: str
    symbols: list[str]


@dataclass
class Block:
    doc: str  # file name, e.g. "auth-patterns.md"
    line: int  # 1-based line of the first line of code
    source: str
    name: str | None = None
    requires: list[str] = field(default_factory=list)
    mirrors: list[Mirror] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.doc}:{self.line}" + (f" [{self.name}]" if self.name else "")


class ConventionError(ValueError):
    """A directive the harness cannot honour: the document must be fixed."""


def _mirror(value: str, where: str) -> Mirror:
    target, _, symbols = value.partition(" ")
    feature, _, path = target.rpartition(":")
    names = [s.strip() for s in symbols.replace(",", " ").split()]
    if not path.endswith(".py") or not names:
        raise ConventionError(f"{where}: mirrors needs '[feature:]path.py Symbol[, Symbol]'")
    return Mirror(feature or "task-crud", path, names)


def parse(path: Path) -> list[Block]:
    """Every ```python block of one document, with its directives."""
    blocks: list[Block] = []
    pending: list[tuple[str, str, int]] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        directive = DIRECTIVE.match(line.strip())
        fence = FENCE_OPEN.match(line)
        if directive:
            key, value = directive.groups()
            if key not in KNOWN_DIRECTIVES:
                raise ConventionError(f"{path.name}:{i + 1}: unknown directive {key!r}")
            pending.append((key, value, i + 1))
        elif fence:
            ticks, lang = fence.groups()
            end = next((j for j in range(i + 1, len(lines)) if lines[j].strip() == ticks), None)
            if end is None:
                raise ConventionError(f"{path.name}:{i + 1}: unclosed code fence")
            if lang == "python":
                blocks.append(_block(path.name, i + 2, lines[i + 1 : end], pending))
            elif pending:
                raise ConventionError(
                    f"{path.name}:{pending[0][2]}: directive above a "
                    f"```{lang or 'text'} block (only python blocks run)"
                )
            pending = []
            i = end
        elif line.strip() and pending:
            raise ConventionError(
                f"{path.name}:{pending[0][2]}: directive not followed by a ```python block"
            )
        i += 1
    if pending:
        raise ConventionError(f"{path.name}:{pending[0][2]}: directive at the end of the file")
    names = [b.name for b in blocks if b.name]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ConventionError(f"{path.name}: block names used twice: {', '.join(duplicates)}")
    return blocks


def _block(doc: str, line: int, code: list[str], directives: list[tuple[str, str, int]]) -> Block:
    block = Block(doc, line, "\n".join(code) + "\n")
    for key, value, at in directives:
        where = f"{doc}:{at}"
        if key == "block":
            if block.name or not re.fullmatch(r"[a-z0-9][a-z0-9-]*", value):
                raise ConventionError(f"{where}: one block name of a-z, 0-9 and '-' per block")
            block.name = value
        elif key == "requires":
            block.requires += [r.strip() for r in value.split(",") if r.strip()]
        else:
            block.mirrors.append(_mirror(value, where))
    return block


def all_blocks(references: Path = REFERENCES) -> list[Block]:
    return [b for doc in sorted(references.glob("*.md")) for b in parse(doc)]


def chain(block: Block, blocks: list[Block]) -> list[Block]:
    """The block's requirements (depth first, each once) followed by the block itself."""
    index = {f"{b.doc}#{b.name}": b for b in blocks if b.name}
    order: list[Block] = []
    visiting: list[str] = []

    def visit(current: Block) -> None:
        key = f"{current.doc}#{current.name}"
        if current in order:
            return
        if key in visiting:
            raise ConventionError(
                f"{current.label}: requires itself through {' -> '.join(visiting)}"
            )
        visiting.append(key)
        for wanted in current.requires:
            ref = wanted if "#" in wanted else f"{current.doc}#{wanted}"
            if ref not in index:
                raise ConventionError(f"{current.label}: requires unknown block {wanted!r}")
            visit(index[ref])
        visiting.pop()
        order.append(current)

    visit(block)
    return order


def job(block: Block, blocks: list[Block]) -> dict:
    return {
        "id": block.label,
        "parts": [
            {"file": f"references/{b.doc}", "line": b.line, "source": b.source}
            for b in chain(block, blocks)
        ],
    }


# --- the child process ------------------------------------------------------------------------

PREIMPORT = [
    "fastapi",
    "fastapi.testclient",
    "sqlmodel",
    "sqlalchemy",
    "pydantic",
    "pydantic_settings",
    "jwt",
    "pwdlib",
    "alembic",
    "alembic.command",
]
TIMEOUT_SECONDS = 120


def _run_one(job_: dict, output: Path) -> None:
    """In the forked child: run the parts in one fresh module namespace, then exit."""
    import os
    import signal
    import sys
    import tempfile
    import traceback
    import types
    import warnings

    fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    sys.stdout = open(1, "w", buffering=1, closefd=False)  # noqa: SIM115 - lives until _exit
    sys.stderr = sys.stdout
    os.chdir(tempfile.mkdtemp(prefix="refblock-"))
    signal.alarm(TIMEOUT_SECONDS)
    warnings.resetwarnings()
    warnings.simplefilter("error")
    module = types.ModuleType("reference_block")
    sys.modules["reference_block"] = module
    status = 0
    try:
        for part in job_["parts"]:
            # Padding keeps line numbers: a traceback points at the document's own line.
            code = compile("\n" * (part["line"] - 1) + part["source"], part["file"], "exec")
            exec(code, module.__dict__)  # noqa: S102 - running the documents is the point
    except BaseException:  # noqa: BLE001 - report anything, SystemExit included
        traceback.print_exc()
        status = 1
    sys.stdout.flush()
    os._exit(status)


def run_jobs(jobs: list[dict]) -> dict[str, dict]:
    """Fork one child per job; {id: {"ok": bool, "output": str}}."""
    import importlib
    import os
    import tempfile

    for name in PREIMPORT:
        importlib.import_module(name)
    results = {}
    out_dir = Path(tempfile.mkdtemp(prefix="refblocks-out-"))
    for n, item in enumerate(jobs):
        output = out_dir / f"{n}.txt"
        pid = os.fork()
        if pid == 0:
            _run_one(item, output)
        _, status = os.waitpid(pid, 0)
        text = output.read_text(errors="replace") if output.exists() else ""
        ok = os.waitstatus_to_exitcode(status) == 0
        if os.WIFSIGNALED(status):
            text += f"\n(killed by signal {os.WTERMSIG(status)}; timeout is {TIMEOUT_SECONDS}s)"
        results[item["id"]] = {"ok": ok, "output": text}
    return results


if __name__ == "__main__":
    import sys

    print(json.dumps(run_jobs(json.loads(Path(sys.argv[1]).read_text()))))
