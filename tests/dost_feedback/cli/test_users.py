"""``dost-feedback users add|list|link|token|disable`` as an operator runs them, on a fresh state."""

from __future__ import annotations

import re

from dost_channels.users import ManagerUsers


def test_add_prints_a_one_time_link_and_list_shows_the_scope(cli, tmp_path):
    added = cli("users", "add", "--email", "Leyla@example.az", "--role", "manager", "--center", "baku-1",
                "--center", "baku-2", public_base_url="https://feedback.example.az")
    assert added.returncode == 0, added.stderr
    token = re.search(r"^set-password link: https://feedback\.example\.az/manage/set-password#token=(\S+)$",
                      added.stdout, re.MULTILINE).group(1)
    assert "role:    manager (baku-1, baku-2)" in added.stdout
    users = ManagerUsers(tmp_path / "channels.sqlite3")
    assert users.password_link_user(token).email == "leyla@example.az"
    listed = cli("users", "list").stdout.splitlines()
    assert listed[1].split() == ["leyla@example.az", "manager", "no-pass", "baku-1,baku-2"]
    assert re.search(r"^token: mt_\S+$", cli("users", "token", "--email", "leyla@example.az").stdout, re.MULTILINE)
    assert cli("users", "disable", "--email", "leyla@example.az").stdout == "disabled leyla@example.az\n"
    assert users.password_link_user(token) is None


def test_bad_input_says_what_to_give(cli, known_centers):
    cases = [
        (["--role", "manager"], "error: a manager needs --center (one or more, repeat it) and no --region\n"),
        (["--role", "manager", "--center", "mars-1"], f"error: unknown center 'mars-1'; known: {known_centers}\n"),
        (["--role", "regional", "--region", "Mars"], "error: unknown region 'Mars'; known: "),
        (["--role", "chief"], "error: --role must be one of manager, regional, admin; got 'chief'\n"),
    ]
    for args, error in cases:
        result = cli("users", "add", "--email", "x@example.az", *args)
        assert result.returncode == 1 and result.stderr.startswith(error), (args, result.stderr)
    assert cli("users", "list").stdout == "no users\n"
    assert cli("users", "token", "--email", "x@example.az").stderr.startswith("error: no user 'x@example.az'")
