#!/usr/bin/env python3
"""Check the generated backend against the feature's API contract (same as `sp-backend check`).

Run `check_contract.py --help` for arguments and exit codes.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sp_backend.bootstrap import run

if __name__ == "__main__":
    sys.exit(run("check", sys.argv[1:]))
