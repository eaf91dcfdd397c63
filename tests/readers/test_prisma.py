"""Prisma schemas read into field facts (readers/prisma.py): scalar types, `?`, @unique, @id,
@default, @db.* lengths and precision, enums, relations as foreign keys, and what the plan
cannot hold as an unresolved note at its line."""

from __future__ import annotations

from pathlib import Path

from sp_backend.readers.facts import TableFacts
from sp_backend.readers.markdown import parse_markdown
from sp_backend.readers.models import models_from_doc
from sp_backend.readers.prisma import read_prisma

# A greenhouse's watering log: another domain and layout than the fixtures' shelf.
SCHEMA = """\
generator client {
  provider = "prisma-client-js"
}

enum Exposure {
  FULL_SUN
  PARTIAL
  SHADE
}

model Bed {
  id        Int      @id @default(autoincrement())
  label     String   @unique @db.VarChar(40)
  exposure  Exposure @default(PARTIAL)
  area_m2   Decimal  @db.Decimal(6, 2)
  heated    Boolean  @default(false)
  notes     String?  @db.Text
  settings  Json?
  waterings Watering[]
}

model Watering {
  id         String   @id @default(uuid())
  bed        Bed      @relation(fields: [bed_id], references: [id], onDelete: Cascade)
  bed_id     Int
  litres     Float
  // who watered is not recorded
  given_at   DateTime @default(now())
  sown_on    DateTime @db.Date
  tags       String[]
  weight     Int      @default(3)
  label      String   @default("daily")

  @@unique([bed_id, given_at])
  @@map("waterings")
}
"""


def _read(text: str = SCHEMA) -> dict[str, TableFacts]:
    return {t.name: t for t in read_prisma(text, lambda n: f"schema.prisma:{n}", 2)}


def _attrs(table: TableFacts, name: str) -> dict:
    fact = next(f for f in table.fields if f.name == name)
    return {k: v.value for k, v in fact.attrs.items()}


def test_scalar_types_optional_unique_and_lengths() -> None:
    bed = _read()["Bed"]
    assert _attrs(bed, "label") == {
        "type": "str",
        "unique": True,
        "max_length": 40,
        "required": True,
    }
    assert _attrs(bed, "heated") == {"type": "bool", "default": False, "nullable": False}
    assert _attrs(bed, "notes") == {"type": "text", "required": False, "nullable": True}
    assert _attrs(bed, "settings")["type"] == "json"
    assert _attrs(bed, "area_m2") == {
        "type": "decimal",
        "max_digits": 6,
        "decimal_places": 2,
        "required": True,
    }


def test_ids_and_database_made_defaults_are_not_field_defaults() -> None:
    tables = _read()
    bed_id = _attrs(tables["Bed"], "id")
    assert bed_id["type"] == "int" and bed_id["primary_key"] is True and "default" not in bed_id
    watering_id = _attrs(tables["waterings"], "id")
    assert watering_id["type"] == "uuid"  # String @default(uuid())
    given_at = _attrs(tables["waterings"], "given_at")
    assert given_at["type"] == "datetime" and "default" not in given_at
    assert _attrs(tables["waterings"], "weight")["default"] == 3
    assert _attrs(tables["waterings"], "label")["default"] == "daily"


def test_enums_dates_and_string_lists() -> None:
    tables = _read()
    exposure = _attrs(tables["Bed"], "exposure")
    assert exposure["type"] == "enum"
    assert exposure["values"] == ["FULL_SUN", "PARTIAL", "SHADE"]
    assert exposure["default"] == "PARTIAL"
    assert _attrs(tables["waterings"], "sown_on")["type"] == "date"
    assert _attrs(tables["waterings"], "tags")["type"] == "list[str]"


def test_relation_is_a_foreign_key_on_its_column_and_relation_fields_are_no_columns() -> None:
    tables = _read()
    watering = tables["waterings"]
    names = [f.name for f in watering.fields]
    assert "bed" not in names and "waterings" not in [f.name for f in tables["Bed"].fields]
    bed_id = _attrs(watering, "bed_id")
    # The target is named as the table the model maps to (here: the model's own name).
    assert bed_id["foreign_key"] == "Bed.id" and bed_id["on_delete"] == "cascade"
    assert bed_id["type"] == "int"


def test_a_string_key_to_a_uuid_id_is_a_uuid() -> None:
    text = (
        'model Shelf {\n  id String @id @default(uuid())\n  @@map("shelves")\n}\n'
        "model Box {\n  id String @id @default(uuid())\n"
        "  shelf Shelf @relation(fields: [shelf_id], references: [id])\n  shelf_id String\n}\n"
    )
    box = _read(text)["Box"]
    assert _attrs(box, "shelf_id")["type"] == "uuid"
    assert _attrs(box, "shelf_id")["foreign_key"] == "shelves.id"


def test_what_the_plan_cannot_hold_is_unresolved_at_its_line() -> None:
    text = (
        "model Crate {\n"
        "  id    Int    @id\n"
        '  code  String @map("crate_code")\n'
        "  blob  Bytes\n"
        "  sizes Int[]\n"
        "  @@unique([code, blob])\n"
        "  this is not a field line\n"
        "}\n"
    )
    notes = _read(text)["Crate"].unresolved
    said = {where: what for what, where in notes}
    assert "crate_code" in said["schema.prisma:3"]
    assert "Bytes" in said["schema.prisma:4"]
    assert "json" in said["schema.prisma:5"]
    assert "@@unique([code, blob])" in said["schema.prisma:6"]
    assert "not read" in said["schema.prisma:7"]


def test_each_fact_cites_its_own_line() -> None:
    watering = _read()["waterings"]
    litres = next(f for f in watering.fields if f.name == "litres")
    assert litres.source == "schema.prisma:26"


def test_a_prisma_block_in_markdown_is_read_with_markdown_lines() -> None:
    text = "# Data\n\nThe models:\n\n```prisma\n" + SCHEMA + "```\n"
    doc = parse_markdown(text, rel="specs/data-model.md")
    tables = {t.name: t for t in models_from_doc(doc, 2)}
    label = next(f for f in tables["Bed"].fields if f.name == "label")
    # SCHEMA's line 13 is line 18 of the Markdown file (the fence opens on line 5)
    assert label.source == "specs/data-model.md:18"


def test_a_schema_prisma_file_beside_the_contract_is_gathered(tmp_path: Path) -> None:
    from sp_backend.readers.gather import gather

    contracts = tmp_path / "specs" / "beds" / "contracts"
    contracts.mkdir(parents=True)
    (contracts / "api.md").write_text(
        "# Beds\n\nTokens: HS256 JWTs, secret in `BEDS_SECRET`.\n\n"
        "## GET /api/beds\nList.\n\n## POST /api/beds\nCreate. 201.\n",
        encoding="utf-8",
    )
    (tmp_path / "specs" / "beds" / "schema.prisma").write_text(SCHEMA, encoding="utf-8")
    plan = gather(tmp_path, "beds").plan
    assert plan.sources["schema"] == "specs/beds/schema.prisma"
    bed = plan.resources["bed"]
    assert bed.fields["label"].unique and bed.fields["label"].max_length == 40
    assert bed.fields["label"].source == "specs/beds/schema.prisma:13"
    assert bed.fields["exposure"].values == ["FULL_SUN", "PARTIAL", "SHADE"]
