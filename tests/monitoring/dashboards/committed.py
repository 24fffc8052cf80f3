"""The committed dashboard JSON, as the dashboard tests read it."""

from __future__ import annotations

import json

from monitoring.dashboards import files as grafana_files


def committed_dashboards() -> dict[str, dict]:
    return {path.name: json.loads(path.read_text()) for path in sorted(grafana_files.DASHBOARDS_DIR.glob("*.json"))}
