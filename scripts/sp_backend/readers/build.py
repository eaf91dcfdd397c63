"""Extracted facts -> a BackendPlan. Every decision either comes from a located statement or is
listed in ``unresolved`` with the safe default applied, so the plan validates whenever one
exists."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from pydantic import ValidationError

from sp_backend.plan.accounts import PROFILE_TYPES
from sp_backend.plan.envelopes import ANSWER_MARKERS
from sp_backend.plan.model import (
    CONSTRAINTS_BY_TYPE,
    FIELD_TYPES,
    FILTER_TYPES,
    GIVEN_ID_MAX_LENGTH,
    ID_RANDOM_LENGTH,
    JSON_TYPES,
    LEFT_OUT,
    MEMBER_TYPES,
    OBJECT_TYPES,
    RESERVED_CLASS_NAMES,
    RESERVED_FIELD_NAMES,
    Action,
    AuthConfig,
    BackendPlan,
    ChoiceFilter,
    Conflict,
    CustomOperation,
    DeleteOperation,
    DerivedFilter,
    ErrorConventions,
    FieldSpec,
    GivenId,
    JsonNames,
    ListOperation,
    Operation,
    Operations,
    Pagination,
    PasswordRules,
    RangeFilter,
    Reference,
    ReplaceOperation,
    Resource,
    SortSpec,
    Unresolved,
    resource_class,
)
from sp_backend.readers import list_shape
from sp_backend.readers.access import read_text as read_access_text
from sp_backend.readers.access import roles_claim as read_roles_claim
from sp_backend.readers.access import tenant_claim as read_tenant_claim
from sp_backend.readers.access import tenant_rules
from sp_backend.readers.accounts import read_accounts
from sp_backend.readers.auth import Signals
from sp_backend.readers.conventions import Conventions
from sp_backend.readers.custom import (
    build_operation,
    follow_convention,
    operation_names,
    relative_path,
)
from sp_backend.readers.delete_answer import read_delete_answer
from sp_backend.readers.derived import is_flag, read_derived
from sp_backend.readers.embeds import read_embeds
from sp_backend.readers.envelope import read_envelope
from sp_backend.readers.facts import (
    RANK_CONTRACT,
    RANK_PROSE,
    Endpoint,
    FieldFact,
    Param,
    TableFacts,
    Value,
)
from sp_backend.readers.filters import read_any_of, read_range
from sp_backend.readers.merge import Chosen, decide, merge_field
from sp_backend.readers.resources import Group, unbuildable_reason
from sp_backend.readers.types import parse_enum_values, parse_type
from sp_backend.readers.words import singular

_TIMESTAMPS = {"created_at", "updated_at", "createdat", "updatedat"}
_OWNER_NAMES = ("user_id", "owner_id", "owner", "userid", "created_by")
_PAGE_PARAMS = {
    "page",
    "page_size",
    "pagesize",
    "per_page",
    "perpage",
    "limit",
    "offset",
    "cursor",
    "size",
    "page_number",
    "pagenumber",
    "after",
    "before",
    "skip",
    "take",
}
_SORT_PARAMS = {"sort", "sort_by", "sortby", "order_by", "orderby", "ordering", "sort_field"}
_ORDER_PARAMS = {"order", "direction", "sort_order", "dir", "sort_dir", "sort_direction"}
_SEARCH_PARAMS = {"search", "q", "query", "keyword", "keywords", "term"}
_SORT_ALIASES = {
    "created": "created_at",
    "updated": "updated_at",
    "createdat": "created_at",
    "updatedat": "updated_at",
    "date": "created_at",
    "newest": "created_at",
}


@dataclass
class Inputs:
    feature: str
    sources: dict[str, str]
    contract_rel: str
    endpoints: list[Endpoint]  # the contract's endpoints, folded
    other_endpoints: list[Endpoint]  # endpoints of other API documents, folded
    groups: list[Group]
    models: list[TableFacts]  # schema tables and contract object tables, any rank
    dotted: list[tuple[str, FieldFact]]
    prose: list[FieldFact]
    signals: Signals
    contract_text: str = ""
    # List conventions the contract states once for every list (readers/conventions.py).
    conventions: Conventions = field(default_factory=Conventions)
    # Said for review while gathering (the base path applied): (what, source, resolution).
    notes: list[tuple[str, str | None, str]] = field(default_factory=list)
    # gather --all: every resource of a whole-application contract, not the feature's part.
    everything: bool = False
    conflicts: list[Conflict] = field(default_factory=list)


@dataclass
class Built:
    plan: BackendPlan
    resources: dict[str, list[str]] = field(default_factory=dict)  # name -> "METHOD path"
    skipped: list[str] = field(default_factory=list)


class _Notes:
    def __init__(self) -> None:
        self.unresolved: list[Unresolved] = []
        self.conflicts: list[Conflict] = []

    def add(self, what: str, source: str | None, resolution: str | None = None) -> None:
        if not any(u.what == what for u in self.unresolved):
            self.unresolved.append(Unresolved(what=what, source=source, resolution=resolution))


def build_plan(inp: Inputs) -> Built:
    notes = _Notes()
    for what, where, resolution in inp.notes:
        notes.add(what, where, resolution)
    notes.conflicts.extend(inp.conflicts)
    built = Built(BackendPlan.model_construct())
    resources: dict[str, Resource] = {}
    owner_types: list[Value] = []
    # (resource, ON DELETE of its owner column's key to the accounts table), for auth.accounts.
    owner_rules: list[tuple[str, Value]] = []
    planned: list[Endpoint] = []  # the endpoints the plan serves, for conventions they show
    answered: dict[str, dict[str, Endpoint]] = {}  # resource -> operation -> its endpoint
    # The contract's collection path -> (resource name, its plan), for the nested under it.
    by_collection: dict[str, tuple[str, Resource]] = {}
    no_auth = _no_auth(inp, notes)
    tenants: dict[str, tuple[list[str], str | None]] = {}  # group -> (tenant words, source)
    groups = _adopt_sub_collections(inp.groups)
    part = set() if inp.everything else _feature_part(inp.feature, groups, inp)
    for g in groups:
        reason = unbuildable_reason(g)
        if part and not reason and g.name not in part:
            # A whole-application contract: this feature's part is planned, the rest named.
            shown = ", ".join(f"{e.method} {e.path}" for e in g.endpoints[:3])
            more = f" and {len(g.endpoints) - 3} more" if len(g.endpoints) > 3 else ""
            notes.add(
                f"{g.collection} ({shown}{more}) is another part of the application contract, "
                f"not the {inp.feature} feature's",
                g.endpoints[0].source,
                f"not planned here: gather the feature it belongs to (e.g. `gather "
                f"{_table_name(g)}`) to plan it",
            )
            for ep in g.endpoints:
                built.skipped.append(f"{ep.method} {ep.path}")
            continue
        if reason:
            for ep in g.endpoints:
                built.skipped.append(f"{ep.method} {ep.path}")
                notes.add(
                    f"{ep.method} {ep.path} is not planned: {reason}",
                    ep.source,
                    LEFT_OUT,
                )
            continue
        resource = _resource(
            g,
            inp,
            notes,
            owner_types,
            owned=no_auth is None,
            planned=by_collection,
            owner_rules=owner_rules,
        )
        if resource is None:
            continue
        if no_auth is None:
            resource = _access(g, resource, notes)
        tenant_words = _tenant_words(g, notes) if no_auth is None else None
        twin = next((n for n, r in resources.items() if r.table == resource.table), None)
        if twin is not None:
            # One collection under two prefixes (/resources, /staff/resources): one table,
            # served once; the other prefix's routes (often other access rules) are the agent's.
            for ep in g.endpoints:
                built.skipped.append(f"{ep.method} {ep.path}")
                notes.add(
                    f"{ep.method} {ep.path} serves the {resource.table} of {resources[twin].path} "
                    "under another prefix",
                    ep.source,
                    f"served once, at {resources[twin].path}; write this route in "
                    "app/extensions/ if it differs (other access rules)",
                )
            continue
        name = g.name if g.name not in resources else f"{g.name}_{len(resources)}"
        if resource_class(name) in RESERVED_CLASS_NAMES:
            notes.add(
                f"{name}: the resource's class would be {resource_class(name)}, a name the "
                "generated code uses itself",
                g.endpoints[0].source,
                f"planned as {name}_record (its path and table unchanged)",
            )
            name = f"{name}_record"
        resources[name] = resource
        if tenant_words:
            tenants[name] = tenant_words
        by_collection[g.collection] = (name, resource)
        built.resources[name] = [f"{e.method} {e.path}" for e in g.endpoints]
        planned += g.collection_eps + g.item_eps + list(g.actions.values())
        answered[name] = _operation_endpoints(g)
    _text_references(resources, notes)
    _conventions_left(inp.conventions, bool(resources), notes)
    read_embeds(resources, notes)
    # What a planned resource's schema states that no plan key holds (a CHECK, a composite key).
    for t in inp.models:
        if any(_model_key(t.name) == name for name in built.resources):
            for what, where in t.unresolved:
                notes.add(f"{t.name}: {what}", where, LEFT_OUT)
    _other_api_conflicts(inp, notes)
    errors = _errors(inp, notes)
    dropped: dict[str, set[str]] = {"resources": set(), "errors": set()}
    auth: AuthConfig | dict[str, Any]
    if no_auth is None:
        auth = _auth(inp, notes, owner_types, resources, owner_rules)
        _roles_claim(auth, resources, inp, notes)
        _tenant_scopes(auth, resources, tenants, inp, notes)
    else:
        # Stated, and nothing else: the token settings do not apply (plan/model.py).
        auth = {"mode": "none", "source": no_auth.source}
        _open_everything(resources, errors, inp, notes, dropped)
    envelope = read_envelope(planned)
    for what, where, resolution in envelope.notes:
        notes.add(what, where, resolution)
    _answer_messages(resources, answered, envelope.messages)
    _served_by_the_envelope(notes, envelope.conventions)
    _markers_served(resources, answered, envelope.conventions, notes)
    _pages_in_the_envelope(resources, answered, envelope.conventions, notes)
    data: dict[str, Any] = {
        "feature": inp.feature,
        "sources": inp.sources,
        "auth": auth,
        "errors": errors,
        **({"responses": envelope.conventions} if envelope.conventions else {}),
        "resources": resources,
        "unresolved": notes.unresolved,
        "conflicts": notes.conflicts,
    }
    if not resources and (isinstance(auth, dict) or auth.mode != "local"):
        raise ValueError("no resource the generator can build was found in the contract")
    built.plan = BackendPlan.model_validate(
        {
            k: (v.model_dump(exclude_none=True) if hasattr(v, "model_dump") else v)
            for k, v in data.items()
        }
        | {
            "resources": {
                k: r.model_dump(exclude=dropped["resources"]) for k, r in resources.items()
            },
            "errors": errors.model_dump(exclude_none=True, exclude=dropped["errors"]),
            "unresolved": [u.model_dump() for u in notes.unresolved],
            "conflicts": [c.model_dump() for c in notes.conflicts],
        }
    )
    return built


def _feature_part(feature: str, groups: list[Group], inp: Inputs) -> set[str]:
    """The resources a feature's name picks out of a whole-application contract (`products` ->
    product, `001-order-history` -> order), with the resources they refer to: empty when the
    contract serves few resources (it is the feature's own) or the name names none of them."""
    buildable = [g for g in groups if unbuildable_reason(g) is None]
    if len({_table_name(g) for g in buildable}) < _WHOLE_APPLICATION:  # one table, two prefixes
        return set()
    words = [w for w in re.split(r"[^a-z0-9]+", feature.lower()) if w and not w.isdigit()]
    wanted = {singular(w) for w in words} | {"_".join(singular(w) for w in words)}
    joined = feature.lower().replace("-", "_")
    part = {g.name for g in buildable if g.name in wanted or _table_name(g) == joined}
    by_table = {_table_name(g): g.name for g in buildable}
    todo = list(part)
    while todo:  # a planned resource's references are planned with it
        name = todo.pop()
        g = next(x for x in buildable if x.name == name)
        facts, _ = _facts_for(g, inp)
        for fs in facts.values():
            for f in fs:
                fk = str(f.get("foreign_key") or "")
                target = by_table.get(fk.rsplit(".", 1)[0].lower()) if "." in fk else None
                if target and target not in part:
                    part.add(target)
                    todo.append(target)
    return part


# A contract serving this many resources is taken for the whole application's: a feature name
# that names some of them plans those (a feature's own contract rarely serves more than three).
_WHOLE_APPLICATION = 4


def _adopt_sub_collections(groups: list[Group]) -> list[Group]:
    """A path under a resource that is no resource of its own (GET /orders/summary) is one of
    that resource's custom operations: its endpoints move to the resource's group."""
    buildable = [g for g in groups if unbuildable_reason(g) is None]
    kept = []
    for g in groups:
        parent = None
        reason = unbuildable_reason(g)
        if reason is not None and not reason.startswith("authentication"):
            parents = [p for p in buildable if g.collection.startswith(p.collection + "/")]
            parent = max(parents, key=lambda p: len(p.collection), default=None)
        if parent is None:
            kept.append(g)
        else:
            parent.other.extend(g.endpoints)
    return kept


# ---------------------------------------------------------------------------------- resources


def _facts_for(g: Group, inp: Inputs) -> tuple[dict[str, list[FieldFact]], list[TableFacts]]:
    facts: dict[str, list[FieldFact]] = {}
    # Only the CRUD endpoints describe the resource: what an action or a custom operation takes
    # or answers (a reason, an availability) is that operation's own (readers/custom.py).
    for ep in g.collection_eps + g.item_eps:
        # A DELETE's response ({"message": ...}) says nothing about the resource's fields.
        response = [] if ep.method == "DELETE" else ep.response
        for f in response + ep.body:
            facts.setdefault(snake_name(f.name), []).append(f)
    tables = [t for t in inp.models if _model_key(t.name) == g.name]
    for t in tables:
        for f in t.fields:
            facts.setdefault(snake_name(f.name), []).append(f)
    for key, f in inp.dotted:
        if key == g.name:
            facts.setdefault(snake_name(f.name), []).append(f)
    for f in inp.prose:
        if snake_name(f.name) in facts:
            facts[snake_name(f.name)].append(f)
    return facts, tables


def snake_name(name: str) -> str:
    """A camelCase wire name as the plan's snake_case field name (`resourceId` -> `resource_id`);
    other names unchanged."""
    if re.fullmatch(r"[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+", name):
        return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()
    return name


def _json_names(g: Group, inp: Inputs, notes: _Notes) -> tuple[JsonNames, dict[str, str]]:
    """How the contract spells the resource's JSON keys, from its request and answer bodies
    (schema tables and DDL name columns, not keys): camelCase when every key of more than one
    word is; otherwise snake_case, with each camelCase key kept as that field's json_name."""
    seen: dict[str, set[str]] = {}
    for ep in g.collection_eps + g.item_eps:
        for f in ([] if ep.method == "DELETE" else ep.response) + ep.body:
            seen.setdefault(snake_name(f.name), set()).add(f.name)
    if not any("_" in name for name in seen):
        # No key of more than one word in the bodies: the contract's own object schemas
        # (OpenAPI components, object tables beside the endpoints) are the next evidence.
        for t in inp.models:
            if t.rank == RANK_CONTRACT and _model_key(t.name) == g.name:
                for f in t.fields:
                    seen.setdefault(snake_name(f.name), set()).add(f.name)
    multiword = {name: wires for name, wires in seen.items() if "_" in name}
    # A key spelled both ways somewhere (one odd example) keeps its field name.
    camel = {name: min(w) for name, w in multiword.items() if name not in w and len(w) == 1}
    if camel and len(camel) == len(multiword):
        return "camelCase", {}
    if camel:
        shown = ", ".join(sorted(camel.values())[:6])
        notes.add(
            f"{g.name}: the contract mixes camelCase ({shown}) and snake_case JSON keys",
            g.endpoints[0].source,
            "each key kept as the contract spells it (json_name on the camelCase fields)",
        )
    return "snake_case", camel


def _matches(pattern: str, value: str) -> bool:
    try:
        return re.fullmatch(pattern, value) is not None
    except re.error:
        return False


def _model_key(name: str) -> str:
    from sp_backend.readers.models import model_key

    return model_key(name)


def _no_auth(inp: Inputs, notes: _Notes) -> Value | None:
    """The contract's own statement that the API has no authentication (auth.mode none), or
    None. Said elsewhere only (a feature spec), said beside token details, or only implied (an
    OpenAPI document without security): a note, and tokens stay required."""
    s = inp.signals
    said = [v for v in s.no_auth if v.rank == RANK_CONTRACT]  # in the order of the text
    tokens = [
        v
        for v in s.mode + s.local_endpoints + s.secret_env + s.algorithms
        if v.rank == RANK_CONTRACT
    ]
    if said and tokens:
        notes.add(
            f"the contract says the API has no authentication ({said[0].source}) but also "
            f"describes tokens ({tokens[0].source})",
            said[0].source,
            "tokens required; set auth.mode none in the plan if the API really has none",
        )
        return None
    if said:
        return said[0]
    elsewhere = sorted((v for v in s.no_auth if v.rank != RANK_CONTRACT), key=lambda v: v.rank)
    # The feature's own spec may say it where the contract says nothing of callers at all: that
    # is the requirement, when no document of the feature describes tokens either.
    any_tokens = [
        v for v in s.mode + s.local_endpoints + s.secret_env + s.algorithms if v.rank <= RANK_PROSE
    ]
    feature_said = [v for v in elsewhere if v.rank == RANK_PROSE]
    if feature_said and not any_tokens:
        notes.add(
            "only the feature spec says the API has no authentication; the contract does not say",
            feature_said[0].source,
            "auth.mode none, from the feature spec; set a token mode in the plan if callers "
            "must sign in",
        )
        return feature_said[0]
    if elsewhere and not tokens:
        notes.add(
            "a document beside the contract says the API has no authentication; the contract "
            "does not say so",
            elsewhere[0].source,
            "tokens required (auth.mode stays a token mode); say it in the contract, or set "
            "auth.mode none in the plan",
        )
    for v in s.unsecured[:1]:
        if not tokens and not elsewhere:
            notes.add(
                "the OpenAPI document declares no securitySchemes and no security: it does "
                "not say whether callers sign in",
                v.source,
                "tokens required; if the API has no authentication, say so in the contract "
                "(or set auth.mode none in the plan)",
            )
    return None


def _open_everything(
    resources: dict[str, Resource],
    errors: ErrorConventions,
    inp: Inputs,
    notes: _Notes,
    dropped: dict[str, set[str]],
) -> None:
    """auth.mode none: no owners, custom operations open to anyone; what the contract says
    about someone else's rows cannot apply, and is said in a note instead."""
    dropped["resources"].add("owner_in_response")
    for resource in resources.values():
        resource.owner = None
        for op in resource.operations.custom.values():
            op.auth, op.scope = False, "any"
        if resource.messages.forbidden is not None:
            resource.messages.forbidden = None
    dropped["errors"].add("not_owner_status")
    if "not_owner_status" in errors.model_fields_set:
        where = next((v.source for v in inp.signals.not_owner), None)
        notes.add(
            "the contract gives an answer for someone else's row, but the API has no "
            "authentication (no rows are anyone's)",
            where,
            "not planned: every caller reaches every row",
        )
    if "forbidden" in errors.messages:
        del errors.messages["forbidden"]


def _resource(
    g: Group,
    inp: Inputs,
    notes: _Notes,
    owner_types: list[Value],
    *,
    owned: bool = True,
    planned: dict[str, tuple[str, Resource]] | None = None,
    owner_rules: list[tuple[str, Value]] | None = None,
) -> Resource | None:
    facts, _ = _facts_for(g, inp)
    first = g.endpoints[0]
    json_names, renamed = _json_names(g, inp, notes)
    # The id's type is decided (and its conflict reported) once, by _id_type.
    merged = {
        name: merge_field(name, fs, [] if name == "id" else notes.conflicts, g.name)
        for name, fs in facts.items()
    }
    id_type, id_prefix, id_given = _id_type(g, merged, facts, notes)
    owner = _owner(g, merged, notes, owner_types, inp) if owned else None
    if owner is not None and owner_rules is not None:
        rule = _owner_rule(owner, merged, inp)
        if rule is not None:
            owner_rules.append((g.name, rule))
    timestamps = True
    fields: dict[str, FieldSpec] = {}
    action_fields = {_action_field(name, merged) for name in g.actions}
    for name, attrs in merged.items():
        if name == "id" or name == owner or name.lower() in _TIMESTAMPS:
            continue
        if attrs.get("primary_key") and attrs["primary_key"].value:
            continue
        fk = attrs.get("foreign_key")
        if fk and _model_key(str(fk.value).split(".")[0]) in account_models(inp.models):
            continue  # another owner-like column (e.g. created_by): the owner is enough
        if name in RESERVED_FIELD_NAMES or not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            notes.add(
                f"{g.name}.{name}: the name is reserved or not snake_case",
                _best_source(facts[name]),
                "left out; rename it in the plan to keep it",
            )
            continue
        spec = _field(
            g.name,
            name,
            attrs,
            facts[name],
            notes,
            tables={_table_name(x): x.name for x in inp.groups if unbuildable_reason(x) is None},
            read_only=_read_only(name in action_fields, attrs, facts[name]),
        )
        if spec is not None:
            fields[name] = spec
    if not fields:
        notes.add(
            f"{g.name}: no fields found for this resource",
            first.source,
            "resource left out; describe its fields in the contract or schema",
        )
        return None
    path, parent = g.collection, None
    if g.parent is not None:
        nest = _nested(g, fields, planned or {}, notes, inp.groups)
        if nest is None:
            return None
        path, parent = nest
        for ep in g.other:  # what the plan cannot scope by the path's parents yet
            notes.add(
                f"{ep.method} {ep.path} is not planned: a custom operation of a nested "
                "resource is not scoped by the path's parents yet",
                ep.source,
                LEFT_OUT,
            )
        g.other = []
    ops = _operations(g, fields, inp, notes, owned=owner is not None)
    follow_convention(ops.custom, camel=json_names == "camelCase")
    for name, wire in renamed.items():
        if name in fields:
            fields[name] = fields[name].model_copy(update={"json_name": wire})
    try:
        return Resource(
            table=_table_name(g),
            path=path,
            parent=parent,
            id=id_type,
            id_prefix=id_prefix,
            id_given=id_given,
            owner=owner,
            timestamps=timestamps,
            json_names=json_names,
            fields=fields,
            operations=ops,
            source=first.source,
        )
    except ValidationError as exc:
        notes.add(
            f"{g.name}: cannot be planned: {exc.errors()[0]['msg']}",
            first.source,
            "resource left out",
        )
        return None


# What the parent's delete says of its children: "removed with its cots", "deletes all of its
# cards", "cascades"; "while it still has cards" (with its 409) is the restrict rule.
_CASCADE_WORDS = re.compile(
    r"\b(?:with|and|along with|together with|deletes?|removes?|including)\s+"
    r"(?:all\s+)?(?:of\s+)?(?:its|their|the)\s+([a-z][\w-]*)|\bcascad",
    re.IGNORECASE,
)
_RESTRICT_WORDS = re.compile(
    r"\b(?:while|if|when|as long as)\s+it\s+(?:still\s+)?(?:has|holds|contains)\s+"
    r"(?:any\s+)?([a-z][\w-]*)",
    re.IGNORECASE,
)


def _delete_rule_said(
    groups: list[Group], parent_collection: str, child: Group
) -> tuple[str, str] | None:
    """(on_delete, source) the parent's DELETE endpoint states for this child's rows, or None."""
    parent = next((x for x in groups if x.collection == parent_collection), None)
    if parent is None:
        return None
    segment = child.collection.rsplit("/", 1)[1].replace("-", "_")
    names = {singular(segment), segment}
    for ep in parent.item_eps:
        if ep.method != "DELETE":
            continue
        text = " ".join([ep.title, ep.description, ep.text, *ep.statuses.values()])
        for pattern, rule in ((_RESTRICT_WORDS, "restrict"), (_CASCADE_WORDS, "cascade")):
            for m in pattern.finditer(text):
                word = (m.group(1) or "").lower().replace("-", "_")
                if m.group(0).lower().startswith("cascad") or singular(word) in names:
                    return rule, ep.source
    return None


def _nested(
    g: Group,
    fields: dict[str, FieldSpec],
    planned: dict[str, tuple[str, Resource]],
    notes: _Notes,
    groups: list[Group] | None = None,
) -> tuple[str, str] | None:
    """A collection under another's item (/boards/{boardId}/cards): its plan path and parent
    field, the parent's reference filled in (`fields` changed in place). The parent is the
    collection before the id; the field is named by the id's parameter (boardId -> board_id;
    a bare {id} -> <parent>_id). None, with a note, when the parent is not planned."""
    if g.parent is None:
        return None
    collection, param = g.parent
    source = g.endpoints[0].source
    found = planned.get(collection)
    if found is None:
        notes.add(
            f"{g.collection} is nested under {collection}, which is not planned",
            source,
            f"{g.name} left out; plan {collection} (with its item route) to serve it",
        )
        return None
    parent_name, parent = found
    name = snake_name(param)
    if name == "id":
        name = f"{parent_name}_id"
    if not re.fullmatch(r"[a-z][a-z0-9_]*_id", name):
        notes.add(
            f"{g.collection}: {{{param}}} does not read as the id of a {parent_name}",
            source,
            f"{g.name} left out; a nested collection's path names its parent by id",
        )
        return None
    spec = fields.get(name)
    stated = spec.references if spec is not None else None
    on_delete = stated.on_delete if stated is not None and stated.resource == parent_name else None
    if on_delete == "set_null":
        notes.add(
            f"{g.name}.{name}: on delete set null, but a {g.name} lives under its {parent_name}",
            stated.source if stated else source,
            "restrict: set references.on_delete to cascade to delete them with it",
        )
        on_delete = None
    said = None if on_delete else _delete_rule_said(groups or [], collection, g)
    if said is not None:
        on_delete, source = said
    if on_delete is None:
        notes.add(
            f"{g.name}: what deleting a {parent_name} does to its {_table_name(g)} is not stated",
            source,
            f"restrict (a {parent_name} with {_table_name(g)} is answered 409); set "
            f"resources.{g.name}.fields.{name}.references.on_delete to cascade to delete them "
            "with it",
        )
    reference = Reference(
        resource=parent_name, on_delete=on_delete or "restrict", source=source
    ).model_dump(exclude_none=True)
    base = spec.model_dump(exclude_none=True) if spec is not None else {"source": source}
    for key in ("nullable", "read_only", "default"):
        base.pop(key, None)
    fields[name] = FieldSpec.model_validate(
        {**base, "type": parent.id, "required": True, "references": reference}
    )
    segment = g.collection.rsplit("/", 1)[1]
    return f"{parent.path}/{{{name}}}/{segment}", name


def _table_name(g: Group) -> str:
    last = [s for s in g.collection.split("/") if s and not s.startswith("{")][-1]
    name = last.replace("-", "_").lower()
    return name if re.fullmatch(r"[a-z][a-z0-9_]*", name) else g.name + "s"


def _best_source(facts: list[FieldFact]) -> str:
    return min(facts, key=lambda f: (f.rank, -f.ctx)).source


def _in_input(facts: list[FieldFact]) -> bool:
    return any(f.get("in_input") for f in facts)


def _read_only(action_field: bool, attrs: dict[str, Chosen], facts: list[FieldFact]) -> bool:
    """Server-managed: an action's field, or one the contract calls read-only or
    server-generated, unless a request body sends it; a reference is always the client's."""
    stated = bool(attrs["read_only"].value) if "read_only" in attrs else False
    return (action_field or stated) and not _in_input(facts) and "foreign_key" not in attrs


def _field(
    res: str,
    name: str,
    attrs: dict[str, Chosen],
    facts: list[FieldFact],
    notes: _Notes,
    *,
    read_only: bool,
    tables: dict[str, str] | None = None,
) -> FieldSpec | None:
    """tables: table -> resource name of this plan's resources, for references."""
    source = _best_source(facts)

    def val(key: str) -> Any:
        return attrs[key].value if key in attrs else None

    kind = val("type")
    if kind == "str" and any(f.get("type") == "text" for f in facts):
        kind = "text"
    values = val("values")
    if values and kind in (None, "str", "enum", "text"):
        kind = "enum"
    if kind == "enum" and not values:
        notes.add(f"{res}.{name}: an enum without listed values", source, "typed as str")
        kind = "str"
    # A generic container (JSON, a list) another source says more about: an object with its
    # fields, a list of integers or objects, a string an email or URI.
    refined = {f.get("type") for f in facts} & REFINES.get(kind, set())
    if len(refined) == 1:
        kind = refined.pop()
    if kind not in FIELD_TYPES:
        notes.add(f"{res}.{name}: no type stated", source, "typed as str")
        kind = "str"
    members = val("fields")
    if kind in OBJECT_TYPES:
        members = _members(f"{res}.{name}", members, source, notes)
        if not members:
            notes.add(f"{res}.{name}: an object whose fields are not stated", source, "typed json")
            kind = "json"
    data: dict[str, Any] = {"type": kind, "source": source}
    # Each constraint the field's type takes (the plan's table); values and fields below.
    for key, types in CONSTRAINTS_BY_TYPE.items():
        if kind in types and key not in ("values", "fields") and val(key) is not None:
            data[key] = val(key)
    if kind in ("str", "text") and val("not_blank"):
        data.setdefault("min_length", 1)
        data["input_rules"] = ["not_blank"]
    if kind == "enum":
        data["values"] = [str(v) for v in values]
    if kind in OBJECT_TYPES:
        data["fields"] = members
    if kind in ("date", "datetime"):
        rules = [r for r in ("future", "past") if val(r)]
        if rules:
            data["input_rules"] = rules
    if val("unique") and kind not in JSON_TYPES | {"text"}:
        data["unique"] = True
    if val("index") and kind not in JSON_TYPES | {"text"}:
        data["index"] = True
    example = val("example")
    if data.get("pattern") and isinstance(example, str) and _matches(data["pattern"], example):
        data["example"] = example  # the contract's own sample: what the generated tests send
    default = val("default")
    if default is not None:
        data["default"] = default
    elif kind in ("list[str]", "list[int]", "list[object]"):
        data["default"] = []
    required = bool(val("required")) and default is None and not read_only
    data["required"] = required
    if read_only:
        data["read_only"] = True
    elif val("immutable"):
        data["immutable"] = True  # given on create, refused by PATCH and PUT
    if val("nullable") is False and not required:
        data["nullable"] = False  # only when it differs from the default (optional => nullable)
    reference = _reference(res, name, kind, val("foreign_key"), val("on_delete"), tables, notes)
    if reference:
        data["references"] = {**reference, "source": attrs["foreign_key"].source}
    try:
        return FieldSpec(**data)
    except ValidationError as exc:
        problem = exc.errors()[0]["msg"]
        for key in (
            "default",
            "min_length",
            "max_length",
            "pattern",
            "input_rules",
            "ge",
            "le",
            "references",
        ):
            data.pop(key, None)
        notes.add(f"{res}.{name}: {problem}", source, "the offending constraint was dropped")
        if kind in OBJECT_TYPES:
            # A nested field the plan cannot hold: the whole value is kept, as JSON.
            data = {"type": "json", "source": source, "required": data["required"]}
        try:
            return FieldSpec(**data)
        except ValidationError:
            return None


# Types a reader may refine a generic one to, when another source says more.
REFINES: dict[str | None, set[str]] = {
    "json": {"object", "list[object]"},
    "list[str]": {"list[int]", "list[object]"},
    "str": {"email", "uri"},
}
# What a field inside an object keeps of a reader's facts (no column settings: the object is
# validated and stored whole).
_MEMBER_KEYS = {"type", "required", "nullable", "description", "example", *CONSTRAINTS_BY_TYPE}


def _members(where: str, members: Any, source: str, notes: _Notes) -> dict[str, Any] | None:
    """An object's fields as a reader found them, each fitted to what the plan holds inside a
    JSON object: a date, datetime, UUID or decimal is text there (noted); a field of no
    type, text; an object inside, its own fields likewise."""
    if not isinstance(members, dict) or not members:
        return None
    out: dict[str, Any] = {}
    for key, found in members.items():
        spec = {k: v for k, v in (found or {}).items() if k in _MEMBER_KEYS and v is not None}
        kind = spec.get("type")
        if kind not in MEMBER_TYPES:
            if kind is not None:
                notes.add(f"{where}.{key}: {kind} inside an object", source, "held as text")
            kind = spec["type"] = "str"
        for constraint, types in CONSTRAINTS_BY_TYPE.items():
            if constraint in spec and kind not in types:
                del spec[constraint]
        if kind in OBJECT_TYPES:
            inner = _members(f"{where}.{key}", spec.get("fields"), source, notes)
            if inner is None:
                return None  # an object inside of no stated fields: the whole stays JSON
            spec["fields"] = inner
        if kind == "enum" and not spec.get("values"):
            spec["type"] = "str"
        out[str(key)] = spec
    return out


def _reference(
    res: str,
    name: str,
    kind: str,
    fk: Any,
    on_delete: Any,
    tables: dict[str, str] | None,
    notes: _Notes,
) -> dict[str, Any] | None:
    """A foreign key to another resource of this plan, as a plan reference ({resource,
    on_delete}); anything else is said in an unresolved note."""
    if not fk or fk == "?" or "." not in str(fk):
        return None
    table, column = str(fk).rsplit(".", 1)
    target = (tables or {}).get(table.lower())
    if target is None and _model_key(table) in (tables or {}).values():
        target = _model_key(table)  # a model's name (Prisma: Artist), not its table
    # A text id's reference (kind str) is checked against the target's id once both are built
    # (_text_references).
    if target is None or column != "id" or kind not in ("uuid", "int", "str") or target == res:
        notes.add(
            f"{res}.{name}: refers to {fk}, not the id of another resource of this feature",
            None,
            "kept as a plain field: set references.resource to the resource's name (it may be "
            "in another plan of this backend) to make it a checked foreign key",
        )
        return None
    return {"resource": target, "on_delete": on_delete or "restrict"}


def _text_references(resources: dict[str, Resource], notes: _Notes) -> None:
    """A text field referring to another resource's id is a reference only when those ids are
    text (id: str); it is then bounded as they are (emit gives it their pattern and length), so
    the contract's own bounds and example, which may show an id cut short, are left to them."""
    for name, r in resources.items():
        for field_name, spec in r.fields.items():
            ref = spec.references
            if ref is None or spec.type != "str":
                continue
            target = resources.get(ref.resource)
            if target is not None and target.id == "str":
                keep = {"pattern": None, "max_length": None, "min_length": None, "example": None}
                r.fields[field_name] = spec.model_copy(update=keep)
                continue
            notes.add(
                f"{name}.{field_name}: refers to {ref.resource}.id, whose ids are not text",
                spec.source,
                "kept as a plain field: make the field's type that of the ids to check it",
            )
            r.fields[field_name] = spec.model_copy(update={"references": None})


def _id_type(
    g: Group, merged: dict[str, dict[str, Chosen]], facts: dict[str, list[FieldFact]], notes: _Notes
) -> tuple[str, str | None, GivenId | None]:
    """The id's type; for a text id the prefix the server puts before its random part, or the
    rules of an id the client gives."""
    given_at, said = _client_gives_id(g, facts)
    if given_at is not None and not said and _shown_prefixes(facts):
        given_at = None  # a schema shared by request and answer: ids the server prefixes
    kind = _id_kind(g, facts, notes, quiet=given_at is not None)
    stated = any(f.get("type") == kind for f in facts.get("id", []))
    if given_at is not None and kind in ("uuid", "int") and stated:
        if said:
            notes.add(
                f"{g.name}.id: the client gives the id on create, and ids are {kind}; only text "
                "ids the client gives (a slug, a code) are planned",
                given_at,
                f"{kind} made by the server; write the create route in app/extensions/",
            )
        return kind, None, None  # else a schema shared by request and answer, as most are
    if given_at is not None:
        given = _given_id(g, facts, given_at, notes)
        if given is not None:
            _note_put_creates(g, notes)
        return ("str", None, given) if given is not None else ("uuid", None, None)
    if kind != "str":
        return kind, None, None
    prefix = _id_prefix(g, facts, notes)
    return ("str", prefix, None) if prefix is not None else ("uuid", None, None)


def _client_gives_id(g: Group, facts: dict[str, list[FieldFact]]) -> tuple[str | None, bool]:
    """Where the contract shows that the client gives the id on create, and whether its words
    say so (client-chosen, given by the client) rather than its shapes: a create body carries
    the id (and nothing marks it read-only), or a PUT to an item's path creates the row (201)
    where no POST does. (None, False) when it does not."""
    ids = facts.get("id", [])
    said = next((f.source for f in ids if f.get("given_by_client")), None)
    if said is not None:
        return said, True
    creates_by_put = [ep for ep in g.item_eps if ep.method == "PUT" and 201 in ep.statuses]
    posts = [ep for ep in g.collection_eps if ep.method == "POST"]
    if creates_by_put and not posts:
        return creates_by_put[0].source, False  # the id is the path's, whatever the body says
    if any(f.get("read_only") for f in ids):
        return None, False
    sent = next((f.source for f in ids if f.get("in_input")), None)
    return (sent, False) if sent is not None else (None, False)


def _note_put_creates(g: Group, notes: _Notes) -> None:
    """A PUT to an item's path that creates the row (201) is not generated: creation is a POST
    to the collection with the id in its body, and PUT replaces a row that exists."""
    for ep in g.item_eps:
        if ep.method == "PUT" and 201 in ep.statuses:
            notes.add(
                f"PUT {ep.path}: creates the row at the id the client gives (201), which the "
                "backend does not generate",
                ep.source,
                f"created by POST {g.collection} with the id in the body; PUT replaces a row "
                "that exists (404 otherwise); write create-by-PUT in app/extensions/",
            )
            return


def _shown_prefixes(facts: dict[str, list[FieldFact]]) -> dict[str, str]:
    """The prefixes the ids shown start with (their pattern's, else their examples'), each
    with where it is shown: ids the server makes as a prefix and a random part."""
    shown: dict[str, str] = {}
    for f in facts.get("id", []):
        pattern, example = f.get("pattern"), f.get("example")
        found = _PREFIXED_PATTERN.match(str(pattern)) if pattern is not None else None
        if found is None and isinstance(example, str):
            found = _PREFIXED_EXAMPLE.fullmatch(example)
        if found is not None:
            shown.setdefault(found.group(1), f.source)
    return shown


def _path_id_params(g: Group) -> list[Param]:
    """The item paths' own id parameters (the last of each item path)."""
    found = []
    for ep in g.item_eps:
        names = re.findall(r"\{([^}]+)\}", ep.path)
        for p in ep.params:
            if p.location == "path" and names and p.name == names[-1]:
                found.append(p)
    return found


def _given_id(
    g: Group, facts: dict[str, list[FieldFact]], given_at: str, notes: _Notes
) -> GivenId | None:
    """The rules of an id the client gives: the pattern (the id's schema, else the path
    parameter's), the longest length (stated, else the pattern's own bound), where it is unique
    (unique across users when the contract says so) and an example that fits. None, with a
    note, when the contract leaves the pattern or the length open: a key of any text would
    reach URLs, so nothing is guessed."""
    ids = facts.get("id", [])
    params = _path_id_params(g)
    patterns = [(str(f.get("pattern")), f.source) for f in ids if f.get("pattern")]
    patterns += [(p.pattern, p.source) for p in params if p.pattern]
    lengths = [(int(f.get("max_length")), f.source) for f in ids if f.get("max_length")]
    lengths += [(p.max_length, p.source) for p in params if p.max_length]
    where = f"{g.name}.id"
    if not patterns:
        notes.add(
            f"{where}: the client gives the id on create, but the contract states no pattern "
            "for it",
            given_at,
            "uuid made by the server; state the ids' pattern and longest length in the "
            "contract (or set id: str and id_given in the plan)",
        )
        return None
    distinct = sorted({p for p, _ in patterns})
    if len(distinct) > 1:
        notes.add(
            f"{where}: the client gives the id, and the contract states different patterns "
            f"for it ({', '.join(distinct)})",
            patterns[0][1],
            "uuid made by the server; state one pattern (id_given.pattern in the plan)",
        )
        return None
    pattern, pattern_source = patterns[0]
    longest = max((n for n, _ in lengths), default=None) or _pattern_bound(pattern)
    if longest is None:
        notes.add(
            f"{where}: the client gives the id, but its longest length is not stated and the "
            f"pattern {pattern!r} leaves it open",
            pattern_source,
            "uuid made by the server; state the ids' maximum length",
        )
        return None
    examples = [f.get("example") for f in ids if isinstance(f.get("example"), str)]
    example = next((e for e in examples if _matches(pattern, e) and len(e) <= longest), None)
    across = any(f.get("unique_across_users") for f in ids)
    try:
        return GivenId(
            pattern=pattern,
            max_length=longest,
            unique="global" if across else None,
            example=example,
            source=given_at,
        )
    except ValidationError as exc:
        reason = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
        notes.add(
            f"{where}: the client gives the id, but its pattern cannot be a key: {reason}",
            pattern_source,
            "uuid made by the server",
        )
        return None


def _pattern_bound(pattern: str) -> int | None:
    """The longest text a pattern matches, when it has a bound (^[A-Z]{2}-[0-9]{4}$: 7)."""
    try:
        from re import _parser as sre_parse  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover - older layout
        import sre_parse  # type: ignore[no-redef]
    try:
        widest = sre_parse.parse(pattern).getwidth()[1]
    except (re.error, ValueError, TypeError):
        return None
    return int(widest) if 0 < widest <= GIVEN_ID_MAX_LENGTH else None


# A text id as contracts show one: a prefix (letters or digits, then _ or -) and a random part
# of letters and digits, both kinds, perhaps cut short with an ellipsis (inv_3kd9...,
# cus_Nf0b2Qa); a slug's words (summer-sale) have no digits, its numbers (page-2026) no letters.
_PREFIXED_EXAMPLE = re.compile(
    r"([A-Za-z][A-Za-z0-9]{0,15}[_-])(?=[A-Za-z]*[0-9])(?=[0-9]*[A-Za-z])[A-Za-z0-9]{4,}(?:\.\.\.|…)?"
)
# The prefix a pattern starts with before its first class or escape (^inv_[A-Za-z0-9]{20}$).
_PREFIXED_PATTERN = re.compile(r"\^([A-Za-z][A-Za-z0-9]{0,15}[_-])(?=[\[\\(.])")


def _id_prefix(g: Group, facts: dict[str, list[FieldFact]], notes: _Notes) -> str | None:
    """The prefix the contract's ids share (its pattern's, else its examples'); None, with a
    note, when none is shown or they disagree."""
    shown = _shown_prefixes(facts)
    if len(shown) == 1:
        prefix = next(iter(shown))
        _note_other_id_forms(g, facts, prefix, notes)
        return prefix
    first = facts["id"][0].source if facts.get("id") else g.endpoints[0].source
    if not shown:
        notes.add(
            f"{g.name}.id: ids are text, but no prefix the server puts before a random part "
            "is shown (such as inv_3kd9...)",
            first,
            "uuid; for ids like inv_..., set id: str and id_prefix in the plan",
        )
    else:
        notes.add(
            f"{g.name}.id: the ids shown start with different prefixes ({', '.join(shown)})",
            next(iter(shown.values())),
            "uuid; set id: str and the one id_prefix the server uses",
        )
    return None


def _note_other_id_forms(
    g: Group, facts: dict[str, list[FieldFact]], prefix: str, notes: _Notes
) -> None:
    """The server makes ids of one form (the prefix, then ID_RANDOM_LENGTH letters and digits):
    a pattern the contract states that is another (16 lowercase characters) is said."""
    made = f"^{re.escape(prefix)}[0-9A-Za-z]{{{ID_RANDOM_LENGTH}}}$"

    def plain(pattern: str) -> str:  # the same form, however the class and escapes are spelt
        return pattern.replace("\\", "").replace("[A-Za-z0-9]", "[0-9A-Za-z]")

    for f in facts.get("id", []):
        pattern = f.get("pattern")
        if pattern is not None and plain(str(pattern)) != plain(made):
            notes.add(
                f"{g.name}.id: the contract's id pattern {pattern!r} is not the form the "
                "server makes",
                f.source,
                f"ids are {prefix} and {ID_RANDOM_LENGTH} random letters and digits ({made})",
            )
            return


def _id_kind(
    g: Group, facts: dict[str, list[FieldFact]], notes: _Notes, *, quiet: bool = False
) -> str:
    """The id's type as the contract states it (uuid when it does not, with a note; quiet: an
    id the client gives, text unless stated otherwise, said elsewhere)."""
    candidates: list[Value] = []
    for f in facts.get("id", []):
        t = f.attrs.get("type")
        if t is not None and t.value in ("uuid", "int", "str"):
            candidates.append(t)
    for ep in g.item_eps + list(g.actions.values()):
        for p in ep.params:
            if p.location == "path" and p.name not in ("user_id",):
                kind = parse_type(p.type or "") or parse_type(p.description)
                if kind in ("uuid", "int"):
                    candidates.append(Value(kind, p.source, ep.rank, 2))
        m = re.search(r"`?\{?\w*id\}?`?\s*[:\-]\s*(uuid|integer|int)\b", ep.text, re.IGNORECASE)
        if m:
            kind = parse_type(m.group(1))
            candidates.append(Value(kind, ep.source, ep.rank, 2))
    chosen = decide(f"{g.name}.id", candidates, notes.conflicts, "type")
    if chosen is None and quiet:
        return "str"
    if chosen is None:
        notes.add(f"{g.name}.id: the id type is not stated", g.endpoints[0].source, "uuid")
        return "uuid"
    if chosen.value not in ("uuid", "int", "str"):
        notes.add(f"{g.name}.id: ids are {chosen.value}", chosen.source, "uuid")
        return "uuid"
    return str(chosen.value)


def account_models(models: list[TableFacts]) -> set[str]:
    """The model keys of the accounts table: `user`, and any table holding an email and a
    password (`members`, `customers` in a contract that calls its users so)."""
    found = {"user"}
    for t in models:
        names = {snake_name(f.name).lower() for f in t.fields}
        if any("email" in n for n in names) and any("password" in n for n in names):
            found.add(_model_key(t.name))
    return found


def _owner(
    g: Group,
    merged: dict[str, dict[str, Chosen]],
    notes: _Notes,
    owner_types: list[Value],
    inp: Inputs,
) -> str:
    name = next((n for n in _OWNER_NAMES if n in merged), None)
    if name is None:
        accounts = account_models(inp.models)
        name = next(
            (
                n
                for n, a in merged.items()
                if "foreign_key" in a
                and _model_key(str(a["foreign_key"].value).split(".")[0]) in accounts
            ),
            None,
        )
    if name is None:
        name = "user_id"
        if "{user_id}" not in g.collection:
            notes.add(
                f"{g.name}: no owner column is named",
                g.endpoints[0].source,
                "owned through user_id, taken from the token",
            )
    if name in merged and "type" in merged[name]:
        chosen = merged[name]["type"]
        owner_types.append(Value(chosen.value, chosen.source, RANK_CONTRACT, 0))
    return name if re.fullmatch(r"[a-z][a-z0-9_]*", name) else "user_id"


def _owner_rule(owner: str, merged: dict[str, dict[str, Chosen]], inp: Inputs) -> Value | None:
    """The ON DELETE of the owner column's foreign key, when it refers to the accounts table
    (`REFERENCES users(id) ON DELETE RESTRICT`): what auth.accounts.owner_on_delete says."""
    attrs = merged.get(owner, {})
    if "foreign_key" not in attrs:
        return None
    table = str(attrs["foreign_key"].value).split(".")[0]
    if _model_key(table) not in account_models(inp.models):
        return None
    if "on_delete" not in attrs:
        # No ON DELETE is SQL's NO ACTION: deleting an account that owns rows is refused.
        return Value("no_action", attrs["foreign_key"].source, RANK_CONTRACT, 0)
    rule = attrs["on_delete"]
    return Value(rule.value, rule.source, RANK_CONTRACT, 0)


def _owner_on_delete(rules: list[tuple[str, Value]], notes: _Notes) -> Value | None:
    """auth.accounts.owner_on_delete from the owner columns' keys: SET NULL is not possible
    for an owner column (an owned row always has an owner), so it is read as restrict, the
    rule that keeps the rows; owner columns that disagree are decided for restrict too."""
    kept: list[Value] = []
    for name, rule in rules:
        if rule.value == "no_action":
            notes.add(
                f"{name}: the owner column's key to the accounts table states no ON DELETE",
                rule.source,
                "auth.accounts.owner_on_delete restrict, as SQL's default (NO ACTION) refuses "
                "to delete an account that owns rows; set it to cascade to delete them with it",
            )
            rule = Value("restrict", rule.source, rule.rank, rule.ctx)
        elif rule.value == "set_null":
            notes.add(
                f"{name}: the owner column's key to the accounts table says ON DELETE SET NULL",
                rule.source,
                "auth.accounts.owner_on_delete restrict: an owned row always has an owner (the "
                "column is NOT NULL); set it to cascade to delete the rows with their account",
            )
            rule = Value("restrict", rule.source, rule.rank, rule.ctx)
        kept.append(rule)
    if not kept:
        return None
    if len({v.value for v in kept}) > 1:
        said = ", ".join(f"{v.value} ({v.source})" for v in kept)
        notes.add(
            f"the owner columns' keys to the accounts table disagree on ON DELETE: {said}",
            kept[0].source,
            "auth.accounts.owner_on_delete restrict (one rule for every owned table): the "
            "rule that loses no rows",
        )
        return next(v for v in kept if v.value == "restrict")
    return kept[0]


def _action_field(action: str, merged: dict[str, dict[str, Chosen]]) -> str | None:
    bools = [n for n, a in merged.items() if "type" in a and a["type"].value == "bool"]
    stem = action.replace("-", "_").lower()
    for n in bools:
        if n.startswith(stem[:5]) or stem.startswith(n[:5]):
            return n
    return bools[0] if len(bools) == 1 else None


# --------------------------------------------------------------------------------- operations


_CRUD = {("GET", False): "list", ("POST", False): "create", ("GET", True): "read"}
_CRUD |= {("PATCH", True): "update", ("PUT", True): "replace", ("DELETE", True): "delete"}


def _served_by_the_envelope(notes: _Notes, conventions: dict[str, Any] | None) -> None:
    """A list key the list reader could not serve as page metadata ("status": "success", a
    message), or a marker beside a delete's message, that the envelope now puts there is
    served: its note goes."""
    if not conventions:
        return
    keys = [conventions.get("message_key")]
    keys += [conventions["envelope"]] if conventions["envelope"] in ("success", "status") else []
    said = [f"list answer: {k!r} is not page metadata" for k in keys if k]
    # A delete's message carries the envelope's marker too (app/schemas: <Resource>Deleted).
    said += [f"shows {k} beside its message" for k in keys[1:]]
    notes.unresolved = [u for u in notes.unresolved if not any(s in u.what for s in said)]


def _access(g: Group, resource: Resource, notes: _Notes) -> Resource:
    """The access rules each operation's own words state (readers/access.py): a shared or
    public read, owner-only writes, operations only a role may call, roles reaching every row.
    Rules the plan cannot hold here go to unresolved, and the resource keeps the default."""
    read: str | None = None
    write: str | None = None
    roles: dict[str, list[str]] = {}
    every_row: set[str] = set()
    source: str | None = None
    for operation, ep in _operation_endpoints(g).items():
        found = read_access_text(" ".join([ep.title, ep.description, ep.text]))
        if found.rules or found.roles or found.every_row:
            source = source or ep.source
        if operation in ("list", "read"):
            if "read:public" in found.rules:
                read = "public"
            elif "read:signed_in" in found.rules and read is None:
                read = "signed_in"
        elif "write:owner" in found.rules and operation != "create":
            write = "owner"
        if found.roles:
            roles[operation] = sorted(set(found.roles))
        every_row |= set(found.every_row)
    if read is None and write is None and not roles and not every_row:
        return resource
    if resource.owner is None:
        write, every_row = None, set()  # every signed-in caller reaches every row already
    stated: dict[str, Any] = {"read": read, "write": write, "source": source}
    stated = {k: v for k, v in stated.items() if v is not None}
    if roles:
        stated["roles"] = roles
    if every_row:
        stated["every_row"] = sorted(every_row)
    try:
        return Resource.model_validate(
            {**resource.model_dump(exclude_none=True, exclude={"access"}), "access": stated}
        )
    except ValidationError as exc:
        notes.add(
            f"{g.name}: the contract's access rules cannot be planned: {exc.errors()[0]['msg']}",
            source,
            "left out: each user reaches only their own rows",
        )
        return resource


def _tenant_words(g: Group, notes: _Notes) -> tuple[list[str], str | None] | None:
    """What the group's own words call the tenant its rows belong to (readers/access.py:
    "belong to the caller's workspace"), and where; the rules about tenants those words leave
    over (who may invite, who owns a workspace) go to unresolved."""
    words: list[str] = []
    source: str | None = None
    for ep in _operation_endpoints(g).values():
        text = " ".join([ep.title, ep.description, ep.text])
        found = read_access_text(text).tenant
        if found:
            words += found
            source = source or ep.source
    if not words:
        return None
    for ep in _operation_endpoints(g).values():
        for sentence in tenant_rules(ep.text or ep.description):
            notes.add(
                f"{g.name}: {sentence}",
                ep.source,
                "left out: the plan holds rows of one tenant, not rules about its members; "
                "write them in app/extensions/",
            )
    return words, source


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def _tenant_scopes(
    auth: AuthConfig,
    resources: dict[str, Resource],
    tenants: dict[str, tuple[list[str], str | None]],
    inp: Inputs,
    notes: _Notes,
) -> None:
    """Rows of a tenant (an organisation, a workspace) where the contract says so: the tenant
    claim as the contract names it (else `<tenant>_id`, noted), the tenant column named after
    it, and every statement of the resource filtered by it (plan/model.py)."""
    scoped = {n: tenants[n] for n in resources if n in tenants}
    if not scoped:
        return
    first_words, source = next(iter(scoped.values()))
    if auth.mode == "local":
        for name in scoped:
            notes.add(
                f"{name}: rows belong to a {first_words[0]}, with accounts of this backend's own",
                source,
                "left out (each user their own rows): the users table has no tenant to put "
                "in the tokens; who joins which one is for app/extensions/",
            )
        return
    named = read_tenant_claim(inp.contract_text)
    if named is None:
        claim, uuid = f"{first_words[0]}_id", False
        notes.add(
            f"which token claim carries the caller's {first_words[0]}",
            source,
            f"assumed {claim!r}; set auth.tenant_claim to the issuer's claim",
        )
    else:
        claim, uuid = named
    column = _snake(claim)
    column = column if column.endswith("_id") else f"{column}_id"
    auth.tenant_claim = claim
    if uuid:
        auth.tenant_id_type = "uuid"
    for name, (words, where) in scoped.items():
        resource = resources[name]
        data = resource.model_dump(exclude_none=True)
        if column in data["fields"]:
            data["fields"].pop(column)
            notes.add(
                f"{name}: {column} is the {words[0]} the row belongs to",
                where,
                "set from the token's claim, never from a body, and not in the answers",
            )
        data["tenant"] = column
        try:
            resources[name] = Resource.model_validate(data)
        except ValidationError as exc:
            notes.add(
                f"{name}: rows belong to a {words[0]}, which cannot be planned: "
                f"{exc.errors()[0]['msg']}",
                where,
                "left out: each user reaches only their own rows",
            )


def _roles_claim(
    auth: AuthConfig, resources: dict[str, Resource], inp: Inputs, notes: _Notes
) -> None:
    """The token claim carrying roles, when a resource names roles: as the contract names it,
    else `role` (noted). auth.mode local issues its own tokens: no roles there yet."""
    named = [(n, r) for n, r in resources.items() if r.access.roles or r.access.every_row]
    if not named:
        return
    source = named[0][1].access.source
    claim = read_roles_claim(inp.contract_text)
    if auth.mode == "local":
        # The backend's own accounts: the role is a users-table column, in the issued tokens.
        column = "role"
        auth.role_column, auth.roles_claim = column, claim or column
        notes.add(
            "how an account gets its role",
            source,
            f"the users table's {column!r} column (auth.role_column), carried by the issued "
            "tokens; never set through the API: an operator runs `python -m app.roles grant "
            "EMAIL ROLE`, which also makes the first admin",
        )
        if column in auth.accounts.fields:
            where = auth.accounts.fields.pop(column).source
            notes.add(
                f"the account's {column} among the profile fields",
                where,
                "left out of register and the profile update: a caller never grants "
                "themselves a role",
            )
        return
    if claim is None:
        claim = "role"
        notes.add(
            "which token claim carries the caller's roles",
            source,
            "assumed 'role' (one name or a list); set auth.roles_claim to the issuer's claim",
        )
    auth.roles_claim = claim


def _markers_served(
    resources: dict[str, Resource],
    answered: dict[str, dict[str, Endpoint]],
    conventions: dict[str, Any] | None,
    notes: _Notes,
) -> None:
    """A delete answering the envelope's marker alone ({"success": true}) needs the envelope
    the other answers show; without it (or with another marker) the delete is empty, said."""
    marker = ANSWER_MARKERS.get((conventions or {}).get("envelope", ""))
    for name, resource in resources.items():
        delete = resource.operations.delete
        if delete is None or delete.answer != "marker":
            continue
        ep = answered[name]["delete"]
        shown = read_delete_answer(ep, set(resource.fields))
        if marker is not None and shown is not None and marker[0] in shown.markers:
            continue
        notes.add(
            f"DELETE {ep.path} answers {', '.join(shown.markers if shown else ())} alone, an "
            "envelope marker the other answers do not show",
            shown.where if shown else ep.source,
            "planned as an empty answer; set responses.envelope and operations.delete.answer "
            "marker if every answer carries it",
        )
        resource.operations.delete = DeleteOperation(status=_status(ep, 204), source=delete.source)


def _pages_in_the_envelope(
    resources: dict[str, Resource],
    answered: dict[str, dict[str, Endpoint]],
    conventions: dict[str, Any] | None,
    notes: _Notes,
) -> None:
    """A page shown inside the envelope's object needs that envelope, under the key the other
    answers use; without it the page is answered at the top, said."""
    envelope = (conventions or {}).get("envelope", "none")
    data_key = (conventions or {}).get("data_key", "data")
    for name, resource in resources.items():
        listing = resource.operations.list
        if listing is None or not listing.response.in_envelope:
            continue
        ep = answered[name]["list"]
        within = list_shape.derive(ep, listing.pagination.style).within
        if envelope != "none" and within == data_key:
            continue
        notes.add(
            f"GET {ep.path} answers its page inside {within!r}, an envelope the other answers "
            "do not show",
            listing.response.source,
            "the page answered at the top of the body; set responses.envelope and "
            "operations.list.response.in_envelope if every answer carries it",
        )
        listing.response = listing.response.model_copy(update={"in_envelope": False})


def _operation_endpoints(g: Group) -> dict[str, Endpoint]:
    """Operation name (create, read, ..., an action's or custom operation's) -> its endpoint."""
    found: dict[str, Endpoint] = {}
    for on_item, eps in ((False, g.collection_eps), (True, g.item_eps)):
        for ep in eps:
            name = _CRUD.get((ep.method, on_item))
            if name is not None:
                found.setdefault(name, ep)
    for name, ep in g.actions.items():
        found.setdefault(name.replace("-", "_"), ep)
    return found


def _answer_messages(
    resources: dict[str, Resource],
    answered: dict[str, dict[str, Endpoint]],
    shown: dict[tuple[str, str], str],
) -> None:
    """The message each operation's example shows beside its data, as its stated message."""
    if not shown:
        return
    for name, resource in resources.items():
        answering = set(resource.answering_operations())
        for operation, ep in answered.get(name, {}).items():
            text = shown.get((ep.method, ep.path))
            if text is not None and operation in answering:
                resource.messages.answers[operation] = text[:200]


def _status(ep: Endpoint, default: int) -> int:
    codes = sorted(c for c in ep.statuses if 200 <= c < 300)
    return codes[0] if codes else default


def _delete(ep: Endpoint, fields: dict[str, FieldSpec], notes: _Notes) -> DeleteOperation:
    """DELETE /{id}: its status, and the body its example shows (message, the row or none)."""
    status = _status(ep, 204)
    shown = read_delete_answer(ep, set(fields))
    if shown is None or not shown.keys:
        if shown is not None:
            notes.add(shown.note, shown.where, "planned as empty; set operations.delete.answer")
        return DeleteOperation(status=status, source=ep.source)
    if 204 in ep.statuses:
        notes.add(
            f"DELETE {ep.path} says 204, which has no body, and shows one",
            shown.where,
            "planned as 204 with no body; set operations.delete.answer and status 200 to answer it",
        )
        return DeleteOperation(status=204, source=ep.source)
    if shown.markers and shown.keys["answer"] == "message":
        notes.add(
            f"DELETE {ep.path} shows {', '.join(shown.markers)} beside its message",
            shown.where,
            "answered with the message alone: responses.envelope adds no such marker",
        )
    try:
        return DeleteOperation(
            status=None if status in (200, 204) else status, source=ep.source, **shown.keys
        )
    except ValidationError as exc:
        notes.add(
            f"DELETE {ep.path}'s answer cannot be planned: {exc.errors()[0]['msg']}",
            shown.where,
            "planned as an empty answer",
        )
        return DeleteOperation(status=status, source=ep.source)


def _operations(
    g: Group, fields: dict[str, FieldSpec], inp: Inputs, notes: _Notes, *, owned: bool = True
) -> Operations:
    ops: dict[str, Any] = {
        "list": None,
        "create": None,
        "read": None,
        "update": None,
        "replace": None,
        "delete": None,
        "actions": {},
    }
    if (ep := g.find("GET", "collection")) is not None:
        ops["list"] = _list(g, ep, fields, inp, notes)
    if (ep := g.find("POST", "collection")) is not None:
        ops["create"] = Operation(status=_status(ep, 201), source=ep.source)
    if (ep := g.find("GET", "item")) is not None:
        ops["read"] = Operation(source=ep.source)
    if (ep := g.find("PATCH", "item")) is not None:
        ops["update"] = Operation(status=_status(ep, 200), source=ep.source)
        if ops["update"].status == 200:
            ops["update"].status = None
    if (ep := g.find("PUT", "item")) is not None:
        ops["replace"] = ReplaceOperation(status=_status(ep, 200), source=ep.source)
        if ops["replace"].status == 200:
            ops["replace"].status = None
        if re.search(
            r"partial|all optional|only provided|empty fields are not", ep.text, re.IGNORECASE
        ):
            notes.add(
                f"PUT {ep.path} is described as a partial update",
                ep.source,
                "planned as replace (PUT); add update (PATCH) in the plan if wanted",
            )
        elif (replaced := _replaced(ep, g.find("POST", "collection"), fields)) is not None:
            ops["replace"].fields = replaced
            notes.add(
                f"PUT {ep.path}'s body names only {', '.join(replaced)}",
                ep.source,
                "planned as replacing those fields and keeping the others (operations.replace"
                ".fields); drop the key if PUT replaces every field",
            )
    if (ep := g.find("DELETE", "item")) is not None:
        ops["delete"] = _delete(ep, fields, notes)
    custom_eps = []
    merged = {n: {"type": Chosen(f.type, f.source or "")} for n, f in fields.items()}
    for name, ep in g.actions.items():
        if (setting := _body_setting(name, ep, fields)) is not None:
            ops["actions"][name.replace("-", "_")] = setting
            continue
        if (
            ep.method not in ("POST", "PATCH", "PUT")
            or ep.body  # takes a body: it does more than toggle or set one field
            or _action_field(name, merged) is None
        ):
            custom_eps.append(ep)  # not a toggle/set of a boolean: a custom operation
            continue
        action = _action(g, name, ep, fields, notes)
        if action is not None:
            ops["actions"][name.replace("-", "_")] = action
    ops["custom"] = _custom(g, custom_eps + g.other, set(fields), owned, notes)
    return Operations(**ops)


def _replaced(
    put: Endpoint, create: Endpoint | None, fields: dict[str, FieldSpec]
) -> list[str] | None:
    """The fields a PUT replaces when the contract documents both bodies and the PUT's names
    fewer of the changeable fields than the create's: literal evidence that the rest are kept."""
    if create is None or not put.body or not create.body:
        return None
    changeable = [n for n, f in fields.items() if not f.read_only and not f.immutable]
    named = {snake_name(f.name) for f in put.body}
    created = {snake_name(f.name) for f in create.body}
    if not named <= set(changeable) or not named < created:
        return None  # a key no PATCH may change, or no field left out: not a partial PUT
    return [n for n in changeable if n in named]


def _custom(
    g: Group, eps: list[Endpoint], fields: set[str], owned: bool, notes: _Notes
) -> dict[str, CustomOperation]:
    """Each endpoint that is not CRUD or toggle/set, as a custom operation (readers/custom.py)."""
    placed = []
    for ep in eps:
        where = relative_path(g, ep)
        if where is None:
            notes.add(f"{ep.method} {ep.path} is not planned: nested path", ep.source, LEFT_OUT)
            continue
        placed.append((ep, *where))
    names = operation_names([(ep, path) for ep, path, _ in placed])

    def field_of(name: str, facts: list[FieldFact]) -> FieldSpec | None:
        attrs = merge_field(name, facts, [], g.name)
        return _field(g.name, name, attrs, facts, notes, read_only=False)

    found: dict[str, CustomOperation] = {}
    for name, (ep, path, params) in zip(names, placed, strict=True):
        op = build_operation(g, ep, path, params, fields, owned, field_of, notes.add)
        if op is not None:
            found[name] = op
    return found


def _action(
    g: Group, name: str, ep: Endpoint, fields: dict[str, FieldSpec], notes: _Notes
) -> Action | None:
    merged = {n: {"type": Chosen(f.type, f.source or "")} for n, f in fields.items()}
    target = _action_field(name, merged)
    if ep.method not in ("POST", "PATCH", "PUT") or target is None:
        notes.add(
            f"{ep.method} {ep.path}: no boolean field for this action",
            ep.source,
            LEFT_OUT,
        )
        return None
    toggle = bool(re.search(r"toggl", ep.text, re.IGNORECASE))
    if ep.body and not toggle:
        notes.add(
            f"{ep.method} {ep.path} takes a body ({', '.join(f.name for f in ep.body)})",
            ep.source,
            f"planned as a toggle of {target}",
        )
    elif ep.body:
        notes.add(
            f"{ep.method} {ep.path} toggles but also documents a body "
            f"({', '.join(f.name for f in ep.body)})",
            ep.source,
            f"planned as a toggle of {target}; the body is ignored",
        )
    return _item_action(name, ep, "toggle", target)


def _body_setting(name: str, ep: Endpoint, fields: dict[str, FieldSpec]) -> Action | None:
    """`PATCH /{id}/complete {"completed": true}`: an action whose body is one of the row's
    fields sets that field to what the body carries (effect body), it never toggles it."""
    names = {f.name for f in ep.body}
    if ep.method not in ("POST", "PATCH", "PUT") or len(names) != 1:
        return None
    field_name = snake_name(names.pop())
    if field_name not in fields:
        return None
    return _item_action(name, ep, "body", field_name)


def _item_action(
    name: str, ep: Endpoint, effect: Literal["toggle", "body"], field_name: str
) -> Action:
    """The action `name` on one row (`/{id}/<name>`), as its endpoint states it."""
    action_name = re.sub(r"[^a-z0-9_-]", "", name.lower())
    return Action(
        method=ep.method,
        path=f"/{{id}}/{action_name}",
        effect=effect,
        field=field_name,
        status=_status(ep, 200),
        source=ep.source,
    )


def _param(ep: Endpoint, names: set[str]) -> Param | None:
    return next((p for p in ep.params if p.name.lower() in names and p.location != "path"), None)


def _int_in(text: str | None) -> int | None:
    m = re.search(r"\d+", text or "")
    return int(m.group()) if m else None


# The role each list parameter name plays: a list's own parameter of a role overrules the
# contract-wide one of that role, whatever each is called.
_ROLES: dict[str, set[str]] = {
    "page size": {"page_size", "pagesize", "per_page", "perpage", "limit", "size", "take"},
    "page number": {"page", "page_number", "pagenumber"},
    "offset": {"offset", "skip"},
    "cursor": {"cursor", "after"},
}
_PAGING_ROLES = ("page number", "offset", "cursor")


def _role(name: str) -> str:
    low = name.lower()
    for role, names in _ROLES.items():
        if low in names:
            return role
    if low in _SORT_PARAMS:
        return "sort"
    if low in _ORDER_PARAMS:
        return "order"
    if low in _SEARCH_PARAMS:
        return "search"
    return "filter " + snake_name(name)


def _with_conventions(ep: Endpoint, conv: Conventions, notes: _Notes) -> Endpoint:
    """The list endpoint with the contract-wide parameters it does not state itself. The
    list's own words win: a parameter of the same role (another name, another default) or
    another paging style overrules the contract-wide one, recorded as a conflict."""
    if not conv.params:
        return ep
    own = [p for p in ep.params if p.location not in ("path", "body")]
    by_role = {_role(p.name): p for p in own}
    own_paging = next((by_role[r] for r in _PAGING_ROLES if r in by_role), None)
    added: list[Param] = []
    for shared in conv.params:
        role = _role(shared.name)
        mine = by_role.get(role)
        if mine is None and role in _PAGING_ROLES and own_paging is not None:
            mine = own_paging  # the list pages its own way: not by the contract-wide offset
        if mine is None:
            added.append(shared)
            continue
        if mine.name.lower() != shared.name.lower():
            stated = [("parameter", mine.name, shared.name)]
            what = f"GET {ep.path}: {role} parameter"
        else:
            stated = [
                ("default", mine.default, shared.default),
                ("max", _size_at_most(mine.description), _size_at_most(shared.description)),
            ]
            what = f"GET {ep.path}: query parameter {mine.name}'s"
        for key, chosen, overruled in stated:
            if chosen is not None and overruled is not None and chosen != overruled:
                notes.conflicts.append(
                    Conflict(
                        what=what if key == "parameter" else f"{what} {key}",
                        winner=mine.source,
                        loser=shared.source,
                        chosen=chosen,
                        overruled=overruled,
                    )
                )
    return replace(ep, params=[*ep.params, *added]) if added else ep


def _paging_conventions(
    ep: Endpoint,
    pagination: dict[str, Any],
    own: dict[str, Param | None],
    conv: Conventions,
    notes: _Notes,
    used: dict[str, str],
) -> None:
    """The page size, its ceiling and the paging style the contract states for every list,
    where this list does not state its own (its own wins: a conflict when they differ)."""
    size = own.get("size")
    for key, stated in (("default", conv.page_default), ("max", conv.page_max)):
        if stated is None:
            continue
        if key not in pagination:
            pagination[key] = stated.value
            conv.applied.add(stated.source)
            used[f"pagination.{key}"] = stated.source
        elif size is not None and not size.shared and pagination[key] != stated.value:
            notes.conflicts.append(
                Conflict(
                    what=f"GET {ep.path}: page size {key}",
                    winner=size.source,
                    loser=stated.source,
                    chosen=pagination[key],
                    overruled=stated.value,
                )
            )
    if conv.style is None:
        return
    paging = next((p for p in (own.get("paging"),) if p is not None), None)
    if "style" not in pagination:
        pagination["style"] = conv.style.value
        conv.applied.add(conv.style.source)
        used["pagination.style"] = conv.style.source
    elif pagination["style"] != conv.style.value and paging is not None and not paging.shared:
        notes.conflicts.append(
            Conflict(
                what=f"GET {ep.path}: pagination style",
                winner=paging.source,
                loser=conv.style.source,
                chosen=pagination["style"],
                overruled=conv.style.value,
            )
        )


def _sort_conventions(
    ep: Endpoint,
    sort: dict[str, Any],
    fields: dict[str, FieldSpec],
    conv: Conventions,
    notes: _Notes,
    used: dict[str, str],
) -> None:
    """The sortable fields and default order the contract states for every list, where this
    list's sort parameter does not list its own (its own list wins: a conflict if it differs).
    Only fields of this resource (and its timestamps) are offered."""
    known = set(fields) | {"created_at", "updated_at", "id"}
    if conv.sort_fields is not None and "param" in sort:
        stated = [
            _SORT_ALIASES.get(snake_name(str(f)).lower(), snake_name(str(f)).lower())
            for f in conv.sort_fields.value  # type: ignore[attr-defined]
        ]
        usable = [
            f
            for f in stated
            if f in known and (f not in fields or fields[f].type not in ("json", "list[str]"))
        ]
        if "fields" not in sort and usable:
            default = conv.sort_default.value if conv.sort_default else None
            sort["fields"] = usable
            sort["default"] = default if default in usable else usable[0]
            sort["_source"] = conv.sort_fields.source
            conv.applied.add(conv.sort_fields.source)
            used["sort.fields"] = conv.sort_fields.source
        elif "fields" in sort and usable and set(sort["fields"]) != set(usable):
            notes.conflicts.append(
                Conflict(
                    what=f"GET {ep.path}: sortable fields",
                    winner=sort.get("_source", ep.source),
                    loser=conv.sort_fields.source,
                    chosen=list(sort["fields"]),
                    overruled=usable,
                )
            )
    stated = sort.pop("_order_stated", None)
    if conv.direction is not None and "order_param" in sort and stated is None:
        if conv.direction.value == "asc":
            sort["_asc"] = True
        conv.applied.add(conv.direction.source)
        used["sort.direction"] = conv.direction.source


def _conventions_left(conv: Conventions, planned: bool, notes: _Notes) -> None:
    """What the contract states for every list that no list of this feature took."""
    if not planned or not (conv or conv.unread):
        return
    if not conv.lists:
        notes.add(
            "the list conventions the contract states once for every list apply to no list: "
            "this feature plans none",
            conv.sections[0],
            "not applied; they apply once a list of this feature is planned",
        )
        return
    for p in conv.params:
        if p.source + " " + p.name not in conv.applied:
            notes.add(
                f"contract-wide list parameter {p.name!r} reads onto no list of this feature "
                "(no field of a listed resource it filters, bounds or selects)",
                p.source,
                "not served: map it to a field in the plan's list operations (filters, ranges, "
                "choices) if a list takes it",
            )
    for text, where in conv.unread:
        notes.add(
            f"contract-wide list convention not read: {text!r}",
            where,
            "not applied to the lists; plan it by hand (operations.list) if it matters",
        )


# "max 50", "maximum: 50", "at most 50", "up to 50", "no more than 50", "1–50", "1 to 50".
_SIZE_AT_MOST = (
    re.compile(r"\bmax(?:imum)?\s*[:=]?\s*(\d+)", re.IGNORECASE),
    re.compile(
        r"\b(?:at most|up to|no more than|not more than|never more than)\s+(\d+)", re.IGNORECASE
    ),
    re.compile(r"\b\d+\s*(?:-|–|—|\.\.|to)\s*(\d+)\b", re.IGNORECASE),
)


_STATED_DEFAULT = re.compile(r"\bdefault(?:s to|\s+is|:)?\s*(?:of\s+)?(\d+)", re.IGNORECASE)


def _size_at_most(description: str) -> int | None:
    """The largest page a size parameter's note allows, or None when it states none."""
    for pattern in _SIZE_AT_MOST:
        m = pattern.search(description or "")
        if m:
            return int(m.group(1))
    return None


def _list(
    g: Group, ep: Endpoint, fields: dict[str, FieldSpec], inp: Inputs, notes: _Notes
) -> ListOperation:
    conv = inp.conventions
    conv.lists += 1
    ep = _with_conventions(ep, conv, notes)
    query = [p for p in ep.params if p.location not in ("path", "body")]
    used: dict[str, str] = {}  # what the contract-wide conventions set -> their line

    def took(p: Param | None) -> None:
        if p is not None and p.shared:
            conv.applied.add(p.source + " " + p.name)
            used[p.name] = p.source

    pagination: dict[str, Any] = {}
    size = _param(ep, {"page_size", "pagesize", "per_page", "perpage", "limit", "size", "take"})
    cursor = _param(ep, {"cursor", "after"})
    offset = _param(ep, {"offset", "skip"})
    page = _param(ep, {"page", "page_number", "pagenumber"})
    if cursor is not None:
        pagination["style"] = "cursor"
        pagination["cursor_param"] = cursor.name
    elif offset is not None:
        pagination["style"] = "offset"
        pagination["offset_param"] = offset.name
    elif page is not None:
        pagination["style"] = "page"
        pagination["page_param"] = page.name
    if size is not None:
        pagination["size_param"] = size.name
    if size is not None:
        if _int_in(size.default):
            pagination["default"] = _int_in(size.default)
        most = _size_at_most(size.description)
        if most is not None:
            pagination["max"] = most
        # "Default page size 20, never more than 100.": said of the page size in a sentence.
        said = re.search(r"\bpage[ _-]?size\b[^.\n]*", ep.text, re.IGNORECASE)
        if said and "default" not in pagination and (m := _STATED_DEFAULT.search(said.group(0))):
            pagination["default"] = int(m.group(1))
        if said and "max" not in pagination and (most := _size_at_most(said.group(0))):
            pagination["max"] = most
    for p in (size, cursor, offset, page):
        took(p)
    _paging_conventions(
        ep, pagination, {"size": size, "paging": cursor or offset or page}, conv, notes, used
    )
    m = re.search(
        r"maximum\W{0,6}(\d+)\s*(?:items|per page|results)", inp.contract_text, re.IGNORECASE
    )
    if m and "max" not in pagination:
        pagination["max"] = int(m.group(1))
    if not pagination:
        notes.add(
            f"GET {ep.path}: the contract names no pagination",
            ep.source,
            "page/page_size, 20 per page, at most 100",
        )
    if pagination.get("default", 20) > pagination.get("max", 100):
        pagination["max"] = pagination["default"]
    filters: list[str] = []
    any_of: list[str] = []
    ranges: dict[str, RangeFilter] = {}
    choices: dict[str, ChoiceFilter] = {}
    derived: dict[str, DerivedFilter] = {}
    search: list[str] = []
    search_param = "search"
    sort: dict[str, Any] = {}
    for p in query:
        low = p.name.lower()
        if low in _PAGE_PARAMS:
            continue
        if low in _SEARCH_PARAMS:
            took(p)
            search_param = p.name
            mentioned = [
                f
                for f in fields
                if re.search(rf"\b{f}\b", p.description) and fields[f].type in ("str", "text")
            ]
            search = mentioned or [f for f, s in fields.items() if s.type in ("str", "text")]
        elif low in _SORT_PARAMS:
            took(p)
            sort.update(_sort(p, fields, notes, g))
        elif low in _ORDER_PARAMS:
            took(p)
            sort["order_param"] = p.name
            if p.default and not p.shared:
                sort["_order_stated"] = p.source  # the list's own default direction
            if p.default and p.default.lower().startswith("asc"):
                sort["_asc"] = True
        elif (several := read_any_of(p, fields)) is not None:
            if several.any_of is not None:
                took(p)
                any_of.append(several.any_of)
                if several.note:
                    notes.add(
                        f"GET {ep.path}: query parameter {p.name!r} {several.note}",
                        p.source,
                        "planned as any_of (comma-separated); say so to the API's clients",
                    )
            elif not p.shared:
                notes.add(
                    f"GET {ep.path}: query parameter {p.name!r} {several.problem}",
                    p.source,
                    "not planned as a filter; map it to a field in the plan (any_of)",
                )
        elif (name := snake_name(p.name)) in fields and fields[name].type in FILTER_TYPES[
            "equality"
        ]:
            took(p)
            filters.append(name)
        elif p.name not in fields and (bound := read_range(p, fields)) is not None:
            if bound.range is not None:
                took(p)
                ranges[p.name] = bound.range
            elif not p.shared:
                notes.add(
                    f"GET {ep.path}: query parameter {p.name!r} {bound.problem}",
                    p.source,
                    "not planned as a filter; map it to a field in the plan (ranges)",
                )
        elif (choice := _choice(p, fields)) is not None:
            took(p)
            choices[p.name] = choice
            words = ", ".join(f"{w} → {_shown(v)}" for w, v in choice.values.items())
            notes.add(
                f"GET {ep.path}: query parameter {p.name!r} is not a field of {g.name}; its "
                f"values read as choices of {choice.field!r}",
                p.source,
                f"planned as a choice filter ({words}); check the mapping",
            )
        elif p.shared:
            continue  # a contract-wide filter this resource has no field for (noted once)
        elif is_flag(p):
            condition = read_derived(p, fields)
            if condition.derived is not None:
                derived[p.name] = condition.derived
                notes.add(
                    f"GET {ep.path}: query parameter {p.name!r} is not a field of {g.name}; "
                    f"its description reads as a condition on the row",
                    p.source,
                    "planned as a derived filter (operations.list.derived); check its clauses",
                )
            else:
                notes.add(
                    f"GET {ep.path}: true/false query parameter {p.name!r} {condition.problem}",
                    p.source,
                    "not served: the plan needs its condition (operations.list.derived."
                    f"{p.name}.all_of: field, op, value)",
                )
        else:
            notes.add(
                f"GET {ep.path}: query parameter {p.name!r} is not a field of {g.name}",
                p.source,
                "not planned as a filter; map it to a field in the plan",
            )
    if "fields" not in sort and (stated := _stated_order(ep, fields)) is not None:
        sort.update(stated)
    _sort_conventions(ep, sort, fields, conv, notes, used)
    asc = sort.pop("_asc", False)
    if "default" in sort and not asc and "order_param" in sort:
        sort["default"] = "-" + sort["default"].lstrip("-")
    for f in sort.get("fields", []):
        if f in fields and fields[f].type == "enum":
            notes.add(
                f"sort by {f}: ranked {' < '.join(fields[f].values or [])} (the enum's "
                "order), not alphabetical",
                sort.get("_source", ep.source),
                "rank order",
            )
    sort.pop("_source", None)
    try:
        sort_spec = SortSpec(**sort) if sort else SortSpec()
    except ValidationError:
        sort_spec = SortSpec()
    paging = _pagination(pagination, ep, notes)
    shape = list_shape.derive(ep, paging.style)
    for what, where, resolution in shape.notes:
        notes.add(f"GET {ep.path}: {what}", where, resolution)
    extra = {"response": shape.response} if shape.response is not None else {}
    return ListOperation(
        pagination=paging,
        filters=filters,
        any_of=any_of,
        ranges=ranges,
        choices=choices,
        derived=derived,
        search=search,
        search_param=search_param,
        sort=sort_spec,
        source=ep.source,
        sources=used,
        **extra,
    )


# "newest first", "most recent rehearsal first", "oldest entries first": the list's order in
# words, where no sort parameter exists (or before it is read).
_ORDER_IN_WORDS = re.compile(
    r"\b(newest|latest|most recent|most recently \w+|oldest|earliest)\s+"
    r"(?:([A-Za-z][\w -]{0,40}?)\s+)?first\b",
    re.IGNORECASE,
)
_SORTABLE_TIMES = ("date", "datetime")


def _stated_order(ep: Endpoint, fields: dict[str, FieldSpec]) -> dict[str, Any] | None:
    """The default order the endpoint's words give: the date field their noun names (or the
    creation time), newest first descending, oldest first ascending; None when none is said
    or the noun names no date field."""
    m = _ORDER_IN_WORDS.search(ep.text)
    if m is None:
        return None
    descending = not m.group(1).lower().startswith(("oldest", "earliest"))
    noun = (m.group(2) or "").lower().split()
    named = [
        name
        for name, spec in fields.items()
        if spec.type in _SORTABLE_TIMES and any(word.rstrip("s") in name for word in noun)
    ]
    if len(named) > 1:
        return None
    field = named[0] if named else "created_at"
    return {
        "fields": list(dict.fromkeys([field, "created_at"])),
        "default": f"-{field}" if descending else field,
        "_source": ep.source,
    }


def _pagination(found: dict[str, Any], ep: Endpoint, notes: _Notes) -> Pagination:
    """The contract's pagination; parameter names it spells like the defaults are left out."""
    style = found.get("style", "page")
    usual = {
        "page_param": "page",
        "offset_param": "offset",
        "cursor_param": "cursor",
        "size_param": "page_size" if style == "page" else "limit",
    }
    stated = {k: v for k, v in found.items() if usual.get(k) != v}
    try:
        return Pagination(**stated)
    except ValidationError as exc:
        names = {k: v for k, v in stated.items() if k.endswith("_param")}
        notes.add(
            f"GET {ep.path}: pagination parameters {names} cannot be served as named "
            f"({exc.errors()[0]['msg']})",
            ep.source,
            "the usual names (page, page_size, limit, offset, cursor)",
        )
        return Pagination(**{k: v for k, v in stated.items() if not k.endswith("_param")})


# A choice that means "do not filter".
_EVERYTHING = {"all", "any", "both", "everything"}


def _choice(p: Param, fields: dict[str, FieldSpec]) -> ChoiceFilter | None:
    """A query parameter that is not a field but whose listed words select a field's values:
    `status=all|pending|completed` over a bool `completed` (the word naming the field is true,
    the one other word false, `all` no filter), or words that are values of an enum field."""
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,40}", p.name):
        return None
    words = _choice_words(p.description)
    if not words:
        return None
    wanted = [w for w in words if w.lower() not in _EVERYTHING]
    everything = [w for w in words if w.lower() in _EVERYTHING]
    if not wanted or len(everything) > 1:
        return None
    default = _choice_default(p, words) or (everything[0] if everything else None)
    for name, spec in fields.items():
        if spec.type == "bool":
            named = [w for w in wanted if _same_word(w, name)]
            if len(named) == 1 and len(wanted) == 2:
                other = next(w for w in wanted if w not in named)
                values: dict[str, bool | str | None] = {named[0]: True, other: False}
                break
        elif spec.type == "enum" and len(wanted) >= 2 and set(wanted) <= set(spec.values or []):
            values = {w: w for w in wanted}
            break
    else:
        return None
    values = {**({everything[0]: None} if everything else {}), **values}
    try:
        return ChoiceFilter(field=name, values=values, default=default, source=p.source)
    except ValidationError:
        return None


