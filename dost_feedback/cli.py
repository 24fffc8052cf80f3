"""``dost-feedback``: the one command line for every part of the system."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import sys
import time
from pathlib import Path
from typing import List, Optional

import typer

from dost_feedback.settings import get_settings

app = typer.Typer(help="DOST citizen feedback: ingest, stream workers, monitoring and tools.", no_args_is_help=True)
topics_app = typer.Typer(help="Kafka topics.", no_args_is_help=True)
stack_app = typer.Typer(help="The whole local stack.", no_args_is_help=True)
devices_app = typer.Typer(help="Kiosk tablets and their device tokens.", no_args_is_help=True)
models_app = typer.Typer(help="The sentiment model: build, report.", no_args_is_help=True)
dashboards_app = typer.Typer(help="Grafana dashboards (monitoring/grafana/dashboards).", no_args_is_help=True)
oncall_app = typer.Typer(help="On-call routing: the sent log and the channel config.", no_args_is_help=True)
app.add_typer(topics_app, name="topics")
app.add_typer(stack_app, name="stack")
app.add_typer(devices_app, name="devices")
app.add_typer(models_app, name="models")
app.add_typer(oncall_app, name="oncall")
app.add_typer(dashboards_app, name="dashboards")


def _fail(message: str) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code=1)


def _logging(level: str = "INFO") -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@app.command()
def web(
    workers: int = typer.Option(1, min=1, max=64, help="Web processes sharing the port (one per core)."),
) -> None:
    """Run the feedback web (FastAPI) on DOST_WEB_HOST:DOST_WEB_PORT."""
    import uvicorn

    from feedback_web.app import create_app

    settings = get_settings()
    _logging()
    if workers > 1:
        # Each process builds its own app (producer, store connection, rate limiter) from the env.
        uvicorn.run("feedback_web.app:create_app", factory=True, workers=workers, host=settings.web_host,
                    port=settings.web_port, log_level="info", access_log=settings.web_access_log)
        return
    uvicorn.run(create_app(settings), host=settings.web_host, port=settings.web_port, log_level="info",
                access_log=settings.web_access_log)


@app.command()
def worker(loglevel: str = typer.Option("info", help="Faust log level.")) -> None:
    """Run one Faust stream worker; its metrics are on DOST_WORKER_METRICS_PORT."""
    from streams.worker import run_worker

    run_worker(get_settings(), loglevel=loglevel)


@app.command("sentiment-worker")
def sentiment_worker(loglevel: str = typer.Option("info", help="Faust log level.")) -> None:
    """Run the sentiment worker: scores comments into feedback.scored; metrics on DOST_SENTIMENT_METRICS_PORT."""
    from streams.sentiment_worker import run_sentiment_worker

    run_sentiment_worker(get_settings(), loglevel=loglevel)


@app.command()
def sentiment(texts: List[str] = typer.Argument(..., help="Comments to score.")) -> None:
    """Print one JSON line per comment: {"label", "score", "language"}."""
    from models.loading import load_sentiment_model
    from models.sentiment import SentimentModelError

    try:
        model = load_sentiment_model(get_settings())
        results = model.predict(texts)
    except SentimentModelError as exc:
        _fail(str(exc))
    for result in results:
        typer.echo(json.dumps(result.as_dict(), ensure_ascii=False))


def _local_model_dir(out: Optional[str]):
    from models.loading import is_local_path

    source = out or get_settings().sentiment_model
    if not is_local_path(source) and out is None:
        _fail(f"DOST_SENTIMENT_MODEL={source!r} is not a local directory; pass --out DIR")
    return Path(source).expanduser().resolve()


@models_app.command("build")
def models_build(
    out: Optional[str] = typer.Option(None, help="Model directory (default: DOST_SENTIMENT_MODEL)."),
    force: bool = typer.Option(False, help="Rebuild even if the model is up to date."),
    onnx: bool = typer.Option(True, help="Also export ONNX and its int8 quantization."),
) -> None:
    """Build the offline default sentiment model (cached: skipped when its inputs are unchanged)."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from models.build import build_model
    from models.e5_encoder import EncoderAssetError

    out_dir = _local_model_dir(out)
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), transient=False) as progress:
        tasks: dict[str, int] = {}

        def stage(description: str, done: int, total: int) -> None:
            if description not in tasks:
                tasks[description] = progress.add_task(description, total=total)
            progress.update(tasks[description], completed=done, total=total)

        try:
            info = build_model(out_dir, with_onnx=onnx, force=force, stage=stage)
        except EncoderAssetError as exc:
            _fail(str(exc))
    if info["up_to_date"]:
        typer.echo(f"sentiment model up to date: {out_dir}")
        return
    typer.echo(f"sentiment model built in {out_dir} ({info['timings']})")
    _echo_eval_summary(out_dir)


