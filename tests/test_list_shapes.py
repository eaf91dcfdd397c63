"""List answers as the contract writes them: the plan keys (operations.list.response and the
pagination parameters' names), their validation, and the reader that fills them from the
contract's example list response."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from sp_backend.plan.model import Resource
from sp_backend.readers.facts import Endpoint
from sp_backend.readers.list_shape import derive


def resource(listing: dict) -> Resource:
    return Resource.model_validate(
        {
            "table": "visits",
            "path": "/api/visits",
            "fields": {"reason": {"type": "str", "max_length": 50}},
            "operations": {"list": listing},
        }
    )


def test_default_shape_is_items_and_pagination() -> None:
    listing = resource({}).operations.list
    assert listing.response.items == "items" and listing.response.metadata == "nested"
    assert listing.response.meta_names("page") == {
        k: k for k in ("total", "page", "page_size", "total_pages", "has_next", "has_previous")
    }
    assert listing.pagination.param_names == {"page_size": "page_size", "page": "page"}


@pytest.mark.parametrize(
    ("listing", "message"),
    [
        ({"response": {"items": None, "metadata": "nested"}}, "bare JSON array"),
        ({"response": {"keys": {"next_cursor": "next"}}}, "not known on a page-style page"),
        ({"response": {"metadata": "headers", "keys": {"has_next": "X-More"}}}, "header"),
        ({"response": {"keys": {"links": "Link"}}}, "Link header"),
        ({"response": {"keys": {"total": "per page"}}}, "not a JSON key"),
        ({"response": {"metadata": "flat", "items": "total"}}, "distinct"),
        (
            {"pagination": {"style": "cursor"}, "response": {"keys": {"count": "n"}}},
            "next cursor",
        ),
        ({"pagination": {"size_param": "page"}}, "distinct names"),
        ({"pagination": {"size_param": "reason"}, "filters": ["reason"]}, "distinct names"),
        ({"search": ["reason"], "search_param": "sort"}, "distinct names"),
    ],
)
def test_shapes_the_style_cannot_serve_are_refused(listing: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        resource(listing)


def endpoint(body: object, text: str = "") -> Endpoint:
    ep = Endpoint("GET", "/api/visits", "specs/api/visits.md:3", text=text)
    ep.response_examples.append((body, "specs/api/visits.md:10"))
    return ep


ROW = {"id": 1, "reason": "check-up"}


def test_reader_takes_the_rows_key_and_nested_metadata_names() -> None:
    body = {"data": [ROW], "meta": {"page": 1, "per_page": 20, "total": 1, "total_pages": 1}}
    shape = derive(endpoint(body), "page")
    assert shape.response is not None
    assert (shape.response.items, shape.response.metadata) == ("data", "nested")
    assert shape.response.metadata_key == "meta"
    assert shape.response.keys == {
        "page": "page",
        "page_size": "per_page",
        "total": "total",
        "total_pages": "total_pages",
    }
    assert shape.notes == []


def test_reader_flat_metadata_and_count_as_the_total() -> None:
    body = {"results": [ROW], "count": 7, "skip": 0, "take": 10}
    shape = derive(endpoint(body), "offset")
    assert shape.response is not None and shape.response.metadata == "flat"
    assert shape.response.keys == {"total": "count", "offset": "skip", "limit": "take"}


def test_reader_bare_array_with_total_and_link_headers() -> None:
    text = 'The total is in the `X-Total-Count` header; `Link: <...>; rel="next"` pages on.'
    shape = derive(endpoint([ROW], text), "offset")
    assert shape.response is not None
    assert shape.response.items is None and shape.response.metadata == "headers"
    assert shape.response.keys == {"total": "X-Total-Count", "links": "Link"}


def test_reader_notes_keys_it_cannot_serve_never_drops_them_silently() -> None:
    shape = derive(endpoint({"status": "success", "data": [ROW]}), "page")
    assert shape.response is not None and shape.response.metadata == "none"
    (note,) = shape.notes
    assert "'status'" in note[0] and note[1] == "specs/api/visits.md:10"


def test_reader_keeps_the_default_for_the_default_shape_or_part_of_it() -> None:
    body = {"items": [ROW], "pagination": {"total": 1, "page": 1, "page_size": 20}}
    assert derive(endpoint(body), "page").response is None
    assert derive(endpoint({"id": 1, "tags": []}), "page").response is None


def test_a_page_inside_the_envelopes_object_is_read_as_in_envelope() -> None:
    """JSend's {"status": "success", "data": {"items": [...], "total": 1}}: the page's own
    shape, inside the envelope's data key."""
    body = {"status": "success", "data": {"shows": [ROW], "total": 1, "page": 1}}
    shape = derive(endpoint(body), "page")
    assert shape.response is not None and shape.response.in_envelope
    assert (shape.response.items, shape.response.metadata) == ("shows", "flat")
    assert shape.response.keys == {"total": "total", "page": "page"}
    assert shape.within == "data" and shape.notes == []


def test_in_envelope_needs_an_envelope_and_room_for_items() -> None:
    from sp_backend.plan.model import BackendPlan

    listing = {"response": {"in_envelope": True}}
    plan = {"feature": "visits", "resources": {"visit": resource(listing).model_dump()}}
    with pytest.raises(ValidationError, match="in_envelope.*responses.envelope is none"):
        BackendPlan.model_validate(plan)
    assert BackendPlan.model_validate(plan | {"responses": {"envelope": "success"}})
    with pytest.raises(ValidationError, match="in_envelope puts the page inside"):
        resource({"response": {"in_envelope": True, "items": None, "metadata": "none"}})
