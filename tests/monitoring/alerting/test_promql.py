"""The rule building blocks: alert() shape, selectors and joins, Go templates, and links."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from dost_contract.settings import Settings
from monitoring import names
from monitoring.alerting.parameters import RuleParameters, rule_parameters
from monitoring.alerting.promql import (
    NO_DECIMALS,
    RATIO_DECIMAL,
    alert,
    below_target_expr,
    center_dashboard_url,
    center_window_value,
    dashboard_url,
    format_number,
    query_template,
    runbook_url,
    scalar_value,
    window_matcher,
    with_region,
)
from tests.monitoring.alerting.rule_helpers import run_tool

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def params() -> RuleParameters:
    settings = Settings(grafana_url="http://grafana.example:3000/", runbook_base_url="https://docs.example/ops.md")
    return rule_parameters(settings, "prod")


def test_alert_keys_in_order_with_a_hold():
    rule = alert("SomethingWrong", "up == 0", severity="page", annotations={"summary": "s"}, hold="10m",
                 labels={"team": "ops"})
    assert list(rule) == ["alert", "expr", "for", "labels", "annotations"]
    assert rule == {"alert": "SomethingWrong", "expr": "up == 0", "for": "10m",
                    "labels": {"severity": "page", "team": "ops"}, "annotations": {"summary": "s"}}
    assert list(rule["labels"]) == ["severity", "team"]


def test_alert_without_a_hold_has_no_for():
    rule = alert("Now", "x > 1", severity="ticket", annotations={"a": "1"}, labels={"z": "last", "b": "2"})
    assert list(rule) == ["alert", "expr", "labels", "annotations"]
    assert list(rule["labels"].items()) == [("severity", "ticket"), ("z", "last"), ("b", "2")]
    assert alert("Now", "x", severity="warning", annotations={})["labels"] == {"severity": "warning"}


def test_window_matcher_for_one_and_several_windows():
    assert window_matcher(("24h",)) == 'window="24h"'
    assert window_matcher(("24h", "7d")) == 'window=~"24h|7d"'
    assert window_matcher(("1h", "24h", "7d", "30d")) == 'window=~"1h|24h|7d|30d"'


def test_below_target_expr():
    assert below_target_expr("m", ("24h", "7d"), 30) == (
        "# below this center's own target ...\n"
        '  m{window=~"24h|7d"}\n'
        "< on (center_id) group_left\n"
        "  dost:center_satisfaction_target:max\n"
        "# ... with enough ratings in the same window for the number to mean something\n"
        "and on (center_id, window)\n"
        '  dost:center_ratings:max{window=~"24h|7d"} >= 30'
    )


def test_with_region_text():
    assert with_region("e") == (
        "(\ne\n)\n"
        "* on (center_id) group_left (region)\n"
        "  topk by (center_id) (1, dost:center_info:max)\n"
        "or\n"
        "(\ne\n)\n"
        "unless on (center_id)\n"
        "  dost:center_info:max"
    )


def test_with_region_keeps_a_center_without_the_info_gauge(tmp_path: Path):
    """Real PromQL (promtool): baku-1 gets its region, baku-9 (no info gauge) still shows up."""
    rules = tmp_path / "none.yml"
    rules.write_text("groups: []\n")
    info = names.CENTER_INFO
    test = {
        "rule_files": [str(rules)],
        "evaluation_interval": "1m",
        "tests": [{
            "interval": "1m",
            "input_series": [
                {"series": 'ratio{center_id="baku-1"}', "values": "0.9x3"},
                {"series": 'ratio{center_id="baku-9"}', "values": "0.8x3"},
                {"series": f'{info}{{center_id="baku-1",region="baku",kind="branch"}}', "values": "1x3"},
            ],
            "promql_expr_test": [{
                "expr": with_region("ratio < 0.95"),
                "eval_time": "2m",
                "exp_samples": [
                    {"labels": '{center_id="baku-1",region="baku"}', "value": 0.9},
                    {"labels": '{__name__="ratio",center_id="baku-9"}', "value": 0.8},  # the filter keeps the name
                ],
            }],
        }],
    }
    test_file = tmp_path / "with_region_test.yml"
    test_file.write_text(yaml.safe_dump(test))
    run_tool(Settings().promtool_binary, "test", "rules", test_file)


def test_query_template_and_center_window_value():
    assert query_template("m", ("center_id",), NO_DECIMALS) == (
        '{{ with printf `m{center_id="%s"}` $labels.center_id | query }}'
        '{{ . | first | value | printf "%.0f" }}{{ end }}'
    )
    assert center_window_value("m", RATIO_DECIMAL) == (
        '{{ with printf `m{center_id="%s",window="%s"}` $labels.center_id $labels.window | query }}'
        '{{ . | first | value | printf "%.4f" }}{{ end }}'
    )


def test_scalar_value_says_n_a_when_absent():
    assert scalar_value("sum(x)", "humanizePercentage") == (
        "{{ with query `sum(x)` }}{{ . | first | value | humanizePercentage }}{{ else }}n/a{{ end }}"
    )


def test_format_number():
    assert [format_number(v) for v in (0.985, 30.0, 1e-9)] == ["0.985", "30", "1e-09"]


def test_links(params: RuleParameters):
    assert runbook_url(params, "center-satisfaction-page") == "https://docs.example/ops.md#center-satisfaction-page"
    assert dashboard_url(params, names.NETWORK_DASHBOARD) == (
        "http://grafana.example:3000/d/dost-network/network-overview")  # the trailing "/" of the base dropped
    assert center_dashboard_url(params) == (
        "http://grafana.example:3000/d/dost-center/center-drill-down?var-center_id={{ $labels.center_id }}"
    )


def test_links_from_the_default_settings():
    params = rule_parameters(Settings(grafana_url="http://127.0.0.1:3000", runbook_base_url="docs/operations.md"),
                             "prod")
    assert dashboard_url(params, names.PIPELINE_DASHBOARD) == "http://127.0.0.1:3000/d/dost-pipeline/pipeline-health"
    assert runbook_url(params, names.RUNBOOK_ANCHOR_LAG) == "docs/operations.md#dost-consumer-lag-growing"