def _echo_eval_summary(model_dir) -> None:
    from models.build import EVAL_FILE

    evaluation = json.loads((model_dir / EVAL_FILE).read_text())
    for runtime, result in evaluation["runtimes"].items():
        per_language = ", ".join(
            f"{lang} macro-F1 {s['macro_f1']:.3f}" for lang, s in result["languages"].items()
        )
        typer.echo(f"  {runtime}: {per_language}; pos-vs-neg accuracy {result['all']['pos_vs_neg_accuracy']:.3f}")


@models_app.command("report")
def models_report(
    model: Optional[str] = typer.Option(None, help="Built model directory (default: DOST_SENTIMENT_MODEL)."),
    write: Optional[str] = typer.Option(None, help="Replace the generated section of this Markdown file."),
) -> None:
    """Render the eval report of a built model (docs/sentiment.md's generated section)."""
    from models.build import BUILD_INFO, EVAL_FILE
    from models.report import render_report, replace_section

    model_dir = _local_model_dir(model)
    try:
        evaluation = json.loads((model_dir / EVAL_FILE).read_text())
        info = json.loads((model_dir / BUILD_INFO).read_text())
    except OSError as exc:
        _fail(f"{exc}; build the model first with `dost-feedback models build`")
    section = render_report(evaluation, info)
    if write is None:
        typer.echo(section)
        return
    target = Path(write)
    try:
        target.write_text(replace_section(target.read_text(), section))
    except (OSError, ValueError) as exc:
        _fail(f"{target}: {exc}")
    typer.echo(f"wrote the eval report into {target}")


@app.command()
def receiver() -> None:
    """Run the on-call receiver that Alertmanager notifies."""
    import uvicorn

    from dost_feedback.centers import RegistryError
    from monitoring.oncall_config import OncallConfigError
    from monitoring.receiver import create_app

    settings = get_settings()
    _logging()
    try:
        receiver_app = create_app(settings)
    except (OncallConfigError, RegistryError) as exc:
        _fail(str(exc))
    uvicorn.run(receiver_app, host=settings.receiver_host, port=settings.receiver_port, log_level="info")


@oncall_app.command("log")
def oncall_log(
    failed: bool = typer.Option(False, "--failed", help="Only deliveries that failed after the last attempt."),
    pending: bool = typer.Option(False, "--pending", help="Only deliveries still being retried."),
    limit: int = typer.Option(50, min=1, help="Newest deliveries to show."),
) -> None:
    """What the on-call receiver sent, is retrying, or gave up on (newest first)."""
    from monitoring.oncall_log import format_log
    from monitoring.oncall_outbox import Outbox

    settings = get_settings()
    if not settings.oncall_db_path.exists():
        _fail(f"no on-call outbox at {settings.oncall_db_path}: the receiver has not run with this DOST_STATE_DIR")
    state = "failed" if failed else "pending" if pending else None
    outbox = Outbox(settings.oncall_db_path)
    try:
        typer.echo(format_log(outbox.log(state=state, limit=limit), outbox.counts()))
    finally:
        outbox.close()


