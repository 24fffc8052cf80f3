"""The committed Grafana files: no drift, five dashboards with fixed uids, sound structure, provisioning."""

from __future__ import annotations

import json
from itertools import combinations

import pytest
import yaml
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models import dashboard as sdk_dashboard

from dost_contract.settings import Settings
from monitoring import dashboards
from monitoring.alerting.shipped import shipped_settings
from monitoring.dashboards import files as grafana_files
from monitoring.dashboards.panels import DATASOURCE_UID, SCHEMA_VERSION, all_panels
from monitoring.names import CENTER_DASHBOARD, NETWORK_DASHBOARD, PIPELINE_DASHBOARD, slug
from tests.monitoring.dashboards.committed import committed_dashboards
from tests.monitoring.dashboards.grafana_provisioning import grafana_interpolate, provisioned_rule_groups

PROVISIONING = grafana_files.PROVISIONING_DIR


def test_committed_grafana_files_match_the_builders():
    assert grafana_files.drifted_files() == [], "run: python -m monitoring.dashboards.files"


def test_five_dashboards_with_unique_fixed_uids():
    uids = [d["uid"] for d in committed_dashboards().values()]
    assert sorted(uids) == sorted(["dost-network", "dost-center", "dost-sentiment", "dost-pipeline", "dost-followup"])


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


@pytest.mark.parametrize("name", sorted(dashboards.DASHBOARD_FILES))
def test_committed_json_decodes_into_the_sdk_model_unchanged(name):
    """The SDK's Grafana 11.6 dashboard model reads every committed dashboard, panel, target and
    variable key back and writes the same JSON (an unknown key would be dropped, and differ).
    Panel ``options`` stay as written: the model does not type them."""
    model = committed_dashboards()[name]
    decoded = sdk_dashboard.Dashboard.from_json(model)
    assert json.loads(json.dumps(decoded, cls=JSONEncoder)) == model


def test_every_dashboard_path_the_alerts_use_exists():
    paths = {f"/d/{d['uid']}/{slug(d['title'])}" for d in committed_dashboards().values()}
    assert {CENTER_DASHBOARD.path, NETWORK_DASHBOARD.path, PIPELINE_DASHBOARD.path} <= paths


def test_provisioning_points_at_the_generated_files():
    [datasource] = yaml.safe_load((PROVISIONING / "datasources" / "prometheus.yml").read_text())["datasources"]
    assert datasource["uid"] == DATASOURCE_UID and datasource["type"] == "prometheus"
    [provider] = yaml.safe_load((PROVISIONING / "dashboards" / "dost.yml").read_text())["providers"]
    assert provider["folder"] == shipped_settings().grafana_folder
    assert provider["options"]["path"] == "/etc/grafana/dashboards"


def test_grafana_expansion_port_matches_grafanas_documented_behaviour():
    """The port in grafana_provisioning against what Grafana's issues and docs show it doing:
    ``$labels`` in an expanded field is eaten (grafana/grafana#78118), ``$$`` keeps a ``$``."""
    env = {"DOST_GRAFANA_URL": "https://dashboards.example.az"}
    assert grafana_interpolate("{{ $labels.k8s_namespace_name }}", env) == "{{ .k8s_namespace_name }}"
    assert grafana_interpolate("{{ $$labels.center_id }}", env) == "{{ $labels.center_id }}"
    assert grafana_interpolate("${DOST_GRAFANA_URL}/d/x and $DOST_GRAFANA_URL", env) == (
        "https://dashboards.example.az/d/x and https://dashboards.example.az")
    assert grafana_interpolate("$__env{DOST_GRAFANA_URL}", env) == "https://dashboards.example.az"
    assert grafana_interpolate("costs 5$ or ${}", env) == "costs 5$ or "


def test_deployed_grafana_rules_link_to_the_configured_grafana_and_keep_every_template():
    """What Grafana stores from the deployed file: dashboard links under DOST_GRAFANA_URL, and
    every ``$labels`` / ``$values`` template and query ``$`` exactly as the builder wrote them,
    even with variables of those names in Grafana's environment."""
    url = "https://dashboards.example.az"
    text = grafana_files.deployed_alert_rules_yaml(Settings.model_construct(grafana_url=url))
    assert "127.0.0.1" not in text
    assert text == grafana_files.ALERT_RULES_FILE.read_text().replace("http://127.0.0.1:3000", url)
    document = yaml.safe_load(text)
    hostile_env = {"labels": "EATEN", "values": "EATEN", "value": "EATEN", "DOST_GRAFANA_URL": "https://other"}
    stored = provisioned_rule_groups(document, hostile_env)
    written = provisioned_rule_groups(document, {})
    assert stored == written  # the environment changes nothing Grafana keeps
    for group, rules in zip(document["groups"], stored):
        for source, rule in zip(group["rules"], rules["rules"]):
            assert {k: rule[k] for k in ("uid", "title", "for")} == {k: source[k] for k in ("uid", "title", "for")}
            assert rule["labels"] == source["labels"] and rule["annotations"] == source["annotations"]
            annotations = rule["annotations"]
            assert annotations["dashboard_url"] == (
                f"{url}/d/dost-center/center-drill-down?var-center_id={{{{ $labels.center_id }}}}")
            assert "{{ $labels.center_id }}" in annotations["summary"]
            assert "$labels.center_id" in annotations["description"] and "$values.B.Value" in annotations["description"]
            assert [q["model"] for q in rule["data"]] == [q["model"] for q in source["data"]]
    # Why rendered: a variable written into an annotation would reach the page as text.
    assert provisioned_rule_groups(
        {"groups": [{**document["groups"][0], "rules": [{**document["groups"][0]["rules"][0],
                                                         "annotations": {"dashboard_url": "${DOST_GRAFANA_URL}/d"}}]}]},
        {"DOST_GRAFANA_URL": url},
    )[0]["rules"][0]["annotations"]["dashboard_url"] == "${DOST_GRAFANA_URL}/d"
