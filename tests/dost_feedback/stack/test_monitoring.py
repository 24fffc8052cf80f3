"""The local monitoring services: the real binaries on the configured ports, with the rendered configs."""

from __future__ import annotations

from pathlib import Path

import httpx

from dost_contract.settings import Settings
from dost_feedback.stack import monitoring
from dost_feedback.stack.processes import free_port, http_ok
from monitoring.alerting.local_configs import write_local_configs


def test_prometheus_alertmanager_and_the_receiver_start_on_their_ports(tmp_path: Path):
    s = Settings(state_dir=tmp_path, prometheus_port=free_port(), alertmanager_port=free_port(),
                 receiver_port=free_port())
    configs = write_local_configs(s, s.run_dir, worker_targets=["127.0.0.1:1"])
    started = []
    try:
        started.append(monitoring.start_receiver(s, s.run_dir))
        started.append(monitoring.start_alertmanager(s, configs, s.run_dir))
        started.append(monitoring.start_prometheus(s, configs, s.run_dir))
        receiver, alertmanager, prometheus = started
        assert receiver.url == monitoring.receiver_base_url(s) and http_ok(f"{receiver.url}/healthz")
        assert alertmanager.url == f"http://127.0.0.1:{s.alertmanager_port}" and http_ok(f"{alertmanager.url}/-/ready")
        assert prometheus.url == monitoring.prometheus_base_url(s) and http_ok(f"{prometheus.url}/-/ready")
        assert f"--config.file={configs.prometheus_config}" in prometheus.argv
        assert (s.run_dir / "logs" / "prometheus.log").exists()
        # The lifecycle API is off: nothing on this machine may stop Prometheus over HTTP.
        assert not any("lifecycle" in arg for arg in prometheus.argv)
        assert httpx.post(f"{prometheus.url}/-/quit", timeout=5).status_code == 403
        assert http_ok(f"{prometheus.url}/-/ready")
    finally:
        for service in reversed(started):
            service.stop()
