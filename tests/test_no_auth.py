"""auth.mode none (issue 17, item 3): an API with no authentication at all, for a single-user tool
on a private network. It is never a default: a plan states it, and then states nothing that
needs a caller. The emitted app has no token code, its routes answer without a token, its own
tests send no Authorization header, and the README, .env.example and the emit summary say
loudly that the API is open to anyone who can reach it."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest
import yaml

from conftest import PLAN_FIXTURES, make_project, run_generated_tests, sp_backend
from sp_backend.cli import main
from sp_backend.errors import PlanError
from sp_backend.plan.load import load_plan, parse_plan

SEEDBANK = PLAN_FIXTURES / "seedbank.plan.yaml"

BASE = """\
plan_version: 1
feature: herbarium
auth: {mode: none}
resources:
  specimen:
    table: specimens
    path: /api/specimens
    fields:
      label: {type: str, required: true, max_length: 80}
"""


# --- the plan --------------------------------------------------------------------------------


def test_mode_none_is_valid_and_leaves_nothing_owned() -> None:
    plan = load_plan(SEEDBANK)
    assert plan.auth.mode == "none"
    assert [r.owner for r in plan.resources.values()] == [None, None]


def test_mode_none_is_never_the_default() -> None:
    plan = parse_plan(BASE.replace("auth: {mode: none}\n", ""))
    assert plan.auth.mode == "shared-secret"
    assert plan.resources["specimen"].owner == "user_id"


def test_plan_schema_offers_mode_none_and_says_what_it_means() -> None:
    result = sp_backend("plan-schema")
    assert result.returncode == 0, result.stderr
    auth = json.loads(result.stdout)["$defs"]["AuthConfig"]["properties"]["mode"]
    assert "none" in auth["enum"]
    assert "anyone who can reach the API" in auth["description"]


def test_unstated_custom_operation_settings_open_up() -> None:
    text = BASE + textwrap.indent(
        "operations:\n  custom:\n"
        '    press: {method: POST, path: "/{id}/press", request: null, response: none, '
        "status: 204}\n",
        "    ",
    )
    op = parse_plan(text).resources["specimen"].operations.custom["press"]
    assert (op.auth, op.scope) == (False, "any")


# (what the plan says beside mode none, the key path refused, its line in the YAML)
REFUSED = [
    ("auth: {mode: none, secret_env: HERB_SECRET}", "auth.secret_env", 3),
    ("auth:\n  mode: none\n  accounts: {fields: {}}", "auth.accounts", 5),
    ("auth:\n  mode: none\n  user_id_type: uuid", "auth.user_id_type", 5),
]


@pytest.mark.parametrize(("auth", "key", "line"), REFUSED)
def test_token_settings_beside_mode_none_are_refused_at_their_line(
    auth: str, key: str, line: int
) -> None:
    text = BASE.replace("auth: {mode: none}", auth)
    with pytest.raises(PlanError) as caught:
        parse_plan(text, "herbarium.plan.yaml")
    message = str(caught.value)
    assert f"herbarium.plan.yaml:{line}: {key}: mode 'none'" in message, message


def _refusal(extra_resource_lines: str, top: str = "") -> str:
    text = BASE + textwrap.indent(textwrap.dedent(extra_resource_lines), "    ") + top
    with pytest.raises(PlanError) as caught:
        parse_plan(text, "herbarium.plan.yaml")
    return str(caught.value)


def test_an_owner_column_is_refused_at_its_line() -> None:
    message = _refusal("owner: collector_id\n")
    assert "herbarium.plan.yaml:10: resources.specimen.owner: auth.mode 'none'" in message


@pytest.mark.parametrize(
    ("settings", "refused"),
    [
        (
            "auth: true, scope: any",
            "herbarium.plan.yaml:12: resources.specimen.operations.custom."
            "press.auth: auth.mode 'none' has no signed-in caller",
        ),
        ("auth: false, scope: owner", "scope 'owner' needs auth"),
    ],
)
def test_custom_operations_that_need_a_caller_are_refused(settings: str, refused: str) -> None:
    message = _refusal(
        "operations:\n  custom:\n"
        f'    press: {{method: POST, path: "/{{id}}/press", request: null, {settings}}}\n'
    )
    assert refused in message, message


def test_every_problem_is_listed_with_its_own_line() -> None:
    text = BASE.replace("path: /api/specimens", "path: /api/{user_id}/specimens") + (
        "errors: {not_owner_status: 403, messages: {forbidden: Not yours}}\n"
    )
    with pytest.raises(PlanError) as caught:
        parse_plan(text, "herbarium.plan.yaml")
    lines = str(caught.value).splitlines()
    assert any(line.startswith("herbarium.plan.yaml:7: resources.specimen.path:") for line in lines)
    assert any(
        line.startswith("herbarium.plan.yaml:10: errors.not_owner_status:") for line in lines
    )
    assert any("errors.messages.forbidden" in line for line in lines), lines


def test_mode_none_combines_with_no_token_mode(tmp_path: Path) -> None:
    root = make_project(tmp_path, SEEDBANK)
    other = yaml.safe_load(BASE.replace("auth: {mode: none}", "auth: {mode: shared-secret}"))
    (root / "specs/backend/herbarium.plan.yaml").write_text(yaml.safe_dump(other))
    result = sp_backend("emit", "seedbank", "--root", str(root))
    assert result.returncode != 0
    assert "disagree on auth.mode" in result.stderr and "'none'" in result.stderr


def test_a_plan_leaving_the_mode_to_others_cannot_own_rows(tmp_path: Path) -> None:
    root = make_project(tmp_path, SEEDBANK)
    other = yaml.safe_load(BASE.replace("auth: {mode: none}\n", ""))
    (root / "specs/backend/herbarium.plan.yaml").write_text(yaml.safe_dump(other))
    result = sp_backend("emit", "seedbank", "--root", str(root))
    assert result.returncode != 0
    assert "resources.specimen" in result.stderr and "auth.mode 'none'" in result.stderr


# --- the emitted app ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def emitted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, dict]:
    """The seedbank backend with its tests; the human and the --json emit summaries."""
    root = make_project(tmp_path_factory.mktemp("open"), SEEDBANK)
    human = sp_backend("emit", "seedbank", "--root", str(root), "--with-tests", "--dry-run")
    assert human.returncode == 0, human.stderr
    result = sp_backend("emit", "seedbank", "--root", str(root), "--with-tests", "--json")
    assert result.returncode == 0, result.stderr
    return root / "backend", human.stdout, json.loads(result.stdout)


def _python_sources(backend: Path) -> dict[str, str]:
    return {
        p.relative_to(backend).as_posix(): p.read_text(encoding="utf-8")
        for folder in ("app", "tests")
        for p in (backend / folder).rglob("*.py")
    }


def test_no_token_code_settings_or_dependency(emitted: tuple[Path, str, dict]) -> None:
    backend = emitted[0]
    for gone in ("app/devtoken.py", "app/utils/auth.py", "app/utils/jwks.py", "tests/test_auth.py"):
        assert not (backend / gone).exists(), gone
    for name, text in _python_sources(backend).items():
        # (a docstring may still mention the header a proxy limits; no code sends or reads it)
        for word in ('"Authorization"', "import jwt", "CurrentUserId", "current_user_id", "Bearer"):
            assert word not in text, f"{name} has {word!r}"
    config = (backend / "app/config.py").read_text()
    assert "SECRET" not in config and "jwt_" not in config
    assert "PyJWT" not in (backend / "requirements.txt").read_text()
    env = (backend / ".env.example").read_text()
    assert "JWT_SECRET" not in env and "NO AUTHENTICATION" in env
    # no owner column anywhere: every caller reaches every row
    models = (backend / "app/models/variety.py").read_text()
    assert "user_id" not in models and "owner" not in models


def test_compose_publishes_the_open_api_on_loopback_only(emitted: tuple[Path, str, dict]) -> None:
    compose = (emitted[0] / "compose.yaml").read_text()
    assert '"127.0.0.1:${API_PORT:-8000}:8000"' in compose
    assert "JWT_SECRET" not in compose


def test_readme_and_emit_summary_say_the_api_is_open(emitted: tuple[Path, str, dict]) -> None:
    backend, human, summary = emitted
    readme = (backend / "README.md").read_text()
    head = readme.split("## Run it")[0]
    assert "WARNING: this API has no authentication" in head
    assert "Authorization: Bearer" not in readme and "devtoken" not in readme
    assert "NO AUTHENTICATION" in human and "WARNING" in human
    (warning,) = summary["warnings"]
    assert "open to anyone who can reach it" in warning
    assert "specs/backend/seedbank.plan.yaml:7" in warning  # where the plan states it


def test_token_modes_carry_no_such_warning(tmp_path: Path) -> None:
    plan = PLAN_FIXTURES / "workshop.plan.yaml"
    root = make_project(tmp_path, plan)
    result = sp_backend("emit", "workshop", "--root", str(root), "--json", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["warnings"] == []


# A test of ours dropped into the generated suite: no header at all, and the references between
# resources are still checked (a sowing of an unknown variety is 404; a variety with sowings
# stays, 409).
OPEN_CALLS = """\
from fastapi.testclient import TestClient


