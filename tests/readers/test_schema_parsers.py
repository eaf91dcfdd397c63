"""The lossy cases of issue 19, each read by a real parser: SQL DDL (sqlglot), SQLModel / Pydantic
classes (ast), singular names (inflection), OpenAPI $ref / allOf (jsonref). One test per case."""

from __future__ import annotations

from sp_backend.readers.facts import FieldFact, TableFacts
from sp_backend.readers.fields import tables_from_code, tables_from_sql
from sp_backend.readers.markdown import parse_markdown


def _fence(lang: str, body: str) -> str:
    return f"# Schema\n\n```{lang}\n{body.strip()}\n```\n"


def _sql(body: str) -> dict[str, TableFacts]:
    doc = parse_markdown(_fence("sql", body), rel="schema.md")
    block = next(b for b in doc.blocks if b.kind == "fence")
    return {t.name: t for t in tables_from_sql(doc, block, 1)}


def _attrs(table: TableFacts, name: str) -> dict:
    """Every attribute any fact about the column states (later facts add to earlier ones)."""
    out: dict = {}
    for fact in table.fields:
        if fact.name == name:
            out.update({k: v.value for k, v in fact.attrs.items()})
    return out


def _facts(table: TableFacts, name: str) -> list[FieldFact]:
    return [f for f in table.fields if f.name == name]


def test_sql_two_columns_on_one_line_keep_both() -> None:
    t = _sql(
        "CREATE TABLE tasks (\n  id SERIAL PRIMARY KEY, title VARCHAR(200) NOT NULL,\n"
        "  done BOOLEAN DEFAULT FALSE, note TEXT\n);"
    )["tasks"]
    assert {f.name for f in t.fields} == {"id", "title", "done", "note"}
    assert _attrs(t, "title") == {"type": "str", "max_length": 200, "required": True}
    assert _attrs(t, "done") == {"type": "bool", "default": False}
    assert _attrs(t, "id")["primary_key"] is True
    # each fact keeps its own line: title is on line 2 of the fence (file line 5)
    assert _facts(t, "title")[0].source == "schema.md:5"


def test_sql_check_constraints_become_values_lengths_and_bounds() -> None:
    t = _sql("""
CREATE TABLE tasks (
    title VARCHAR(255) NOT NULL CHECK (char_length(title) >= 1),
    status VARCHAR(20) DEFAULT 'pending' CHECK (status IN ('pending', 'done')),
    priority INT CHECK (priority BETWEEN 1 AND 5),
    score NUMERIC CHECK (score >= 0 AND score < 100),
    code TEXT CHECK (code ~ '^[A-Z]{3}$'),
    CONSTRAINT title_not_blank CHECK (LENGTH(TRIM(title)) > 0)
);
ALTER TABLE tasks ADD CONSTRAINT short CHECK (LENGTH(title) <= 200);
""")["tasks"]
    assert _attrs(t, "status")["values"] == ["pending", "done"]
    assert _attrs(t, "status")["default"] == "pending"
    title = _attrs(t, "title")
    assert title["min_length"] == 1 and title["not_blank"] is True and title["max_length"] == 200
    assert (_attrs(t, "priority")["ge"], _attrs(t, "priority")["le"]) == (1, 5)
    assert (_attrs(t, "score")["ge"], _attrs(t, "score")["lt"]) == (0, 100)
    assert _attrs(t, "code")["pattern"] == "^[A-Z]{3}$"
    assert t.unresolved == []


def test_sql_check_not_understood_is_unresolved_at_its_line() -> None:
    t = _sql("CREATE TABLE t (\n  a INT,\n  b INT,\n  CHECK (a < b)\n);")["t"]
    assert len(t.unresolved) == 1
    what, where = t.unresolved[0]
    assert "a < b" in what and where == "schema.md:7"


def test_sql_composite_unique_with_the_owner_is_unique_per_user() -> None:
    t = _sql("""
CREATE TABLE tags (
    id UUID PRIMARY KEY,
    owner_id UUID NOT NULL REFERENCES users(id),
    name VARCHAR(50) NOT NULL,
    slug VARCHAR(50),
    a INT, b INT,
    UNIQUE (owner_id, name),
    UNIQUE (a, b)
);
CREATE UNIQUE INDEX tags_slug ON tags (user_id, slug);
""")["tags"]
    assert _attrs(t, "name")["unique"] is True
    assert _attrs(t, "slug")["unique"] is True
    assert "unique" not in _attrs(t, "owner_id")
    assert [w for w, _ in t.unresolved] == ["UNIQUE over (a, b) has no plan equivalent"]


