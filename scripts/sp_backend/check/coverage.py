"""Coverage of the contract: every normative line of the contract and schema (a table row, a
bullet or a sentence stating a type, bound, pattern, choice list, default, uniqueness, status,
parameter or rule) must be reflected somewhere: cited by a plan item's `source` (or a
conflict's winner/loser, an unresolved entry), recorded under the plan's `ignored` with a
reason, or verified against the app by the literal comparison (a status, a parameter, an
example). A line naming a plan field is reflected when the bounds it states are the field's.
What is left is listed as `not reflected in the plan` at file:line."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sp_backend.check.app_facts import AppFacts
from sp_backend.check.literal import (
    Promise,
    _bullet_name,
    _cells,
    _doc,
    _is_separator,
    _is_table_row,
    bounds_in,
    plain,
    statuses_in,
)
from sp_backend.check.report import CheckReport, Mismatch
from sp_backend.plan.accounts import ACCOUNT_COLUMNS
from sp_backend.plan.model import BackendPlan

_NORMATIVE = re.compile(
    r"\b(required|optional|unique|default|max(imum)?|min(imum)?|must|one of|between|pattern|"
    r"format|at most|at least|characters|chars|enum|integer|string|boolean|uuid|datetime|"
    r"timestamp|iso ?8601|nullable|not null|primary key|foreign key|references|sorted|sort|"
    r"filter|page|limit|offset)\b",
    re.I,
)
_IMPLICIT = {"id", "created_at", "updated_at"}


def _cited(plan: BackendPlan) -> set[str]:
    out: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in ("source", "winner", "loser") and isinstance(item, str):
                    out.add(item)
                elif key == "sources" and isinstance(item, dict):  # auth.accounts.sources
                    out.update(str(where) for where in item.values())
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(plan.model_dump(mode="json"))
    return out


def _names(plan: BackendPlan) -> dict[str, list[Any]]:
    """Every name the plan defines -> the field specs (or None for a parameter) it stands for."""
    names: dict[str, list[Any]] = {}
    for resource in plan.resources.values():
        for name, spec in resource.fields.items():
            names.setdefault(name, []).append(spec)
        for name in _IMPLICIT | ({resource.owner} if resource.owner else set()):
            names.setdefault(name, []).append(None)
        if resource.tenant:  # the tenant column, set from the token's claim
            names.setdefault(resource.tenant, []).append(None)
        listing = resource.operations.list
        if listing is not None:
            params = {listing.search_param, listing.sort.param, listing.sort.order_param}
            params |= {"page", "page_size", "limit", "offset", "cursor"}
            pagination = listing.pagination
            params |= set(getattr(pagination, "param_names", {}).values())
            params |= set(listing.choices) | set(listing.filter_params)
            if listing.sort.order_param:
                params |= {"asc", "desc"}
            for p in params - {None}:
                names.setdefault(p, []).append(None)
    for claim in (plan.auth.tenant_claim, plan.auth.roles_claim):  # claims the app reads
        if claim:
            names.setdefault(claim, []).append(None)
    if plan.auth.mode == "local":  # the backend's own users table: email, password, profile
        for name in ACCOUNT_COLUMNS:
            names.setdefault(name, []).append(None)
        for name, spec in plan.auth.accounts.fields.items():
            names.setdefault(name, []).append(spec)
    return names


def _key(name: str | None) -> str:
    """A name as the plan spells it: `emailVerified`, `Title` and `email_verified` alike."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name or "").lower()


def _subject(line: str) -> str | None:
    if _is_table_row(line):
        first = plain(_cells(line)[0]) if _cells(line) else ""
        word = first.split()[0] if first.split() else ""
        return word if re.fullmatch(r"[A-Za-z_][\w]*", word) else None
    name = _bullet_name(line)
    if name:
        return name
    m = re.search(r"`([A-Za-z_]\w*)`", line)
    return m.group(1) if m else None


def _agrees(bounds: dict[str, Any], spec: Any) -> str | None:
    """Why a field spec disagrees with the bounds a line states, or None."""
    if spec is None:
        return None
    have = {
        "minLength": spec.min_length,
        "maxLength": spec.max_length,
        "maxItems": spec.max_items,
        "enum": spec.values,
    }
    for key, want in bounds.items():
        got = have.get(key)
        if key == "enum":
            if got is not None and sorted(got) != sorted(want):
                return f"the plan's values are {', '.join(got)}"
        elif got != want and not (key == "maxLength" and spec.item_max_length == want):
            return f"the plan's {key} is {got if got is not None else 'not set'}"
    return None


