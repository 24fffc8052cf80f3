"""The on-call config: parsing, clear errors, and route -> channels (pure)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dost_contract.centers import load_registry
from dost_contract.settings import PROJECT_ROOT, Settings
from monitoring.oncall.config import (
    OncallConfigError,
    load_oncall_config,
    managers_channels,
    parse_oncall_config,
    route_channels,
)

VALID = """
channels:
  dev-file: {type: dev}
  duty-sms: {type: sms, to: ["+994501234567"]}
  karabakh-sms: {type: sms, to: ["+994501234568"]}
  ops-mail: {type: email, to: ["oncall@example.az"]}
  chat: {type: webhook, url: "https://chat.example.az/hook"}
default_channels: [dev-file]
routes:
  - {severity: page, channels: [duty-sms, ops-mail]}
  - {severity: page, region: karabakh, channels: [karabakh-sms]}
  - {severity: ticket, channels: [chat]}
"""


def test_routes_pick_region_then_severity_then_default():
    config = parse_oncall_config(VALID, "test", known_regions=["baku", "karabakh"])
    assert route_channels(config, "page", "karabakh") == ["karabakh-sms"]
    assert route_channels(config, "page", "baku") == ["duty-sms", "ops-mail"]  # no baku route: the severity's
    assert route_channels(config, "page", None) == ["duty-sms", "ops-mail"]  # network/pipeline pages
    assert route_channels(config, "ticket", None) == ["chat"]
    assert route_channels(config, "warning", "baku") == ["dev-file"]  # no warning route: the defaults
    assert route_channels(config, None, None) == ["dev-file"]
    assert config.channels["ops-mail"].type == "email"


def test_overdue_case_tickets_go_to_the_regions_managers_by_e_mail_never_sms():
    text = VALID + (
        "managers:\n  channels: [ops-mail]\n  regions: {karabakh: [chat]}\n")
    config = parse_oncall_config(text, "test", known_regions=["baku", "karabakh"])
    assert managers_channels(config, "karabakh") == ["chat"]
    assert managers_channels(config, "baku") == managers_channels(config, None) == ["ops-mail"]
    # Without a managers: block, the defaults that are not SMS.
    plain = parse_oncall_config(VALID.replace("default_channels: [dev-file]", "default_channels: [duty-sms, dev-file]"),
                                "test")
    assert managers_channels(plain, "karabakh") == ["dev-file"]
    with pytest.raises(OncallConfigError, match=r"managers: channel\(s\) \['duty-sms'\] are SMS"):
        parse_oncall_config(VALID + "managers: {channels: [duty-sms]}\n", "test")
    with pytest.raises(OncallConfigError, match=r"region\(s\) \['atlantis'\]"):
        parse_oncall_config(VALID + "managers: {channels: [ops-mail], regions: {atlantis: [chat]}}\n", "test",
                            known_regions=["baku", "karabakh"])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("channels: [", "not valid YAML", id="bad yaml"),
        pytest.param("- a list", "must be a mapping", id="not a mapping"),
        pytest.param("channels: {d: {type: dev}}", "default_channels: Field required", id="no defaults"),
        pytest.param("channels: {d: {type: pager}}\ndefault_channels: [d]", "channels.d", id="unknown type"),
        pytest.param(
            "channels: {s: {type: sms, to: ['0501234567']}}\ndefault_channels: [s]", "channels.s.sms.to.0",
            id="phone not E.164",
        ),
        pytest.param("channels: {e: {type: email, to: ['nobody']}}\ndefault_channels: [e]", "channels.e.email.to.0",
                     id="bad e-mail"),
        pytest.param("channels: {d: {type: dev}}\ndefault_channels: [d, sms]", "unknown channel(s) ['sms']",
                     id="unknown channel"),
        pytest.param(
            "channels: {d: {type: dev}}\ndefault_channels: [d]\nroutes: [{severity: urgent, channels: [d]}]",
            "routes.0.severity", id="unknown severity",
        ),
        pytest.param(
            "channels: {d: {type: dev}}\ndefault_channels: [d]\n"
            "routes: [{severity: page, channels: [d]}, {severity: page, channels: [d]}]",
            "two routes for severity=page", id="duplicate route",
        ),
        pytest.param(
            "channels: {d: {type: dev}}\ndefault_channels: [d]\nroutes: [{severity: page, region: karabak, channels: [d]}]",
            "region(s) ['karabak'] are not in the center registry", id="misspelt region",
        ),
        pytest.param("channels: {d: {type: dev, to: x}}\ndefault_channels: [d]", "Extra inputs", id="extra key"),
    ],
)
def test_bad_config_names_the_file_and_the_problem(text: str, message: str):
    with pytest.raises(OncallConfigError) as error:
        parse_oncall_config(text, "/etc/dost/oncall.yaml", known_regions=["baku", "karabakh"])
    assert "/etc/dost/oncall.yaml" in str(error.value)
    assert message in str(error.value)


def test_missing_file_says_which_setting(tmp_path: Path):
    with pytest.raises(OncallConfigError, match="not found: .*DOST_ONCALL_CONFIG_FILE"):
        load_oncall_config(tmp_path / "nope.yaml")


@pytest.mark.parametrize("name", ["oncall.yaml", "oncall.example.yaml"])
def test_shipped_configs_are_valid_against_the_registry(name: str):
    regions = load_registry(Settings(), include_planned=True).regions()
    config = load_oncall_config(PROJECT_ROOT / "config" / name, regions)
    for severity in ("page", "warning", "ticket"):
        assert route_channels(config, severity, None)


def test_the_local_config_pages_by_sms_and_writes_everything_to_the_dev_file():
    config = load_oncall_config(Settings().oncall_config_file)
    assert route_channels(config, "page", "baku") == ["duty-sms", "dev-file"]
    assert all("dev-file" in route_channels(config, s, None) for s in ("page", "warning", "ticket", None))
