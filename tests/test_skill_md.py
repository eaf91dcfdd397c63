"""SKILL.md: front matter checked against the open Agent Skills specification's rules (with the
one deliberate deviation recorded), and a body that only names scripts, flags and references
that exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from skill_permissions import allowed_tools, bash_allows, script_lines

from sp_backend.cli import build_parser
from sp_backend.install import SKILL_DIR_NAME
from sp_backend.records.template import split_front_matter

REPO = Path(__file__).resolve().parents[1]
SKILL = REPO / "SKILL.md"
TEXT = SKILL.read_text(encoding="utf-8")

# The open Agent Skills specification: the fields it defines, and its limits.
SPEC_FIELDS = {"name", "description", "license", "compatibility", "metadata", "allowed-tools"}
# Fields Claude Code adds on top of the specification.
CLAUDE_CODE_FIELDS = {
    "argument-hint",
    "disable-model-invocation",
    "user-invocable",
    "model",
    "context",
    "agent",
    "hooks",
}
NAME_MAX, DESCRIPTION_MAX, COMPATIBILITY_MAX = 64, 1024, 500
# The one deviation we choose: a dot, so the slash command reads /sp.backend-engineer like the
# rest of the Spec-Kit Plus /sp.* family. Claude Code loads it; strict validators do not.
DELIBERATE_DEVIATIONS = {"name": "contains '.', outside the spec's a-z0-9- alphabet"}
# Scripts other issues deliver; until they land, the checks that need them skip, saying so.
LANDING_LATER = {"gather_context.py": "issue 3 (sp-backend gather)"}


def front_matter() -> dict:
    parts = split_front_matter(TEXT)
    assert parts is not None, "SKILL.md must open with a --- front matter block"
    data = yaml.safe_load(parts[0])
    assert isinstance(data, dict)
    return data


def spec_name_problems(name: str) -> list[str]:
    """The open specification's rules for `name`."""
    problems = []
    if not 1 <= len(name) <= NAME_MAX:
        problems.append(f"length {len(name)} outside 1..{NAME_MAX}")
    if not re.fullmatch(r"[a-z0-9-]+", name):
        problems.append("contains characters outside a-z0-9-")
    if name.startswith("-") or name.endswith("-"):
        problems.append("starts or ends with '-'")
    if "--" in name:
        problems.append("has consecutive hyphens")
    return problems


def test_only_known_fields():
    unknown = set(front_matter()) - SPEC_FIELDS - CLAUDE_CODE_FIELDS
    assert not unknown


def test_name_follows_the_spec_except_the_recorded_deviation():
    name = front_matter()["name"]
    assert name == "sp.backend-engineer"
    # Strictly, the spec rejects it, and only for the dot:
    assert spec_name_problems(name) == ["contains characters outside a-z0-9-"]
    assert spec_name_problems(name.replace(".", "-")) == []
    assert set(DELIBERATE_DEVIATIONS) == {"name"}
    # The spec also wants the folder to carry the name; the installer's folder does.
    assert SKILL_DIR_NAME == name
    # And SKILL.md tells its readers why.
    assert "deliberate deviation" in TEXT


def test_description_says_what_and_when_in_the_third_person():
    description = front_matter()["description"]
    assert isinstance(description, str) and description.strip()
    assert len(description) <= DESCRIPTION_MAX
    assert not re.search(r"<[A-Za-z/!]", description), "no XML-like tags in the description"
    first_word = description.split()[0]
    assert first_word.endswith("s") and first_word[0].isupper(), first_word  # "Builds ..."
    assert not re.search(r"\b(I|you|your|we)\b", description, re.IGNORECASE)
    assert "Use when" in description
    for word in ("FastAPI", "SQLModel", "contract", "/sp.backend-engineer"):
        assert word in description


