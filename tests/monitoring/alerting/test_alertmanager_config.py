"""The rendered Alertmanager config (pure): routes, timings, inhibition, resolved."""

from __future__ import annotations

from dost_contract.settings import Settings
from monitoring.alerting.alertmanager_config import (
    managers_receiver_name,
    parse_managers_receiver_name,
    parse_receiver_name,
    receiver_name,
    render_alertmanager_config,
)

URL = "http://receiver:9097/alertmanager"
TOKEN_FILE = "/run/secrets/oncall_webhook_token"


def durations_seconds(text: str) -> int:
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    return int(text[:-1]) * units[text[-1]]


def test_receiver_names_round_trip():
    assert receiver_name("page", "east-zangezur") == "page@east-zangezur"
    assert parse_receiver_name("page@east-zangezur") == ("page", "east-zangezur")
    assert parse_receiver_name("ticket") == ("ticket", None)
    assert parse_receiver_name("oncall") == (None, None)
    assert receiver_name(None) == "oncall"
    assert managers_receiver_name("karabakh") == "managers@karabakh" and managers_receiver_name() == "managers"
    assert parse_managers_receiver_name("managers@karabakh") == (True, "karabakh")
    assert parse_managers_receiver_name("managers") == (True, None)
    assert parse_managers_receiver_name("ticket@karabakh") == (False, None)


def test_one_route_per_severity_with_one_sub_route_per_region():
    config = render_alertmanager_config(URL, Settings().monitoring_profile("prod"),
                                        regions=["karabakh", "baku", "baku"], credentials_file=TOKEN_FILE)
    watchdog, managers, *routes = config["route"]["routes"]
    assert (managers["receiver"], managers["matchers"]) == ("managers", ['alertname="FollowupCasesOverdue"'])
    assert [(r["receiver"], r["matchers"]) for r in managers["routes"]] == [
        ("managers@baku", ['region="baku"']), ("managers@karabakh", ['region="karabakh"'])]
    assert (watchdog["receiver"], watchdog["matchers"]) == ("deadmans-switch", ['alertname="Watchdog"'])
    assert watchdog["repeat_interval"] == watchdog["group_interval"] and "continue" not in watchdog
    assert [(r["receiver"], r["matchers"]) for r in routes] == [
        ("page", ['severity="page"']), ("warning", ['severity="warning"']), ("ticket", ['severity="ticket"'])
    ]
    assert [(r["receiver"], r["matchers"]) for r in routes[0]["routes"]] == [
        ("page@baku", ['region="baku"']), ("page@karabakh", ['region="karabakh"'])
    ]
    names = [r["name"] for r in config["receivers"]]
    assert len(names) == len(set(names)) == 1 + 3 * 3 + 3 + 1
    bearer = {"authorization": {"type": "Bearer", "credentials_file": TOKEN_FILE}}
    assert all(r["webhook_configs"] == [{"url": URL, "send_resolved": True, "http_config": bearer}]
               for r in config["receivers"] if r["name"] != "deadmans-switch")
    assert config["receivers"][-1]["webhook_configs"][0]["url"] == "http://receiver:9097/heartbeat"
    assert config["route"]["group_by"] == ["alertname", "center_id"]


def test_pages_repeat_more_often_than_warnings_and_warnings_than_tickets():
    for profile in ("dev", "prod"):
        routes = render_alertmanager_config(URL, Settings().monitoring_profile(profile),
                                            credentials_file=TOKEN_FILE)["route"]["routes"][2:]  # after Watchdog, managers
        repeat = [durations_seconds(r["repeat_interval"]) for r in routes]
        assert repeat == sorted(repeat) and repeat[0] < repeat[-1], (profile, repeat)
        assert "routes" not in routes[0]  # no regions given: severity routes only


def test_inhibition_page_over_warning_per_center_and_network_page_over_ticket():
    rules = render_alertmanager_config(URL, Settings().monitoring_profile("prod"),
                                       credentials_file=TOKEN_FILE)["inhibit_rules"]
    assert rules == [
        {
            "source_matchers": ['severity="page"', 'center_id=~".+"'],
            "target_matchers": ['severity="warning"'],
            "equal": ["alertname", "center_id"],
        },
        {
            "source_matchers": ['alertname="NetworkSatisfactionBudgetBurn"', 'severity="page"'],
            "target_matchers": ['alertname="NetworkSatisfactionBudgetBurn"', 'severity="ticket"'],
            "equal": ["alertname"],
        },
    ]