def _choice_words(description: str) -> list[str] | None:
    quoted = re.findall(r"[\"'`]([A-Za-z][\w-]{0,40})[\"'`]", description)
    if len(set(quoted)) >= 2:
        return list(dict.fromkeys(quoted))
    return parse_enum_values(description) or parse_enum_values(description.split(":", 1)[-1])


def _choice_default(p: Param, words: list[str]) -> str | None:
    text = p.description
    candidates = [p.default or ""]
    # '"all" (default)' before 'default: "all"', so '(default), "open"' does not read as open.
    candidates += re.findall(r"[\"'`]?([\w-]+)[\"'`]?\s*\(default\)", text, re.IGNORECASE)
    candidates += re.findall(r"default(?:s to|\s*[:=])\s*[\"'`]?([\w-]+)", text, re.IGNORECASE)
    for candidate in candidates:
        if candidate.strip("\"'` ") in words:
            return candidate.strip("\"'` ")
    return None


def _same_word(word: str, field: str) -> bool:
    """'completed' names `completed`/`is_completed`; 'complete' and 'done' forms too."""
    a = word.lower().replace("-", "_")
    b = field.lower().removeprefix("is_").removeprefix("has_")
    return a == b or b in (a + "d", a + "ed") or a in (b + "d", b + "ed")


