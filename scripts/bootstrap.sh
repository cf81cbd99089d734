#!/usr/bin/env bash
# Set up everything the course needs, in the repository or in the student bundle
# (`course release`; it ships this script):
#   * .venv (created with $PYTHON, default python3): Debian and Ubuntu refuse
#     `pip install` into the system Python (externally-managed-environment)
#   * torch, pinned in pyproject.toml, installed FIRST and as the CPU build: a
#     local wheel when pip finds one (--find-links, PIP_FIND_LINKS), else from
#     $TORCH_INDEX_URL (default https://download.pytorch.org/whl/cpu), so pip never
#     picks another build while resolving the rest
#   * this package (editable, which gives the `course` command) and its pinned
#     dependencies
#   * the Graphviz `dot` program (required), bubblewrap (optional: the grading
#     sandbox); in the repository also the PostgreSQL server and Chromium
#     (optional: the gradebook and browser tests), never in the bundle
#
# Idempotent: when .venv/.bootstrap-stamp matches pyproject.toml nothing is
# reinstalled, and the whole script finishes in well under a second.
#
# Environment knobs:
#   PYTHON=python3.12      interpreter used to create .venv (default python3)
#   TORCH_INDEX_URL=URL    where torch comes from when no local wheel is found
#                          (default https://download.pytorch.org/whl/cpu)
#   BOOTSTRAP_NO_APT=1     never call apt-get; only check for dot / bwrap
#   BOOTSTRAP_FORCE=1      reinstall Python packages even if the stamp is current
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON="${PYTHON:-python3}"
VENV=".venv"
VPY="$VENV/bin/python"
STAMP="$VENV/.bootstrap-stamp"
CPU_INDEX="https://download.pytorch.org/whl/cpu"

say()  { printf '==> %s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die()  { printf 'error: %s\n' "$*" >&2; exit 1; }

[[ -f pyproject.toml ]] || die "pyproject.toml not found (run this script from the course repository or bundle)"
# The repository has the reference solutions; the student bundle never does.
bundle=1
[[ -d solutions ]] && bundle=0

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

apt_install() {
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" </dev/null
}

required_pkgs=()
optional_pkgs=()
command -v dot >/dev/null 2>&1 || required_pkgs+=(graphviz)
# The optional tools are only tried on a full set-up run, so that a failing
# apt-get does not slow down every later `make test`.
if [[ "$up_to_date" != 1 ]]; then
    command -v bwrap >/dev/null 2>&1 || optional_pkgs+=(bubblewrap)
    if [[ "$bundle" == 0 ]]; then
        # The PostgreSQL server, for the tests that run the gradebook on a real one.
        compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null 2>&1 \
            || optional_pkgs+=(postgresql)
        # Chromium, for the test that drives JupyterLab in a real browser (tests/test_browser.py).
        command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
            || optional_pkgs+=(chromium)
    fi
fi

if (( ${#required_pkgs[@]} + ${#optional_pkgs[@]} )) && can_apt; then
    say "installing ${required_pkgs[*]} ${optional_pkgs[*]} with apt-get"
    if as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq; then
        if (( ${#required_pkgs[@]} )); then
            apt_install "${required_pkgs[@]}" || warn "apt-get install ${required_pkgs[*]} failed"
        fi
        # One at a time: an optional package this distribution lacks must not stop the others.
        for pkg in ${optional_pkgs[@]+"${optional_pkgs[@]}"}; do
            apt_install "$pkg" || warn "apt-get install $pkg failed (optional)"
        done
    else
        warn "apt-get update failed"
    fi
fi

if ! command -v dot >/dev/null 2>&1; then
    cat >&2 <<'EOF'
error: the Graphviz `dot` program is required (it draws the autograd graphs)
       but was not found on PATH, and could not be installed automatically
       (that needs apt-get and root or passwordless sudo).
       Install it, then run this script again:
         Debian/Ubuntu:  sudo apt-get install graphviz
         Fedora:         sudo dnf install graphviz
         macOS:          brew install graphviz
         conda:          conda install -c conda-forge graphviz
EOF
    exit 1
fi
if ! command -v bwrap >/dev/null 2>&1; then
    warn "bubblewrap (bwrap) not found: grading will run without a sandbox, so the code it grades" \
         "can read and change your files (Debian/Ubuntu: sudo apt-get install bubblewrap; Linux only)"
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
# Whether the torch installed in the venv is a CUDA build (its wheel requires nvidia-* packages).
torch_is_cuda() {
    "$VPY" - <<'EOF'
import sys
from importlib import metadata
try:
    requires = metadata.requires("torch") or []
except metadata.PackageNotFoundError:
    sys.exit(1)
sys.exit(0 if any(r.lower().startswith("nvidia-") for r in requires) else 1)
EOF
}

if [[ "$up_to_date" == 1 ]]; then
    say "$VENV is up to date (delete $STAMP to force a reinstall)"
else
    # One source of truth: the exact torch pin in pyproject.toml.
    torch_version="$(sed -n 's/^[[:space:]]*"torch==\([^";[:space:]]*\)".*/\1/p' pyproject.toml | head -n1)"
    [[ -n "$torch_version" ]] || die "no exact \"torch==X.Y.Z\" pin found in pyproject.toml"

    pip=("$VPY" -m pip --disable-pip-version-check)
    index="${TORCH_INDEX_URL:-$CPU_INDEX}"

    say "installing torch $torch_version (CPU build) first"
    # Its dependencies come with the rest below; here only torch itself, from a local wheel
    # (pip's --find-links), else from the CPU index.
    if "${pip[@]}" install -q --no-index --no-deps "torch==$torch_version" >/dev/null 2>&1 && ! torch_is_cuda; then
        say "torch $torch_version: a local wheel"
    else
        torch_is_cuda && "${pip[@]}" uninstall -q -y torch
        "${pip[@]}" install -q --no-deps --index-url "$index" "torch==$torch_version" || die \
"could not install torch==$torch_version from $index (no local wheel either).
       Check the network, or point TORCH_INDEX_URL at an index that has it
       (TORCH_INDEX_URL=https://pypi.org/simple takes PyPI's build, which on Linux is the CUDA one)."
    fi

    say "installing autograd-course (pip install -e .) and its dependencies"
    "${pip[@]}" install -q -e .

    "$VPY" - <<'EOF' || die "installed torch looks wrong (see above)"
import torch
from importlib import metadata
cuda = torch.version.cuda
print(f"==> torch {torch.__version__} ({'CUDA ' + cuda if cuda else 'CPU'} build)")
nvidia = sorted(d.metadata["Name"] for d in metadata.distributions() if d.metadata["Name"].lower().startswith("nvidia-"))
if cuda or nvidia:
    print("    note: a CUDA build of torch (and its nvidia-* packages) is much larger; the course only needs\n"
          "    the CPU one: rm -rf .venv && bash scripts/bootstrap.sh")
EOF
    printf '%s\n' "$want_stamp" > "$STAMP"
fi

say "bootstrap done"
if [[ "$bundle" == 1 && "$up_to_date" != 1 ]]; then
    cat <<'EOF'
    next:  bash scripts/lab.sh                  JupyterLab on the notebooks
           source .venv/bin/activate            then: course check ex01_graphs
EOF
fi
