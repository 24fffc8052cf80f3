"""The generated Grafana files: drift, dashboard structure, provisioning and the Grafana alert rules.

The PromQL inside them is executed against the real pipeline in test_dashboards_live.py.
"""

from __future__ import annotations

import json
from itertools import combinations

import pytest
import yaml

from monitoring import dashboards, grafana_files
from monitoring.grafana_alerts import grafana_alert_rules
from monitoring.grafana_panels import (
    DATASOURCE_UID,
    SCHEMA_VERSION,
    all_panels,
    dashboard_targets,
    layout,
    panel,
    slug,
    substitute_variables,
)
from monitoring.rules import (
    DASHBOARD_PATH,
    NETWORK_DASHBOARD_PATH,
    PIPELINE_DASHBOARD_PATH,
    SATISFACTION_ALERT,
    rule_parameters,
)
from monitoring.shipped import shipped_settings

PROVISIONING = grafana_files.PROVISIONING_DIR


def committed_dashboards() -> dict[str, dict]:
    return {path.name: json.loads(path.read_text()) for path in sorted(grafana_files.DASHBOARDS_DIR.glob("*.json"))}


def test_committed_grafana_files_match_the_builders():
    assert grafana_files.drifted_files() == [], "run: python -m monitoring.grafana_files"


def test_four_dashboards_with_unique_fixed_uids():
    uids = [d["uid"] for d in committed_dashboards().values()]
    assert sorted(uids) == sorted(["dost-network", "dost-center", "dost-sentiment", "dost-pipeline"])


@pytest.mark.parametrize("name", sorted(dashboards.DASHBOARD_FILES))
def test_dashboard_structure(name):
    model = committed_dashboards()[name]
    assert model["schemaVersion"] == SCHEMA_VERSION and "id" not in model and model["title"]
    panels = all_panels(model["panels"])
    ids = [p["id"] for p in panels]
    assert len(ids) == len(set(ids)), f"duplicate panel ids in {name}"
    boxes = []
    for item in panels:
        grid = item["gridPos"]
        assert {k: type(grid[k]) for k in "hwxy"} == dict.fromkeys("hwxy", int)
        assert grid["w"] > 0 and grid["h"] > 0 and grid["x"] >= 0 and grid["x"] + grid["w"] <= 24
        boxes.append((item["title"], grid))
    for (a, ga), (b, gb) in combinations(boxes, 2):
        overlap = (ga["x"] < gb["x"] + gb["w"] and gb["x"] < ga["x"] + ga["w"]
                   and ga["y"] < gb["y"] + gb["h"] and gb["y"] < ga["y"] + ga["h"])
        assert not overlap, f"{name}: panels {a!r} and {b!r} overlap"
    for item in panels:
        assert item["datasource"] == {"type": "prometheus", "uid": DATASOURCE_UID}, item["title"]
        ref_ids = [t["refId"] for t in item["targets"]]
        assert item["targets"] and len(ref_ids) == len(set(ref_ids)), item["title"]
        for target in item["targets"]:
            assert target["datasource"] == {"type": "prometheus", "uid": DATASOURCE_UID}
            assert target["expr"].strip() and "vector(0)" not in target["expr"]
    for variable in model["templating"]["list"]:
        assert variable["datasource"]["uid"] == DATASOURCE_UID


def test_alerts_link_to_the_center_drill_down_with_its_variable():
    center = committed_dashboards()["center-drill-down.json"]
    assert DASHBOARD_PATH == f"/d/{center['uid']}/{slug(center['title'])}" == "/d/dost-center/center-drill-down"
    [variable] = center["templating"]["list"]
    assert variable["name"] == "center_id" and variable["query"]["query"].startswith("label_values(")
    # Every per-center panel filters on the variable (the alert tables and stats included).
    filtered = [t["expr"] for _, t in dashboard_targets(center) if "$center_id" in t["expr"]]
    assert len(filtered) == len(dashboard_targets(center))


def test_every_dashboard_path_the_alerts_use_exists():
    paths = {f"/d/{d['uid']}/{slug(d['title'])}" for d in committed_dashboards().values()}
    assert {DASHBOARD_PATH, NETWORK_DASHBOARD_PATH, PIPELINE_DASHBOARD_PATH} <= paths


