"""List conventions stated once for the whole API (readers/conventions.py): a contract-wide
section applies to every list of the feature, each applied value keeps its line, a list's own
words win (a conflict), what applies nowhere is unresolved at its line."""

from __future__ import annotations

from pathlib import Path

from sp_backend.readers.conventions import convention_sections, read_conventions
from sp_backend.readers.gather import gather
from sp_backend.readers.markdown import parse_markdown
from sp_backend.readers.models import models_from_doc

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "specs"
CONTRACT = "specs/api/orchard.md"


def _line(needle: str) -> str:
    lines = (FIXTURES / "orchard-conventions" / CONTRACT).read_text().splitlines()
    return f"{CONTRACT}:{next(i for i, ln in enumerate(lines, 1) if needle in ln)}"


def test_a_section_inside_an_endpoint_is_its_own_not_contract_wide() -> None:
    doc = parse_markdown(
        "# API\n\n## GET /crates\n\nLists crates.\n\n### Pagination\n\n"
        "Query parameters:\n\n- `limit` - rows (default: 10)\n\n"
        "## Paging everywhere\n\nQuery parameters:\n\n- `per_page` - rows (default: 30)\n",
        rel="api.md",
    )
    sections = convention_sections(doc)
    assert [plain_heading.text for plain_heading, _ in sections] == ["Paging everywhere"]
    assert [p.name for p in read_conventions(doc).params] == ["per_page"]


def test_a_section_that_declares_endpoints_is_a_group_not_a_convention() -> None:
    doc = parse_markdown(
        "# API\n\n## Listing endpoints\n\n### GET /crates\n\nQuery parameters:\n\n"
        "- `limit` - rows\n",
        rel="api.md",
    )
    assert convention_sections(doc) == []


def test_each_written_form_of_a_convention_is_read_with_its_line() -> None:
    doc = parse_markdown(
        "# API\n\n## Conventions\n\n"  # 1-3
        "Query parameters:\n\n"  # 5
        "- `price_min` / `price_max` - price range\n"  # 7
        "- `sort` - sort field (default: name)\n\n"  # 8
        "| Parameter | Default | Meaning |\n|---|---|---|\n| `cursor` | | where to go on |\n\n"
        "Pages hold 15 items per page by default, at most 90 items per page.\n\n"  # 14
        "Keyset pagination throughout.\n\n"  # 16
        "Sortable fields:\n\n- `name` (default)\n- `weight`\n\n"  # 18-21
        "- `asc` - smallest first (default)\n\n"  # 23
        "Requests must never ask for more than one page at once.\n",  # 25
        rel="api.md",
    )
    conv = read_conventions(doc)
    assert [(p.name, p.source, p.default) for p in conv.params] == [
        ("price_min", "api.md:7", None),
        ("price_max", "api.md:7", None),
        ("sort", "api.md:8", "name"),
        ("cursor", "api.md:12", None),
    ]
    assert all(p.shared for p in conv.params)
    assert (conv.page_default.value, conv.page_default.source) == (15, "api.md:14")
    assert (conv.page_max.value, conv.page_max.source) == (90, "api.md:14")
    assert (conv.style.value, conv.style.source) == ("cursor", "api.md:16")
    assert conv.sort_fields.value == ["name", "weight"] and conv.sort_default.value == "name"
    assert (conv.direction.value, conv.direction.source) == ("asc", "api.md:23")
    assert conv.unread == [("Requests must never ask for more than one page at once.", "api.md:25")]


def test_answer_descriptions_and_examples_are_not_inputs() -> None:
    doc = parse_markdown(
        "# API\n\n## Pagination\n\nResponse includes:\n\n- `total` - every row\n"
        "- `page` - this page\n\n```\nGET /crates?page=2\n```\n",
        rel="api.md",
    )
    assert read_conventions(doc).params == []


