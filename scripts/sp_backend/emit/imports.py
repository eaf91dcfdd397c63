"""Candidate imports: templates list every import a file might need as `#? ` lines, and only
the names the rendered code uses are kept. This keeps templates readable (no conditional
import logic) and generated files free of unused imports."""

from __future__ import annotations

import io
import re
import tokenize

_MARK = "#? "
_FROM = re.compile(r"^from\s+(\S+)\s+import\s+(.+)$")
_KEY = re.compile(r"[\"'][A-Za-z_]\w*[\"']\s*:")


def prune_imports(text: str) -> str:
    lines = text.split("\n")
    statements = _collect(lines)
    body = "\n".join(line for i, line in enumerate(lines) if i not in _marked(statements))
    body_without_imports = "\n".join(
        line for line in body.split("\n") if not line.startswith(("from ", "import "))
    )
    # A dict key such as "status": is a string, not a use of the name status.
    body_without_imports = _KEY.sub("", body_without_imports)
    replacement: dict[int, list[str]] = {}
    for start, end, source in statements:
        replacement[start] = _keep_used(source, body_without_imports)
        for i in range(start + 1, end):
            replacement[i] = []
    out: list[str] = []
    for i, line in enumerate(lines):
        out.extend(replacement.get(i, [line]))
    return _tidy_blank_lines("\n".join(out))


def _marked(statements: list[tuple[int, int, str]]) -> set[int]:
    return {i for start, end, _ in statements for i in range(start, end)}


def _collect(lines: list[str]) -> list[tuple[int, int, str]]:
    """(first line, end line, joined source) of each marked import statement."""
    statements = []
    i = 0
    while i < len(lines):
        if lines[i].startswith(_MARK):
            start = i
            parts = [lines[i][len(_MARK) :]]
            if parts[0].rstrip().endswith("("):
                while not lines[i].rstrip().endswith(")"):
                    i += 1
                    parts.append(lines[i][len(_MARK) :])
            statements.append((start, i + 1, " ".join(p.strip() for p in parts)))
        i += 1
    return statements


def _keep_used(source: str, body: str) -> list[str]:
    if source.startswith("import "):
        module = source.removeprefix("import ").strip()
        return [source] if re.search(rf"\b{re.escape(module)}\.", body) else []
    match = _FROM.match(source.replace("(", "").replace(")", ""))
    if not match:
        raise ValueError(f"candidate import must be 'from X import a, b': {source!r}")
    module, names = match.group(1), [n.strip() for n in match.group(2).split(",") if n.strip()]
    names_used = _names_used(body)
    used = [n for n in names if n.split(" as ")[-1] in names_used]
    if not used:
        return []
    single = f"from {module} import {', '.join(used)}"
    if len(single) <= 100:
        return [single]
    return [f"from {module} import (", *[f"    {n}," for n in used], ")"]


def _names_used(body: str) -> set[str]:
    """The names the code refers to: not words inside strings or comments (a description may
    say "due date"), nor attributes (`utcnow().date()`)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(body).readline))
    except (tokenize.TokenError, SyntaxError):
        return set(re.findall(r"(?<![.\w])[A-Za-z_]\w*", body))
    used: set[str] = set()
    previous = ""
    for token in tokens:
        if token.type == tokenize.NAME and previous != ".":
            used.add(token.string)
        elif token.type == tokenize.STRING and "f" in _prefix(token.string):
            # Before Python 3.12 an f-string is one token: what its braces hold counts.
            for inner in re.findall(r"\{([^{}]*)\}", token.string):
                used |= set(re.findall(r"(?<![.\w])[A-Za-z_]\w*", inner))
        if token.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT):
            previous = token.string
    return used


def _prefix(literal: str) -> str:
    """A string literal's prefix, lower-cased (f, rb, ...)."""
    return re.split(r"[\"']", literal, maxsplit=1)[0].lower()


def _tidy_blank_lines(text: str) -> str:
    """Close the gaps pruning left: at most one blank line inside the import block (between
    groups), at most two anywhere after it."""
    lines = text.split("\n")
    code_start = _first_statement_after_imports(lines)
    out: list[str] = []
    for i, line in enumerate(lines):
        if not line.strip() and out and not out[-1].strip():
            run = 1
            while run < len(out) and not out[-1 - run].strip():
                run += 1
            next_code = next((j for j in range(i, len(lines)) if lines[j].strip()), len(lines))
            if run >= (1 if next_code < code_start else 2):
                continue
        out.append(line)
    return "\n".join(out)


def _first_statement_after_imports(lines: list[str]) -> int:
    i = 0
    if lines and lines[0].startswith('"""'):
        if not (len(lines[0]) > 3 and lines[0].rstrip().endswith('"""')):
            i = 1
            while i < len(lines) and '"""' not in lines[i]:
                i += 1
        i += 1
    in_parens = False
    while i < len(lines):
        line = lines[i]
        if in_parens:
            in_parens = not line.startswith(")")
        elif line.startswith(("from ", "import ")):
            in_parens = line.rstrip().endswith("(")
        elif line.strip() and not line.startswith("#"):
            return i
        i += 1
    return len(lines)
