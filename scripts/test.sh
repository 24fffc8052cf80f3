#!/usr/bin/env bash
# Command 2 of 2: set up (if needed) and run the whole test suite against real
# services (Kafka, Prometheus, Alertmanager), which the fixtures start themselves.
# Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
    echo "error: pytest collected no tests" >&2
fi
exit "$status"
