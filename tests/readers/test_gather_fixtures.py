"""Our own spec projects in eight styles and domains; each ships the plan we expect."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from plan_compare import decisions

from conftest import sp_backend
from sp_backend.plan.load import load_plan
from sp_backend.readers.gather import gather

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "specs"
CASES = {
    "notes-heading": "notes",
    "inventory-table": "inventory",
    "expenses-designer": "expenses",
    "clinic-openapi": "patients",
    "podcast-camel": "episodes",
    "festival-readme": "lineup",
    "garage-lines": "vehicles",
    "vinyl-shelf": "shelf",
    "fleet-memo": "servicelog",
    "choir-attendance": "attendance",
    "apiary-openapi": "inspections",
    "garden-plots-scenarios": "garden-plots",
    "storm-shelters-openapi": "shelters",
    "ferry-wiki": "tickets",
    "locker-hire": "lockers",
    "invoice-desk": "invoices",
    "mooring-register": "berths",
    "radio-schedule": "shows",
    "pantry-minutes": "pantry",
    "orchard-conventions": "orchard",
    "apiary-letter": "honeycomb",  # nested routes, cascade, embedded summaries and counts
    "trail-handbook": "trails",
}


@pytest.mark.parametrize("folder", sorted(CASES))
def test_fixture_gives_expected_plan(folder: str) -> None:
    expected = load_plan(FIXTURES / folder / "expected.plan.yaml")
    result = gather(FIXTURES / folder, CASES[folder])
    assert decisions(result.plan) == decisions(expected)
    assert [c.what for c in result.plan.conflicts] == [c.what for c in expected.conflicts]
    assert [u.what for u in result.plan.unresolved] == [u.what for u in expected.unresolved]


def test_heading_style_user_id_in_path_and_detail_envelope() -> None:
    plan = gather(FIXTURES / "notes-heading", "notes").plan
    note = plan.resources["note"]
    assert note.path == "/api/{user_id}/notes" and note.id == "int"
    assert plan.auth.mode == "shared-secret" and plan.auth.secret_env == "BETTER_AUTH_SECRET"
    assert plan.auth.user_id_claim == "user_id"
    assert plan.errors.envelope == "detail"
    assert note.operations.list.pagination.style == "offset"
    assert (note.operations.list.pagination.default, note.operations.list.pagination.max) == (
        50,
        200,
    )
    assert note.operations.actions["pin"].field == "pinned"


def test_table_and_ddl_style_gives_two_resources_with_jwks() -> None:
    plan = gather(FIXTURES / "inventory-table", "inventory").plan
    assert set(plan.resources) == {"item", "warehouse"}
    item = plan.resources["item"]
    assert item.owner == "owner_id"
    assert item.fields["sku"].unique and item.fields["name"].input_rules == ["not_blank"]
    assert item.operations.replace is not None and item.operations.update is None
    assert plan.auth.mode == "jwks" and plan.auth.algorithms == ["RS256"]
    assert plan.auth.user_id_type == "uuid"
    assert plan.errors.validation_status == 400


def test_designer_style_conflict_names_winner_and_loser() -> None:
    plan = gather(FIXTURES / "expenses-designer", "expenses").plan
    (conflict,) = plan.conflicts
    assert conflict.what == "expense.note.max_length"
    assert conflict.winner.startswith("specs/api/expenses-endpoints.md:")
    assert conflict.loser.startswith("specs/database/schema.md:")
    assert (conflict.chosen, conflict.overruled) == (140, 200)
    assert plan.errors.not_owner_status == 403
    assert plan.resources["expense"].fields["spent_on"].input_rules == ["past"]


def test_readme_contract_with_fenced_one_line_routes_and_phrases() -> None:
    """A project README whose API section fences one route per block; the field notes are
    prose phrasings (no longer than, either .. or, defaults to, between)."""
    result = gather(FIXTURES / "festival-readme", "lineup")
    assert result.sources.rel(result.sources.contract) == "README.md"
    act = result.plan.resources["act"]
    assert act.id == "int" and act.path == "/api/acts"
    assert (act.fields["name"].max_length, act.fields["name"].unique) == (80, True)
    assert act.fields["genre"].values == ["acoustic", "electric"]
    assert act.fields["stage"].default == "riverside"
    assert (act.fields["set_minutes"].ge, act.fields["set_minutes"].le) == (10, 180)
    assert act.operations.update is not None and act.operations.replace is None
    assert result.plan.auth.secret_env == "LINEUP_TOKEN_SECRET"


def test_plain_method_lines_typescript_bodies_and_the_feature_part() -> None:
    """One contract for a whole workshop: `vehicles` plans the vehicle resource; work orders,
    mechanics and parts are named in unresolved, never dropped; TS comments give the rules."""
    result = gather(FIXTURES / "garage-lines", "vehicles")
    plan = result.plan
    assert set(plan.resources) == {"vehicle"}
    assert len(result.endpoints) == 16  # every route line, also those run into a list item
    others = [u.what for u in plan.unresolved if "another part of the application" in u.what]
    assert [w.split(" ", 1)[0] for w in others] == ["/v1/work-orders", "/v1/mechanics", "/v1/parts"]
    vehicle = plan.resources["vehicle"]
    assert vehicle.id == "uuid"
    assert vehicle.fields["year"].type == "int"  # `number // integer`
    assert (vehicle.fields["plate"].min_length, vehicle.fields["plate"].unique) == (2, True)
    assert vehicle.fields["fuel"].default == "petrol" and not vehicle.fields["notes"].required
    assert vehicle.operations.list.response is not None
    assert vehicle.operations.list.response.items is None  # `[{ id, plate, ... }]`
    assert plan.auth.mode == "jwks"


def test_gather_all_plans_every_resource_of_a_whole_application_contract(tmp_path: Path) -> None:
    """`gather FEATURE --all` on the same workshop contract: every resource it serves, in one
    plan, with none named as another part; the command writes it as FEATURE's plan."""
    plan = gather(FIXTURES / "garage-lines", "garage", everything=True).plan
    assert set(plan.resources) == {"vehicle", "work_order", "mechanic", "part"}
    assert not [u for u in plan.unresolved if "another part of the application" in u.what]
    project = tmp_path / "workshop"
    shutil.copytree(FIXTURES / "garage-lines" / "specs", project / "specs")
    done = sp_backend("gather", "garage", "--all", "--json", "--root", str(project))
    assert done.returncode == 0, done.stderr
    written = load_plan(project / "specs" / "backend" / "garage.plan.yaml")
    assert set(written.resources) == set(plan.resources)


