"""Your own note endpoints, queries and schemas. This module is yours: sp-backend
created it once and never changes it again, whatever the plan becomes.

`router` is included in app/routers/notes.py ahead of the generated routes,
with their prefix, tags and authentication: `@router.get("/stats")` is served at
GET /api/{user_id}/notes/stats, matched before "/{note_id}" could take
"stats" for an id.

Keep to the caller's own rows: filter by `CurrentUserId` (app/dependencies.py), or build on
the generated data access, which does it for you: take `NoteQueriesDep` (reads) or
`NoteServiceDep` (writes) from app/dependencies.py; their classes are in
app/services/note_service.py.

Test these routes in tests/test_notes_custom.py. Import nothing from
app.routers.notes here: it imports this module.
"""

from fastapi import APIRouter

router = APIRouter()