def test_argument_hint_and_optional_fields():
    data = front_matter()
    assert data["argument-hint"] == "<feature> [--with-tests]"
    assert data["license"] == "MIT"
    if "compatibility" in data:
        assert len(data["compatibility"]) <= COMPATIBILITY_MAX
    assert (REPO / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")


def test_model_invocation_is_left_on_deliberately():
    """The description asks Claude to use the skill for plain requests too, so model invocation
    stays on: the field is left out (its default), which keeps the validators' findings to the
    two documented ones; the README says why."""
    assert "disable-model-invocation" not in front_matter()
    assert "or asks to implement" in front_matter()["description"]
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "disable-model-invocation" in readme


# Where Claude Code puts the skill; ${CLAUDE_SKILL_DIR} becomes this before the agent runs it.
INSTALLED = "/home/dev/todo-app/.claude/skills/sp.backend-engineer"


def test_every_script_command_is_allowed_without_a_prompt():
    rules = allowed_tools()
    assert rules and all(tool == "Bash" for tool, _ in rules)
    commands = [line for line in script_lines() if "scripts" in line or "pytest" in line]
    assert len([c for c in commands if "/scripts/" in c]) >= 6
    for command in commands:
        for form in (command, command.replace("${CLAUDE_SKILL_DIR}", INSTALLED)):
            assert bash_allows(form, rules), f"allowed-tools does not cover: {form}"


@pytest.mark.parametrize(
    "command",
    [
        "python /tmp/evil.py",
        "python -c 'import os; os.remove(\"x\")'",
        "python scripts/other.py",
        "rm -rf backend",
        "(cd backend && python -m pip install -r requirements-dev.txt)",  # asks: installs
        f"python {INSTALLED}/scripts/gather_context.py x && curl http://example.com",
        f'python {INSTALLED}/scripts/write_phr.py --title "a;b" ; rm -rf backend',
    ],
)
def test_nothing_else_is_allowed(command: str):
    assert not bash_allows(command, allowed_tools())


def test_under_500_lines():
    assert len(TEXT.splitlines()) < 500


def bash_blocks() -> list[str]:
    return re.findall(r"^```bash\n(.*?)^```", TEXT, re.MULTILINE | re.DOTALL)


def script_commands() -> list[tuple[str, str]]:
    """(script file name, the command text) for each script run in a bash block."""
    found = []
    for block in bash_blocks():
        command = block.replace("\\\n", " ")
        for match in re.finditer(r'python "\$\{CLAUDE_SKILL_DIR\}/scripts/([a-z_]+\.py)"', command):
            found.append((match.group(1), command))
    return found


def test_scripts_are_run_through_the_skill_dir():
    assert script_commands()
    for block in bash_blocks():
        for match in re.finditer(r"(\S*)scripts/[a-z_]+\.py", block):
            assert match.group(1).endswith("${CLAUDE_SKILL_DIR}/"), match.group(0)


def subcommand_options() -> dict[str, set[str]]:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return {
        name: {opt for action in p._actions for opt in action.option_strings}
        for name, p in sub.choices.items()
    }


def test_every_script_and_flag_named_exists():
    options = subcommand_options()
    wrappers = {
        p.name: re.search(r'run\("([a-z-]+)"', p.read_text(encoding="utf-8"))
        for p in (REPO / "scripts").glob("*.py")
    }
    missing = []
    for script, command in script_commands():
        if script not in wrappers:
            missing.append(script)
            continue
        subcommand = wrappers[script].group(1)
        for flag in re.findall(r"(?<=\s)--[a-z][a-z-]*", command):
            assert flag in options[subcommand], f"{script} has no {flag}"
    later = [s for s in missing if s in LANDING_LATER]
    assert sorted(set(missing) - set(later)) == []
    if later:
        pytest.skip("not landed yet: " + ", ".join(f"{s} ({LANDING_LATER[s]})" for s in later))


def test_references_named_exist():
    named = sorted(set(re.findall(r"references/([a-z-]+\.md)", TEXT)))
    assert named == [
        "auth-patterns.md",
        "fastapi-patterns.md",
        "pydantic-validation.md",
        "security.md",
        "sqlmodel-patterns.md",
        "testing-patterns.md",
    ]
    missing = [n for n in named if not (REPO / "references" / n).is_file()]
    if missing:
        pytest.skip(f"references not written yet (issue 6): {', '.join(missing)}")


def test_the_adr_wording_shown_matches_the_script():
    from sp_backend.records.adr import suggestion_line
    from sp_backend.records.significance import Decision, Significance

    line = suggestion_line(Decision("<title>", "t", "<what>", Significance()))
    assert f"``{line} ``" in TEXT