def normative_lines(text: str) -> list[tuple[int, str]]:
    """(1-based line, text) of every line stating something the backend must do."""
    doc = _doc(text)
    out = []
    header_next = False
    for i, line in enumerate(doc.lines):
        if doc.fenced[i] or not line.strip() or line.lstrip().startswith("#"):
            header_next = False
            continue
        if _is_table_row(line):
            if i + 1 < len(doc.lines) and _is_separator(doc.lines[i + 1]):
                continue  # a header row
            if _is_separator(line):
                continue
            out.append((i + 1, line))
            continue
        if statuses_in(line) or (_NORMATIVE.search(line) and _subject(line)):
            out.append((i + 1, line))
    del header_next
    return out


def _parent_subject(lines: list[str], i: int) -> str | None:
    """The name a property line belongs to: its parent bullet, or the heading above it."""
    indent = len(lines[i]) - len(lines[i].lstrip())
    for j in range(i - 1, max(-1, i - 15), -1):
        line = lines[j]
        if not line.strip():
            continue
        if line.lstrip().startswith("#"):
            m = re.search(r"`?([A-Za-z_]\w*)`?\s*(\(.*\))?\s*$", plain(line.lstrip("# ")))
            return m.group(1) if m else None
        if len(line) - len(line.lstrip()) < indent:
            return _subject(line)
    return None


def _envelope(line: str, plan: BackendPlan) -> bool | None:
    m = re.search(r"\{\s*\"(error|detail)\"\s*:", line)
    return None if m is None else m.group(1) == plan.errors.envelope


_ELSEWHERE = re.compile(
    r"\bmanaged by\b(?!\s+(?:our|this|the)\s+(?:own\s+)?(?:app|application|backend|api|service))"
    r"|\bdo not modify\b",
    re.I,
)


def _heading_above(lines: list[str], i: int) -> int | None:
    return next((j for j in range(i - 1, -1, -1) if re.match(r"#{1,6}\s", lines[j])), None)


def _owned_elsewhere(lines: list[str], i: int) -> str | None:
    """The heading of a section its own lead says another system keeps ("### users (managed
    by Better Auth)", "**Managed by Better Auth** - Do not modify directly."), or None. Only
    the heading and the lines before the section's first row or bullet count as its lead."""
    h = _heading_above(lines, i)
    if h is None:
        return None
    lead = [lines[h]]
    for line in lines[h + 1 : i]:
        if _is_table_row(line) or re.match(r"\s*([-*+]|\d+\.)\s", line):
            break
        lead.append(line)
    return plain(lines[h].lstrip("# ")) if _ELSEWHERE.search(plain(" ".join(lead))) else None


# "YYYY-MM-DDTHH:MM:SSZ", "ISO 8601 ... UTC": the app answers aware datetimes in UTC as ISO 8601
# text ending in Z (pydantic's serialisation of a UTC datetime).
_UTC_FORMAT = re.compile(
    r"YYYY-MM-DD[T ]HH:mm(:ss(\.s+)?)?(Z|\+00:?00)|\b(iso ?8601|rfc ?3339)\b.*\b(utc|z)\b",
    re.I,
)


def _datetime_format(line: str) -> str | None:
    """The note for a line stating the ISO 8601 UTC format the app's datetimes have."""
    text = plain(line)
    if not _UTC_FORMAT.search(text):
        return None
    if re.search(r"HH:mm:ss(Z|\+)", text, re.I):
        return "the app's datetimes carry fractional seconds when the moment has them"
    return ""


def _env_name(subject: str | None, app: AppFacts | None) -> bool:
    """A line about an environment variable the app's settings read (DATABASE_URL, ...)."""
    return bool(
        app
        and subject
        and re.fullmatch(r"[A-Z][A-Z0-9]*(_[A-Z0-9]+)+", subject)
        and subject in app.settings
    )


def _indexed(lines: list[str], i: int, app: AppFacts | None) -> bool | None:
    """Under an Indexes heading: True when the app indexes the column the line names (on the
    table it names, if it names one), False when it does not, None for another line."""
    h = _heading_above(lines, i)
    if app is None or h is None or not re.search(r"\bindex", lines[h], re.I):
        return None
    text = plain(lines[i])
    words = re.findall(r"[A-Za-z_]\w*", text.replace(".", " "))
    columns = set().union(*app.indexes.values()) if app.indexes else set()
    named = re.findall(r"\b([A-Za-z_]\w*)\.[A-Za-z_]", text)  # tasks.user_id
    if _is_table_row(lines[i]) and _cells(lines[i]):
        first = plain(_cells(lines[i])[0])
        if re.fullmatch(r"[A-Za-z_]\w*", first) and first not in columns:
            named.append(first)  # | tasks | user_id | Filter by user |
    for word in words:  # idx_tasks_created_at: a table, then its columns
        rest = re.sub(r"^(idx|ix)_", "", word, flags=re.I)
        if rest == word:
            continue
        for table in app.indexes:
            if rest.startswith(table + "_"):
                named.append(table)
                words += [rest[len(table) + 1 :]]
    if named and not any(t in app.indexes for t in named):
        return False  # a table the app does not have ("messages | conversation_id")
    pool = [app.indexes[t] for t in named if t in app.indexes] or list(app.indexes.values())
    return any(w in cols for w in words for cols in pool)


