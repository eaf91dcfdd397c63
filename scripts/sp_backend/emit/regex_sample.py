"""A short string a regular expression matches, for the generated tests' sample values: the
pattern is parsed by Python's own regex parser and walked, taking each repeat's fewest copies
(`stretch` more for open-ended repeats) and each class's plainest member. Lookarounds are not
solved: the caller checks the result with the real pattern and asks for an example if it fails."""

from __future__ import annotations

import re
from typing import Any

try:  # Python 3.11+: the parser `re` itself uses
    from re import _constants as sre  # type: ignore[attr-defined]
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - older layout
    import sre_constants as sre  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

# The characters tried for a class, plainest first.
_PLAIN = "a1Ab2Bc3C0xyz-_.:@+ /#"
_CATEGORIES = {
    sre.CATEGORY_DIGIT: str.isdigit,
    sre.CATEGORY_NOT_DIGIT: lambda c: not c.isdigit(),
    sre.CATEGORY_WORD: lambda c: c.isalnum() or c == "_",
    sre.CATEGORY_NOT_WORD: lambda c: not (c.isalnum() or c == "_"),
    sre.CATEGORY_SPACE: str.isspace,
    sre.CATEGORY_NOT_SPACE: lambda c: not c.isspace(),
}


def _in_class(char: str, items: list[tuple[Any, Any]]) -> bool:
    negate = bool(items) and items[0][0] is sre.NEGATE
    hit = False
    for op, arg in items:
        if op is sre.LITERAL:
            hit |= ord(char) == arg
        elif op is sre.RANGE:
            hit |= arg[0] <= ord(char) <= arg[1]
        elif op is sre.CATEGORY:
            hit |= _CATEGORIES.get(arg, lambda c: False)(char)
    return hit != negate


def _class_char(items: list[tuple[Any, Any]]) -> str:
    for char in _PLAIN:
        if _in_class(char, items):
            return char
    for op, arg in items:  # a class of nothing plain: its first literal or range start
        if op is sre.LITERAL:
            return chr(arg)
        if op is sre.RANGE:
            return chr(arg[0])
    raise ValueError("no character found for the class")


def _walk(nodes: Any, groups: dict[int, str], stretch: int) -> str:
    out = []
    for op, arg in nodes:
        if op is sre.LITERAL:
            out.append(chr(arg))
        elif op is sre.NOT_LITERAL:
            out.append(next(c for c in _PLAIN if ord(c) != arg))
        elif op is sre.ANY:
            out.append("a")
        elif op is sre.IN:
            out.append(_class_char(arg))
        elif op is sre.CATEGORY:
            out.append(_class_char([(sre.CATEGORY, arg)]))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)):
            low, high, sub = arg
            count = low + stretch if high is sre.MAXREPEAT else low
            out.append("".join(_walk(sub, groups, 0) for _ in range(count)))
        elif op is sre.SUBPATTERN:
            group, sub = arg[0], arg[-1]
            text = _walk(sub, groups, stretch)
            if group is not None:
                groups[group] = text
            out.append(text)
        elif op is getattr(sre, "ATOMIC_GROUP", None):
            out.append(_walk(arg, groups, stretch))
        elif op is sre.BRANCH:
            out.append(_walk(arg[1][0], groups, stretch))
        elif op is sre.GROUPREF:
            out.append(groups.get(arg, ""))
        elif op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
            continue  # anchors and lookarounds take no characters
        else:
            raise ValueError(f"regex construct {op} is not sampled")
    return "".join(out)


def regex_samples(pattern: str, min_length: int = 0, max_length: int | None = None) -> list[str]:
    """Distinct strings `pattern` fully matches within the length bounds, shortest first (none
    when the pattern uses what this walk does not solve)."""
    try:
        tree = sre_parse.parse(pattern)
        compiled = re.compile(pattern)
    except (re.error, ValueError, TypeError):
        return []
    found: list[str] = []
    for stretch in range(0, 64):
        try:
            text = _walk(tree, {}, stretch)
        except (ValueError, StopIteration):
            return found
        fits = len(text) >= min_length and (max_length is None or len(text) <= max_length)
        if fits and compiled.fullmatch(text) and text not in found:
            found.append(text)
        if len(found) == 2 or (max_length is not None and len(text) > max_length):
            break
    return found


__all__ = ["regex_samples"]
