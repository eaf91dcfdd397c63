"""Your own app-wide routes, for what belongs to no one resource. This module is yours:
sp-backend created it once and never changes it again.

app/main.py includes `router` before the generated routers, without a prefix or authentication:
take `CurrentUserId` (app/dependencies.py) in a route that needs a signed-in caller.
A resource's own routes go in its module here instead (app/extensions/<collection>.py).
"""

from fastapi import APIRouter

router = APIRouter()
