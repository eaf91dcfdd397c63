# Shared by .ci/test, .ci/demo and .ci/run: a project venv with everything installed.
# Sourced, not run. Creates .venv on first use; re-running only checks the install.
# Versions come from constraints.txt (refresh: bash .ci/lock).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-python3}"
VENV="$ROOT/.venv"

ensure_venv() {
  if [ ! -x "$VENV/bin/python" ]; then
    echo "== creating $VENV" >&2
    "$PY" -m venv "$VENV"
  fi
  if ! "$VENV/bin/python" -c "import sp_backend, fastapi, sqlmodel, pytest" 2>/dev/null \
     || [ "$ROOT/pyproject.toml" -nt "$VENV/.installed" ] \
     || [ "$ROOT/constraints.txt" -nt "$VENV/.installed" ]; then
    echo "== installing the project and its test tools into $VENV (about 1-2 minutes the first time)" >&2
    local log="$VENV/install.log"
    local started=$SECONDS
    # One line per package as pip collects it, so a first run is never silent for long.
    if ! { "$VENV/bin/python" -m pip install --upgrade pip &&
           "$VENV/bin/python" -m pip install -c "$ROOT/constraints.txt" -e "$ROOT[test]"; } 2>&1 \
         | tee "$log" \
         | { grep --line-buffered '^Collecting' | sed -u 's/^Collecting \([^ ]*\).*/   collecting \1/' >&2 || true; }; then
      tail -n 30 "$log" >&2
      echo "pip install failed; full log in $log" >&2
      exit 1
    fi
    echo "== installed in $((SECONDS - started)) s (log: $log)" >&2
    touch "$VENV/.installed"
  fi
  export PATH="$VENV/bin:$PATH"
}
