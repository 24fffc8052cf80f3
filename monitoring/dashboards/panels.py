"""Building blocks for Grafana dashboard JSON: plain dicts, no Grafana library.

Pure functions. ``monitoring.dashboards`` composes the four DOST dashboards from them.
Every query uses the provisioned Prometheus datasource by its fixed uid
(``monitoring/grafana/provisioning/datasources/prometheus.yml``), never a name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Sequence

# The provisioned datasource (provisioning/datasources/prometheus.yml) and Grafana's
# dashboard schema for the compose image (grafana/grafana-oss 11.1: schemaVersion 39).
DATASOURCE_UID = "prometheus"
DATASOURCE = {"type": "prometheus", "uid": DATASOURCE_UID}
SCHEMA_VERSION = 39
GRID_WIDTH = 24  # Grafana's grid is 24 columns wide


@dataclass(frozen=True)
class Query:
    """One panel target. ``instant`` for stats/tables/gauges, range for time series."""

    expr: str
    legend: str = ""
    instant: bool = False
    table: bool = False  # format "table": one row per series, labels as columns


def target(ref_id: str, query: Query) -> dict[str, Any]:
    result: dict[str, Any] = {
        "refId": ref_id,
        "datasource": DATASOURCE,
        "expr": query.expr,
        "legendFormat": query.legend or "__auto",
        "range": not query.instant,
        "instant": query.instant,
        "editorMode": "code",
    }
    if query.table:
        result["format"] = "table"
    return result


def thresholds(*steps: tuple[str, float | None]) -> dict[str, Any]:
    """Absolute threshold steps, the first with value None (the base colour)."""
    return {"mode": "absolute", "steps": [{"color": color, "value": value} for color, value in steps]}


def panel(
    kind: str,
    title: str,
    description: str,
    queries: Sequence[Query],
    *,
    unit: str | None = None,
    decimals: int | None = None,
    minimum: float | None = None,
    maximum: float | None = None,
    steps: dict[str, Any] | None = None,
    color_mode: str | None = None,
    options: dict[str, Any] | None = None,
    custom: dict[str, Any] | None = None,
    mappings: list[dict[str, Any]] | None = None,
    overrides: list[dict[str, Any]] | None = None,
    transformations: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A panel without ``id``/``gridPos`` (``layout`` assigns them)."""
    defaults: dict[str, Any] = {}
    for key, value in (("unit", unit), ("decimals", decimals), ("min", minimum), ("max", maximum)):
        if value is not None:
            defaults[key] = value
    if steps is not None:
        defaults["thresholds"] = steps
        defaults["color"] = {"mode": color_mode or "thresholds"}
    elif color_mode:
        defaults["color"] = {"mode": color_mode}
    if custom:
        defaults["custom"] = custom
    if mappings:
        defaults["mappings"] = mappings
    result: dict[str, Any] = {
        "type": kind,
        "title": title,
        "description": description,
        "datasource": DATASOURCE,
        "targets": [target(chr(ord("A") + i), q) for i, q in enumerate(queries)],
        "fieldConfig": {"defaults": defaults, "overrides": overrides or []},
        "options": options or {},
    }
    if transformations:
        result["transformations"] = transformations
    return result


def stat_options(color: str = "background", graph: str = "none") -> dict[str, Any]:
    return {
        "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
        "colorMode": color,
        "graphMode": graph,
        "textMode": "auto",
        "justifyMode": "auto",
        "orientation": "auto",
    }


def timeseries_options() -> dict[str, Any]:
    return {
        "legend": {"displayMode": "table", "placement": "bottom", "showLegend": True, "calcs": ["lastNotNull"]},
        "tooltip": {"mode": "multi", "sort": "desc"},
    }


def bargauge_options() -> dict[str, Any]:
    return {
        "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
        "orientation": "horizontal",
        "displayMode": "basic",
        "showUnfilled": True,
        "valueMode": "color",
    }


