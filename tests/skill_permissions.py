"""SKILL.md's `allowed-tools`, matched the way Claude Code matches Bash permission rules: a rule
`Bash(pattern)` allows a command when the pattern, `*` standing for any run of characters,
matches the whole command; a compound command (`a && b`, a `( ... )` subshell) needs every part
allowed. Used by test_skill_md (every script command SKILL.md shows is allowed) and by the
walk-through (every command it runs from SKILL.md is allowed)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

SKILL = Path(__file__).resolve().parents[1] / "SKILL.md"
_RULE = re.compile(r"([A-Za-z]+)(?:\(([^()]*)\))?")


def allowed_tools(text: str | None = None) -> list[tuple[str, str | None]]:
    """(tool, pattern) pairs of SKILL.md's space-separated `allowed-tools`."""
    text = text if text is not None else SKILL.read_text(encoding="utf-8")
    front = yaml.safe_load(text.split("\n---", 1)[0].removeprefix("---\n"))
    value = front.get("allowed-tools", "")
    rules, pos = [], 0
    while pos < len(value):
        if value[pos].isspace() or value[pos] == ",":
            pos += 1
            continue
        match = _RULE.match(value, pos)
        assert match, f"allowed-tools: cannot read {value[pos:]!r}"
        rules.append((match.group(1), match.group(2)))
        pos = match.end()
    return rules


def bash_allows(command: str, rules: list[tuple[str, str | None]]) -> bool:
    """Whether `command` (one line; heredoc bodies and redirection targets aside) runs without
    a permission prompt under `rules`."""
    parts = _split(command.strip())
    return all(_one(p.strip("() "), rules) for p in parts if p.strip("() "))


def _split(command: str) -> list[str]:
    """`command` cut at `&&`, `||` and `;` outside quotes."""
    parts, current, quote, i = [], "", None, 0
    while i < len(command):
        char = command[i]
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif command.startswith(("&&", "||"), i) or char == ";":
            parts.append(current)
            current = ""
            i += 1 if char == ";" else 2
            continue
        current += char
        i += 1
    return [*parts, current]


def _one(command: str, rules: list[tuple[str, str | None]]) -> bool:
    for tool, pattern in rules:
        if tool != "Bash":
            continue
        if pattern is None:
            return True
        rx = ".*".join(re.escape(piece) for piece in pattern.split("*"))
        if re.fullmatch(rx, command, re.DOTALL):
            return True
    return False


def script_lines(text: str | None = None) -> list[str]:
    """Every command line of SKILL.md's bash blocks (continuations joined, heredoc bodies
    dropped)."""
    text = text if text is not None else SKILL.read_text(encoding="utf-8")
    lines = []
    for block in re.findall(r"^```bash\n(.*?)^```", text, re.MULTILINE | re.DOTALL):
        block = block.replace("\\\n", " ")
        heredoc = None
        for line in block.splitlines():
            if heredoc:
                heredoc = None if line.strip() == heredoc else heredoc
                continue
            found = re.search(r"<<-?'?(\w+)'?", line)
            if found:
                heredoc = found.group(1)
            if line.strip():
                lines.append(line.strip())
    return lines
