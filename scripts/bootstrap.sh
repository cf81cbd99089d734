#!/usr/bin/env bash
# Set up everything the course needs, from a fresh clone:
#   * .venv (created with $PYTHON, default python3)
#   * torch, pinned in pyproject.toml, installed FIRST so pip never picks a
#     different build while resolving the rest
#   * this package (editable) and its pinned dependencies
#   * the Graphviz `dot` program (required), bubblewrap (optional, the grading
#     sandbox) and the PostgreSQL server (optional, for the gradebook tests)
#
# Idempotent: when .venv/.bootstrap-stamp matches pyproject.toml nothing is
# reinstalled, and the whole script finishes in well under a second.
#
# Environment knobs:
#   PYTHON=python3.12      interpreter used to create .venv (default python3)
#   TORCH_INDEX_URL=URL    extra index for torch, e.g.
#                          https://download.pytorch.org/whl/cpu (CPU-only wheels
#                          on Linux, where PyPI's torch pulls in CUDA)
#   BOOTSTRAP_NO_APT=1     never call apt-get; only check for dot / bwrap
#   BOOTSTRAP_FORCE=1      reinstall Python packages even if the stamp is current
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON="${PYTHON:-python3}"
VENV=".venv"
VPY="$VENV/bin/python"
STAMP="$VENV/.bootstrap-stamp"

say()  { printf '==> %s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die()  { printf 'error: %s\n' "$*" >&2; exit 1; }

[[ -f pyproject.toml ]] || die "pyproject.toml not found (run from the repository)"

# The stamp holds the hash of the pyproject.toml the venv was installed from.
if command -v sha256sum >/dev/null 2>&1; then
    want_stamp="$(sha256sum pyproject.toml | cut -d' ' -f1)"
else  # macOS
    want_stamp="$(shasum -a 256 pyproject.toml | cut -d' ' -f1)"
fi
up_to_date=0
if [[ "$(cat "$STAMP" 2>/dev/null || true)" == "$want_stamp" \
      && "${BOOTSTRAP_FORCE:-0}" != 1 ]] && "$VPY" -c 'import sys' >/dev/null 2>&1; then
    up_to_date=1
fi

# ---------------------------------------------------------------- system tools
# Run a command as root: directly when we are root, through passwordless sudo
# otherwise. Returns 1 when neither is possible.
as_root() {
    if [[ "$(id -u)" -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo -n "$@"
    else
        return 1
    fi
}

can_apt() {
    [[ "${BOOTSTRAP_NO_APT:-0}" != 1 ]] || return 1
    command -v apt-get >/dev/null 2>&1 || return 1
    [[ "$(id -u)" -eq 0 ]] && return 0
    command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null
}

missing_pkgs=()
command -v dot  >/dev/null 2>&1 || missing_pkgs+=(graphviz)
# bwrap is optional: only try to install it on a full set-up run, so that a
# failing apt-get does not slow down every later `make test`.
if [[ "$up_to_date" != 1 ]]; then
    command -v bwrap >/dev/null 2>&1 || missing_pkgs+=(bubblewrap)
    # The PostgreSQL server, for the tests that run the gradebook on a real one.
    compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null 2>&1 \
        || missing_pkgs+=(postgresql)
fi

if (( ${#missing_pkgs[@]} )) && can_apt; then
    say "installing ${missing_pkgs[*]} with apt-get"
    if as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
       && as_root env DEBIAN_FRONTEND=noninteractive \
              apt-get install -y -qq "${missing_pkgs[@]}" </dev/null; then
        :
    else
        warn "apt-get install ${missing_pkgs[*]} failed"
    fi
fi

if ! command -v dot >/dev/null 2>&1; then
    cat >&2 <<'EOF'
error: the Graphviz `dot` program is required (it draws the autograd graphs)
       but was not found on PATH, and could not be installed automatically
       (that needs apt-get and root or passwordless sudo).
       Install it, then run this script again:
         Debian/Ubuntu:  sudo apt-get install graphviz
         macOS:          brew install graphviz
         conda:          conda install -c conda-forge graphviz
EOF
    exit 1
fi
if ! command -v bwrap >/dev/null 2>&1; then
    warn "bubblewrap (bwrap) not found: grading will run without a sandbox" \
         "(Debian/Ubuntu: sudo apt-get install bubblewrap; Linux only)"
fi

# ------------------------------------------------------------------------ venv
if [[ "$up_to_date" == 1 ]]; then
    :
elif [[ -e "$VENV" ]] && ! "$VPY" -c 'import sys' >/dev/null 2>&1; then
    say "$VENV exists but its python does not run; recreating it"
    rm -f "$STAMP"
    "$PYTHON" -m venv --clear "$VENV" \
        || die "could not recreate $VENV with $PYTHON"
elif [[ ! -e "$VENV" ]]; then
    command -v "$PYTHON" >/dev/null 2>&1 \
        || die "$PYTHON not found (set PYTHON=/path/to/python3.10+)"
    "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
        || die "$PYTHON is older than 3.10 (set PYTHON=/path/to/python3.10+)"
    say "creating $VENV with $("$PYTHON" -c 'import sys; print(sys.executable, sys.version.split()[0])')"
    "$PYTHON" -m venv "$VENV" || die "could not create $VENV \
(on Debian/Ubuntu: sudo apt-get install python3-venv)"
fi

# -------------------------------------------------------------- python packages
if [[ "$up_to_date" == 1 ]]; then
    say "$VENV is up to date (delete $STAMP to force a reinstall)"
else
    # One source of truth: the exact torch pin in pyproject.toml.
    torch_version="$(sed -n 's/^[[:space:]]*"torch==\([^";[:space:]]*\)".*/\1/p' pyproject.toml | head -n1)"
    [[ -n "$torch_version" ]] || die "no exact \"torch==X.Y.Z\" pin found in pyproject.toml"

    pip=("$VPY" -m pip --disable-pip-version-check)
    torch_opts=()
    [[ -n "${TORCH_INDEX_URL:-}" ]] && torch_opts+=(--extra-index-url "$TORCH_INDEX_URL")

    say "installing torch $torch_version (CPU)"
    "${pip[@]}" install -q ${torch_opts[@]+"${torch_opts[@]}"} "torch==$torch_version"

    say "installing autograd-course (pip install -e .) and its dependencies"
    "${pip[@]}" install -q -e .

    "$VPY" - <<'EOF' || die "installed torch looks wrong (see above)"
import torch
cuda = torch.version.cuda
print(f"==> torch {torch.__version__} ({'CUDA ' + cuda if cuda else 'CPU'} build)")
if cuda:
    print("    note: a CUDA build of torch is much larger; the course only needs the CPU one:\n"
          "    rm -rf .venv && TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu make bootstrap")
EOF
    printf '%s\n' "$want_stamp" > "$STAMP"
fi

say "bootstrap done"
