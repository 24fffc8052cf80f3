"""prometheus.yml for a local run."""

from __future__ import annotations

from monitoring.alerting.prometheus_config import render_prometheus_config


def test_render_prometheus_config_for_a_local_run():
    config = render_prometheus_config(
        worker_targets=["127.0.0.1:9101"],
        web_targets=["127.0.0.1:8000"],
        alertmanager_target="127.0.0.1:9093",
        rule_files=["/run/rules/satisfaction.rules.yml"],
        scrape_interval="2s",
        evaluation_interval="2s",
        sentiment_targets=["127.0.0.1:9103"],
    )
    assert config["global"] == {"scrape_interval": "2s", "evaluation_interval": "2s"}
    assert config["rule_files"] == ["/run/rules/satisfaction.rules.yml"]
    assert [job["job_name"] for job in config["scrape_configs"]] == ["dost-worker", "dost-sentiment", "dost-web",
                                                                  "dost-alertmanager"]
    assert config["scrape_configs"][1]["static_configs"] == [{"targets": ["127.0.0.1:9103"]}]
    assert config["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"] == ["127.0.0.1:9093"]
    assert config["scrape_configs"][-1]["static_configs"] == [{"targets": ["127.0.0.1:9093"]}]
    assert "alerting" not in render_prometheus_config(["w:1"], [], None, [], "2s", "2s")


def test_the_sms_invitation_agent_is_scraped_when_given():
    from monitoring.alerting.prometheus_config import render_prometheus_config

    config = render_prometheus_config(worker_targets=["w:9101"], web_targets=[], alertmanager_target=None,
                                      rule_files=[], scrape_interval="2s", evaluation_interval="2s",
                                      sms_inviter_targets=["127.0.0.1:9105"])
    jobs = {job["job_name"]: job["static_configs"][0]["targets"] for job in config["scrape_configs"]}
    assert jobs["dost-sms-inviter"] == ["127.0.0.1:9105"]
