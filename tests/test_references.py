"""references/*.md: every ```python block runs, the blocks that show the generator's own code
match what the templates render, and each document has the shape a reader relies on (a table of
contents that resolves, a pitfalls section covering the seed's defects and the current libraries'
traps). The block convention is described in tests/reference_blocks.py."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from reference_blocks import REFERENCES, Block, Mirror, all_blocks, job

from conftest import EXAMPLES, PLAN_FIXTURES, make_project, sp_backend

DOCUMENTS = [
    "auth-patterns.md",
    "fastapi-patterns.md",
    "pydantic-validation.md",
    "sqlmodel-patterns.md",
    "testing-patterns.md",
]
# Enough runnable code that a reader can build each pattern, not a token example or two.
MIN_BLOCKS = 6

BLOCKS = all_blocks()
MIRRORS = [(b, m) for b in BLOCKS for m in b.mirrors]


def test_the_five_references_exist() -> None:
    # security.md (OWASP mapping, no code) is checked by test_security_md.py
    assert sorted(p.name for p in REFERENCES.glob("*.md")) == sorted([*DOCUMENTS, "security.md"])


# --- every block runs ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def block_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    jobs = tmp_path_factory.mktemp("refblocks") / "jobs.json"
    jobs.write_text(json.dumps([job(b, BLOCKS) for b in BLOCKS]))
    runner = Path(__file__).with_name("reference_blocks.py")
    done = subprocess.run(
        [sys.executable, str(runner), str(jobs)],
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("block", BLOCKS, ids=[b.label for b in BLOCKS])
def test_block_runs(block: Block, block_results: dict[str, dict]) -> None:
    result = block_results[block.label]
    assert result["ok"], f"{block.label} failed:\n{result['output']}"


@pytest.mark.parametrize("doc", DOCUMENTS)
def test_each_document_has_enough_runnable_code(doc: str) -> None:
    count = sum(1 for b in BLOCKS if b.doc == doc)
    assert count >= MIN_BLOCKS, f"{doc}: {count} python blocks"


# --- blocks that show the generator's code stay in step with the templates ---------------------


def _plans() -> list[list[Path]]:
    """Shipped plans, grouped by project: an example folder is one project, a fixture is one."""
    groups = [sorted(d.glob("specs/backend/*.plan.yaml")) for d in sorted(EXAMPLES.iterdir())]
    groups += [[p] for p in sorted(PLAN_FIXTURES.glob("*.plan.yaml"))]
    return [g for g in groups if g]


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Feature name -> the backend emitted for it (with tests)."""
    backends = {}
    for n, plans in enumerate(_plans()):
        root = make_project(tmp_path_factory.mktemp(f"mirror{n}"), *plans)
        for plan in plans:
            feature = plan.name.removesuffix(".plan.yaml")
            result = sp_backend("emit", feature, "--root", str(root), "--with-tests")
            assert result.returncode == 0, result.stderr
            backends[feature] = root / "backend"
    return backends


def _definition(tree: ast.Module, dotted: str) -> ast.AST | None:
    body: list[ast.stmt] = tree.body
    node = None
    for part in dotted.split("."):
        node = next((n for n in body if _defines(n, part)), None)
        if node is None:
            return None
        body = getattr(node, "body", [])
    return node


def _defines(node: ast.stmt, name: str) -> bool:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return node.name == name
    if isinstance(node, ast.Assign):
        return any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
    if isinstance(node, ast.AnnAssign):
        return isinstance(node.target, ast.Name) and node.target.id == name
    return False


