#!/usr/bin/env python3
"""Gather spec context into a backend plan draft for one feature (same as `sp-backend gather`).

Run `gather_context.py --help` for arguments and exit codes.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sp_backend.bootstrap import run

if __name__ == "__main__":
    sys.exit(run("gather", sys.argv[1:]))
