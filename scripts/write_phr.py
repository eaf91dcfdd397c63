#!/usr/bin/env python3
"""Write a Prompt History Record under history/prompts/ (same as `sp-backend phr`).

Run `write_phr.py --help` for arguments and exit codes.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sp_backend.bootstrap import run

if __name__ == "__main__":
    sys.exit(run("phr", sys.argv[1:]))
