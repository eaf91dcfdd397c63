"""TypeScript-ish bodies (readers/tsbody.py) and Prisma models (readers/prisma.py): the two
grammars, each in several spellings, and the endpoint reader handing them the right text."""

from __future__ import annotations

from sp_backend.readers.endpoints import find_endpoints
from sp_backend.readers.markdown import parse_markdown
from sp_backend.readers.models import model_key, models_from_doc
from sp_backend.readers.tsbody import looks_like_ts, ts_fields


def _values(facts) -> dict[str, dict]:
    return {f.name: {k: v.value for k, v in f.attrs.items()} for f in facts}


def _ts(text: str, *, body: bool = True) -> dict[str, dict]:
    doc = parse_markdown("x\n", rel="c.md")
    return _values(ts_fields(doc, text, 1, 0, body=body))


def test_members_split_by_comma_semicolon_or_line() -> None:
    assert _ts("{ title: string, description?: string }") == {
        "title": {"type": "str", "required": True},
        "description": {"type": "str", "required": False},
    }
    assert _ts("{ plate: string; mileage?: number; electric: boolean }") == {
        "plate": {"type": "str", "required": True},
        "mileage": {"type": "float", "required": False},
        "electric": {"type": "bool", "required": True},
    }
    multi = _ts("{\n  bay: 'north' | 'south'   // where the car waits\n  notes?: string | null\n}")
    assert multi["bay"] == {"type": "enum", "values": ["north", "south"], "required": True}
    assert multi["notes"] == {"nullable": True, "type": "str", "required": False}


def test_comments_are_read_through_the_phrase_table() -> None:
    got = _ts(
        "{\n  code: string; // 3-12 characters, must be unique\n  hours: number // at most 40\n}"
    )
    assert got["code"] == {
        "type": "str",
        "required": True,
        "min_length": 3,
        "max_length": 12,
        "unique": True,
    }
    assert got["hours"]["le"] == 40


def test_lists_nested_objects_and_shorthand() -> None:
    got = _ts("{ tags: string[]; parts: Array<Part>; meta: { a: string }; at: Date }")
    assert {k: v["type"] for k, v in got.items()} == {
        "tags": "list[str]",
        "parts": "json",  # a named type (Part) is not looked up: any JSON
        "meta": "object",  # an inline object type: an object of its members (issue 17)
        "at": "datetime",
    }
    assert got["meta"]["fields"] == {"a": {"type": "str", "required": True}}
    assert _ts("[{ id, title, createdAt }]", body=False) == {"id": {}, "title": {}, "createdAt": {}}


def test_json_and_pseudo_json_are_not_typescript() -> None:
    assert not looks_like_ts('{"title": "Buy milk", "done": false}')
    assert not looks_like_ts('{\n  "title": string (required, 1-200 chars)\n}')
    assert looks_like_ts("{ a: string }") and looks_like_ts("{ id, name }")


def test_method_lines_with_typescript_bodies_are_endpoints_with_bodies() -> None:
    doc = parse_markdown(
        "# Garage\n\nPOST /api/vehicles\n- Request Body: { plate: string; year?: number }\n"
        "- Response 201\n- Body: { id, plate, year }\n\nGET /api/vehicles\n"
        "- Body: [{ id, plate }]\n\nErrors: { error: string }\n",
        rel="c.md",
    )
    post, get = find_endpoints(doc, 0)
    assert (post.method, post.path, get.method) == ("POST", "/api/vehicles", "GET")
    assert _values(post.body)["year"] == {"type": "float", "required": False, "in_input": True}
    assert [f.name for f in post.response] == ["id", "plate", "year"]
    assert get.body == [] and get.response_examples[0][0] == [{"id": None, "plate": None}]
    assert "error" not in {f.name for f in get.response}