def test_network_overview_covers_targets_counts_bounds_alerts_and_burn_rates():
    exprs = " ".join(t["expr"] for _, t in dashboard_targets(committed_dashboards()["network-overview.json"]))
    for needle in ('dost:center_satisfaction:ratio{window="24h"}', 'dost:center_satisfaction:ratio{window="7d"}',
                   "dost:center_satisfaction_target:max", "dost:center_ratings:max",
                   "dost:center_satisfaction_wilson_lower:ratio", "dost:center_satisfaction_wilson_upper:ratio",
                   "ALERTS", "dost:network_satisfaction:ratio", "dost:network_burn_rate:ratio"):
        assert needle in exprs, needle


def test_provisioning_points_at_the_generated_files():
    [datasource] = yaml.safe_load((PROVISIONING / "datasources" / "prometheus.yml").read_text())["datasources"]
    assert datasource["uid"] == DATASOURCE_UID and datasource["type"] == "prometheus"
    [provider] = yaml.safe_load((PROVISIONING / "dashboards" / "dost.yml").read_text())["providers"]
    assert provider["folder"] == shipped_settings().grafana_folder
    assert provider["options"]["path"] == "/etc/grafana/dashboards"


def test_grafana_alert_rules_mirror_the_contract_alert():
    document = yaml.safe_load(grafana_files.ALERT_RULES_FILE.read_text())
    params = rule_parameters(shipped_settings(), "prod")
    assert document == grafana_alert_rules(params)
    assert document["apiVersion"] == 1
    [group] = document["groups"]
    assert group["folder"] == shipped_settings().grafana_folder and group["interval"] and group["orgId"] == 1
    rules = {rule["labels"]["severity"]: rule for rule in group["rules"]}
    assert sorted(rules) == ["page", "warning"]
    assert len({rule["uid"] for rule in group["rules"]}) == 2
    assert rules["warning"]["for"] == params.warning_for and rules["page"]["for"] == params.page_for
    for severity, rule in rules.items():
        assert rule["labels"]["alert"] == SATISFACTION_ALERT and rule["title"].startswith(SATISFACTION_ALERT)
        refs = {item["refId"]: item for item in rule["data"]}
        assert rule["condition"] in refs
        query = refs["A"]
        assert query["datasourceUid"] == DATASOURCE_UID and query["model"]["instant"] is True
        assert f">= {params.min_ratings}" in query["model"]["expr"]
        for ref in ("B", "C"):
            assert refs[ref]["datasourceUid"] == "__expr__"
        assert refs["B"]["model"]["expression"] == "A" and refs["C"]["model"]["expression"] == "B"
        assert refs["C"]["model"]["conditions"][0]["evaluator"] == {"type": "lt", "params": [0]}
        assert rule["annotations"]["dashboard_url"].endswith(f"{DASHBOARD_PATH}?var-center_id={{{{ $labels.center_id }}}}")
        assert {"summary", "description", "runbook_url"} <= set(rule["annotations"])
    assert 'dost:center_satisfaction:ratio{window="24h"}' in rules["warning"]["data"][0]["model"]["expr"]
    assert 'dost:center_satisfaction_wilson_upper:ratio{window=~"24h|7d"}' in rules["page"]["data"][0]["model"]["expr"]


# --- the pure builders --------------------------------------------------------------------


def test_layout_flows_rows_and_refuses_overflow():
    a, b, c = (panel("stat", t, "", []) for t in "abc")
    placed = layout([[(a, 12, 4), (b, 12, 6)], [(c, 24, 3)]])
    assert [(p["id"], p["gridPos"]) for p in placed] == [
        (1, {"h": 4, "w": 12, "x": 0, "y": 0}), (2, {"h": 6, "w": 12, "x": 12, "y": 0}),
        (3, {"h": 3, "w": 24, "x": 0, "y": 6})]
    with pytest.raises(ValueError, match="wider"):
        layout([[(a, 20, 4), (b, 5, 4)]])


def test_slug_matches_grafana():
    assert slug("Center drill-down") == "center-drill-down"
    assert slug("Network overview") == "network-overview"


def test_substitute_variables():
    values = {"center_id": "baku-1", "__rate_interval": "1m"}
    assert substitute_variables('rate(x{c="$center_id"}[$__rate_interval])', values) == 'rate(x{c="baku-1"}[1m])'
    assert substitute_variables('x{c="${center_id}",d="${center_id:raw}",e="[[center_id]]"}', values) == (
        'x{c="baku-1",d="baku-1",e="baku-1"}')
    with pytest.raises(KeyError, match=r"\$missing"):
        substitute_variables("x[$missing]", values)