def _shown(value: bool | str | None) -> str:
    if value is None:
        return "no filter"
    return str(value).lower() if isinstance(value, bool) else value


def _sort(p: Param, fields: dict[str, FieldSpec], notes: _Notes, g: Group) -> dict[str, Any]:
    text = re.sub(r"^[^(:]*?(?:sort\s*(?:field|by)?)\s*", "", p.description, flags=re.IGNORECASE)
    inner = re.search(r"\(([^)]*[,|][^)]*)\)", text)
    if inner and re.search(r"default", inner.group(1), re.IGNORECASE):
        inner = None
    raw = parse_enum_values(inner.group(1) if inner else text) or []
    known = set(fields) | {"created_at", "updated_at", "id"}
    chosen: list[str] = []
    for value in raw:
        # "-publishedOn": a descending form of a camelCase key.
        word = snake_name(value.lstrip("-"))
        name = _SORT_ALIASES.get(word.lower(), word.lower())
        if value.startswith("-") and name in chosen:
            continue
        if (
            name in known
            and fields.get(name, None) is None
            or (name in fields and fields[name].type not in ("json", "list[str]"))
        ):
            if name not in chosen:
                chosen.append(name)
        else:
            notes.add(
                f"sort value {value!r} of {p.name!r} is not a sortable field of {g.name}",
                p.source,
                "not offered",
            )
    if not chosen:
        return {"param": p.name}
    stated = p.default or ""
    word = snake_name(stated.lstrip("-")).lower()
    default = _SORT_ALIASES.get(word, word)
    if default not in chosen:
        default = "created_at" if "created_at" in chosen else chosen[0]
    elif stated.startswith("-"):
        default = f"-{default}"
    return {"fields": chosen, "default": default, "param": p.name, "_source": p.source}


