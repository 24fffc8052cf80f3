"""What every settings section shares: the project root and the Prometheus duration type."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field

# dost_contract/settings/base.py -> the repository (or site-packages) root.
PROJECT_ROOT = Path(__file__).resolve().parents[2]

DURATION_PATTERN = r"([0-9]+(ms|s|m|h|d|w|y))+"
# A Prometheus/Alertmanager duration such as "30s", "10m", "1h30m".
PrometheusDuration = Annotated[str, Field(pattern=rf"^{DURATION_PATTERN}$")]
