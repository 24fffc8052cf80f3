"""The case agent on the real stack: web -> Kafka -> cases-worker -> database -> CLI -> followup.cases,
and the SMS loop: an SMS rating's case, the manager's reply, the survey and a "1" that reopens it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import uuid

import httpx
import pytest

from dost_channels import i18n
from dost_channels.case_sms import CASE_SURVEY_PREFIX, queue_case_reply
from dost_channels.cases import CaseStore
from dost_channels.store import ChannelStore
from dost_contract import metric_names, topics
from dost_contract.centers import load_registry
from dost_contract.followup import CaseStatus
from dost_contract.phones import phone_hash
from dost_contract.settings import settings_env
from dost_feedback.stack import services as stack
from feedback_web.sms.signature import DOST_SIGNATURE_HEADER, DOST_TIMESTAMP_HEADER, compute_signature
from tests.conftest import bearer, metric_value, prometheus_query, read_topic, wait_for

pytestmark = pytest.mark.services


@pytest.fixture
def cli(services_settings):
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("DOST_")}, **settings_env(services_settings)}

    def run(*args: str) -> subprocess.CompletedProcess:
        result = subprocess.run([sys.executable, "-m", "dost_feedback", *args], capture_output=True, text=True,
                                env=env, timeout=60)
        assert result.returncode == 0, f"dost-feedback {' '.join(args)}: {result.stderr}"
        return result

    return run


def agent_metric(cases_worker, name: str, **labels: str) -> float:
    return metric_value(httpx.get(cases_worker.url, timeout=10).text, name, **labels) or 0.0


def post(web, key: str, center_id: str, rating: int, comment: str | None = None, feedback_id: str | None = None):
    body = {"center_id": center_id, "rating": rating, "channel": "kiosk", "comment": comment,
            "feedback_id": feedback_id or str(uuid.uuid4())}
    response = httpx.post(f"{web.url}/api/v1/feedback", json=body, headers=bearer(key), timeout=15)
    assert response.status_code == 202, response.text
    return response.json()["feedback_id"]


def case_events(settings, case_id: str) -> list[str]:
    return [value["event"] for _, value in read_topic(settings, topics.FOLLOWUP_CASES) if value["case_id"] == case_id]


def test_a_kiosk_rating_of_1_opens_one_case_that_the_cli_lists_and_resolves(kafka, web, cases_worker, client_key,
                                                                            prometheus, services_settings, cli):
    center = "baku-3"
    submitted = topics.FEEDBACK_SUBMITTED
    duplicates = agent_metric(cases_worker, metric_names.FOLLOWUP_EVENTS_TOTAL, topic=submitted, outcome="duplicate")
    no_case = agent_metric(cases_worker, metric_names.FOLLOWUP_EVENTS_TOTAL, topic=submitted, outcome="no_case")
    resolved = agent_metric(cases_worker, metric_names.FOLLOWUP_CASES_RESOLVED_TOTAL, center_id=center,
                            root_cause="waiting_time")
    feedback_id = post(web, client_key, center, 1, "Waited three hours and nobody explained why")
    post(web, client_key, center, 1, "Waited three hours and nobody explained why", feedback_id=feedback_id)  # again
    happy = post(web, client_key, center, 5)
    store = CaseStore(services_settings.channels_database)
    wait_for(lambda: agent_metric(cases_worker, metric_names.FOLLOWUP_EVENTS_TOTAL, topic=submitted,
                                  outcome="duplicate") >= duplicates + 1
             and agent_metric(cases_worker, metric_names.FOLLOWUP_EVENTS_TOTAL, topic=submitted,
                              outcome="no_case") >= no_case + 1,
             timeout=45, message="the agent handled the rating, its second delivery and the 5")
    case = store.get_by_feedback(feedback_id)
    assert case is not None and store.get_by_feedback(happy) is None
    assert [c.case_id for c in store.list_cases(centers=[center]) if c.feedback_id == feedback_id] == [case.case_id]

    listed = json.loads(cli("cases", "list", "--center", center, "--json").stdout)
    (mine,) = [c for c in listed if c["feedback_id"] == feedback_id]
    assert (mine["case_id"], mine["status"], mine["center_id"]) == (case.case_id, "open", center)
    assert mine["due_at"] > mine["opened_at"]
    wait_for(lambda: agent_metric(cases_worker, metric_names.FOLLOWUP_CASES_OPEN, center_id=center) >= 1,
             timeout=20, message="the open-cases gauge")

    out = cli("cases", "resolve", case.case_id, "--root-cause", "waiting_time", "--note", "A second window opened")
    assert out.stdout == f"{case.case_id}: resolved\n"
    assert store.get(case.case_id).status == CaseStatus.RESOLVED
    wait_for(lambda: case_events(services_settings, case.case_id) == ["opened", "resolved"], timeout=20,
             message="followup.cases has the case opened and resolved")
    wait_for(lambda: agent_metric(cases_worker, metric_names.FOLLOWUP_CASES_RESOLVED_TOTAL, center_id=center,
                                  root_cause="waiting_time") == resolved + 1, timeout=20,
             message="the root-cause counter")
    assert agent_metric(cases_worker, metric_names.FOLLOWUP_CASE_RESOLUTION_SECONDS + "_count", center_id=center) >= 1
    # The real Prometheus scrapes the agent (job dost-followup): the series the dashboards and the alert read.
    resolved_in_prometheus = (f'{metric_names.FOLLOWUP_CASES_RESOLVED_TOTAL}{{job="dost-followup",'
                              f'center_id="{center}",root_cause="waiting_time"}}')
    wait_for(lambda: [float(s["value"][1]) for s in prometheus_query(prometheus, resolved_in_prometheus)]
             == [resolved + 1], timeout=30, message="Prometheus has the resolution")
    for name in (metric_names.FOLLOWUP_CASES_OPEN, metric_names.FOLLOWUP_CASES_OVERDUE):
        assert prometheus_query(prometheus, f'{name}{{job="dost-followup",center_id="{center}"}}'), name


def sms_reply(web, settings, phone: str, body: str) -> dict:
    form = {"From": phone, "Body": body, "MessageId": f"gw-{uuid.uuid4()}"}
    timestamp = int(time.time())
    headers = {DOST_SIGNATURE_HEADER: compute_signature(settings.sms_signature_secret.get_secret_value(),
                                                        f"{web.url}/sms/inbound", form.items(), timestamp),
               DOST_TIMESTAMP_HEADER: str(timestamp)}
    response = httpx.post(f"{web.url}/sms/inbound", data=form, headers=headers, timeout=15)
    assert response.status_code == 200, response.text
    return response.json()


def sent_to(settings, phone: str) -> list[str]:
    key = phone_hash(settings.phone_hash_secret.get_secret_value(), phone)
    path = settings.sms_outbox_path
    lines = path.read_text().splitlines() if path.exists() else []
    return [r["text"] for r in map(json.loads, lines) if r["to_hash"] == key]


def test_an_sms_case_gets_the_managers_reply_then_the_survey_and_a_1_reopens_it(kafka, web, sms_inviter,
                                                                                cases_worker, services_settings, cli):
    center, phone, digits = "karabakh-shusha", "+994 70 444 55 66", "4445566"
    visit = cli("visit-completed", "--center", center, "--phone", phone, "--language", "en").stdout
    assert re.search(r"published visit (\S+)", visit)
    wait_for(lambda: sent_to(services_settings, phone), timeout=30, message="the invitation SMS")
    answer = sms_reply(web, services_settings, phone, "1 the queue never moved")
    assert answer["status"] == "counted"
    store = CaseStore(services_settings.channels_database)
    case = wait_for(lambda: store.get_by_feedback(answer["feedback_id"]), timeout=30, message="the SMS case")
    assert (case.channel, case.rating) == ("sms", 1) and digits not in json.dumps(case.to_json())

    registry = load_registry(services_settings)
    channels = ChannelStore(services_settings.channels_database)
    queue_case_reply(channels, store, registry, case.case_id, "We are sorry. Please ask for Aysel next time.",
                     "manager@dost.az")
    name = registry.get(center).name.en
    reply = i18n.text("sms_case_reply", "en", center=name, message="We are sorry. Please ask for Aysel next time.")
    wait_for(lambda: reply in sent_to(services_settings, phone), timeout=30, message="the manager's reply SMS")

    cli("cases", "resolve", case.case_id, "--root-cause", "waiting_time", "--note", "Queue display fixed")
    survey = i18n.text("sms_case_survey", "en", center=name)
    wait_for(lambda: survey in sent_to(services_settings, phone), timeout=30, message="the survey SMS")
    wait_for(lambda: channels.invitation(CASE_SURVEY_PREFIX + case.case_id).sent_at, timeout=10,
             message="the survey marked sent")
    def sms_ratings() -> list[dict]:  # other tests of the session rate this center by SMS too
        return [v for _, v in read_topic(services_settings, topics.FEEDBACK_SUBMITTED)
                if v.get("channel") == "sms" and v.get("center_id") == center]  # some tests send malformed ones

    before = sms_ratings()
    assert case.feedback_id in {r["feedback_id"] for r in before}
    outcome = sms_reply(web, services_settings, phone, "1")
    assert outcome == {"status": "case_survey", "feedback_id": None}  # recorded on the case, not a rating
    reopened = store.get(case.case_id)
    assert (reopened.status, reopened.survey_rating) == (CaseStatus.OPEN, 1)
    assert i18n.text("sms_case_survey_thanks", "en") in sent_to(services_settings, phone)
    # The survey answer was not published as a rating (the web answers only after Kafka has
    # acknowledged what it publishes, so nothing can still be on its way).
    assert sms_ratings() == before
    assert digits not in (stack.logs_dir(services_settings) / "cases-worker.log").read_text(errors="replace")