def test_sql_references_in_column_and_table_constraints() -> None:
    t = _sql("""
CREATE TABLE tasks (
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    list_id INT,
    CONSTRAINT fk_list FOREIGN KEY (list_id) REFERENCES lists (id)
);""")["tasks"]
    assert _attrs(t, "user_id")["foreign_key"] == "users.id"
    assert _attrs(t, "list_id")["foreign_key"] == "lists.id"


def test_sql_numeric_precision_and_scale() -> None:
    t = _sql("CREATE TABLE p (price NUMERIC(10, 2) NOT NULL DEFAULT 0, tags TEXT[]);")["p"]
    assert _attrs(t, "price") == {
        "type": "decimal",
        "max_digits": 10,
        "decimal_places": 2,
        "default": 0,
        "nullable": False,
    }
    assert _attrs(t, "tags")["type"] == "list[str]"


def test_sql_other_dialects_and_indexes() -> None:
    tables = _sql("""
CREATE TABLE `notes` (
  `id` INT AUTO_INCREMENT PRIMARY KEY,
  `body` VARCHAR(500) NOT NULL,
  `kind` ENUM('a', 'b') DEFAULT 'a'
) ENGINE=InnoDB;
CREATE INDEX notes_body ON notes (body);
""")
    t = tables["notes"]
    assert _attrs(t, "body")["max_length"] == 500 and _attrs(t, "body")["index"] is True
    assert _attrs(t, "id")["primary_key"] is True
    assert _attrs(t, "kind") == {"type": "enum", "values": ["a", "b"], "default": "a"}


def _code(body: str) -> dict[str, TableFacts]:
    doc = parse_markdown(_fence("python", body), rel="schema.md")
    block = next(b for b in doc.blocks if b.kind == "fence")
    return {t.name: t for t in tables_from_code(doc, block, 1)}


def test_sqlmodel_multi_line_field_keeps_max_length_and_index() -> None:
    t = _code("""
class Task(SQLModel, table=True):
    __tablename__ = "tasks"
    id: Optional[int] = Field(default=None, primary_key=True)
    title: str = Field(
        min_length=1,
        max_length=200,
        index=True,
    )
    priority: int = Field(default=3, ge=1, le=5)
    code: str | None = Field(None, regex="^[A-Z]+$")
    tags: list[str] = Field(default_factory=list)
    done: bool = False
""")["tasks"]
    assert _attrs(t, "title") == {"type": "str", "min_length": 1, "max_length": 200, "index": True}
    assert _facts(t, "title")[0].source == "schema.md:7"
    assert _attrs(t, "priority") == {"type": "int", "default": 3, "ge": 1, "le": 5}
    assert _attrs(t, "code") == {"type": "str", "required": False, "pattern": "^[A-Z]+$"}
    assert _attrs(t, "tags") == {"type": "list[str]", "default": []}
    assert _attrs(t, "done") == {"type": "bool", "default": False}
    assert _attrs(t, "id")["primary_key"] is True


def test_python_class_that_does_not_parse_is_unresolved() -> None:
    tables = _code("""
class Good(BaseModel):
    name: str = Field(max_length=10)

class Bad(BaseModel):
    name: str = Field(max_length=
""")
    assert _attrs(tables["Good"], "name")["max_length"] == 10
    assert tables["Bad"].fields == [] and len(tables["Bad"].unresolved) == 1


# ---------------------------------------------------------------- singular names (inflection)


def test_singular_names_follow_english_inflection() -> None:
    from sp_backend.readers.words import singular

    said = {w: singular(w) for w in ("statuses", "series", "news", "categories", "people")}
    assert said == {
        "statuses": "status",
        "series": "series",
        "news": "news",
        "categories": "category",
        "people": "person",
    }
    assert [singular(w) for w in ("analyses", "children", "boxes", "campus", "Shipments")] == [
        "analysis",
        "child",
        "box",
        "campus",
        "shipment",
    ]
    assert singular("line_items") == "line_item"  # the last word of a compound
    # -ves: a handful of -f/-fe nouns; every other such plural only drops its s.
    assert [singular(w) for w in ("dives", "curves", "olives", "valves", "leaves")] == [
        "dive",
        "curve",
        "olive",
        "valve",
        "leave",
    ]
    assert [singular(w) for w in ("shelves", "knives", "wolves", "halves")] == [
        "shelf",
        "knife",
        "wolf",
        "half",
    ]


# ------------------------------------------------------------------ OpenAPI $ref / allOf


def _openapi(tmp_path, document: str, **others: str):
    from sp_backend.readers.openapi import openapi_endpoints

    (tmp_path / "specs").mkdir(exist_ok=True)
    for name, text in others.items():
        (tmp_path / "specs" / name).write_text(text, encoding="utf-8")
    path = tmp_path / "specs" / "openapi.yaml"
    path.write_text(document, encoding="utf-8")
    return openapi_endpoints(path, "specs/openapi.yaml", 1)