@oncall_app.command("retry")
def oncall_retry(
    delivery_ids: list[int] = typer.Argument(None, help="Failed delivery ids (from `oncall log --failed`)."),
    all_failed: bool = typer.Option(False, "--all-failed", help="Requeue every failed delivery."),
) -> None:
    """Send failed on-call deliveries again, with a fresh retry schedule (once the channel is fixed)."""
    from monitoring.oncall_outbox import Outbox

    settings = get_settings()
    if not delivery_ids and not all_failed:
        _fail("name the failed delivery ids to retry (see `dost-feedback oncall log --failed`), or pass --all-failed")
    if delivery_ids and all_failed:
        _fail("give delivery ids or --all-failed, not both")
    if not settings.oncall_db_path.exists():
        _fail(f"no on-call outbox at {settings.oncall_db_path}: the receiver has not run with this DOST_STATE_DIR")
    outbox = Outbox(settings.oncall_db_path)
    try:
        requeued = outbox.requeue_failed(None if all_failed else list(delivery_ids), time.time())
    finally:
        outbox.close()
    skipped = sorted(set(delivery_ids or []) - set(requeued))
    if skipped:
        typer.echo(f"not failed (sent, still pending or unknown), left alone: {', '.join(map(str, skipped))}", err=True)
    if not requeued:
        _fail("no failed delivery was requeued")
    typer.echo(
        f"requeued {len(requeued)} deliveries: {', '.join(map(str, requeued))}; "
        "the running receiver sends them within a few seconds"
    )


@oncall_app.command("check")
def oncall_check() -> None:
    """Validate the on-call config (DOST_ONCALL_CONFIG_FILE) and print each route's channels."""
    from dost_feedback.centers import RegistryError
    from monitoring.oncall_config import OncallConfigError, route_channels
    from monitoring.alertmanager_config import receiver_name
    from monitoring.oncall_retry import RetryPolicy
    from monitoring.profiles import SEVERITIES
    from monitoring.receiver import load_app_oncall_config

    settings = get_settings()
    try:
        config = load_app_oncall_config(settings)
    except (OncallConfigError, RegistryError) as exc:
        _fail(str(exc))
    typer.echo(f"{settings.oncall_config_file}: OK")
    for severity in SEVERITIES:
        typer.echo(f"  {severity:<8} -> {', '.join(route_channels(config, severity, None))}")
    for route in config.routes:
        if route.region:
            typer.echo(f"  {receiver_name(route.severity, route.region)} -> {', '.join(route.channels)}")
    typer.echo(f"  (no severity) -> {', '.join(config.default_channels)}")
    waits = ", ".join(f"{delay:g}s" for delay in RetryPolicy.from_settings(settings).schedule())
    typer.echo(f"retries: {settings.oncall_max_attempts} attempts, waits {waits}")


@topics_app.command("create")
def topics_create() -> None:
    """Create the contract's topics and the workers' changelog topics (idempotent)."""
    from dost_feedback.kafka_admin import TopicSetupError, create_topics

    settings = get_settings()
    try:
        created = create_topics(settings)
    except TopicSetupError as exc:
        _fail(str(exc))
    typer.echo(f"created: {', '.join(created) or 'none (all exist)'}")


