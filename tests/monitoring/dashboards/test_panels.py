"""The SDK building blocks: targets, value maps, overrides, layout, the dashboard JSON, variables."""

from __future__ import annotations

import pytest
from grafana_foundation_sdk.builders import stat

from monitoring.dashboards.panels import (
    SCHEMA_VERSION,
    Query,
    dashboard,
    layout,
    model_json,
    override,
    query_variable,
    substitute_variables,
    thresholds,
    value_map,
    with_queries,
)

DATASOURCE = {"type": "prometheus", "uid": "prometheus"}


def encoded(*panels, **kwargs):
    return model_json(dashboard("u", "T", "d", list(panels), tags=["dost"], **kwargs))


def test_targets_are_code_mode_prometheus_queries_on_the_fixed_datasource():
    item = with_queries(stat.Panel().title("s"), [Query("up", "{{job}}", instant=True, table=True), Query("x")])
    [panel] = layout([[(item, 4, 5)]])
    [a, b] = encoded(panel)["panels"][0]["targets"]
    assert a == {"refId": "A", "datasource": DATASOURCE, "expr": "up", "legendFormat": "{{job}}", "instant": True,
                 "range": False, "editorMode": "code", "format": "table"}
    assert (b["refId"], b["range"], b["instant"], b["legendFormat"], "format" in b) == ("B", True, False, "__auto", False)


def test_layout_flows_rows_and_refuses_overflow():
    a, b, c = (stat.Panel().title(t) for t in "abc")
    placed = encoded(*layout([[(a, 12, 4), (b, 12, 6)], [(c, 24, 3)]]))["panels"]
    assert [(p["id"], p["gridPos"]) for p in placed] == [
        (1, {"h": 4, "w": 12, "x": 0, "y": 0}), (2, {"h": 6, "w": 12, "x": 12, "y": 0}),
        (3, {"h": 3, "w": 24, "x": 0, "y": 6})]
    with pytest.raises(ValueError, match="'x' is wider"):
        layout([[(stat.Panel().title("w"), 20, 4), (stat.Panel().title("x"), 5, 4)]])


def test_dashboard_header_is_read_only_on_schema_41_without_an_id():
    model = encoded(variables=[query_variable("center_id", "Center", "label_values(m, center_id)", "every center")],
                    time_from="now-7d", refresh="30s")
    assert model["schemaVersion"] == SCHEMA_VERSION == 41 and "id" not in model
    assert (model["uid"], model["title"], model["editable"], model["graphTooltip"]) == ("u", "T", False, 1)
    assert (model["time"], model["refresh"], model["timezone"]) == ({"from": "now-7d", "to": "now"}, "30s", "Asia/Baku")
    assert model["annotations"] == {"list": []}
    [variable] = model["templating"]["list"]
    assert variable["query"]["query"] == "label_values(m, center_id)" and variable["datasource"] == DATASOURCE
    assert (variable["type"], variable["refresh"], variable["multi"], variable["includeAll"]) == ("query", 2, False, False)


def test_thresholds_value_maps_and_overrides_encode_as_grafana_expects():
    item = (stat.Panel().title("s").thresholds(thresholds(("red", None), ("green", 1)))
            .mappings([value_map({"0": ("DOWN", "red"), "1": ("UP", "green")})])
            .override_by_name(*override("v", unit="s", thresholds=thresholds(("blue", None)))))
    [panel] = encoded(*layout([[(item, 4, 5)]]))["panels"]
    defaults = panel["fieldConfig"]["defaults"]
    assert defaults["thresholds"] == {"mode": "absolute", "steps": [{"color": "red", "value": None},
                                                                    {"color": "green", "value": 1}]}
    assert defaults["mappings"] == [{"type": "value", "options": {"0": {"text": "DOWN", "color": "red", "index": 0},
                                                                  "1": {"text": "UP", "color": "green", "index": 1}}}]
    [rule] = panel["fieldConfig"]["overrides"]
    assert rule["matcher"] == {"id": "byName", "options": "v"}
    assert rule["properties"] == [{"id": "unit", "value": "s"},
                                  {"id": "thresholds", "value": {"mode": "absolute",
                                                                 "steps": [{"color": "blue", "value": None}]}}]


def test_substitute_variables():
    values = {"center_id": "baku-1", "__rate_interval": "1m"}
    assert substitute_variables('rate(x{c="$center_id"}[$__rate_interval])', values) == 'rate(x{c="baku-1"}[1m])'
    assert substitute_variables('x{c="${center_id}",d="${center_id:raw}",e="[[center_id]]"}', values) == (
        'x{c="baku-1",d="baku-1",e="baku-1"}')
    with pytest.raises(KeyError, match=r"\$missing"):
        substitute_variables("x[$missing]", values)
