"""``dost-feedback devices|qr|sms-parse|visit-completed`` as a user runs them, on a fresh state."""

from __future__ import annotations

import json
import re
import time

import pytest

from dost_channels.store import ChannelStore, DeviceCheck
from dost_contract.events import ServiceGroup
from dost_feedback.stack.processes import free_port
from feedback_web.qr import render_qr

BAD_GROUP = f"unknown service group 'bogus'; one of: {', '.join(g.value for g in ServiceGroup)}"
BAD_PHONE = "--phone is not a phone number; give it like +994501234567 or 050 123 45 67"
PHONE = "+994501234567"


def test_devices_list_on_a_fresh_state_says_so(cli):
    result = cli("devices", "list")
    assert (result.returncode, result.stdout, result.stderr) == (0, "no devices\n", "")


def test_devices_add_refuses_an_unknown_center_and_lists_the_known(cli, known_centers):
    result = cli("devices", "add", "--center", "mars-1")
    assert result.returncode == 1
    assert result.stderr == f"error: unknown center 'mars-1'; known: {known_centers}\n"
    assert result.stdout == ""
    assert cli("devices", "list").stdout == "no devices\n"


def test_a_device_is_added_once_listed_active_and_revoked_once(cli, tmp_path):
    added = cli("devices", "add", "--center", "baku-1", "--label", "exit, left",
                public_base_url="https://feedback.example.az")
    assert added.returncode == 0, added.stderr
    device_id = re.search(r"^device_id: (dev-[0-9a-f]{12})$", added.stdout, re.M).group(1)
    token = re.search(r"^token: +(dk_\S+)$", added.stdout, re.M).group(1)
    assert added.stdout.splitlines() == [
        f"device_id: {device_id}",
        "center:    baku-1",
        f"token:     {token}",
        f"setup URL: https://feedback.example.az/kiosk/baku-1#token={token}",
        "Open the setup URL once on the tablet. The token is not shown again.",
    ]
    store = ChannelStore(tmp_path / "channels.sqlite3")
    assert store.check_device(token, "baku-1") == (DeviceCheck.OK, device_id)

    header, row = cli("devices", "list").stdout.splitlines()
    assert header.split() == ["device_id", "center", "status", "created", "revoked", "label"]
    assert row.split()[:3] == [device_id, "baku-1", "active"] and row.endswith(" -                     exit, left")
    assert token not in row

    revoked = cli("devices", "revoke", device_id)
    assert (revoked.returncode, revoked.stdout) == (0, f"revoked {device_id}\n")
    assert cli("devices", "list").stdout.splitlines()[1].split()[2] == "revoked"
    assert store.check_device(token, "baku-1") == (DeviceCheck.REVOKED, device_id)
    again = cli("devices", "revoke", device_id)
    assert again.returncode == 1
    assert again.stderr == f"error: no active device {device_id!r} (see 'dost-feedback devices list')\n"


@pytest.mark.parametrize(
    "args,message",
    [
        (["--center", "baku-1", "--format", "gif"], "--format must be svg or png"),
        (["--center", "baku-1", "--service-group", "bogus"], BAD_GROUP),
        (["--center", "mars-1"], "unknown center 'mars-1'; known: {known}"),
    ],
)
def test_qr_refuses_bad_options_with_one_line(cli, tmp_path, known_centers, args, message):
    result = cli("qr", *args)
    error = f"error: {message.format(known=known_centers)}\n"
    assert (result.returncode, result.stdout, result.stderr) == (1, "", error)
    assert not (tmp_path / "channels.sqlite3").exists(), "nothing is issued for a refused request"


def test_qr_writes_an_svg_and_issues_a_one_time_link(cli, tmp_path):
    out = tmp_path / "ticket.svg"
    result = cli("qr", "--center", "baku-1", "--service-group", "pensions", "--format", "svg", "--out", str(out),
                 public_base_url="https://feedback.example.az", qr_token_ttl_hours=2)
    assert result.returncode == 0, result.stderr
    url, wrote = result.stderr.splitlines()
    assert wrote == f"wrote {out}" and result.stdout == ""
    token = re.fullmatch(r"https://feedback\.example\.az/r/(\S+)", url).group(1)
    assert out.read_bytes() == render_qr(url, kind="svg", scale=8)
    issued = ChannelStore(tmp_path / "channels.sqlite3").qr_token(token)
    assert (issued.center_id, issued.service_group, issued.used_at) == ("baku-1", "pensions", None)
    assert issued.expires_at == pytest.approx(time.time() + 2 * 3600, abs=120)


def test_qr_without_out_writes_the_png_to_stdout_and_the_url_to_stderr(cli):
    result = cli("qr", "--center", "baku-2", "--format", "png", "--scale", "2", text=False)
    assert result.returncode == 0, result.stderr
    url = result.stderr.decode().strip()
    assert re.fullmatch(r"http://127\.0\.0\.1:8000/r/\S+", url)
    assert result.stdout == render_qr(url, kind="png", scale=2)


def test_sms_parse_prints_the_contract_json(cli):
    result = cli("sms-parse", "5 çox yaxşı idi")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"rating": 5, "comment": "çox yaxşı idi", "opt_out": False, "language": "az"}
    result = cli("sms-parse", "СТОП")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"rating": None, "comment": "", "opt_out": True, "language": "ru"}


@pytest.mark.parametrize(
    "args,message",
    [
        (["--phone", "abc"], BAD_PHONE),
        (["--phone", "12"], BAD_PHONE),
        (["--phone", PHONE, "--language", "xx"], "--language must be one of az, ru, en; got 'xx'"),
        (["--phone", PHONE, "--service-group", "bogus"], BAD_GROUP),
        (["--phone", PHONE, "--visit-id", "v" * 129], "--visit-id: String should have at most 128 characters"),
    ],
)
def test_visit_completed_refuses_bad_input_with_one_line(cli, args, message):
    # Nobody listens on the broker port: each error must come before any attempt to publish.
    result = cli("visit-completed", "--center", "baku-1", *args, kafka_bootstrap_servers=f"127.0.0.1:{free_port()}")
    assert (result.returncode, result.stdout, result.stderr) == (1, "", f"error: {message}\n")


def test_visit_completed_without_a_broker_says_where_it_could_not_publish(cli):
    broker = f"127.0.0.1:{free_port()}"
    started = time.monotonic()
    result = cli("visit-completed", "--center", "baku-1", "--phone", PHONE, kafka_bootstrap_servers=broker)
    assert time.monotonic() - started < 15, "a refused connection must fail fast"
    assert result.returncode == 1 and result.stdout == ""
    [error] = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert error.startswith(f"error: cannot publish to {broker}: KafkaConnectionError(")
    assert PHONE not in result.stderr and "4567" not in result.stderr