def field_override(name: str, **properties: Any) -> dict[str, Any]:
    """Override field ``name``'s config, e.g. ``unit="percentunit"``, ``custom.cellOptions=...``."""
    return {
        "matcher": {"id": "byName", "options": name},
        "properties": [{"id": key, "value": value} for key, value in properties.items()],
    }


def layout(rows: Sequence[Sequence[tuple[dict[str, Any], int, int]]]) -> list[dict[str, Any]]:
    """Place panels row by row: each row is a list of (panel, width, height).

    Ids are 1, 2, ... in reading order; x advances across a row, y by the row's tallest
    panel. A row wider than the grid is a builder bug, so it raises.
    """
    placed: list[dict[str, Any]] = []
    y = 0
    for row in rows:
        x = 0
        for item, width, height in row:
            if x + width > GRID_WIDTH:
                raise ValueError(f"row with {item['title']!r} is wider than {GRID_WIDTH} columns")
            placed.append({"id": len(placed) + 1, "gridPos": {"h": height, "w": width, "x": x, "y": y}, **item})
            x += width
        y += max(height for _, _, height in row)
    return placed


def query_variable(name: str, label: str, query: str, description: str) -> dict[str, Any]:
    """A template variable filled from a Prometheus ``label_values(...)`` query."""
    return {
        "name": name,
        "label": label,
        "description": description,
        "type": "query",
        "datasource": DATASOURCE,
        "definition": query,
        "query": {"query": query, "refId": "PrometheusVariableQueryEditor-VariableQuery", "qryType": 1},
        "refresh": 2,  # on time range change: new centers appear without a reload
        "sort": 1,
        "multi": False,
        "includeAll": False,
        "current": {},
        "options": [],
        "hide": 0,
        "skipUrlSync": False,
    }


def dashboard(
    uid: str,
    title: str,
    description: str,
    panels: list[dict[str, Any]],
    *,
    tags: Sequence[str],
    variables: Sequence[dict[str, Any]] = (),
    links: Sequence[dict[str, Any]] = (),
    time_from: str = "now-24h",
    refresh: str = "1m",
    timezone: str = "Asia/Baku",
) -> dict[str, Any]:
    """A dashboard model. No numeric ``id`` (Grafana assigns one per instance)."""
    return {
        "uid": uid,
        "title": title,
        "description": description,
        "tags": list(tags),
        "timezone": timezone,
        "editable": False,
        "graphTooltip": 1,
        "time": {"from": time_from, "to": "now"},
        "refresh": refresh,
        "schemaVersion": SCHEMA_VERSION,
        "annotations": {"list": []},
        "templating": {"list": list(variables)},
        "links": list(links),
        "panels": panels,
    }


def dashboard_link(title: str, tag: str) -> dict[str, Any]:
    """A dashboard-header link to every dashboard carrying ``tag``, keeping time and variables."""
    return {
        "title": title,
        "type": "dashboards",
        "tags": [tag],
        "asDropdown": True,
        "includeVars": True,
        "keepTime": True,
        "icon": "external link",
        "targetBlank": False,
    }


def all_panels(panels: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Panels, with those nested in collapsed rows."""
    found: list[dict[str, Any]] = []
    for item in panels:
        found.append(item)
        found.extend(all_panels(item.get("panels") or []))
    return found


def dashboard_targets(model: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(panel, target) for every query target in a dashboard."""
    return [(item, t) for item in all_panels(model.get("panels") or []) for t in item.get("targets") or []]


_VARIABLE = re.compile(r"\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\]|\$(\w+)")


def substitute_variables(expr: str, values: dict[str, str]) -> str:
    """``expr`` with Grafana's ``$name``, ``${name}``/``${name:fmt}`` and ``[[name]]`` replaced.

    Raises KeyError naming a variable that ``values`` lacks, so no query runs half-templated.
    """

    def replace(match: re.Match[str]) -> str:
        name = next(group for group in match.groups() if group)
        if name not in values:
            raise KeyError(f"no value for template variable ${name} in {expr!r}")
        return values[name]

    return _VARIABLE.sub(replace, expr)