def test_every_route_answers_without_a_token(client: TestClient) -> None:
    variety = client.post("/api/varieties", json={"common_name": "Cherokee Purple"})
    assert variety.status_code == 201, variety.text
    vid = variety.json()["id"]
    assert "user_id" not in variety.json()
    assert client.get("/api/varieties").status_code == 200
    assert client.get(f"/api/varieties/{vid}").status_code == 200
    assert client.patch(f"/api/varieties/{vid}", json={"heirloom": True}).status_code == 200
    assert client.patch(f"/api/varieties/{vid}/heirloom").status_code == 200
    missing = "00000000-0000-4000-8000-000000000000"
    orphan = {"variety_id": missing, "sown_on": "2031-03-01", "seeds": 12}
    assert client.post("/api/sowings", json=orphan).status_code == 404
    sowing = client.post("/api/sowings", json={**orphan, "variety_id": vid})
    assert sowing.status_code == 201, sowing.text
    assert client.delete(f"/api/varieties/{vid}").status_code == 409
    assert client.delete(f"/api/sowings/{sowing.json()['id']}").status_code == 204
    assert client.delete(f"/api/varieties/{vid}").status_code == 204


def test_a_token_is_not_needed_and_not_looked_at(client: TestClient) -> None:
    headers = {"Authorization": "Bearer not-a-token"}
    assert client.get("/api/varieties", headers=headers).status_code == 200
    assert "401" not in client.get("/openapi.json").json()["paths"]["/api/varieties"]["get"][
        "responses"
    ]