def test_every_list_of_the_feature_takes_the_contract_wide_parameters() -> None:
    plan = gather(FIXTURES / "orchard-conventions", "orchard").plan
    lists = {name: r.operations.list for name, r in plan.resources.items()}
    assert set(lists) == {"orchard", "tree", "pruning"}
    for listing in lists.values():
        assert listing is not None
        assert listing.pagination.style == "page" and listing.pagination.size_name == "size"
        assert listing.search_param == "q"
        assert listing.sort.param == "sort" and listing.sort.order_param == "order"
        assert listing.sort.fields == ["created_at", "updated_at"]
        assert listing.sort.default == "-created_at"  # "desc ... (default)"
        # each applied value cites the contract-wide line, not the list's own
        assert listing.sources["q"] == _line("| `q` |")
        assert listing.sources["sort.fields"] == _line("- `created_at` (default)")
        assert listing.sources["sort.direction"] == _line("- `desc`")
    orchard, tree, pruning = lists["orchard"], lists["tree"], lists["pruning"]
    assert (orchard.pagination.default, orchard.pagination.max) == (25, 60)
    assert orchard.sources["size"] == _line("| `size` |")
    # a filter applies where the rows have the field: trees have a status, the others not
    assert tree.filters == ["status"] and orchard.filters == [] and pruning.filters == []
    assert tree.sources["status"] == _line("| `status` |")
    # `since` / `until` bound each resource's one date, both ends included
    assert {k: (r.field, r.op) for k, r in tree.ranges.items()} == {
        "since": ("planted_on", "ge"),
        "until": ("planted_on", "le"),
    }
    assert {k: (r.field, r.op) for k, r in pruning.ranges.items()} == {
        "since": ("pruned_on", "ge"),
        "until": ("pruned_on", "le"),
    }
    assert tree.ranges["since"].source == _line("| `since` / `until` |")
    assert orchard.ranges == {}


def test_the_lists_own_words_win_and_the_difference_is_a_conflict() -> None:
    plan = gather(FIXTURES / "orchard-conventions", "orchard").plan
    pruning = plan.resources["pruning"].operations.list
    assert pruning is not None
    assert (pruning.pagination.default, pruning.pagination.max) == (50, 200)
    assert "size" not in pruning.sources  # its own parameter, not the contract-wide one
    own, shared = _line("- `size` - rows per page"), _line("| `size` |")
    found = {(c.what, c.winner, c.loser, c.chosen, c.overruled) for c in plan.conflicts}
    assert found == {
        ("GET /prunings: query parameter size's default", own, shared, "50", "25"),
        ("GET /prunings: query parameter size's max", own, shared, 200, 60),
    }
    # the list's own parameter is not a field of the model its section describes
    assert "size" not in plan.resources["pruning"].fields


def test_a_convention_no_list_can_take_is_unresolved_at_its_line() -> None:
    plan = gather(FIXTURES / "orchard-conventions", "orchard").plan
    colour = [u for u in plan.unresolved if "'rootstock'" in u.what]
    assert [u.source for u in colour] == [_line("| `rootstock` |")]
    assert all(
        "rootstock" not in (r.operations.list.sources if r.operations.list else {})
        for r in plan.resources.values()
    )


def test_a_field_table_of_one_row_is_a_model() -> None:
    doc = parse_markdown(
        "# Schema\n\n## Site\n\n| Field | Type | Rules |\n|---|---|---|\n"
        "| name | string | required |\n\n## Note\n\n- `body`: text\n",
        rel="schema.md",
    )
    models = {t.name: [f.name for f in t.fields] for t in models_from_doc(doc, 2)}
    assert models.get("site") == ["name"]
    assert "note" not in models  # one bullet under a heading may be anything


def test_bullets_without_a_query_label_name_a_parameter_only_in_code() -> None:
    doc = parse_markdown(
        "# API\n\n## Pagination\n\n- `page`: which page (default: 1)\n"
        "- Default: 30 items per page\n- Cursor-based pagination for every list\n",
        rel="api.md",
    )
    conv = read_conventions(doc)
    assert [(p.name, p.source) for p in conv.params] == [("page", "api.md:5")]
    assert (conv.page_default.value, conv.page_default.source) == (30, "api.md:6")
    assert (conv.style.value, conv.style.source) == ("cursor", "api.md:7")
