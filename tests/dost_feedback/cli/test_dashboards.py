"""``dost-feedback dashboards push``: its token and URL as a user gives them (the push: tests/monitoring)."""

from __future__ import annotations

import pytest

from dost_feedback.stack.processes import free_port


def test_push_without_a_token_is_a_usage_error_naming_the_option_and_its_variable(cli):
    result = cli("dashboards", "push", "--url", f"http://127.0.0.1:{free_port()}", env={"COLUMNS": "200"})
    assert result.returncode == 2 and result.stdout == ""
    assert "Missing option '--token' (env var: 'DOST_GRAFANA_TOKEN')." in result.stderr


def test_the_url_and_token_default_to_the_settings(cli):
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    result = cli("dashboards", "push", grafana_url=url, env={"DOST_GRAFANA_TOKEN": "x"})
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == f"error: cannot reach Grafana at {url}: connection refused (nothing listening there)\n"


@pytest.mark.parametrize(
    "args,message",
    [
        (["--url", "grafana:3000", "--token", "x"],
         "--url must be Grafana's base URL, like http://127.0.0.1:3000 (got 'grafana:3000')"),
        (["--url", "http://127.0.0.1:1", "--token", ""],
         "--token is empty: pass a Grafana service-account token (Editor role)"),
    ],
    ids=["url-without-scheme", "empty-token"],
)
def test_bad_url_or_token_is_one_line_before_any_request(cli, args, message):
    result = cli("dashboards", "push", *args)
    assert (result.returncode, result.stdout, result.stderr) == (1, "", f"error: {message}\n")
