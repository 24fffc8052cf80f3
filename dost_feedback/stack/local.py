"""``LocalStack``: every service of the local stack on loopback, in dependency order.

``dost-feedback stack up`` is a thin shell over it::

    with interrupt_on_signals(), LocalStack(settings) as stack:
        stack.start(Simulation(rate, degrade))       # or None: no simulated traffic
        stack.print_endpoints()
        stack.watch()                                # until Ctrl-C, or a service dies for good

A crashed worker is restarted with backoff (``dost_feedback.stack.restarts``) and the
stack says so; any other service that dies, or a worker that keeps crashing right after
its start, stops the stack.

Leaving the ``with`` stops every service in reverse order.
"""

from __future__ import annotations

import contextlib
import signal
import time
from dataclasses import dataclass
from typing import Callable, Iterator, Sequence
from urllib.parse import quote

from dost_contract import metric_names
from dost_contract.settings import Settings
from dost_feedback.stack import monitoring, services
from dost_feedback.stack.kafka import KafkaSetupError
from dost_feedback.stack.processes import Service, ServiceError, Supervisor
from dost_feedback.stack.restarts import RestartPolicy
from monitoring.alerting.local_configs import LocalMonitoringConfigs, write_local_configs
from streams.topic_setup import TopicSetupError, create_topics

# How long each service may take to become ready: the broker and the workers join a
# consumer group (and the sentiment worker loads its model) on a possibly busy machine.
KAFKA_START_SECONDS = 90.0
WORKER_START_SECONDS = 90.0
SENTIMENT_WORKER_START_SECONDS = 120.0
WATCH_POLL_SECONDS = 1.0
# What `start` raises when the stack cannot come up; the message says which service and why.
STARTUP_ERRORS = (ServiceError, KafkaSetupError, TopicSetupError, OSError)
# The Prometheus graph the URL table links to: every center's 24h satisfaction.
SATISFACTION_GRAPH = "/graph?g0.expr=" + quote(f'{metric_names.CENTER_SATISFACTION_RATIO}{{window="24h"}}')
# The services restarted after a crash (their state is in Kafka; the rest fail fast).
RESTARTED_SERVICES = frozenset({"worker-1", "sentiment-worker"})


@dataclass(frozen=True)
class Simulation:
    """The simulated traffic: ratings per second, and CENTER=RATIO degradations."""

    rate: float
    degrade: Sequence[str] = ()

    def args(self) -> list[str]:
        """As ``dost-feedback simulate`` arguments."""
        return ["--rate", str(self.rate)] + [arg for spec in self.degrade for arg in ("--degrade", spec)]


@contextlib.contextmanager
def interrupt_on_signals() -> Iterator[None]:
    """SIGINT and SIGTERM raise KeyboardInterrupt while inside, even in a background job.

    Explicitly, because a shell that starts us in the background ignores SIGINT.
    """
    def interrupt(signum: int, frame: object) -> None:  # noqa: ARG001 - signal handler signature
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


