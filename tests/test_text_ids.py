"""Text ids made by the server (issue 17, id: str with id_prefix): what the plan refuses, what
emit writes for them and for the fields that refer to them, and what the readers take from a
contract. The generated suites of tests/fixtures/plans/invoicing.plan.yaml and of the
invoice-desk spec fixture run on SQLite and PostgreSQL with the other fixtures'."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from sp_backend.emit.context import build_project
from sp_backend.errors import PlanError
from sp_backend.plan.load import load_plan, parse_plan
from sp_backend.plan.model import ID_RANDOM_LENGTH, BackendPlan
from sp_backend.readers.gather import gather
from tests.conftest import make_project, sp_backend

REPO = Path(__file__).resolve().parents[1]
INVOICING = REPO / "tests" / "fixtures" / "plans" / "invoicing.plan.yaml"


def plan_text(invoice: str, payment_field: str = "") -> str:
    """A plan with an invoice resource (its id keys in `invoice`, YAML) and, with
    `payment_field`, a payment whose invoice_id field carries those keys (YAML flow)."""
    resources: dict[str, Any] = {
        "invoice": {
            "table": "invoices",
            "path": "/api/invoices",
            **yaml.safe_load(invoice),
            "fields": {"memo": {"type": "str", "max_length": 40}},
        }
    }
    if payment_field:
        invoice_id = {
            "references": {"resource": "invoice"},
            **yaml.safe_load(f"{{{payment_field}}}"),
        }
        resources["payment"] = {
            "table": "payments",
            "path": "/api/payments",
            "id": "str",
            "id_prefix": "pay_",
            "fields": {"invoice_id": invoice_id},
        }
    plan = {"plan_version": 1, "feature": "billing", "resources": resources}
    return yaml.safe_dump(plan, sort_keys=False)


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ("id: uuid\nid_prefix: inv_", "id_prefix applies to a text id (id: str), not to id: uuid"),
        ("id: int\nid_prefix: inv_", "not to id: int"),
        ("id: str", "state id_prefix (e.g. inv_)"),
        ("id: str\nid_prefix: in/v_", "id_prefix 'in/v_' must be 1 to 16 letters or digits"),
        ("id: str\nid_prefix: _inv", "id_prefix '_inv' must be"),
        ("id: str\nid_prefix: a_very_long_prefix_", "must be 1 to 16 letters or digits"),
    ],
)
def test_nonsense_text_ids_are_refused_with_their_place(keys: str, expected: str) -> None:
    with pytest.raises(PlanError) as info:
        parse_plan(plan_text(keys), "billing.plan.yaml")
    message = str(info.value)
    assert expected in message
    assert "billing.plan.yaml:5: resources.invoice:" in message  # where its keys start


def test_a_text_id_has_its_prefix_and_a_random_part_of_fixed_length() -> None:
    plan = parse_plan(plan_text("id: str\nid_prefix: inv_"))
    invoice = plan.resources["invoice"]
    assert invoice.id_length == len("inv_") + ID_RANDOM_LENGTH
    assert invoice.id_pattern == f"^inv_[0-9A-Za-z]{{{ID_RANDOM_LENGTH}}}$"
    assert re.fullmatch(invoice.id_pattern, "inv_" + "a" * ID_RANDOM_LENGTH)
    assert not re.fullmatch(invoice.id_pattern, "inv_" + "a" * (ID_RANDOM_LENGTH - 1))
    assert parse_plan(plan_text("id: uuid")).resources["invoice"].id_pattern is None


def emitted(plan: BackendPlan) -> None:
    build_project([plan], plan.feature)


@pytest.mark.parametrize(
    ("invoice", "field", "expected"),
    [
        ("id: int", "type: str", "'invoice' ids are int, the field is str"),
        ("id: str\nid_prefix: inv_", "type: uuid", "'invoice' ids are str, the field is uuid"),
        (
            "id: str\nid_prefix: inv_",
            "type: str, max_length: 10",
            "max_length 10 is not that of 'invoice' ids (24)",
        ),
        (
            "id: str\nid_prefix: inv_",
            "type: str, pattern: '^[a-z]+$'",
            "pattern '^[a-z]+$' is not that of 'invoice' ids",
        ),
    ],
)
def test_a_reference_must_hold_the_ids_it_names(invoice: str, field: str, expected: str) -> None:
    plan = parse_plan(plan_text(invoice, field))
    with pytest.raises(PlanError, match=re.escape(expected)):
        emitted(plan)


def test_a_reference_to_text_ids_takes_their_bounds() -> None:
    plan = parse_plan(plan_text("id: str\nid_prefix: inv_", "type: str, required: true"))
    view = build_project([plan], "billing")
    payment = next(r for r in view.resources if r.name == "payment")
    field = next(f for f in payment.fields if f.name == "invoice_id")
    assert field.spec.pattern == plan.resources["invoice"].id_pattern
    assert field.spec.max_length == 24
    assert re.fullmatch(field.spec.pattern or "", field.valid_value)
    assert "max_length=24" in field.model_decl and 'foreign_key="invoices.id"' in field.model_decl


def test_emitted_backend_makes_bounded_text_ids(tmp_path: Path) -> None:
    root = make_project(tmp_path, INVOICING)
    result = sp_backend("emit", "invoicing", "--root", str(root), "--with-tests")
    assert result.returncode == 0, result.stderr
    backend = root / "backend"
    model = (backend / "app" / "models" / "invoice.py").read_text()
    assert "def new_invoice_id() -> str:" in model
    assert "secrets.choice(alphabet)" in model
    assert "id: str = Field(default_factory=new_invoice_id, primary_key=True, max_length=24)" in (
        model
    )
    router = (backend / "app" / "routers" / "payments.py").read_text()
    assert 'pattern=r"^pay\\-[0-9A-Za-z]{20}$"' in router
    parents = (backend / "app" / "dependencies.py").read_text()
    assert (
        'ParentCustomerId = Annotated[\n    str, Path(pattern=r"^cus_[0-9A-Za-z]{20}$"' in parents
    )
    revision = next((backend / "migrations" / "versions").glob("*.py")).read_text()
    assert re.search(r'"id",\s+sqlmodel\.sql\.sqltypes\.AutoString\(length=24\)', revision)
    assert re.search(r'"row_id",\s+sqlmodel\.sql\.sqltypes\.AutoString\(length=24\)', revision)


ORDER = '{$ref: "#/components/schemas/Order"}'


def _openapi(tmp_path: Path, id_schema: str) -> Path:
    root = tmp_path / "orders"
    (root / "specs" / "api").mkdir(parents=True)
    (root / "specs" / "api" / "openapi.yaml").write_text(
        textwrap.dedent(
            f"""\
            openapi: 3.1.0
            info: {{title: Orders, version: "1"}}
            components:
              securitySchemes:
                bearer: {{type: http, scheme: bearer, bearerFormat: JWT}}
              schemas:
                Order:
                  type: object
                  properties:
                    id: {id_schema}
                    item: {{type: string, maxLength: 80}}
                  required: [item]
            security: [{{bearer: []}}]
            paths:
              /orders:
                post:
                  requestBody:
                    content: {{application/json: {{schema: {ORDER}}}}}
                  responses:
                    "201":
                      description: made
                      content: {{application/json: {{schema: {ORDER}}}}}
              /orders/{{order_id}}:
                get:
                  parameters:
                    - {{name: order_id, in: path, required: true, schema: {id_schema}}}
                  responses:
                    "200":
                      description: the order
                      content: {{application/json: {{schema: {ORDER}}}}}
            """
        )
    )
    return root


def test_openapi_pattern_gives_the_prefix(tmp_path: Path) -> None:
    schema = '{type: string, pattern: "^ord_[A-Za-z0-9]{20}$", readOnly: true}'
    plan = gather(_openapi(tmp_path, schema), "orders").plan
    order = plan.resources["order"]
    assert (order.id, order.id_prefix) == ("str", "ord_")
    assert not [u for u in plan.unresolved if u.what.startswith("order.id")]


def test_openapi_example_gives_the_prefix(tmp_path: Path) -> None:
    schema = "{type: string, example: ord_8f3kq2Vd0P, readOnly: true}"
    order = gather(_openapi(tmp_path, schema), "orders").plan.resources["order"]
    assert (order.id, order.id_prefix) == ("str", "ord_")


def test_another_form_of_text_id_is_unresolved(tmp_path: Path) -> None:
    schema = '{type: string, pattern: "^ord_[a-z0-9]{16}$"}'
    plan = gather(_openapi(tmp_path, schema), "orders").plan
    assert plan.resources["order"].id_prefix == "ord_"
    notes = [u for u in plan.unresolved if u.what.startswith("order.id")]
    assert len(notes) == 1 and "'^ord_[a-z0-9]{16}$' is not the form the server makes" in (
        notes[0].what
    )
    assert "ord_ and 20 random letters and digits" in (notes[0].resolution or "")


def test_text_ids_without_a_prefix_stay_uuid_and_are_said(tmp_path: Path) -> None:
    schema = "{type: string, example: summer-sale, readOnly: true}"
    plan = gather(_openapi(tmp_path, schema), "orders").plan
    assert plan.resources["order"].id == "uuid"
    notes = [u.what for u in plan.unresolved if u.what.startswith("order.id")]
    assert notes == [
        "order.id: ids are text, but no prefix the server puts before a random part is shown "
        "(such as inv_3kd9...)"
    ]


def test_the_invoicing_fixture_is_a_valid_plan() -> None:
    plan = load_plan(INVOICING)
    assert {r.id_prefix for r in plan.resources.values()} == {"cus_", "inv_", "pay-"}


def test_an_id_the_client_gives_without_a_pattern_is_unresolved(tmp_path: Path) -> None:
    """A slug the client sends on create, with no pattern stated: any text would reach URLs,
    so nothing is guessed; said, and the id stays uuid (tests/test_given_ids.py: with one)."""
    root = tmp_path / "wiki"
    (root / "specs" / "api").mkdir(parents=True)
    (root / "specs" / "api" / "pages-endpoints.md").write_text(
        textwrap.dedent(
            """\
            # Wiki pages

            Requests carry a bearer token (HS256, secret in `WIKI_SECRET`).

            ## POST /api/pages

            The client names the page. Request:

            ```json
            {"id": "summer-sale", "title": "Summer sale"}
            ```

            Response `201`:

            ```json
            {"id": "summer-sale", "title": "Summer sale", "user_id": "u1"}
            ```

            ## GET /api/pages/{id}

            `200` with the page, `404` when there is none.
            """
        )
    )
    plan = gather(root, "pages").plan
    assert plan.resources["page"].id == "uuid"
    notes = [u.what for u in plan.unresolved if u.what.startswith("page.id")]
    assert notes == [
        "page.id: the client gives the id on create, but the contract states no pattern for it"
    ]
    assert plan.resources["page"].id_given is None