def _without_docstrings(node: ast.AST) -> ast.AST:
    for inner in ast.walk(node):
        body = getattr(inner, "body", None)
        if (
            isinstance(inner, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            inner.body = body[1:] or [ast.Pass()]
    return node


def statement_lines(source: str, symbol: str, where: str) -> list[str]:
    """The definition as canonical lines: formatting, comments and docstrings do not count."""
    node = _definition(ast.parse(source), symbol)
    assert node is not None, f"{where} defines no {symbol}"
    return [line for line in ast.unparse(_without_docstrings(node)).splitlines() if line.strip()]


def is_subsequence(part: list[str], whole: list[str]) -> tuple[bool, str]:
    rest = iter(whole)
    for line in part:
        if not any(line == candidate for candidate in rest):
            return False, line
    return True, ""


@pytest.mark.parametrize(
    ("block", "mirror"), MIRRORS, ids=[f"{b.label}->{m.feature}:{m.path}" for b, m in MIRRORS]
)
def test_mirrored_code_matches_the_rendered_templates(
    block: Block, mirror: Mirror, rendered: dict[str, Path]
) -> None:
    """The document may leave statements out (it teaches one thing at a time) but every statement
    it shows of a mirrored definition is in the generated file, in the same order."""
    assert mirror.feature in rendered, f"{block.label}: no shipped plan named {mirror.feature}"
    target = rendered[mirror.feature] / mirror.path
    assert target.is_file(), f"{block.label}: the {mirror.feature} backend has no {mirror.path}"
    for symbol in mirror.symbols:
        shown = statement_lines(block.source, symbol, block.label)
        emitted = statement_lines(target.read_text(), symbol, str(target))
        ok, line = is_subsequence(shown, emitted)
        assert ok, (
            f"{block.label}: {symbol} drifted from {mirror.path} "
            f"({mirror.feature}).\nNot in the generated code (in this order):\n  {line}\n"
            f"Generated:\n" + "\n".join(emitted)
        )


def test_the_mirror_check_notices_drift() -> None:
    generated = "def f(x):\n    '''Doc.'''\n    y = x + 1  # note\n    return y\n"
    assert is_subsequence(
        statement_lines("def f(x):\n    return y\n", "f", "doc"),
        statement_lines(generated, "f", "gen"),
    )[0]
    assert not is_subsequence(
        statement_lines("def f(x):\n    return x\n", "f", "doc"),
        statement_lines(generated, "f", "gen"),
    )[0]
    assert not is_subsequence(
        statement_lines("def f(x):\n    return y\n    y = x + 1\n", "f", "doc"),
        statement_lines(generated, "f", "gen"),
    )[0]


@pytest.mark.parametrize("doc", DOCUMENTS)
def test_each_document_mirrors_the_generator(doc: str) -> None:
    assert any(b.mirrors for b in BLOCKS if b.doc == doc), f"{doc} shows none of the generated code"


# --- the shape a reader relies on ---------------------------------------------------------------


def _slug(heading: str) -> str:
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _headings(text: str) -> list[tuple[int, str]]:
    found, fenced = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and (m := re.match(r"^(#{1,6})\s+(.*?)\s*#*$", line)):
            found.append((len(m.group(1)), m.group(2)))
    return found


def sections(text: str, title_pattern: str) -> str:
    """The text of every section whose heading matches, subsections included."""
    out, level = [], None
    fenced = False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        m = None if fenced else re.match(r"^(#{1,6})\s+(.*)$", line)
        if m:
            depth = len(m.group(1))
            if level is not None and depth <= level:
                level = None
            if level is None and re.search(title_pattern, m.group(2), re.IGNORECASE):
                level = depth
        if level is not None:
            out.append(line)
    return "\n".join(out)


@pytest.mark.parametrize("doc", DOCUMENTS)
def test_table_of_contents_lists_every_section_and_resolves(doc: str) -> None:
    text = (REFERENCES / doc).read_text()
    contents = sections(text, r"^contents$")
    assert contents, f"{doc}: no '## Contents'"
    links = re.findall(r"\]\(#([^)]+)\)", contents)
    slugs = {_slug(title) for _, title in _headings(text)}
    assert [a for a in links if a not in slugs] == [], f"{doc}: links to no heading"
    top = [_slug(t) for level, t in _headings(text) if level == 2 and t.lower() != "contents"]
    assert [s for s in top if s not in links] == [], f"{doc}: sections missing from Contents"


@pytest.mark.parametrize("doc", DOCUMENTS)
def test_each_document_has_a_pitfalls_section(doc: str) -> None:
    assert len(sections((REFERENCES / doc).read_text(), r"pitfalls").splitlines()) > 5


# product.md section 9 (the seed's defects) and section 10 (current library traps): each is
# explained in the Pitfalls section of at least one reference.
PITFALLS = {
    "HTTPAuthCredentials does not exist": r"HTTPAuthCredentials",
    "Column and JSON used without import": r"`Column`[^\n]*`JSON`|`JSON`[^\n]*`Column`",
    "datetime.utcnow is naive and deprecated": r"datetime\.utcnow",
    "Pydantic v1 @validator": r"@validator",
    "Pydantic v1 class Config": r"class Config",
    "response schema re-runs an input rule": r"(?i)response[^\n]*(inherit|re-?run)",
    "async def over a sync Session": r"async def[^\n]*(sync|block)",
    "counting with len(all())": r"len\(",
    "python-jose": r"python-jose",
    "literal secret": r"(?i)literal[^\n]*secret|secret[^\n]*literal",
    "no ORDER BY on a paginated query": r"(?i)order[^\n]*(stable|page)|(page|stable)[^\n]*order",
    "403 reveals the id exists": r"403[^\n]*(exist|reveal)",
    "table models skip validation": r"(?i)table model[^\n]*(skip|not validate|no validation)",
    "naive datetimes refused": r"(?i)naive",
    "SQLite drops time zones": r"(?i)sqlite[^\n]*(time ?zone|offset)",
    "JSON columns need a column type": r"(?i)json[^\n]*(sa_type|column type)",
    "UUIDs on SQLite": r"(?i)uuid[^\n]*sqlite|sqlite[^\n]*uuid",
    "Starlette 1.x lifespan": r"(?i)lifespan",
    "TestClient and httpx2": r"httpx2",
    "PyJWT sub must be a string": r"(?i)`sub`[^\n]*string",
}


@pytest.mark.parametrize("what", list(PITFALLS))
def test_pitfalls_cover_the_seed_defects_and_library_traps(what: str) -> None:
    pitfalls = "\n".join(sections((REFERENCES / d).read_text(), r"pitfalls") for d in DOCUMENTS)
    assert re.search(PITFALLS[what], pitfalls), f"no Pitfalls section explains: {what}"
