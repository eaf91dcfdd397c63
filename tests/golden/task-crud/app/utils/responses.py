"""JSON responses from models that are already validated.

A route that returns a model makes FastAPI dump it and validate it again against the
response_model; returning the serialized JSON directly does that work once. Keys are written
under their aliases: the names the contract uses where they differ from the attributes'.
"""

from fastapi.responses import Response
from pydantic import BaseModel


def json_response(
    model: BaseModel, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        model.model_dump_json(by_alias=True),
        status_code=status_code,
        headers=headers,
        media_type="application/json",
    )
