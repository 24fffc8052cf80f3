"""``dost-feedback cases list|show|resolve|reopen|close`` on a real state dir's database."""

from __future__ import annotations

import json
import time

from dost_channels.cases import CaseStore
from dost_contract.followup import OpenReason, new_case


def open_cases(tmp_path) -> tuple[str, str]:
    store = CaseStore(tmp_path / "channels.sqlite3")
    now = time.time()
    late = store.open_case(new_case(feedback_id="f-1", center_id="baku-1", reason=OpenReason.LOW_RATING, rating=1,
                                    channel="kiosk", opened_at=now - 7200, due=now - 60, comment="waited"))[0]
    other = store.open_case(new_case(feedback_id="f-2", center_id="baku-2", reason=OpenReason.NEGATIVE_COMMENT,
                                     rating=3, channel="qr", opened_at=now, due=now + 86400))[0]
    store.close()
    return late.case_id, other.case_id


def test_list_as_json_with_the_contract_keys_then_resolve_and_reopen(cli, tmp_path):
    late, other = open_cases(tmp_path)
    listed = json.loads(cli("cases", "list", "--center", "baku-1", "--json").stdout)
    assert [c["case_id"] for c in listed] == [late]
    (case,) = listed
    assert {"case_id", "center_id", "feedback_id", "status", "opened_at", "due_at"} <= set(case)
    assert (case["status"], case["feedback_id"], case["overdue"]) == ("open", "f-1", True)
    assert case["due_at"].endswith("+00:00")
    table = cli("cases", "list").stdout
    assert late in table and other in table and " !" in table  # the overdue one is marked

    resolved = cli("cases", "resolve", late, "--root-cause", "waiting_time", "--note", "Opened a second window",
                   "--by", "aysel@dost.az")
    assert resolved.returncode == 0 and resolved.stdout == f"{late}: resolved\n", resolved.stderr
    assert [c["case_id"] for c in json.loads(cli("cases", "list", "--status", "resolved", "--json").stdout)] == [late]
    shown = json.loads(cli("cases", "show", late).stdout)
    assert (shown["root_cause"], shown["resolution_note"]) == ("waiting_time", "Opened a second window")
    assert [(h["action"], h["actor"]) for h in shown["history"]] == [("opened", "system"),
                                                                    ("resolved", "aysel@dost.az")]
    assert cli("cases", "reopen", late, "--note", "called again").stdout == f"{late}: open\n"
    assert cli("cases", "list", "--status", "closed").stdout == "no cases\n"


def test_bad_input_is_one_clear_error(cli, tmp_path):
    late, _ = open_cases(tmp_path)
    for args, message in [
        (("resolve", late, "--root-cause", "weather", "--note", "n"), "root cause 'weather' is not one of"),
        (("resolve", late, "--root-cause", "other", "--note", " "), "needs a note"),
        (("resolve", "case-missing", "--root-cause", "other", "--note", "n"), "no case 'case-missing'"),
        (("close", late), "cannot close it"),
        (("list", "--status", "done"), "unknown status 'done'"),
        (("list", "--center", "nowhere"), "unknown center 'nowhere'"),
    ]:
        result = cli("cases", *args)
        assert result.returncode == 1 and message in result.stderr, (args, result.stderr)