# ------------------------------------------------------------------------- auth and errors


def _auth(
    inp: Inputs,
    notes: _Notes,
    owner_types: list[Value],
    resources: dict[str, Resource],
    owner_rules: list[tuple[str, Value]] | None = None,
) -> AuthConfig:
    s = inp.signals
    data: dict[str, Any] = {}
    mode = decide("auth.mode", s.mode, [], "mode")
    local = [v for v in s.local_endpoints if v.rank == RANK_CONTRACT]
    # Sign-up and sign-in rows are an identity service's own routes when the specs name the
    # service that issues the tokens: then this backend only verifies them.
    if local and not s.provider and (mode is None or mode.value != "jwks"):
        data["mode"], data["source"] = "local", local[0].source
    elif mode is not None:
        data["mode"], data["source"] = mode.value, mode.source
        if s.local_endpoints and mode.value != "local":
            issuer = s.provider[0].source if s.provider else mode.source
            notes.add(
                f"register/login endpoints are documented, but tokens come from another "
                f"service ({issuer})",
                s.local_endpoints[0].source,
                f"verify {mode.value} tokens here; plan the authentication feature "
                "separately if this backend must issue them",
            )
    elif s.local_endpoints:
        data["mode"], data["source"] = "local", s.local_endpoints[0].source
    else:
        notes.add(
            "how tokens are issued is not stated", None, "shared-secret HS256 JWT verification"
        )
        data["mode"] = "shared-secret"
    if data["mode"] == "jwks":
        pick = decide("auth.jwks_url_env", s.jwks_env, [], "jwks_url_env")
        if pick is not None:
            data["jwks_url_env"] = pick.value
    if data["mode"] in ("shared-secret", "local"):
        names = [v for v in s.secret_env]
        better = [v for v in names if v.value == "BETTER_AUTH_SECRET"]
        pick = decide("auth.secret_env", better or names, [], "secret_env")
        if pick is not None:
            data["secret_env"] = pick.value
        else:
            notes.add(
                "the environment variable holding the token secret is not named", None, "JWT_SECRET"
            )
        algs = [
            v.value
            for v in sorted(s.algorithms, key=lambda v: v.rank)
            if str(v.value).startswith("HS")
        ]
        data["algorithms"] = list(dict.fromkeys(algs)) or ["HS256"]
    else:
        algs = [
            v.value
            for v in sorted(s.algorithms, key=lambda v: v.rank)
            if not str(v.value).startswith("HS")
        ]
        data["algorithms"] = list(dict.fromkeys(algs)) or ["RS256"]
    claim = decide("auth.user_id_claim", s.claim, notes.conflicts, "claim")
    if claim is not None:
        data["user_id_claim"] = claim.value
    else:
        notes.add("the token claim holding the user id is not stated", None, "sub")
    owner_t = [v for v in owner_types if v.value in ("uuid", "int", "str")]
    kinds = owner_t + s.claim_type
    chosen_type = decide("auth.user_id_type", kinds, [], "type") if kinds else None
    if chosen_type is not None:
        data["user_id_type"] = chosen_type.value
    mismatch = decide("auth.path_mismatch_status", s.path_mismatch, notes.conflicts)
    if mismatch is not None:
        data["path_mismatch_status"] = mismatch.value
    if data["mode"] == "local":
        _accounts(inp, notes, data)
        rule = _owner_on_delete(owner_rules or [], notes)
        if rule is not None:
            data.setdefault("accounts", {})["owner_on_delete"] = rule.value
    return AuthConfig(**data)


