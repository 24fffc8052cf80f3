"""The committed Grafana files: no drift, five dashboards with fixed uids, sound structure, provisioning."""

from __future__ import annotations

import json
from itertools import combinations

import pytest
import yaml
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models import dashboard as sdk_dashboard

from monitoring import dashboards
from monitoring.alerting.shipped import shipped_settings
from monitoring.dashboards import files as grafana_files
from monitoring.dashboards.panels import DATASOURCE_UID, SCHEMA_VERSION, all_panels
from monitoring.names import CENTER_DASHBOARD, NETWORK_DASHBOARD, PIPELINE_DASHBOARD, slug
from tests.monitoring.dashboards.committed import committed_dashboards

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
