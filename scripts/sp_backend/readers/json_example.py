"""JSON examples as contracts write them: strict JSON first; then the usual shorthand of
documentation (`[...]`, `{...}`, a `...` line, `// comments`, trailing commas) read as what it
stands for (an elided list, object or item), so an example that says `"tasks": [...]` is still
literal evidence of the shape."""

from __future__ import annotations

import json
import re
from typing import Any

_SHORTHAND = (
    (re.compile(r"\[\s*(?:\.\.\.|…)\s*\]"), "[]"),
    (re.compile(r"\{\s*(?:\.\.\.|…)\s*\}"), "{}"),
    (re.compile(r"^\s*(?:\.\.\.|…)\s*,?\s*$", re.MULTILINE), ""),
    (re.compile(r"(?<![:\"\w])//[^\n]*"), ""),
    (re.compile(r",(\s*[\]}])"), r"\1"),
)


def loads_example(text: str) -> Any:
    """The example's value; ValueError when it is not JSON even read as shorthand."""
    try:
        return json.loads(text)
    except ValueError:
        pass
    relaxed = text
    for pattern, replacement in _SHORTHAND:
        relaxed = pattern.sub(replacement, relaxed)
    return json.loads(relaxed)


__all__ = ["loads_example"]