@app.command()
def simulate(
    via: str = typer.Option("web", help="'web' posts to the API; 'kafka' produces straight to feedback.submitted."),
    rate: float = typer.Option(10.0, min=0.1, help="Ratings per second across all centers."),
    count: Optional[int] = typer.Option(None, min=1, help="Stop after this many ratings."),
    duration: Optional[float] = typer.Option(None, min=0.1, help="Stop after this many seconds."),
    satisfaction: float = typer.Option(0.99, min=0.0, max=1.0, help="Satisfaction of healthy centers."),
    degrade: List[str] = typer.Option([], help="CENTER=RATIO: run a center at this satisfaction; repeatable."),
    seed: Optional[int] = typer.Option(None, help="Random seed, for a repeatable run."),
    web_url: Optional[str] = typer.Option(None, help="Web base URL (default from DOST_WEB_HOST/PORT)."),
    planned: bool = typer.Option(False, help="Include the planned network's centers."),
) -> None:
    """Send realistic ratings from the registry's centers; runs until stopped unless --count/--duration."""
    from dost_feedback.centers import RegistryError, load_registry
    from dost_feedback.simulation import parse_degradations
    from dost_feedback.simulator import run_simulation

    if via not in ("web", "kafka"):
        _fail("--via must be 'web' or 'kafka'")
    settings = get_settings()
    try:
        registry = load_registry(settings, include_planned=planned or None)
        degraded = parse_degradations(degrade, registry.ids())
    except (RegistryError, ValueError) as exc:
        _fail(str(exc))
    web_url = web_url or f"http://{settings.web_host}:{settings.web_port}"
    target = web_url if via == "web" else settings.kafka_bootstrap_servers
    typer.echo(
        f"simulating {len(registry)} centers at {rate:g} ratings/s via {via} ({target}); "
        f"healthy satisfaction {satisfaction:.3f}"
        + "".join(f"; {c} degraded to {r:.3f}" for c, r in degraded.items())
    )

    def progress(stats) -> None:
        typer.echo(
            f"sent {stats.sent}, accepted {stats.accepted}, retried {stats.retried}, rejected {stats.rejected}"
            + (f"; last error: {stats.errors[-1]}" if stats.errors else "")
        )

    try:
        stats = asyncio.run(
            run_simulation(
                settings, registry, via=via, rate=rate, count=count, duration=duration,
                baseline_satisfaction=satisfaction, degraded=degraded, seed=seed,
                web_url=web_url, progress=progress,
            )
        )
    except KeyboardInterrupt:
        raise typer.Exit(code=130) from None
    except OSError as exc:
        _fail(f"cannot reach {target}: {exc}")
    if stats.rejected:
        _fail(f"{stats.rejected} ratings were rejected; first error: {stats.errors[0]}")


# --- Citizen channels ---------------------------------------------------------------


def _channel_store():
    from feedback_web.channel_store import ChannelStore

    return ChannelStore(get_settings().channels_db_path)


def _known_center(center_id: str) -> None:
    from dost_feedback.centers import RegistryError, load_registry

    try:
        registry = load_registry(get_settings())
    except RegistryError as exc:
        _fail(str(exc))
    if center_id not in registry:
        _fail(f"unknown center {center_id!r}; known: {', '.join(registry.ids())}")


@devices_app.command("add")
def devices_add(
    center: str = typer.Option(..., "--center", help="The center the tablet stands in."),
    label: str = typer.Option("", help="A name for people, e.g. 'exit, left'."),
) -> None:
    """Register a kiosk tablet; prints its token and setup link once (only a hash is stored)."""
    _known_center(center)
    device, token = _channel_store().add_device(center, label)
    settings = get_settings()
    typer.echo(f"device_id: {device.device_id}")
    typer.echo(f"center:    {device.center_id}")
    typer.echo(f"token:     {token}")
    typer.echo(f"setup URL: {settings.public_url}/kiosk/{center}#token={token}")
    typer.echo("Open the setup URL once on the tablet. The token is not shown again.")


@devices_app.command("list")
def devices_list() -> None:
    """Every registered tablet (never its token)."""
    from datetime import datetime, timezone

    def when(ts: float | None) -> str:
        return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ") if ts else "-"

    devices = _channel_store().devices()
    if not devices:
        typer.echo("no devices")
        return
    typer.echo(f"{'device_id':<18} {'center':<18} {'status':<8} {'created':<21} {'revoked':<21} label")
    for d in devices:
        status = "revoked" if d.revoked_at else "active"
        typer.echo(f"{d.device_id:<18} {d.center_id:<18} {status:<8} {when(d.created_at):<21} "
                   f"{when(d.revoked_at):<21} {d.label}")


@devices_app.command("revoke")
def devices_revoke(device_id: str = typer.Argument(..., help="From 'devices list'.")) -> None:
    """Revoke a tablet's token at once: its next rating is refused with 401."""
    if not _channel_store().revoke_device(device_id):
        _fail(f"no active device {device_id!r} (see 'dost-feedback devices list')")
    typer.echo(f"revoked {device_id}")


