#!/usr/bin/env bash
# Open JupyterLab on the course's notebooks (in the repository or the student bundle).
# Sets everything up first (scripts/bootstrap.sh: instant once done); extra arguments
# go to `jupyter lab` (for example --port 8899 or --no-browser).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/bootstrap.sh
args=(--notebook-dir=notebooks)
# Jupyter refuses to run as root (a container, say) unless told it may.
[[ "$(id -u)" -eq 0 ]] && args+=(--allow-root)
exec .venv/bin/jupyter lab "${args[@]}" "$@"