def test_prisma_model_in_a_fence_or_a_paragraph() -> None:
    schema = (
        "model ServiceVisit {\n"
        "  id        Int      @id @default(autoincrement())\n"
        "  summary   String   @db.VarChar(120)\n"
        "  cost      Decimal  @db.Decimal(8, 2)\n"
        "  done      Boolean  @default(false)\n"
        "  kind      VisitKind @default(routine)\n"
        "  garage    Garage   @relation(fields: [garageId], references: [id])\n"
        "  garageId  Int\n"
        "  note      String?  // up to 300 characters\n"
        "  createdAt DateTime @default(now())\n"
        "  @@index([garageId])\n"
        "}\n\nmodel Garage {\n  id Int @id\n  name String @unique\n}\n\n"
        "enum VisitKind {\n  routine\n  repair\n}"
    )
    for text in (f"# Data\n\n```prisma\n{schema}\n```\n", f"# Data\n\n{schema}\n"):
        doc = parse_markdown(text, rel="data-model.md")
        tables = {model_key(t.name): t for t in models_from_doc(doc, 2)}
        assert set(tables) == {"service_visit", "garage"}
        visit = tables["service_visit"]
        got = {f.name: {k: v.value for k, v in f.attrs.items()} for f in visit.fields}
        assert "garage" not in got  # the relation field; its column garageId stays
        assert got["id"]["type"] == "int" and got["id"]["primary_key"] is True
        assert got["summary"] == {"type": "str", "required": True, "max_length": 120}
        assert got["cost"]["max_digits"] == 8 and got["cost"]["decimal_places"] == 2
        assert got["done"]["default"] is False
        # A default makes the field optional on create; it is never null.
        assert got["kind"] == {
            "type": "enum",
            "values": ["routine", "repair"],
            "default": "routine",
            "nullable": False,
        }
        assert got["garageId"]["foreign_key"] == "Garage.id"
        assert got["note"]["nullable"] is True and got["note"]["max_length"] == 300
        assert "default" not in got["createdAt"]
        assert tables["garage"].fields[1].get("unique") is True
        assert visit.unresolved == []  # @@index on the foreign key: an index, kept


def test_rust_structs_with_options_enums_and_serde_notes() -> None:
    from sp_backend.readers.markdown import parse_markdown as parse

    doc = parse(
        "# Models\n\n```rust\n#[derive(Serialize)]\npub struct WorkOrder {\n    pub id: Uuid,\n"
        "    pub summary: String, // at most 90 characters\n    pub labour_hours: f64,\n"
        '    pub bay: Option<i32>,\n    #[serde(rename = "kind")]\n    pub order_kind: OrderKind,\n'
        "    pub parts: Vec<String>,\n    pub opened_at: DateTime<Utc>,\n}\n\n"
        "pub enum OrderKind {\n    Service,\n    Repair, // unplanned\n}\n```\n",
        rel="modules/orders.md",
    )
    (table,) = models_from_doc(doc, 2)
    got = {f.name: {k: v.value for k, v in f.attrs.items()} for f in table.fields}
    assert table.name == "work_order"
    assert got["summary"] == {"type": "str", "required": True, "max_length": 90}
    assert got["labour_hours"]["type"] == "float"
    assert got["bay"] == {"type": "int", "required": False, "nullable": True}
    assert got["order_kind"]["values"] == ["Service", "Repair"]
    assert got["parts"]["type"] == "list[str]" and got["opened_at"]["type"] == "datetime"
    assert [w for w, _ in table.unresolved] == ['work_order.order_kind: #[serde(rename = "kind")]']


def test_a_fenced_route_listing_declares_literal_sub_paths() -> None:
    """`GET /lots/search` in a fence listing routes is a route of its own, not an example of
    `GET /lots/{lot_id}`; a lone example request with a concrete id still folds."""
    from sp_backend.readers.endpoints import fold

    listing = (
        "# Auction\n\n```yaml\nGET    /lots/{lot_id}   # one lot\n"
        "GET    /lots/search     # find lots\n```\n"
    )
    keys = {e.key for e in fold(find_endpoints(parse_markdown(listing, rel="a.md"), 0))}
    assert keys == {"GET /lots/{}", "GET /lots/search"}
    example = "# Auction\n\n## GET /lots/{lot_id}\n\n```http\nGET /lots/42\n```\n"
    keys = {e.key for e in fold(find_endpoints(parse_markdown(example, rel="a.md"), 0))}
    assert keys == {"GET /lots/{}"}