_AUTH_REASON = "authentication endpoint"


def _accounts(inp: Inputs, notes: _Notes, data: dict[str, Any]) -> None:
    """auth.mode local: the account routes, profile fields, answers, token lifetime and password
    rules as the contract writes them (readers/accounts.py); each route served is taken off the
    list of endpoints left out."""
    endpoints = [
        ep
        for g in inp.groups
        if (unbuildable_reason(g) or "").startswith(_AUTH_REASON)
        for ep in g.endpoints
    ]
    reading = read_accounts(endpoints)
    for what, where, resolution in reading.notes:
        notes.add(what, where, resolution)
    accounts: dict[str, Any] = dict(reading.data)
    for role, (method, path, source) in reading.routes.items():
        accounts[f"{role}_path"] = path
        accounts.setdefault("sources", {})[role] = source
        notes.unresolved = [
            u for u in notes.unresolved if not u.what.startswith(f"{method} {path} is not planned")
        ]
        accounts.setdefault("source", source)
    profile: dict[str, FieldSpec] = {}
    accounts_tables = account_models(inp.models)
    users = [t for t in inp.models if _model_key(t.name) in accounts_tables]
    for name, facts in reading.profile.items():
        wire = {f.name for f in facts}
        # One spelling the contract keeps (fullName): served under it, the column snake_case.
        json_name = next(iter(wire)) if len(wire) == 1 and wire != {name} else None
        if len(wire) > 1:
            notes.add(
                f"account profile field {name}: the contract's key is {', '.join(sorted(wire))}",
                _best_source(facts),
                f"served as {name}",
            )
        facts = facts + [f for t in users for f in t.fields if snake_name(f.name) == name]
        merged = merge_field(name, facts, notes.conflicts, "auth.accounts.fields")
        spec = _field("user", name, merged, facts, notes, read_only=False)
        if spec is None:
            continue
        if spec.type not in PROFILE_TYPES:
            notes.add(
                f"account profile field {name}: type {spec.type} is not served for profiles",
                spec.source,
                "left out; add it to a resource of its own",
            )
            continue
        profile[name] = spec.model_copy(
            update={"unique": False, "index": False, "json_name": json_name}
        )
    for t in users:
        for f in t.fields:
            name = snake_name(f.name)
            if name not in profile and not _ACCOUNT_COLUMN.fullmatch(name):
                notes.add(
                    f"{t.name}.{name}: a column no account route lets the user set",
                    f.source,
                    "not planned: the generated users table keeps email, password hash and "
                    "the profile fields the register body takes",
                )
    if profile:
        accounts["fields"] = profile
    rules: dict[str, Any] = {}
    for fact in reading.password:
        for key in ("min_length", "max_length"):
            if fact.get(key) is not None:
                rules.setdefault(key, (int(fact.get(key)), fact.source))
    checked: dict[str, Any] = {}
    for key, (value, where) in rules.items():
        try:
            PasswordRules.model_validate({key: value})
        except ValidationError:
            notes.add(
                f"password {key} {value}: outside the bounds the generated accounts allow",
                where,
                f"the default {key}, {PasswordRules.model_fields[key].default}",
            )
            continue
        checked[key] = value
    if checked:
        data["password"] = checked
    lifetimes = [v for v in inp.signals.token_ttl if v.rank == RANK_CONTRACT] or list(
        inp.signals.token_ttl
    )
    if lifetimes:
        data["token_ttl_minutes"] = lifetimes[0].value
    if accounts:
        data["accounts"] = accounts
    if reading.id_type is not None and "user_id_type" not in data:
        data["user_id_type"] = reading.id_type[0]


