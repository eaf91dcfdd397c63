#!/usr/bin/env python3
"""Install this skill where Claude Code finds it (same as `sp-backend install`):
<DIR>/.claude/skills/sp.backend-engineer/ with --project DIR, ~/.claude/skills/... with --user.

Run `install_skill.py --help` for arguments and exit codes.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sp_backend.bootstrap import run

if __name__ == "__main__":
    sys.exit(run("install", sys.argv[1:]))
