"""Note endpoints under /api/{user_id}/notes."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from app.dependencies import NoteQueriesDep, NoteServiceDep, require_path_user
from app.extensions.notes import router as extension_router
from app.schemas.note import NoteCreate, NoteListParams, NotePage, NotePublic, NoteUpdate
from app.schemas.pagination import page_facts
from app.utils.errors import ERROR_RESPONSES, ErrorResponse, Responses
from app.utils.idempotency import IdempotencyKey
from app.utils.responses import json_response

# Bounded so an out-of-range id is a validation error, not a database overflow.
NoteId = Annotated[int, Path(ge=1, le=2_147_483_647, description="Note id")]
NOT_FOUND: Responses = {
    404: {"model": ErrorResponse, "description": "No such note for this user"},
    403: {"model": ErrorResponse, "description": "Not yours"},
}
CONFLICT: Responses = {409: {"model": ErrorResponse, "description": "Conflicts with existing data"}}

router = APIRouter(
    prefix="/api/{user_id}/notes",
    tags=["notes"],
    responses={**ERROR_RESPONSES, 403: {"model": ErrorResponse, "description": "Not your path"}},
    dependencies=[Depends(require_path_user)],
)
# Your own routes (app/extensions/notes.py) come first: a fixed path such as "/stats"
# is matched before "/{note_id}" could take it for an id.
router.include_router(extension_router)
# The page metadata under the contract's names.
PAGE_META = {
    "total": "total",
    "page": "page",
    "page_size": "page_size",
    "total_pages": "total_pages",
    "has_next": "has_next",
    "has_previous": "has_previous",
}


@router.get("", response_model=NotePage)
async def list_notes(
    params: Annotated[NoteListParams, Query()], queries: NoteQueriesDep
) -> Response:
    items, total = await queries.list_page(params)
    facts = page_facts(total, params.page, params.page_size, len(items))
    meta = {key: facts[item] for item, key in PAGE_META.items()}
    page = NotePage.model_validate({"items": items, "pagination": meta})
    return json_response(page)


@router.post(
    "",
    response_model=NotePublic,
    status_code=201,
    responses=CONFLICT,
)
def create_note(
    data: NoteCreate,
    service: NoteServiceDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    row = NotePublic.model_validate(service.create(data, idempotency_key))
    location = f"{request.url.path.rstrip('/')}/{row.id}"
    return json_response(row, 201, {"Location": location})


@router.get("/{note_id}", response_model=NotePublic, responses=NOT_FOUND)
async def read_note(note_id: NoteId, queries: NoteQueriesDep) -> Response:
    return json_response(NotePublic.model_validate(await queries.get(note_id)))


@router.patch(
    "/{note_id}",
    response_model=NotePublic,
    responses={**NOT_FOUND, **CONFLICT},
)
def update_note(note_id: NoteId, data: NoteUpdate, service: NoteServiceDep) -> Response:
    return json_response(NotePublic.model_validate(service.update(note_id, data)))


@router.post(
    "/{note_id}/pin",
    response_model=NotePublic,
    status_code=200,
    responses=NOT_FOUND,
)
def pin_note(note_id: NoteId, service: NoteServiceDep) -> Response:
    """Toggle pinned."""
    row = NotePublic.model_validate(service.pin(note_id))
    return json_response(row)


@router.delete("/{note_id}", status_code=204, responses=NOT_FOUND)
def delete_note(note_id: NoteId, service: NoteServiceDep) -> Response:
    service.delete(note_id)
    return Response(status_code=204)