_SHIPMENTS = """openapi: 3.0.3
info: {title: Freight, version: "1"}
paths:
  /shipments:
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/ShipmentIn"}
      responses:
        "201": {description: created}
components:
  schemas:
%s
"""


def test_openapi_allof_parts_merge_fields_and_required(tmp_path) -> None:
    schemas = """    Stamp:
      type: object
      required: [weight_g]
      properties:
        weight_g: {type: integer, minimum: 1}
    ShipmentIn:
      allOf:
        - $ref: "#/components/schemas/Stamp"
        - type: object
          required: [carrier]
          properties:
            carrier: {type: string, enum: [post, courier]}
            note: {type: string, nullable: true, maxLength: 140}"""
    endpoints, models = _openapi(tmp_path, _SHIPMENTS % schemas)
    body = {f.name: {k: v.value for k, v in f.attrs.items()} for f in endpoints[0].body}
    assert body["weight_g"]["required"] is True and body["weight_g"]["ge"] == 1
    assert body["carrier"]["values"] == ["post", "courier"] and body["carrier"]["required"] is True
    assert body["note"]["max_length"] == 140 and body["note"]["required"] is False
    assert {t.name for t in models} >= {"stamp", "shipment"}


def test_openapi_refs_chain_and_other_files_are_followed(tmp_path) -> None:
    hops = "\n".join(
        f'    Hop{i}: {{$ref: "#/components/schemas/Hop{i + 1}"}}' for i in range(1, 8)
    )
    schemas = f"""    ShipmentIn: {{$ref: "#/components/schemas/Hop1"}}
{hops}
    Hop8: {{$ref: "./parcel.yaml#/Parcel"}}"""
    parcel = "Parcel:\n  type: object\n  properties:\n    tracking_code: {type: [string, 'null']}\n"
    endpoints, _ = _openapi(tmp_path, _SHIPMENTS % schemas, **{"parcel.yaml": parcel})
    [field] = endpoints[0].body
    assert field.name == "tracking_code" and field.get("type") == "str"  # 10 hops, 2 files


def test_openapi_ref_not_followed_is_unresolved_never_fetched(tmp_path) -> None:
    schemas = """    ShipmentIn:
      type: object
      properties:
        carrier: {type: string}
        insurer: {$ref: "https://schemas.example.com/insurer.json"}
        customs: {$ref: "#/components/schemas/Missing"}"""
    endpoints, models = _openapi(tmp_path, _SHIPMENTS % schemas)
    assert [f.name for f in endpoints[0].body] == ["carrier", "insurer", "customs"]
    said = [what for t in models for what, _ in t.unresolved]
    assert any("insurer" in w and "https://schemas.example.com" in w for w in said), said
    assert any("customs" in w and "Missing" in w for w in said), said
    # at the operation whose body names them (line 4) and at the component schema (its line)
    wheres = {where for t in models for _, where in t.unresolved}
    assert wheres == {"specs/openapi.yaml:4", "specs/openapi.yaml:14"}, wheres


def test_openapi_list_response_schema_is_evidence_of_the_list_shape(tmp_path) -> None:
    document = """openapi: 3.1.0
info: {title: Freight, version: "1"}
paths:
  /shipments:
    get:
      responses:
        "200":
          content:
            application/json:
              schema:
                type: object
                properties:
                  data: {type: array, items: {$ref: "#/components/schemas/Shipment"}}
                  meta:
                    type: object
                    properties: {total: {type: integer}, page: {type: integer}}
components:
  schemas:
    Shipment:
      type: object
      properties: {id: {type: string, format: uuid}, carrier: {type: string}}
"""
    endpoints, _ = _openapi(tmp_path, document)
    [(shown, where)] = endpoints[0].response_examples
    assert shown == {"data": [{"id": "", "carrier": ""}], "meta": {"total": 0, "page": 0}}
    assert where == "specs/openapi.yaml:4"


def test_singular_of_us_nouns_irregulars_and_u_nouns() -> None:
    from sp_backend.readers.words import singular

    pairs = {
        "bonuses": "bonus",
        "campuses": "campus",
        "viruses": "virus",
        "addresses": "address",
        "houses": "house",  # -uses of a noun ending in -use
        "courses": "course",
        "lenses": "lens",
        "criteria": "criterion",
        "geese": "goose",
        "menus": "menu",  # -u noun, not an -us one
        "bonus": "bonus",
        "payroll_bonuses": "payroll_bonus",
    }
    assert {w: singular(w) for w in pairs} == pairs
