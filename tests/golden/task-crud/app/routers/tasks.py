"""Task endpoints under /api/tasks."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request, Response

from app.dependencies import TaskQueriesDep, TaskServiceDep
from app.extensions.tasks import router as extension_router
from app.schemas.pagination import page_facts
from app.schemas.task import TaskCreate, TaskListParams, TaskPage, TaskPublic, TaskUpdate
from app.utils.errors import ERROR_RESPONSES, ErrorResponse, Responses
from app.utils.idempotency import IdempotencyKey
from app.utils.responses import json_response

TaskId = Annotated[UUID, Path(description="Task id")]
NOT_FOUND: Responses = {
    404: {"model": ErrorResponse, "description": "No such task for this user"},
}
CONFLICT: Responses = {409: {"model": ErrorResponse, "description": "Conflicts with existing data"}}

router = APIRouter(
    prefix="/api/tasks",
    tags=["tasks"],
    responses=ERROR_RESPONSES,
)
# Your own routes (app/extensions/tasks.py) come first: a fixed path such as "/stats"
# is matched before "/{task_id}" could take it for an id.
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


@router.get("", response_model=TaskPage)
async def list_tasks(
    params: Annotated[TaskListParams, Query()], queries: TaskQueriesDep
) -> Response:
    items, total = await queries.list_page(params)
    facts = page_facts(total, params.page, params.page_size, len(items))
    meta = {key: facts[item] for item, key in PAGE_META.items()}
    page = TaskPage.model_validate({"items": items, "pagination": meta})
    return json_response(page)


@router.post(
    "",
    response_model=TaskPublic,
    status_code=201,
    responses=CONFLICT,
)
def create_task(
    data: TaskCreate,
    service: TaskServiceDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    row = TaskPublic.model_validate(service.create(data, idempotency_key))
    location = f"{request.url.path.rstrip('/')}/{row.id}"
    return json_response(row, 201, {"Location": location})


@router.get("/{task_id}", response_model=TaskPublic, responses=NOT_FOUND)
async def read_task(task_id: TaskId, queries: TaskQueriesDep) -> Response:
    return json_response(TaskPublic.model_validate(await queries.get(task_id)))


@router.patch(
    "/{task_id}",
    response_model=TaskPublic,
    responses={**NOT_FOUND, **CONFLICT},
)
def update_task(task_id: TaskId, data: TaskUpdate, service: TaskServiceDep) -> Response:
    return json_response(TaskPublic.model_validate(service.update(task_id, data)))


@router.patch(
    "/{task_id}/complete",
    response_model=TaskPublic,
    status_code=200,
    responses=NOT_FOUND,
)
def complete_task(task_id: TaskId, service: TaskServiceDep) -> Response:
    """Toggle completed."""
    row = TaskPublic.model_validate(service.complete(task_id))
    return json_response(row)


@router.delete("/{task_id}", status_code=204, responses=NOT_FOUND)
def delete_task(task_id: TaskId, service: TaskServiceDep) -> Response:
    service.delete(task_id)
    return Response(status_code=204)
