"""The long-running services: ``web``, ``worker``, ``sentiment-worker``, ``sms-inviter``, ``cases-worker``
and ``receiver``.

Each imports its app only when run, so the other commands start without loading Faust,
FastAPI or the sentiment model.
"""

from __future__ import annotations

import typer

from dost_contract.centers import RegistryError
from dost_contract.settings import InsecureSettingsError, Settings, get_settings
from dost_feedback.cli.common import configure_logging, fail


def service_settings(*, pages_oncall: bool = False) -> Settings:
    """The settings, refused at once (one message naming every variable) if prod is insecure."""
    settings = get_settings()
    try:
        settings.require_production_ready(pages_oncall=pages_oncall)
    except InsecureSettingsError as exc:
        fail(str(exc))
    return settings


def require_current_schema(settings) -> None:
    """Exit with the command to run when the shared database's schema is behind (SQLite migrates itself)."""
    if settings.database_url is None:
        return
    from dost_channels.db.engine import SchemaBehindError, open_database

    try:
        open_database(settings.database_url.get_secret_value()).dispose()
    except SchemaBehindError as exc:
        fail(str(exc))


def web(
    workers: int = typer.Option(1, min=1, max=64, help="Web processes sharing the port (one per core)."),
) -> None:
    """Run the feedback web (FastAPI) on DOST_WEB_HOST:DOST_WEB_PORT."""
    settings = service_settings()  # before the imports: an insecure prod exits at once
    require_current_schema(settings)
    import uvicorn

    from feedback_web.app import create_app

    configure_logging()
    if workers > 1:
        # Each process builds its own app (producer, store connection, rate limiter) from the env.
        uvicorn.run("feedback_web.app:create_app", factory=True, workers=workers, host=settings.web_host,
                    port=settings.web_port, log_level="info", access_log=settings.web_access_log)
        return
    uvicorn.run(create_app(settings), host=settings.web_host, port=settings.web_port, log_level="info",
                access_log=settings.web_access_log)


def worker(loglevel: str = typer.Option("info", help="Faust log level.")) -> None:
    """Run one Faust stream worker; its metrics are on DOST_WORKER_METRICS_PORT."""
    settings = service_settings()
    from streams.worker import run_worker

    run_worker(settings, loglevel=loglevel)


def sms_inviter(loglevel: str = typer.Option("info", help="Faust log level.")) -> None:
    """Run the SMS-invitation agent (its own consumer group); metrics on DOST_SMS_INVITER_METRICS_PORT."""
    require_current_schema(get_settings())
    from streams.sms_invitations import run_sms_inviter

    run_sms_inviter(get_settings(), loglevel=loglevel)


def cases_worker(loglevel: str = typer.Option("info", help="Faust log level.")) -> None:
    """Run the follow-up case agent (its own consumer group): opens cases, publishes followup.cases;
    metrics on DOST_FOLLOWUP_METRICS_PORT."""
    settings = service_settings()
    require_current_schema(settings)
    from streams.followup.worker import run_followup_worker

    run_followup_worker(settings, loglevel=loglevel)


def sentiment_worker(loglevel: str = typer.Option("info", help="Faust log level.")) -> None:
    """Run the sentiment worker: scores comments into feedback.scored; metrics on DOST_SENTIMENT_METRICS_PORT."""
    settings = service_settings()
    from streams.sentiment.worker import run_sentiment_worker

    run_sentiment_worker(settings, loglevel=loglevel)


def receiver() -> None:
    """Run the on-call receiver that Alertmanager notifies."""
    settings = service_settings(pages_oncall=True)
    require_current_schema(settings)
    import uvicorn

    from monitoring.oncall.config import OncallConfigError
    from monitoring.oncall.receiver import create_app

    configure_logging()
    try:
        receiver_app = create_app(settings)
    except (OncallConfigError, RegistryError) as exc:
        fail(str(exc))
    uvicorn.run(receiver_app, host=settings.receiver_host, port=settings.receiver_port, log_level="info")