def coverage(
    root: Path,
    plan: BackendPlan,
    promises: list[Promise],
    report: CheckReport,
    files: list[str],
    answered: set[int] | None = None,
    app: AppFacts | None = None,
) -> None:
    """answered: every status the app's OpenAPI documents on some route (with the platform's);
    a status line outside an endpoint's section is reflected when the app answers each.
    app: what the generated app holds (settings, indexes, answer keys), see app_facts."""
    cited = _cited(plan)
    names = {_key(k): v for k, v in _names(plan).items()}
    checked: set[str] = set()
    for p in promises:
        checked.add(p.source)
        checked |= set(p.status_sources.values())
        checked |= {prm.source for prm in p.params}
        checked |= {e.source for e in p.examples}
        checked |= set(p.body_fields.values()) | set(p.response_fields.values())
    elsewhere: dict[str, str] = {}
    for rel in files:
        path = root / rel
        if not path.is_file() or path.suffix.lower() != ".md":
            continue
        text = path.read_text(encoding="utf-8-sig", errors="replace")
        all_lines = text.splitlines()
        for number, line in normative_lines(text):
            source = f"{rel}:{number}"
            report.lines_read += 1
            if source in cited or source in checked:
                continue
            owner = _owned_elsewhere(all_lines, number - 1) if plan.auth.mode != "local" else None
            if owner:
                elsewhere.setdefault(f"{rel}: {owner}", source)
                continue
            subject = _subject(line)
            if subject and "." in subject:
                subject = subject.rsplit(".", 1)[-1]
            if _env_name(subject, app):
                continue
            note = _datetime_format(line)
            if note is not None:
                if note:
                    report.notes.append(f"{source}: {plain(line).strip('-* ')[:60]}: {note}")
                continue
            indexed = _indexed(all_lines, number - 1, app)
            if indexed:
                continue
            if _key(subject) not in names:
                others = [w for w in re.findall(r"`([A-Za-z_]\w*)`", line) if _key(w) in names]
                if not others and not _is_table_row(line):
                    # "pk_tasks_id: Primary key constraint on id", "ck_...: limiting description
                    # to 1000 characters": a constraint's name, then the one field it is about.
                    said = plain(line).split(":", 1)[-1]
                    words = {w for w in re.findall(r"[A-Za-z_]\w*", said) if _key(w) in names}
                    others = sorted(words) if len(words) == 1 else []
                subject = others[0] if others else subject
            if _key(subject) not in names and not (
                app and not _is_table_row(line) and subject in app.answer_keys
            ):
                subject = _parent_subject(all_lines, number - 1) or subject
            elif _key(subject) not in names:
                continue  # a key the app's answers carry (has_next: Boolean, ...)
            codes = {c for c, _ in statuses_in(line, table=_is_table_row(line))}
            envelope = _envelope(line, plan)
            missing = sorted(codes - (answered or set()))
            if codes and _key(subject) not in names and not missing and envelope is not False:
                continue
            specs = names.get(_key(subject)) if subject else None
            why = None
            if indexed is False:
                why = "the app has no such table or index"
            elif specs is not None:
                bounds = bounds_in(line)
                reasons = [_agrees(bounds, s) for s in specs]
                if any(r is None for r in reasons):
                    continue
                why = next(r for r in reasons if r)
            elif missing:
                why = f"the app never answers {', '.join(map(str, missing))}"
            elif envelope is False:
                why = f"the plan's error envelope is {plan.errors.envelope!r}"
            said = re.sub(r"\s+", " ", plain(line)).strip("|- ")[:110]
            message = f"not reflected in the plan: {said!r}"
            if why:
                message += f" ({why})"
            report.mismatches.append(Mismatch(source, subject or "-", "not-reflected", message))
    for section, first in elsewhere.items():
        report.notes.append(
            f"{section} (from {first}): kept by another system, as the section says; its lines "
            "are not the backend's to reflect"
        )