@app.command()
def replay(
    seed: Optional[int] = typer.Option(None, help="Random seed (default DOST_REPLAY_SEED, 20261001)."),
    output: Path = typer.Option(Path("docs/replay.md"), help="Where to write the report."),
    degraded: str = typer.Option("baku-3", help="The center whose satisfaction drops."),
    degraded_to: float = typer.Option(0.97, min=0.0, max=1.0, help="Its satisfaction after the drop."),
    keep: Optional[Path] = typer.Option(None, help="Keep the generated promtool test files in this directory."),
    sweep_seeds: int = typer.Option(0, "--sweep", min=0, help="Also replay this many more seeds (no promtool) and report the rates."),
) -> None:
    """Replay 30 simulated days through the real windowing code and rules; check with promtool; write the report."""
    import tempfile

    from dost_feedback.centers import RegistryError, load_registry
    from monitoring import shipped
    from monitoring.replay import Scenario, build_timeline, sweep
    from monitoring.replay_promtool import verify_timeline
    from monitoring.replay_report import Verification, render_report
    from monitoring.rules import render_rules, rule_parameters

    settings = get_settings()
    seed = settings.replay_seed if seed is None else seed
    try:
        scenario = Scenario(seed=seed, degraded_center=degraded, degraded_satisfaction=degraded_to)
        centers = load_registry(settings, include_planned=False).centers
        # The shipped production rules, as committed (Settings defaults, prod profile).
        params = rule_parameters(shipped.shipped_settings(), shipped.SHIPPED_PROFILE)
        timeline = build_timeline(scenario, centers, params, progress=typer.echo)
    except (RegistryError, ValueError) as exc:
        _fail(str(exc))
    typer.echo("running promtool over the replay, every center and the network (a few minutes) ...")
    with tempfile.TemporaryDirectory(prefix="dost-replay-") as tmp:
        workdir = keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        verified = verify_timeline(timeline, render_rules(params), workdir, settings.promtool_binary)
    for v in verified:
        typer.echo(f"promtool, {v.what}: {'passed' if v.result.passed else 'FAILED'} ({v.checks} checks, {v.seconds:.0f} s)")
        if not v.result.passed:
            typer.echo(v.result.output[-4000:], err=True)
    swept = None
    if sweep_seeds:
        seeds = range(seed + 1, seed + 1 + sweep_seeds)
        swept = sweep(scenario, centers, params, list(seeds), progress=typer.echo)
    report = render_report(
        timeline,
        [Verification(v.what, v.result.passed, v.checks, v.seconds) for v in verified],
        command="dost-feedback replay" + (f" --sweep {sweep_seeds}" if sweep_seeds else ""),
        sweep=swept,
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(report, encoding="utf-8")
    typer.echo(f"wrote {output}")
    if not all(v.result.passed for v in verified):
        raise typer.Exit(1)


@app.command("sms-parse")
def sms_parse(text: str = typer.Argument(..., help="The SMS text, as a citizen would send it.")) -> None:
    """Parse an SMS reply; prints {"rating", "comment", "opt_out", "language"} as JSON."""
    from feedback_web.sms_parsing import parse_sms

    typer.echo(json.dumps(parse_sms(text).to_dict(), ensure_ascii=False))


@app.command()
def qr(
    center: str = typer.Option(..., "--center", help="The center that issues the ticket."),
    service_group: Optional[str] = typer.Option(None, help="The ticket's service group, if known."),
    fmt: str = typer.Option("svg", "--format", help="svg or png."),
    out: Optional[str] = typer.Option(None, help="File to write (default: stdout)."),
    scale: int = typer.Option(8, min=1, max=40, help="Pixels per QR module."),
) -> None:
    """Issue a one-time rating link for one visit and render its QR code for the ticket."""
    from dost_feedback.events import ServiceGroup
    from feedback_web.qr import qr_url, render_qr

    if fmt not in ("svg", "png"):
        _fail("--format must be svg or png")
    if service_group is not None and service_group not in {g.value for g in ServiceGroup}:
        _fail(f"unknown service group {service_group!r}; one of: {', '.join(g.value for g in ServiceGroup)}")
    _known_center(center)
    settings = get_settings()
    token = _channel_store().issue_qr_token(center, service_group, settings.qr_token_ttl_hours * 3600)
    url = qr_url(settings, token)
    image = render_qr(url, kind=fmt, scale=scale)
    if out:
        with open(out, "wb") as handle:
            handle.write(image)
        typer.echo(f"{url}\nwrote {out}", err=True)
    else:
        typer.echo(url, err=True)
        sys.stdout.buffer.write(image)
        sys.stdout.flush()


@app.command("visit-completed")
def visit_completed(
    center: str = typer.Option(..., "--center", help="Where the visit took place."),
    phone: str = typer.Option(..., help="The citizen's phone; it leaves this command only encrypted and hashed."),
    language: str = typer.Option("az", help="az, ru or en: the invitation's language."),
    service_group: Optional[str] = typer.Option(None, help="The visit's service group."),
    visit_id: Optional[str] = typer.Option(None, help="Default: a new UUID."),
) -> None:
    """Publish one visits.completed event (what the queue system does), e.g. to try SMS invitations."""
    from pydantic import ValidationError

    from dost_feedback.visits import VisitCompleted, publish_visits
    from feedback_web.phones import InvalidPhone

    _known_center(center)
    settings = get_settings()
    try:
        visit = VisitCompleted.create(settings, center_id=center, phone=phone, language=language,
                                      service_group=service_group, visit_id=visit_id)
    except (ValidationError, InvalidPhone) as exc:
        _fail(str(exc))
    try:
        asyncio.run(publish_visits(settings, [visit]))
    except Exception as exc:  # noqa: BLE001 - any broker failure is reported the same way
        _fail(f"cannot publish to {settings.kafka_bootstrap_servers}: {exc!r}")
    typer.echo(f"published visit {visit.visit_id} for {center}")


@dashboards_app.command("push")
def dashboards_push(
    url: Optional[str] = typer.Option(None, help="Grafana base URL (default: the DOST_GRAFANA_URL setting)."),
    token: str = typer.Option(
        ..., envvar="DOST_GRAFANA_TOKEN", help="Grafana service-account token (Editor role); or DOST_GRAFANA_TOKEN."
    ),
    folder: Optional[str] = typer.Option(None, help="Grafana folder title (default: the DOST_GRAFANA_FOLDER setting, DOST)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Report what would change; write nothing."),
) -> None:
    """Upload the committed dashboards (monitoring/grafana/dashboards/*.json) to Grafana.

    Reports each as created, updated or unchanged. Exit status 1 with a one-line error when
    Grafana is unreachable or refuses the token.
    """
    from monitoring.grafana_files import DASHBOARDS_DIR
    from monitoring.grafana_push import GrafanaPushError, format_report, load_dashboards, push_dashboards

    settings = get_settings()
    url = url or settings.grafana_url
    folder = folder or settings.grafana_folder
    try:
        results = push_dashboards(
            url, token, load_dashboards(DASHBOARDS_DIR), folder,
            dry_run=dry_run, timeout=settings.grafana_api_timeout_seconds,
        )
    except GrafanaPushError as error:
        _fail(str(error))
    typer.echo(format_report(results, folder, dry_run))


@stack_app.command("up")
def stack_up(
    rate: float = typer.Option(20.0, min=0.1, help="Simulated ratings per second."),
    degrade: List[str] = typer.Option(
        ["baku-3=0.90"], help="CENTER=RATIO for the simulator, so an alert fires within a minute."
    ),
    no_simulator: bool = typer.Option(False, help="Start the services without simulated traffic."),
) -> None:
    """Start Kafka, the worker, the web, the on-call receiver, Alertmanager, Prometheus and the simulator.

    Ctrl-C stops everything cleanly, in reverse order.
    """
    from dost_feedback import stack
    from dost_feedback.kafka_admin import TopicSetupError, create_topics
    from dost_feedback.kafka_local import KafkaSetupError
    from dost_feedback.procs import ServiceError, Supervisor
    from monitoring import local as monitoring_local

    settings = get_settings()
    supervisor = Supervisor()
    stopping = False

    def on_signal(signum, frame):  # noqa: ARG001 - signal handler signature
        nonlocal stopping
        stopping = True
        raise KeyboardInterrupt

    # Explicitly, because a shell that starts us in the background ignores SIGINT.
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        typer.echo(f"state and logs under {settings.state_dir}")
        typer.echo("starting kafka ...")
        kafka = stack.start_kafka(supervisor, settings, timeout=90)
        create_topics(settings)
        configs = monitoring_local.write_local_configs(
            settings,
            settings.run_dir,
            worker_targets=[f"{settings.worker_metrics_host}:{settings.worker_metrics_port}"],
            sentiment_targets=[f"{settings.worker_metrics_host}:{settings.sentiment_metrics_port}"],
            web_targets=[f"{settings.web_host}:{settings.web_port}"],
        )
        typer.echo("starting on-call receiver ...")
        receiver_service = supervisor.start(monitoring_local.receiver_service(settings, settings.run_dir))
        typer.echo("starting alertmanager ...")
        alertmanager = supervisor.start(
            monitoring_local.alertmanager_service(settings, configs, settings.run_dir)
        )
        typer.echo("starting stream worker ...")
        worker_service = supervisor.start(stack.worker(settings), timeout=90)
        typer.echo("starting sentiment worker ...")
        sentiment_service = supervisor.start(stack.sentiment_worker(settings), timeout=120)
        typer.echo("starting web ...")
        web_service = supervisor.start(stack.web(settings))
        typer.echo("starting prometheus ...")
        prometheus = supervisor.start(monitoring_local.prometheus_service(settings, configs, settings.run_dir))
        if not no_simulator:
            args = ["--rate", str(rate)] + [arg for spec in degrade for arg in ("--degrade", spec)]
            supervisor.start(stack.simulator(settings, args))
        typer.secho("\nThe DOST feedback stack is up:", fg=typer.colors.GREEN, bold=True)
        rows = [
            ("Kafka", kafka.url),
            ("Web API", f"{web_service.url}/docs"),
            ("Kiosk", f"{web_service.url}/kiosk/baku-1  (set a tablet up: dost-feedback devices add --center baku-1)"),
            ("SMS outbox", f"{settings.sms_outbox_path}  (dev gateway)"),
            ("Web metrics", f"{web_service.url}/metrics"),
            ("Worker metrics", worker_service.url),
            ("Sentiment", sentiment_service.url),
            ("Prometheus", f"{prometheus.url}/graph?g0.expr=dost_center_satisfaction_ratio%7Bwindow%3D%2224h%22%7D"),
            ("Alerts", f"{prometheus.url}/alerts"),
            ("Alertmanager", alertmanager.url),
            ("On-call alerts", f"{receiver_service.url}/alerts  (journal: {settings.receiver_log_file})"),
            ("On-call sent", f"dost-feedback oncall log  (dev channel: {settings.oncall_dev_outbox_path})"),
            ("Logs", str(stack.logs_dir(settings))),
        ]
        for name, url in rows:
            typer.echo(f"  {name:<15} {url}")
        if not no_simulator:
            typer.echo(f"\nSimulating {rate:g} ratings/s; degraded: {', '.join(degrade) or 'none'}.")
        typer.echo("Press Ctrl-C to stop everything.")
        while True:
            dead = supervisor.dead()
            if dead:
                names = ", ".join(f"{s.name} (exit {s.process.returncode}, log {s.log_path})" for s in dead)
                raise ServiceError(f"service stopped unexpectedly: {names}")
            time.sleep(1)
    except KeyboardInterrupt:
        typer.echo("\nstopping ...")
    except (ServiceError, KafkaSetupError, TopicSetupError, OSError) as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        supervisor.stop_all()
        raise typer.Exit(code=1) from None
    finally:
        supervisor.stop_all()
    typer.echo("stopped.")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
