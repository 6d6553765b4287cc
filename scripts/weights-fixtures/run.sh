#!/usr/bin/env bash
# Regenerates test/fixtures/weights from the peer frameworks (docs/zoo-weights.md). Run by hand;
# not part of CI or `npm test`: the peers install several GB from PyPI into a venv outside the
# work tree ($NASFLOW_WEIGHTS_VENV, default ~/.cache/nasflow/weights-venv), reused on later runs.
#   bash scripts/weights-fixtures/run.sh                 # small fixtures into test/fixtures/weights
#   bash scripts/weights-fixtures/run.sh --full --out D  # full-size models, for a one-off check
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$HERE/../.." && pwd)"
VENV="${NASFLOW_WEIGHTS_VENV:-$HOME/.cache/nasflow/weights-venv}"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install -q -r "$HERE/requirements.txt"
if [ "$#" -eq 0 ]; then
  set -- --out "$REPO_ROOT/test/fixtures/weights"
fi
exec "$VENV/bin/python" "$HERE/generate.py" "$@"
