#!/usr/bin/env bash
# Install everything, then run the product on the embedded local model.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
exec .venv/bin/advisor "$@"
