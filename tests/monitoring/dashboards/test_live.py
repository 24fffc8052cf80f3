"""Every dashboard panel's PromQL, and the Grafana alert rules' PromQL, against the real pipeline.

Real Kafka, stream worker, sentiment worker (real model) and web; real Prometheus scraping
them with the rendered recording and alert rules. The test submits real ratings through the
web (comments in az/ru/en, a center pushed below target so its alert is pending or firing,
an invalid submission and an unparseable Kafka record so rejections and dead letters exist),
then runs each query with Grafana's template variables substituted and requires at least
one series from each. Nothing is padded (no ``or vector(0)``): the data has to exist.
"""

from __future__ import annotations

import time
from itertools import cycle
from pathlib import Path

import httpx
import pytest
import yaml

from dost_channels.cases import CaseStore
from dost_contract import topics
from dost_contract.settings import Settings
from dost_feedback.stack.monitoring import prometheus_service
from dost_feedback.stack.processes import Service, Supervisor, free_port
from monitoring.alerting.local_configs import write_local_configs
from monitoring.dashboards.files import ALERT_RULES_FILE, DASHBOARDS_DIR
from monitoring.dashboards.panels import dashboard_targets, substitute_variables
from monitoring.dashboards.push import load_dashboards
from monitoring.names import FOLLOWUP_DASHBOARD, SATISFACTION_ALERT
from tests.conftest import bearer, wait_for

pytestmark = [pytest.mark.services, pytest.mark.timeout(420)]

# baku-3 is the session's degraded center (tests/test_e2e.py pushes it below target too);
# no other test expects it healthy.
CENTER = "baku-3"
RATINGS = 40  # above the 30-rating alert minimum
COMMENTS = cycle([
    ("Çox pis xidmət, saatlarla növbədə gözlədim, heç kim kömək etmədi", 2),
    ("Ужасное обслуживание, сотрудники грубые, ждал три часа", 1),
    ("Terrible service, rude staff, I waited three hours for nothing", 2),
    ("Hər şey əla idi, çox sağ olun", 5),
    ("Всё отлично, спасибо большое", 5),
    ("Great service, very helpful staff, thank you", 4),
])
SERVICE_GROUPS = cycle(["pensions", "employment", "social_benefits"])

# What Grafana would substitute. The Prometheus datasource's timeInterval (15s in
# provisioning, 2s scrape here) makes $__rate_interval at least 4 scrapes: 1m covers it.
TEMPLATE_VALUES = {
    "center_id": CENTER,
    "__rate_interval": "1m",
    "__interval": "30s",
    "__interval_ms": "30000",
    "__range": "1h",
    "__range_s": "3600",
    "__range_ms": "3600000",
}
RANGE_SECONDS = 300
RANGE_STEP = "15s"
DATA_TIMEOUT = 150.0
def query(prometheus: Service, expr: str, instant: bool) -> list[dict]:
    if instant:
        response = httpx.get(f"{prometheus.url}/api/v1/query", params={"query": expr}, timeout=10)
    else:
        end = time.time()
        response = httpx.get(f"{prometheus.url}/api/v1/query_range", timeout=10, params={
            "query": expr, "start": end - RANGE_SECONDS, "end": end, "step": RANGE_STEP})
    body = response.json()
    assert response.status_code == 200 and body["status"] == "success", f"{expr!r}: {body}"
    return body["data"]["result"]


@pytest.fixture(scope="module")
def pipeline_prometheus(
    services_settings: Settings, supervisor: Supervisor, worker: Service, web: Service, sentiment_worker: Service,
    cases_worker: Service, tmp_path_factory: pytest.TempPathFactory,
) -> Service:
    """A Prometheus of this module's own (port, data), scraping the session's worker, web and
    sentiment worker under the rendered dev-profile rules. Its own, because the monitoring
    conftest's ``prometheus`` scrapes a stand-in exporter, and the root one may run too."""
    s = services_settings.model_copy(update={"prometheus_port": free_port()})
    run_dir: Path = tmp_path_factory.mktemp("dashboards-prometheus")
    configs = write_local_configs(
        s, run_dir,
        worker_targets=[f"{s.worker_metrics_host}:{s.worker_metrics_port}"],
        web_targets=[f"{s.web_host}:{s.web_port}"],
        sentiment_targets=[f"{s.worker_metrics_host}:{s.sentiment_metrics_port}"],
        followup_targets=[f"{s.worker_metrics_host}:{s.followup_metrics_port}"],
    )
    return supervisor.start(prometheus_service(s, configs, run_dir))


def post(web: Service, body: dict, key: str) -> httpx.Response:
    return httpx.post(f"{web.url}/api/v1/feedback", json=body, headers=bearer(key), timeout=15)


def wait_all_return_series(prometheus: Service, queries: list[tuple[str, str, bool]],
                           timeout: float = DATA_TIMEOUT) -> list[str]:
    """Poll until every (label, expr, instant) returns a series; return those that never did."""
    deadline = time.monotonic() + timeout
    pending = list(queries)
    while pending and time.monotonic() < deadline:
        pending = [(label, expr, instant) for label, expr, instant in pending if not query(prometheus, expr, instant)]
        if pending:
            time.sleep(2)
    return [f"{label}: {expr}" for label, expr, _ in pending]


