#!/usr/bin/env bash
# Regenerate requirements/constraints.txt from the working .venv: the exact
# versions that CI and scripts/install.sh install.  torch is pinned by
# install.sh itself (its local +cpu/+cu suffix differs per machine).
set -euo pipefail
cd "$(dirname "$0")/.."
{
    echo "# Exact versions installed by scripts/install.sh; regenerate with scripts/freeze-constraints.sh."
    .venv/bin/python -m pip freeze --exclude-editable --disable-pip-version-check 2>/dev/null |
        grep -viE '^(torch|triton|nvidia-|route-advisor|pip|setuptools|wheel)(=|-|_| )' |
        sort -f
} >requirements/constraints.txt
echo "wrote requirements/constraints.txt ($(grep -vc '^#' requirements/constraints.txt) pins)"
