"""Render the backend templates (assets/backend/, mirroring the emitted tree) for a project view.

Path placeholders pick what a template is rendered for:
  __resource__  one file per resource of the feature being emitted (models/task.py)
  __collection__  the same, named by the resource's table (routers/tasks.py)
  __operation__  one file per custom operation of those resources, named <collection>_<name>
                (its handler module, app/extensions/reservations_approve.py)
  __feature__   one file per Alembic revision this emit adds (emit/migrations.py decides which;
                revisions already emitted are history and never rendered again)
Templates without a placeholder are project-wide and derived from every plan (main.py, ...).
Files under tests/ are rendered only with --with-tests. A template that renders to nothing
(e.g. the login router when auth is not local) produces no file.

A template named NAME.once.j2 is a starter for the user's own code (app/extensions/...): its file
is created once, when absent, and never regenerated (the writer's `create_once`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from sp_backend.emit.context import ProjectView
from sp_backend.emit.fields import (
    literal_type,
    py_block,
    py_literal,
    py_value,
    signature,
    wrap_call,
)
from sp_backend.emit.imports import prune_imports
from sp_backend.emit.layout import format_python
from sp_backend.paths import BACKEND_TEMPLATES
from sp_backend.plan.model import (
    ANY_OF_MAX,
    EMAIL_ATOM,
    EMAIL_DOMAIN_MAX_LENGTH,
    EMAIL_LOCAL_MAX_LENGTH,
    EMAIL_MAX_LENGTH,
    HOST_LABEL_PARTS,
    URI_CHAR,
    URI_MAX_LENGTH,
)

CREATE_ONCE = ".once"


class RenderedFiles(dict[str, str]):
    """Relative path -> content, and which of those paths are created once (the user's)."""

    def __init__(self, files: dict[str, str], create_once: set[str]) -> None:
        super().__init__(files)
        self.create_once = frozenset(create_once)


def environment(templates: Path = BACKEND_TEMPLATES) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(templates)),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,  # noqa: S701 - we generate Python and Markdown, not HTML
    )
    env.filters["pyrepr"] = py_literal
    env.globals["wrap_call"] = wrap_call
    env.globals["signature"] = signature
    env.globals["any_of_max"] = ANY_OF_MAX
    env.globals.update(
        email_atom=EMAIL_ATOM,
        host_label_parts=HOST_LABEL_PARTS,
        uri_char=URI_CHAR,
        email_local_max_length=EMAIL_LOCAL_MAX_LENGTH,
        email_domain_max_length=EMAIL_DOMAIN_MAX_LENGTH,
        email_max_length=EMAIL_MAX_LENGTH,
        uri_max_length=URI_MAX_LENGTH,
    )
    env.filters["pyvalue"] = py_value
    env.filters["pyblock"] = py_block
    env.filters["pyliteral_type"] = literal_type
    env.filters["pycompare"] = py_compare
    return env


def py_compare(value: Any) -> str:
    """The comparison an assertion makes with an expected value: `is True` for the singletons
    (what ruff's E711/E712 ask for, and exact: 1 is not True), `== <literal>` otherwise."""
    if value is True or value is False or value is None:
        return f"is {value!r}"
    return f"== {py_literal(value)}"


def template_names(templates: Path = BACKEND_TEMPLATES) -> Iterator[str]:
    for path in sorted(templates.rglob("*.j2")):
        yield path.relative_to(templates).as_posix()


def render_backend(
    view: ProjectView,
    *,
    feature: str,
    revisions: list[dict[str, Any]],
    with_tests: bool,
    templates: Path = BACKEND_TEMPLATES,
) -> RenderedFiles:
    """The files for the feature being emitted plus project-wide files."""
    env = environment(templates)
    files: dict[str, str] = {}
    create_once: set[str] = set()
    for name in template_names(templates):
        target = name.removesuffix(".j2")
        once = target.endswith(CREATE_ONCE)
        target = target.removesuffix(CREATE_ONCE)
        if target.startswith("tests/") and not with_tests:
            continue
        template = env.get_template(name)
        rendered: dict[str, str] = {}
        if "__operation__" in target:
            for r in view.current:
                for o in r.operations:
                    path = target.replace("__operation__", o.handler_module)
                    rendered[path] = _finish(path, template.render(p=view, r=r, o=o))
        elif "__resource__" in target or "__collection__" in target:
            for r in view.current:
                path = target.replace("__resource__", r.module).replace(
                    "__collection__", r.collection
                )
                rendered[path] = _finish(path, template.render(p=view, r=r))
        elif "__feature__" in target:
            for m in revisions:
                path = target.replace("__feature__", m["file_stem"])
                rendered[path] = _finish(path, template.render(p=view, m=m))
        else:
            rendered[target] = _finish(target, template.render(p=view))
        files.update(rendered)
        if once:
            create_once.update(rendered)
    files = format_python({path: text for path, text in files.items() if text})
    return RenderedFiles(files, create_once & set(files))


def _finish(path: str, text: str) -> str:
    if path.endswith(".py"):
        text = prune_imports(text)
    text = re.sub(r"[ \t]+\n", "\n", text)
    return text.rstrip("\n") + "\n" if text.strip() else ""
