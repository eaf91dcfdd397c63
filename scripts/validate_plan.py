#!/usr/bin/env python3
"""Validate a feature's backend plan, specs/backend/FEATURE.plan.yaml (same as
`sp-backend validate`). Writes nothing.

Run `validate_plan.py --help` for arguments and exit codes.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sp_backend.bootstrap import run

if __name__ == "__main__":
    sys.exit(run("validate", sys.argv[1:]))