def test_prose_headings_and_prisma_schema_give_an_open_api() -> None:
    """The shelf says it is single-user with no login: auth.mode none, cited; the Prisma schema
    gives the fields, the enum, the lengths and the record's reference to its artist."""
    plan = gather(FIXTURES / "vinyl-shelf", "shelf").plan
    assert plan.auth.mode == "none"
    assert plan.auth.source == "specs/shelf/contracts/api.md:3"
    assert all(r.owner is None for r in plan.resources.values())
    record = plan.resources["record"]
    assert record.fields["artist_id"].type == "uuid"
    assert record.fields["artist_id"].references.resource == "artist"
    assert record.fields["condition"].values == ["MINT", "VERY_GOOD", "GOOD", "WORN"]
    assert record.fields["condition"].default == "GOOD"
    assert record.fields["notes"].type == "text"
    assert (record.fields["price_paid"].max_digits, record.fields["price_paid"].decimal_places) == (
        7,
        2,
    )
    artist = plan.resources["artist"]
    assert artist.fields["name"].unique and artist.fields["name"].max_length == 120
    assert artist.fields["country"].max_length == 2 and not artist.fields["country"].required


def test_memo_style_query_table_gives_any_of_and_ranges() -> None:
    plan = gather(FIXTURES / "fleet-memo", "servicelog").plan
    listing = plan.resources["service_record"].operations.list
    assert listing is not None
    assert listing.any_of == ["kind"] and listing.filters == ["vehicle_code"]
    bounds = {param: (r.field, r.op) for param, r in listing.ranges.items()}
    assert bounds == {
        "odometer_min": ("odometer_km", "ge"),  # <f>_min, the field's stem (odometer_km)
        "max_cost": ("cost", "le"),  # max_<f>
        "serviced_from": ("serviced_on", "ge"),  # <f>_from on a date field (serviced_on)
        "serviced_before": ("serviced_on", "lt"),  # <f>_before: strictly before
    }
    assert all(r.source and r.source.startswith("specs/api/") for r in listing.ranges.values())
    (warranty,) = [u for u in plan.unresolved if "warranty_until" in u.what]
    assert "names no field" in warranty.what and warranty.source


