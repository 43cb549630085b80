#!/usr/bin/env bash
# Install everything, then run the checks and the whole test suite.
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -m "not slow"`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
export PATH="$PWD/.venv/bin:$PATH"

echo "== ruff"
ruff check advisor backends tests benchmarks scenarios
echo "== mypy"
mypy
echo "== pytest"
# Hugging Face libraries must never reach for the hub during tests.
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1
exec python -m pytest "$@"