"""


@pytest.fixture(scope="module")
def with_open_calls(emitted: tuple[Path, str, dict]) -> Path:
    backend = emitted[0]
    (backend / "tests" / "test_open_calls.py").write_text(OPEN_CALLS, encoding="utf-8")
    return backend


def test_generated_suite_passes_on_sqlite(with_open_calls: Path) -> None:
    result = run_generated_tests(with_open_calls)
    assert result.returncode == 0, result.stdout[-4000:]
    assert "test_open_calls" not in result.stdout  # no failure listed
    assert " passed" in result.stdout


def test_generated_suite_passes_on_postgres(with_open_calls: Path, postgres_database: str) -> None:
    result = run_generated_tests(with_open_calls, postgres_database)
    assert result.returncode == 0, result.stdout[-4000:]


def test_open_custom_operation_is_emitted_without_a_caller(tmp_path: Path) -> None:
    data = yaml.safe_load(SEEDBANK.read_text())
    data["resources"]["variety"]["operations"]["custom"] = {
        "stock": {
            "method": "GET",
            "path": "/{id}/stock",
            "response": {"grams_left": {"type": "decimal", "required": True}},
        }
    }
    root = make_project(tmp_path)
    (root / "specs/backend/seedbank.plan.yaml").write_text(yaml.safe_dump(data))
    result = sp_backend("emit", "seedbank", "--root", str(root), "--with-tests")
    assert result.returncode == 0, result.stderr
    router = (root / "backend/app/routers/varieties_operations.py").read_text()
    assert "CurrentUserId" not in router and "user_id" not in router
    lint = shutil.which("ruff")
    if lint:
        import subprocess

        checked = subprocess.run(
            [lint, "check", "-q", "."], cwd=root / "backend", capture_output=True, text=True
        )
        assert checked.returncode == 0, checked.stdout


# --- the reader --------------------------------------------------------------------------------


def _contract(tmp_path: Path, intro: str, *, feature_doc: str = "") -> Path:
    api = tmp_path / "specs" / "api"
    api.mkdir(parents=True)
    (api / "kiln-endpoints.md").write_text(
        f"# Kiln firing log\n\n{intro}\n\n## GET /api/firings\nList, `page` and `page_size`.\n\n"
        "## POST /api/firings\nRequest body:\n- `cone`: integer (required, 1-14)\n\n"
        "Returns 201.\n",
        encoding="utf-8",
    )
    if feature_doc:
        (tmp_path / "specs" / "kiln.md").write_text(feature_doc, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    "intro",
    [
        "Single-user, no login: it runs on the studio laptop.",
        "No auth required: the studio network is the only way in.",
        "Public API, no tokens.",
        "**Authentication:** none. One potter, one kiln.",
    ],
)
def test_gather_plans_mode_none_where_the_contract_says_so(tmp_path: Path, intro: str) -> None:
    from sp_backend.readers.gather import gather

    plan = gather(_contract(tmp_path, intro), "kiln").plan
    assert plan.auth.mode == "none"
    assert plan.auth.source == "specs/api/kiln-endpoints.md:3"
    assert plan.resources["firing"].owner is None
    assert not any("token" in u.what for u in plan.unresolved)


@pytest.mark.parametrize(
    "intro",
    [
        "Requests with no auth token get 401.",
        "`GET /health` needs no authentication; everything else takes a bearer token.",
        "Authentication comes later; no login yet?",
    ],
)
def test_gather_keeps_tokens_where_the_contract_does_not_say_so(tmp_path: Path, intro: str) -> None:
    from sp_backend.readers.gather import gather

    plan = gather(_contract(tmp_path, intro), "kiln").plan
    assert plan.auth.mode != "none"


def test_no_authentication_said_beside_token_details_is_a_note(tmp_path: Path) -> None:
    from sp_backend.readers.gather import gather

    intro = "No authentication for reads.\n\nWrites verify HS256 JWTs with `KILN_SECRET`."
    plan = gather(_contract(tmp_path, intro), "kiln").plan
    assert plan.auth.mode == "shared-secret"
    (note,) = [u for u in plan.unresolved if "no authentication" in u.what]
    assert note.source == "specs/api/kiln-endpoints.md:3"


def test_said_only_in_the_feature_spec_is_planned_with_a_note(tmp_path: Path) -> None:
    """The feature's own spec is its requirement: where the contract says nothing of callers
    and no document describes tokens, its "no login" is planned, and the review is told."""
    from sp_backend.readers.gather import gather

    root = _contract(tmp_path, "The firing log.", feature_doc="# Kiln\n\nNo login, one user.\n")
    plan = gather(root, "kiln").plan
    assert plan.auth.mode == "none" and plan.auth.source == "specs/kiln.md:3"
    (note,) = [u for u in plan.unresolved if "no authentication" in u.what]
    assert note.source == "specs/kiln.md:3" and "feature spec" in note.what


def test_said_in_the_feature_spec_while_a_document_describes_tokens_keeps_them(
    tmp_path: Path,
) -> None:
    from sp_backend.readers.gather import gather

    feature_doc = "# Kiln\n\nNo login for the potter.\n\nThe API checks HS256 tokens.\n"
    root = _contract(tmp_path, "The firing log.", feature_doc=feature_doc)
    plan = gather(root, "kiln").plan
    assert plan.auth.mode == "shared-secret"
    assert any("no authentication" in u.what for u in plan.unresolved)


@pytest.mark.parametrize(
    "intro",
    [
        "Keine Authentifizierung: das Protokoll läuft auf dem Atelier-Laptop.",  # German
        "La API funciona sin autenticación en la red del taller.",  # Spanish
        "Aucune authentification : un seul potier, un seul four.",  # French
        "A API não requer autenticação; um só utilizador.",  # Portuguese
        "Nessuna autenticazione: un solo utente.",  # Italian
        "Geen authenticatie: één gebruiker.",  # Dutch
    ],
)
def test_no_authentication_is_read_in_other_languages(tmp_path: Path, intro: str) -> None:
    from sp_backend.readers.gather import gather

    plan = gather(_contract(tmp_path, intro), "kiln").plan
    assert plan.auth.mode == "none"
    assert plan.auth.source == "specs/api/kiln-endpoints.md:3"


@pytest.mark.parametrize(
    "intro",
    [
        "Keine Authentifizierung im ersten Schritt, später OAuth.",  # later: not the API's rule
        "Sin autenticación por ahora; en el futuro, JWT.",
        "Aucune authentification sauf pour les écritures.",
    ],
)
def test_other_languages_keep_tokens_for_plans_and_exceptions(tmp_path: Path, intro: str) -> None:
    from sp_backend.readers.gather import gather

    plan = gather(_contract(tmp_path, intro), "kiln").plan
    assert plan.auth.mode != "none"


def test_openapi_without_security_is_not_enough(tmp_path: Path) -> None:
    from sp_backend.readers.gather import gather

    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "openapi.yaml").write_text(
        textwrap.dedent(
            """\
            openapi: 3.1.0
            info: {title: Kiln, version: "1"}
            paths:
              /api/firings:
                get:
                  responses: {"200": {description: ok}}
                post:
                  requestBody:
                    content:
                      application/json:
                        schema:
                          type: object
                          required: [cone]
                          properties: {cone: {type: integer}}
                  responses: {"201": {description: created}}
            """
        ),
        encoding="utf-8",
    )
    plan = gather(tmp_path, "kiln").plan
    assert plan.auth.mode == "shared-secret"
    (note,) = [u for u in plan.unresolved if "securitySchemes" in u.what]
    assert note.source == "specs/openapi.yaml:1"


# --- records -----------------------------------------------------------------------------------


def test_adr_suggests_recording_the_open_api(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project(tmp_path, SEEDBANK)
    (root / "history/adr").mkdir(parents=True)
    assert main(["adr", "--root", str(root), "--json"]) == 0
    found = {
        d["slug"]: d
        for cluster in json.loads(capsys.readouterr().out)["suggestions"]
        for d in cluster["decisions"]
    }
    decision = found["api-without-authentication"]
    assert "any caller" in decision["what"]
    assert not [slug for slug in found if slug.startswith(("user-isolation", "jwt-"))]
