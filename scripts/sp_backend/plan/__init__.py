"""The backend plan: model, loading and dumping."""

from sp_backend.plan.load import dump_plan, load_plan, parse_plan, plan_path, plans_dir
from sp_backend.plan.model import BackendPlan, FieldSpec, Resource

__all__ = [
    "BackendPlan",
    "FieldSpec",
    "Resource",
    "dump_plan",
    "load_plan",
    "parse_plan",
    "plan_path",
    "plans_dir",
]
