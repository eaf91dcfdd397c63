"""Where the skill's own files are, whether run from a checkout, an install or a copied skill."""

from __future__ import annotations

from pathlib import Path

SKILL_ROOT = Path(__file__).resolve().parents[2]
ASSETS = SKILL_ROOT / "assets"
BACKEND_TEMPLATES = ASSETS / "backend"
