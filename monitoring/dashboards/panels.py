"""Building blocks for the DOST dashboards on Grafana's own SDK (``grafana-foundation-sdk``).

The builders (``grafana_foundation_sdk.builders.*``) type every panel option; this module adds
what the SDK leaves to us: the Prometheus target shape, threshold steps, value maps, field
overrides, a row-by-row grid layout, the template variable, the dashboard header and the JSON
encoding (``model_json``). Below that, plain-dict helpers read the encoded JSON back
(``all_panels``, ``dashboard_targets``, ``substitute_variables``) for the tests and the live check.
Every query uses the provisioned Prometheus datasource by its fixed uid
(``monitoring/grafana/provisioning/datasources/prometheus.yml``), never a name.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from grafana_foundation_sdk.builders import dashboard as gd
from grafana_foundation_sdk.builders import prometheus as gp
from grafana_foundation_sdk.cog.builder import Builder
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models import dashboard as dm
from grafana_foundation_sdk.models import prometheus as pm

# The provisioned datasource, and the dashboard schema the pinned SDK writes (Grafana 11.6: 41).
DATASOURCE_UID = "prometheus"
DATASOURCE = dm.DataSourceRef(type_val="prometheus", uid=DATASOURCE_UID)
SCHEMA_VERSION = 41
GRID_WIDTH = 24  # Grafana's grid is 24 columns wide

PanelBuilder = Builder[dm.Panel]


@dataclass(frozen=True)
class Query:
    """One panel target. ``instant`` for stats/tables/gauges, range for time series."""

    expr: str
    legend: str = ""
    instant: bool = False
    table: bool = False  # format "table": one row per series, labels as columns


def target(ref_id: str, query: Query) -> gp.Dataquery:
    built = (gp.Dataquery().ref_id(ref_id).datasource(DATASOURCE).expr(query.expr)
             .legend_format(query.legend or "__auto").editor_mode(pm.QueryEditorMode.CODE))
    built = built.instant() if query.instant else built.range()
    if query.table:
        built = built.format(pm.PromQueryFormat.TABLE)
    return built


def with_queries(builder: Any, queries: Sequence[Query]) -> Any:
    """``builder`` on the Prometheus datasource with targets A, B, ... for ``queries``."""
    builder.datasource(DATASOURCE)
    for index, query in enumerate(queries):
        builder.with_target(target(chr(ord("A") + index), query))
    return builder


def thresholds(*steps: tuple[str, float | None]) -> gd.ThresholdsConfig:
    """Absolute threshold steps, the first with value None (the base colour)."""
    return gd.ThresholdsConfig().mode(dm.ThresholdsMode.ABSOLUTE).steps(
        [dm.Threshold(color=color, value=value) for color, value in steps])


def color(mode: dm.FieldColorModeId, fixed: str | None = None) -> gd.FieldColor:
    built = gd.FieldColor().mode(mode)
    return built.fixed_color(fixed) if fixed else built


def value_map(values: dict[str, tuple[str, str]]) -> dm.ValueMap:
    """Value -> (text, color) mapping, in the order given."""
    return dm.ValueMap({value: dm.ValueMappingResult(text=text, color=shade, index=index)
                        for index, (value, (text, shade)) in enumerate(values.items())})


def override(name: str, **properties: Any) -> tuple[str, list[dm.DynamicConfigValue]]:
    """(field name, properties) for ``builder.override_by_name``; builders in values are built."""
    return name, [dm.DynamicConfigValue(id_val=key, value=value.build() if isinstance(value, Builder) else value)
                  for key, value in properties.items()]


def organize(exclude: dict[str, bool], rename: dict[str, str] | None = None,
             index: dict[str, int] | None = None) -> dm.DataTransformerConfig:
    """Grafana's "organize fields" transformation."""
    options: dict[str, Any] = {"excludeByName": exclude}
    if rename:
        options["renameByName"] = rename
    if index:
        options["indexByName"] = index
    return dm.DataTransformerConfig(id_val="organize", options=options)


def merge() -> dm.DataTransformerConfig:
    return dm.DataTransformerConfig(id_val="merge", options={})


def layout(rows: Sequence[Sequence[tuple[PanelBuilder, int, int]]]) -> list[PanelBuilder]:
    """Place panels row by row: each row is a list of (panel, width, height).

    Ids are 1, 2, ... in reading order; x advances across a row, y by the row's tallest
    panel. A row wider than the grid is a builder bug, so it raises.
    """
    placed: list[PanelBuilder] = []
    y = 0
    for row in rows:
        x = 0
        for item, width, height in row:
            if x + width > GRID_WIDTH:
                raise ValueError(f"row with {item.build().title!r} is wider than {GRID_WIDTH} columns")
            item.id(len(placed) + 1).grid_pos(dm.GridPos(h=height, w=width, x=x, y=y))  # type: ignore[attr-defined]
            placed.append(item)
            x += width
        y += max(height for _, _, height in row)
    return placed


def query_variable(name: str, label: str, query: str, description: str) -> gd.QueryVariable:
    """A template variable filled from a Prometheus ``label_values(...)`` query."""
    return (gd.QueryVariable(name).label(label).description(description).datasource(DATASOURCE)
            .query({"query": query, "refId": "PrometheusVariableQueryEditor-VariableQuery", "qryType": 1})
            .refresh(dm.VariableRefresh.ON_TIME_RANGE_CHANGED)  # new centers appear without a reload
            .sort(dm.VariableSort.ALPHABETICAL_ASC).multi(False).include_all(False).allow_custom_value(False))


def dashboard_link(title: str, tag: str) -> gd.DashboardLink:
    """A dashboard-header link to every dashboard carrying ``tag``, keeping time and variables."""
    return (gd.DashboardLink(title).type(dm.DashboardLinkType.DASHBOARDS).tags([tag]).as_dropdown(True)
            .include_vars(True).keep_time(True).icon("external link").target_blank(False))


def dashboard(
    uid: str,
    title: str,
    description: str,
    panels: Sequence[PanelBuilder],
    *,
    tags: Sequence[str],
    variables: Sequence[gd.QueryVariable] = (),
    links: Sequence[gd.DashboardLink] = (),
    time_from: str = "now-24h",
    refresh: str = "1m",
    timezone: str = "Asia/Baku",
) -> gd.Dashboard:
    """A read-only dashboard. No numeric ``id`` (Grafana assigns one per instance)."""
    built = (gd.Dashboard(title).uid(uid).description(description).tags(list(tags)).timezone(timezone)
             .readonly().tooltip(dm.DashboardCursorSync.CROSSHAIR).time(time_from, "now").refresh(refresh)
             .variables(list(variables)).links(list(links)).annotations([]))
    for item in panels:
        built.with_panel(item)
    return built


def model_json(builder: gd.Dashboard) -> dict[str, Any]:
    """The dashboard as Grafana's JSON model (what provisioning and the HTTP API take)."""
    return json.loads(json.dumps(builder.build(), cls=JSONEncoder))


# --- reading the encoded JSON (plain dicts) -----------------------------------------------


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
