"""``dost-feedback oncall log|retry|check`` as an operator runs them, on a fresh state."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from dost_contract.settings import PROJECT_ROOT, SEVERITIES
from monitoring.oncall.outbox import NewChannel, Outbox

NO_IDS = "name the failed delivery ids to retry (see `dost-feedback oncall log --failed`), or pass --all-failed"
REGION_CONFIG = """\
channels:
  dev-file: {type: dev}
  karabakh-sms: {type: sms, to: ["+994500000002"]}
default_channels: [dev-file]
routes:
  - {severity: page, region: karabakh, channels: [karabakh-sms, dev-file]}
  - {severity: page, channels: [dev-file]}
"""


def no_outbox(tmp_path: Path) -> str:
    return (f"error: no on-call outbox at {tmp_path / 'oncall.sqlite3'}: "
            "the receiver has not run with this DOST_STATE_DIR\n")


@pytest.mark.parametrize("args", [["log"], ["log", "--failed"], ["retry", "1"], ["retry", "--all-failed"]])
def test_without_an_outbox_the_commands_name_the_path_and_create_nothing(cli, tmp_path, args):
    result = cli("oncall", *args)
    assert (result.returncode, result.stdout, result.stderr) == (1, "", no_outbox(tmp_path))
    assert not (tmp_path / "oncall.sqlite3").exists()


def test_the_outbox_is_where_dost_oncall_db_file_says(cli, tmp_path):
    seed_outbox(tmp_path / "oncall.sqlite3")
    elsewhere = tmp_path / "elsewhere" / "outbox.sqlite3"
    result = cli("oncall", "log", oncall_db_file=elsewhere)
    assert (result.returncode, result.stderr) == (1, f"error: no on-call outbox at {elsewhere}: "
                                                     "the receiver has not run with this DOST_STATE_DIR\n")


@pytest.mark.parametrize(
    "args,message",
    [([], NO_IDS), (["3", "--all-failed"], "give delivery ids or --all-failed, not both")],
)
def test_retry_needs_ids_or_all_failed_but_not_both(cli, args, message):
    result = cli("oncall", "retry", *args)
    assert (result.returncode, result.stdout, result.stderr) == (1, "", f"error: {message}\n")


def seed_outbox(path: Path) -> tuple[int, int]:
    """One page notification whose SMS delivery failed and whose file delivery was sent: (failed, sent) ids."""
    outbox = Outbox(path)
    now = time.time()
    outbox.persist(received_at=now, receiver="page", status="firing", severity="page", region=None,
                   summary="baku-3 satisfaction is low", payload="{}",
                   channels=[NewChannel("duty-sms", "sms", {}), NewChannel("dev-file", "dev", {})])
    failed, sent = sorted(entry.delivery_id for entry in outbox.log())
    outbox.mark_failed(failed, 8, "gateway said 503", now)
    outbox.mark_sent(sent, 1, now)
    outbox.close()
    return failed, sent


def test_log_and_retry_on_an_outbox_with_a_failed_delivery(cli, tmp_path):
    failed, sent = seed_outbox(tmp_path / "oncall.sqlite3")

    log = cli("oncall", "log", "--failed")
    assert log.returncode == 0, log.stderr
    lines = log.stdout.splitlines()
    assert lines[0].startswith(f"#{failed} ")
    assert lines[0].endswith("  FAILED  duty-sms (sms)  attempts=8  page firing: baku-3 satisfaction is low")
    assert lines[1:] == ["        last error: gateway said 503", "deliveries: sent 1, pending 0, failed 1"]

    retried = cli("oncall", "retry", str(sent), str(failed))
    assert retried.returncode == 0, retried.stderr
    assert retried.stdout == (f"requeued 1 deliveries: {failed}; "
                              "the running receiver sends them within a few seconds\n")
    assert retried.stderr == f"not failed (sent, still pending or unknown), left alone: {sent}\n"
    assert cli("oncall", "log").stdout.splitlines()[-1] == "deliveries: sent 1, pending 1, failed 0"

    again = cli("oncall", "retry", "--all-failed")
    assert (again.returncode, again.stderr) == (1, "error: no failed delivery was requeued\n")


def test_check_validates_the_shipped_config_and_prints_each_route(cli):
    result = cli("oncall", "check", oncall_max_attempts=3, oncall_retry_base_seconds=5, oncall_retry_factor=2)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"{PROJECT_ROOT / 'config' / 'oncall.yaml'}: OK"
    assert [line.split()[0] for line in lines[1:1 + len(SEVERITIES)]] == list(SEVERITIES)
    assert all(" -> " in line and not line.endswith("-> ") for line in lines[1:-1])
    assert lines[-2:] == ["  (no severity) -> dev-file", "retries: 3 attempts, waits 5s, 10s"]


def test_check_prints_region_routes_after_the_severities(cli, tmp_path):
    config = tmp_path / "oncall.yaml"
    config.write_text(REGION_CONFIG)
    result = cli("oncall", "check", oncall_config_file=config, oncall_max_attempts=1)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"{config}: OK",
        "  page     -> dev-file",
        "  warning  -> dev-file",
        "  ticket   -> dev-file",
        "  page@karabakh -> karabakh-sms, dev-file",
        "  (no severity) -> dev-file",
        "retries: 1 attempts, waits none",
    ]


@pytest.mark.parametrize(
    "text,message",
    [
        (None, "on-call config not found: {path} (set DOST_ONCALL_CONFIG_FILE)"),
        ("routes: 5\n", "on-call config {path} is invalid: channels: Field required; "
                        "default_channels: Field required; routes: Input should be a valid list"),
        ("- just a list\n", "on-call config {path} must be a mapping with 'channels' and 'default_channels'"),
        (REGION_CONFIG.replace("region: karabakh", "region: atlantis"),
         "on-call config {path}: region(s) ['atlantis'] are not in the center registry (known: absheron, "),
    ],
)
def test_check_explains_a_broken_config_in_one_line(cli, tmp_path, text, message):
    config = tmp_path / "oncall.yaml"
    if text is not None:
        config.write_text(text)
    result = cli("oncall", "check", env={"DOST_ONCALL_CONFIG_FILE": str(config)})
    assert result.returncode == 1 and result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith(f"error: {message.format(path=config)}")


def test_check_of_invalid_yaml_names_the_file_then_where_the_yaml_breaks(cli, tmp_path):
    config = tmp_path / "oncall.yaml"
    config.write_text("channels: [\n")
    result = cli("oncall", "check", oncall_config_file=config)
    assert result.returncode == 1 and result.stdout == ""
    first, *detail = result.stderr.splitlines()
    assert first.startswith(f"error: on-call config {config} is not valid YAML: ")
    assert any("line 2, column 1" in line for line in detail)
