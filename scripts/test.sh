#!/usr/bin/env bash
# Command 2 of 2: set up (if needed) and run the whole test suite against real
# services (Kafka, Prometheus, Alertmanager), which the fixtures start themselves.
# Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
set +e
# Two pytest workers (each with its own Kafka, Prometheus, PostgreSQL, ...), whole files
# to one worker: much of the suite waits on services, so two fit on two cores.
# DOST_TEST_WORKERS=0 runs it in one process.
.venv/bin/python -m pytest -n "${DOST_TEST_WORKERS:-2}" --dist loadfile "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
    echo "error: pytest collected no tests" >&2
fi
exit "$status"
