#!/usr/bin/env python3
"""Print ADR suggestions for the architecture decisions in the backend plans and
specs/architecture.md (same as `sp-backend adr`). Never writes an ADR.

Run `suggest_adr.py --help` for arguments and exit codes.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sp_backend.bootstrap import run

if __name__ == "__main__":
    sys.exit(run("adr", sys.argv[1:]))