def test_faq_headings_and_sign_up_rows_of_an_identity_provider() -> None:
    """Question headings ("Q: What is a problem?") name the resource; the sign-up and login rows
    belong to Auth0, which issues the tokens: the backend verifies them (jwks), it issues none."""
    built = gather(FIXTURES / "boulder-faq", "setting")
    plan = built.plan
    assert plan.auth.mode == "jwks" and plan.auth.algorithms == ["RS256"]
    assert list(plan.resources) == ["problem"]
    problem = plan.resources["problem"]
    assert problem.fields["grade"].values == [f"V{n}" for n in range(9)]
    assert problem.fields["grade"].required
    assert problem.fields["name"].max_length == 80 and problem.fields["retired"].default is False
    said = [u.what for u in plan.unresolved]
    assert any("tokens come from another service" in w for w in said), said
    assert any(w.startswith("POST /auth/signup is not planned") for w in said), said


def test_account_routes_profile_fields_and_answers_as_the_contract_writes_them() -> None:
    plan = gather(FIXTURES / "allotment-accounts", "plots").plan
    assert plan.auth.mode == "local" and plan.auth.token_ttl_minutes == 12 * 60
    assert plan.auth.password.min_length == 10
    accounts = plan.auth.accounts
    assert accounts.paths(plan.auth.routes_prefix) == {
        "register": "/api/auth/signup",
        "login": "/api/auth/signin",
        "token": "/api/auth/token",  # the OAuth2 form: not in the contract, served for /docs
        "me": "/api/users/me",
        "logout": "/api/auth/signout",
        "profile": "/api/users/me",
        "password": "/api/users/me/password",
    }
    assert accounts.logout_status == 204 and accounts.profile_method == "PATCH"
    assert (accounts.login_answer.token_key, accounts.login_answer.user_key) == ("token", "user")
    assert not accounts.login_answer.token_type and not accounts.login_answer.expires_in
    assert sorted(accounts.fields) == ["display_name", "plot_number"]
    assert accounts.fields["display_name"].required and accounts.fields["plot_number"].le == 400
    assert set(accounts.sources) == {"register", "login", "logout", "me", "profile", "password"}
    assert not any("is not planned" in u.what and "/auth/" in u.what for u in plan.unresolved)


def test_a_users_table_by_another_name_owns_the_rows_and_shapes_the_profile() -> None:
    plan = gather(FIXTURES / "observatory-ddl", "observing").plan
    assert plan.auth.secret_env == "STARGAZE_TOKEN_KEY" and plan.auth.user_id_type == "int"
    assert (plan.auth.token_ttl_minutes, plan.auth.password.min_length) == (45, 12)
    assert list(plan.resources) == ["session_record"]
    session = plan.resources["session_record"]
    assert (session.path, session.table, session.owner) == ("/v1/sessions", "sessions", "member_id")
    profile = plan.auth.accounts.fields
    assert profile["full_name"].required and profile["full_name"].max_length == 100
    assert profile["home_sky"].max_length == 20 and not profile["home_sky"].required
    said = [u.what for u in plan.unresolved]
    assert any(w.startswith("members.is_admin: a column no account route") for w in said), said


def test_openapi_accounts_with_a_session_answer_on_sign_up() -> None:
    plan = gather(FIXTURES / "bike-coop-openapi", "repairs").plan
    accounts = plan.auth.accounts
    assert (accounts.register_path, accounts.login_path) == ("/api/sign-up", "/api/sign-in")
    assert (accounts.me_path, accounts.profile_path, accounts.profile_method) == (
        "/api/account",
        "/api/account",
        "PUT",
    )
    assert accounts.register_answer == "login" and accounts.login_answer.token_key == "jwt"
    assert accounts.login_answer.user_key == "account"
    assert (accounts.current_password_key, accounts.wrong_password_status) == ("old_password", 403)
    assert accounts.fields["workshop_night"].values == ["monday", "wednesday", "saturday"]
    assert plan.auth.token_ttl_minutes == 8 * 60 and plan.auth.password.min_length == 9
