#!/usr/bin/env python3
"""Emit the FastAPI + SQLModel backend for one feature from its plan (same as `sp-backend emit`).

Run `emit_backend.py --help` for arguments and exit codes.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sp_backend.bootstrap import run  # noqa: E402

if __name__ == "__main__":
    sys.exit(run("emit", sys.argv[1:]))
