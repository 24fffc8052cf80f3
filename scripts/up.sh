#!/usr/bin/env bash
# Command 1 of 2: set up (if needed) and start the whole local stack with simulated
# traffic. Extra arguments go to `dost-feedback stack up` (see --help).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/dost-feedback stack up "$@"
