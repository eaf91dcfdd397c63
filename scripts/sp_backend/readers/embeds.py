"""Related data the contract's answers show (plan: embed), read from the fields its JSON
examples gave a resource:

- an object with an `id` whose key names one of the resource's references (`"yard": {"id",
  "name"}` beside `yard_id`) and whose other keys are fields of the referenced resource: a
  summary of that row;
- an integer keyed like a collection and a count (`hive_count`, `inspectionsCount`,
  `number_of_hives`) where that collection's resource refers to this one: a count of its rows.

Either replaces the plain field the example made. An object with an id, or a count of a
resource of the plan, that cannot be matched is kept as it was and noted as unresolved."""

from __future__ import annotations

import re
from typing import Protocol

from sp_backend.plan.model import (
    SUMMARY_TYPES,
    Count,
    Embed,
    FieldSpec,
    Resource,
    Summary,
    count_field_problem,
    summary_field_problem,
)
from sp_backend.readers.words import singular

COUNT_NAME = re.compile(r"(?:(?P<before>.+)_count|(?:number_of|num|count_of)_(?P<after>.+))")


class Notes(Protocol):
    def add(self, what: str, where: str | None, resolution: str) -> None: ...


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def _segment(path: str) -> str:
    """A collection path's own segment, as a name: /api/service-logs -> service_logs."""
    return path.rsplit("/", 1)[-1].replace("-", "_")


def read_embeds(resources: dict[str, Resource], notes: Notes) -> None:
    """Turn the fields of `resources` that the examples show as related data into embeds."""
    for name in list(resources):
        r = resources[name]
        summaries: dict[str, Summary] = {}
        counts: dict[str, Count] = {}
        for key, spec in list(r.fields.items()):
            if spec.type == "object" and spec.fields and "id" in spec.fields:
                summary = _summary(name, r, key, spec, resources, notes)
                if summary is not None:
                    summaries[key] = summary
            elif spec.type == "int" and COUNT_NAME.fullmatch(key):
                count = _count(name, key, spec, resources, notes)
                if count is not None:
                    counts[key] = count
        if not summaries and not counts:
            continue
        fields = {k: v for k, v in r.fields.items() if k not in summaries and k not in counts}
        embed = Embed(summaries=summaries, counts=counts)
        resources[name] = r.model_copy(update={"fields": fields, "embed": embed})


def _summary(
    name: str,
    r: Resource,
    key: str,
    spec: FieldSpec,
    resources: dict[str, Resource],
    notes: Notes,
) -> Summary | None:
    refs = {f: s.references.resource for f, s in r.fields.items() if s.references is not None}
    reference = next((f for f, to in refs.items() if f == f"{key}_id" or to == key), None)
    where = f"{name}.{key}"
    if reference is None:
        notes.add(
            f"{where}: the answers show an object with an id, but {name} has no reference "
            f"field it could summarise ({key}_id or one referring to a resource {key})",
            spec.source,
            "kept as an object field; if it is a related row, add the reference field and an "
            "embed.summaries entry",
        )
        return None
    target = resources.get(refs[reference])
    shown = [_snake(k) for k in (spec.fields or {}) if k != "id"]
    problem = (
        "its resource is not in this plan"
        if target is None
        else summary_field_problem(target, shown)
        if shown
        else "it shows no field besides the id"
    )
    if problem:
        notes.add(
            f"{where}: the answers embed the row {reference} names, but {problem}",
            spec.source,
            f"kept as an object field; a summary shows the id and fields of the referenced "
            f"resource ({', '.join(SUMMARY_TYPES)})",
        )
        return None
    return Summary(reference=reference, fields=shown, json_name=spec.json_name, source=spec.source)


def _count(
    name: str, key: str, spec: FieldSpec, resources: dict[str, Resource], notes: Notes
) -> Count | None:
    m = COUNT_NAME.fullmatch(key)
    assert m is not None
    counted = singular(m.group("before") or m.group("after"))
    child_name = next(
        (
            n
            for n, c in resources.items()
            if counted in (n, singular(c.table), singular(_segment(c.path)))
        ),
        None,
    )
    if child_name is None:
        return None  # a plain number of something the plan does not hold (a word count)
    problem = count_field_problem(name, child_name, resources[child_name], None)
    if problem:
        notes.add(
            f"{name}.{key}: the answers show a count of {child_name}, but {problem}",
            spec.source,
            "kept as a plain field; state embed.counts with the field to count by",
        )
        return None
    return Count(resource=child_name, field=None, json_name=spec.json_name, source=spec.source)