# Columns of a users table that are the account itself (the generated table keeps them).
_ACCOUNT_COLUMN = re.compile(r"id|email|\w*password\w*|\w*_hash|created_at|updated_at")


def _errors(inp: Inputs, notes: _Notes) -> ErrorConventions:
    s = inp.signals
    data: dict[str, Any] = {}
    env = decide("errors.envelope", s.envelope, notes.conflicts)
    if env is not None:
        data["envelope"] = env.value
        if env.value == "status":
            data["details"] = "map"  # JSend's "fail" data: {"<field>": "<what is wrong>"}
    elif s.envelope_odd:
        odd = min(s.envelope_odd, key=lambda v: v.rank)
        notes.add(
            f"error bodies look like {odd.value}",
            odd.source,
            'the {"error": {"code", "message", "details"}} envelope',
        )
    owner = decide("errors.not_owner_status", s.not_owner, notes.conflicts)
    if owner is not None:
        data["not_owner_status"] = owner.value
    validation = decide("errors.validation_status", s.validation, notes.conflicts)
    if validation is not None:
        data["validation_status"] = validation.value
    return ErrorConventions(**data)


def _other_api_conflicts(inp: Inputs, notes: _Notes) -> None:
    """Endpoints other API documents give for a planned collection that the contract lacks."""
    planned = {g.collection for g in inp.groups if not unbuildable_reason(g)}
    keys = {e.key for e in inp.endpoints}
    for ep in inp.other_endpoints:
        if ep.key in keys:
            continue
        from sp_backend.readers.resources import split

        if split(ep.path)[0] in planned:
            notes.add(
                f"{ep.method} {ep.path} is in {ep.file} but not in the contract {inp.contract_rel}",
                ep.source,
                "not planned: the contract decides",
            )


__all__ = ["Built", "Inputs", "build_plan"]