@pytest.fixture(scope="module")
def live_data(pipeline_prometheus: Service, web: Service, services_settings: Settings, client_key: str) -> Service:
    """Real traffic through the web and Kafka, so every panel has something to show."""
    from kafka import KafkaProducer

    # increase() needs a sample from before the ratings: wait until this Prometheus has seen
    # the counters at their old values (the worker exports them from 0 at start).
    leftover = wait_all_return_series(pipeline_prometheus, [
        ("rating counters", f'dost_feedback_ratings_total{{center_id="{CENTER}",channel="web"}}', True),
        ("dead-letter counters", 'dost_worker_deadletters_total{reason="not_json"}', True),
    ])
    assert not leftover, f"Prometheus never scraped: {leftover}"
    for index in range(RATINGS):
        comment, rating = next(COMMENTS) if index % 2 == 0 else (None, 5 if index % 4 == 1 else 2)
        body = {"center_id": CENTER, "rating": rating, "channel": "web", "service_group": next(SERVICE_GROUPS)}
        if comment:
            body["comment"] = comment
        response = post(web, body, client_key)
        assert response.status_code == 202, response.text
    # The web refuses bad input (dost_web_feedback_rejected_total{reason="invalid"}) ...
    assert post(web, {"center_id": CENTER, "rating": 9, "channel": "web"}, client_key).status_code == 422
    # ... so a dead letter needs a record that bypassed it: unparseable bytes on the topic.
    producer = KafkaProducer(bootstrap_servers=services_settings.kafka_bootstrap_servers, acks="all")
    producer.send(topics.FEEDBACK_SUBMITTED, key=CENTER.encode(), value=b"not json: dashboards live test")
    producer.flush()
    producer.close()
    # The unhappy ratings open follow-up cases; one resolved gives the time-to-resolution and
    # root-cause series their first samples (the open and overdue gauges exist from the start).
    cases = CaseStore(services_settings.channels_database)
    try:
        opened = wait_for(lambda: cases.list_cases(centers=[CENTER], status="open"), 60,
                          f"the case agent to open a case at {CENTER}")
        cases.resolve(opened[0].case_id, "dashboards-live-test", "waiting_time", "A second window opened")
    finally:
        cases.close()
    return pipeline_prometheus


def dashboard_queries() -> list[tuple[str, str, bool]]:
    """Every committed dashboard's queries, with Grafana's variables substituted."""
    queries = []
    for model in load_dashboards(DASHBOARDS_DIR):  # the committed files (drift-tested)
        name = model["uid"]
        for item, target in dashboard_targets(model):
            expr = substitute_variables(target["expr"], TEMPLATE_VALUES)
            queries.append((f"{name} / {item['title']} / {target['refId']}", expr, target["instant"]))
        for variable in model["templating"]["list"]:
            # label_values(metric, label) is Grafana's; the series behind it must exist.
            metric = variable["query"]["query"].removeprefix("label_values(").split(",")[0]
            queries.append((f"{name} / variable ${variable['name']}", metric, True))
    return queries


def test_every_panel_query_returns_series(live_data: Service):
    queries = dashboard_queries()
    assert len(queries) > 70
    assert {label.split(" / ")[0] for label, _, _ in queries} >= {FOLLOWUP_DASHBOARD.uid}
    empty = wait_all_return_series(live_data, queries)
    assert not empty, "panel queries with no series:\n" + "\n".join(empty)


def test_grafana_alert_rules_agree_with_prometheus_on_the_degraded_center(live_data: Service, services_settings: Settings):
    """The committed (prod) Grafana rules evaluate the center; the dev-profile ones (the
    thresholds this Prometheus and the worker run with) hold their condition (B = last(A) > 0)
    for the degraded center exactly where Prometheus has the same severity pending or firing."""
    from monitoring.alerting.parameters import rule_parameters
    from monitoring.dashboards.alert_rules import grafana_alert_rules

    [group] = yaml.safe_load(ALERT_RULES_FILE.read_text())["groups"]
    for rule in group["rules"]:
        assert not wait_all_return_series(live_data, [(rule["title"], rule["data"][0]["model"]["expr"], True)])
    [dev_group] = grafana_alert_rules(rule_parameters(services_settings, "dev"))["groups"]
    selector = f'ALERTS{{alertname="{SATISFACTION_ALERT}",center_id="{CENTER}"}}'
    wait_for(lambda: {a["metric"]["severity"] for a in query(live_data, selector, True)} >= {"warning", "page"},
             DATA_TIMEOUT, "the degraded center's warning and page in Prometheus")
    for rule in dev_group["rules"]:
        margins = {s["metric"]["center_id"]: float(s["value"][1])
                   for s in query(live_data, rule["data"][0]["model"]["expr"], True)}
        assert margins[CENTER] > 0, (rule["title"], margins)


def test_the_panels_show_the_submitted_traffic(live_data: Service):
    """Not just any series: the ones this module's traffic created."""

    def labels(expr: str, key: str) -> set[str]:
        return {sample["metric"].get(key) for sample in query(live_data, expr, True)}

    expected = [
        ("dost_worker_deadletters_total", "reason", {"not_json"}),
        ("dost_web_feedback_rejected_total", "reason", {"invalid"}),
        (f'dost_comment_sentiment_total{{center_id="{CENTER}"}}', "label", {"negative", "positive"}),
        (f'dost_service_group_ratings{{center_id="{CENTER}",window="24h"}}', "service_group",
         {"pensions", "employment", "social_benefits"}),
        (f'ALERTS{{alertname="{SATISFACTION_ALERT}"}}', "center_id", {CENTER}),
    ]
    for expr, key, values in expected:
        wait_for(lambda: values <= labels(expr, key), DATA_TIMEOUT, f"{expr} with {key} in {values}")