class LocalStack:
    def __init__(self, settings: Settings, echo: Callable[[str], None] = print,
                 headline: Callable[[str], None] | None = None, restarts: RestartPolicy | None = None,
                 restarted_services: frozenset[str] = RESTARTED_SERVICES) -> None:
        self.settings = settings
        self.restarts = restarts or RestartPolicy()
        self.restarted_services = restarted_services
        self.started_at: dict[str, float] = {}  # monotonic, by Service.name: when it last started
        self.restart_at: dict[str, float] = {}  # crashed services waiting for their restart
        self.echo = echo
        self.headline = headline or echo
        self.supervisor = Supervisor()
        self.services: dict[str, Service] = {}  # by Service.name, once started
        self.simulation: Simulation | None = None
        self.configs: LocalMonitoringConfigs | None = None  # written by start()

    def __enter__(self) -> "LocalStack":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _start(self, what: str, service: Callable[[], Service], timeout: float = 60.0) -> None:
        self.echo(f"starting {what} ...")
        started = self.supervisor.start(service(), timeout=timeout)
        self.services[started.name] = started
        self.started_at[started.name] = time.monotonic()

    def start(self, simulation: Simulation | None = None) -> None:
        """Start every service, and the simulator when ``simulation`` is given."""
        s = self.settings
        self.echo(f"state and logs under {s.state_dir}")
        self.echo("starting kafka ...")
        self.services["kafka"] = services.start_kafka(self.supervisor, s, timeout=KAFKA_START_SECONDS)
        create_topics(services.admin_settings(s))
        self.configs = configs = write_local_configs(
            s,
            s.run_dir,
            worker_targets=[f"{s.worker_metrics_host}:{s.worker_metrics_port}"],
            sentiment_targets=[f"{s.worker_metrics_host}:{s.sentiment_metrics_port}"],
            sms_inviter_targets=[f"{s.worker_metrics_host}:{s.sms_inviter_metrics_port}"],
            followup_targets=[f"{s.worker_metrics_host}:{s.followup_metrics_port}"],
            web_targets=[f"{s.web_host}:{s.web_port}"],
        )
        self._start("on-call receiver", lambda: monitoring.receiver_service(s, s.run_dir))
        self._start("alertmanager", lambda: monitoring.alertmanager_service(s, configs, s.run_dir))
        self._start("stream worker", lambda: services.worker(s), timeout=WORKER_START_SECONDS)
        self._start("sentiment worker", lambda: services.sentiment_worker(s), timeout=SENTIMENT_WORKER_START_SECONDS)
        self._start("sms-invitation agent", lambda: services.sms_inviter(s), timeout=WORKER_START_SECONDS)
        self._start("follow-up case agent", lambda: services.cases_worker(s), timeout=WORKER_START_SECONDS)
        self._start("web", lambda: services.web(s))
        self._start("prometheus", lambda: monitoring.prometheus_service(s, configs, s.run_dir))
        if simulation is not None:
            self.services["simulator"] = self.supervisor.start(services.simulator(s, simulation.args()))
        self.simulation = simulation

    def endpoints(self) -> list[tuple[str, str]]:
        """(what, where) for a person to open, once started."""
        s = self.settings
        web = self.services["web"].url
        prometheus = self.services["prometheus"].url
        return [
            ("Kafka", self.services["kafka"].url),
            ("Web API", f"{web}/docs"),
            ("Kiosk", f"{web}/kiosk/baku-1  (set a tablet up: dost-feedback devices add --center baku-1)"),
            ("SMS outbox", f"{s.sms_outbox_path}  (dev gateway)"),
            ("Web metrics", f"{web}/metrics"),
            ("Worker metrics", self.services["worker-1"].url),
            ("Sentiment", self.services["sentiment-worker"].url),
            ("SMS invitations", self.services["sms-inviter"].url),
            ("Follow-up cases", f"{self.services['cases-worker'].url}  (dost-feedback cases list)"),
            ("Prometheus", f"{prometheus}{SATISFACTION_GRAPH}"),
            ("Alerts", f"{prometheus}/alerts"),
            ("Alertmanager", self.services["alertmanager"].url),
            ("On-call alerts", (f"curl -H \"Authorization: Bearer $(cat {self.configs.webhook_token_file})\" "
                                f"{self.services['oncall-receiver'].url}/alerts  (journal: {s.receiver_log_file})")),
            ("On-call sent", f"dost-feedback oncall log  (dev channel: {s.oncall_dev_outbox_path})"),
            ("Logs", str(services.logs_dir(s))),
        ]

    def print_endpoints(self) -> None:
        self.headline("\nThe DOST feedback stack is up:")
        for name, url in self.endpoints():
            self.echo(f"  {name:<15} {url}")
        if self.simulation is not None:
            degraded = ", ".join(self.simulation.degrade) or "none"
            self.echo(f"\nSimulating {self.simulation.rate:g} ratings/s; degraded: {degraded}.")
        self.echo("Press Ctrl-C to stop everything.")

    def watch(self, poll_seconds: float = WATCH_POLL_SECONDS, until: Callable[[], bool] = lambda: False) -> None:
        """Return once ``until()`` holds. A crashed worker is restarted with backoff; raise
        ``ServiceError`` when another service dies or a worker keeps crashing fast."""
        while not until():
            now = time.monotonic()
            for service in self.supervisor.dead():
                if service.name not in self.restart_at:
                    self._on_death(service, now)
            for name, at in list(self.restart_at.items()):
                if now >= at:
                    self._restart(self.services[name])
            time.sleep(poll_seconds)

    def _on_death(self, service: Service, now: float) -> None:
        code = service.process.returncode if service.process else None
        ran = now - self.started_at.get(service.name, now)
        decision = self.restarts.on_crash(service.name, ran) if service.name in self.restarted_services else None
        if decision is None:
            why = "" if service.name not in self.restarted_services else (
                f" after {self.restarts.give_up_after} crashes in a row, each within "
                f"{self.restarts.stable_after_seconds:g}s of its start; giving up")
            raise ServiceError(
                f"service stopped unexpectedly: {service.name} (exit {code}, log {service.log_path}){why}")
        self.echo(f"{service.name} exited with code {code} after {ran:.0f}s; restarting it in "
                  f"{decision.delay_seconds:g}s (fast crash {decision.fast_crashes} of "
                  f"{self.restarts.give_up_after - 1} allowed; log {service.log_path})")
        self.restart_at[service.name] = now + decision.delay_seconds

    def _restart(self, service: Service) -> None:
        del self.restart_at[service.name]
        try:
            service.start(timeout=WORKER_START_SECONDS)
        except ServiceError as exc:  # it died while starting: counts as one more fast crash
            self.echo(f"{service.name} did not come back: {str(exc).splitlines()[0]}")
            self.started_at[service.name] = time.monotonic()
            return
        self.started_at[service.name] = time.monotonic()
        self.echo(f"{service.name} restarted (pid {service.process.pid})")

    def stop(self) -> None:
        """Stop every service, in reverse order of starting (idempotent)."""
        self.supervisor.stop_all()
        self.services.clear()
