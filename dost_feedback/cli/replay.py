"""``replay``: simulated days through the real worker code (windows, change detectors) and the shipped
rules, checked by promtool: the seed network's 30-day report, or a scenario file (``--scenario``)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Optional

import typer

from dost_contract.centers import RegistryError, load_registry
from dost_contract.settings import get_settings
from dost_feedback.cli.common import fail


def replay(
    seed: Optional[int] = typer.Option(None, help="Random seed (default DOST_REPLAY_SEED, 20261001)."),
    output: Optional[Path] = typer.Option(None, help="Where to write the Markdown report (default docs/replay.md "
                                          "without --scenario)."),
    scenario_file: Optional[Path] = typer.Option(None, "--scenario", help="A scenario file (YAML, the contract's format)."),
    json_out: Optional[Path] = typer.Option(None, "--json", help="Write every firing of the shipped rules here (JSON)."),
    degraded: str = typer.Option("baku-3", help="The center whose satisfaction drops."),
    degraded_to: float = typer.Option(0.97, min=0.0, max=1.0, help="Its satisfaction after the drop."),
    keep: Optional[Path] = typer.Option(None, help="Keep the generated promtool test files in this directory."),
    sweep_seeds: int = typer.Option(0, "--sweep", min=0, help="Also replay this many more seeds (no promtool) and report the rates."),
) -> None:
    """Replay simulated days through the real worker code and rules; check with promtool; write the report."""
    if scenario_file is not None:
        replay_file(scenario_file, json_out, output, keep)
        return
    output = output or Path("docs/replay.md")
    from monitoring.alerting import shipped
    from monitoring.alerting.parameters import rule_parameters
    from monitoring.alerting.rules import render_rules
    from monitoring.replay.promtool import verify_timeline
    from monitoring.replay.report import Verification, render_report
    from monitoring.replay.timeline import Scenario, build_timeline, sweep

    settings = get_settings()
    seed = settings.replay_seed if seed is None else seed
    try:
        scenario = Scenario(seed=seed, degraded_center=degraded, degraded_satisfaction=degraded_to)
        centers = load_registry(settings, include_planned=False).centers
        # The shipped production rules, as committed (Settings defaults, prod profile).
        params = rule_parameters(shipped.shipped_settings(), shipped.SHIPPED_PROFILE)
        timeline = build_timeline(scenario, centers, params, progress=typer.echo)
    except (RegistryError, ValueError) as exc:
        fail(str(exc))
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
    if json_out is not None:
        from monitoring.replay.scenario_file import render_json

        json_out.write_text(render_json(timeline), encoding="utf-8")
        typer.echo(f"wrote {json_out}")
    if not all(v.result.passed for v in verified):
        raise typer.Exit(1)


def replay_file(path: Path, json_out: Optional[Path], output: Optional[Path], keep: Optional[Path]) -> None:
    """A scenario file: the timeline, promtool over every center and the network, then JSON and Markdown."""
    import os

    from monitoring.alerting import shipped
    from monitoring.alerting.parameters import rule_parameters
    from monitoring.alerting.rules import render_rules
    from monitoring.replay.promtool import verify_timeline
    from monitoring.replay.scenario_file import ScenarioError, parse_scenario, render_json, render_markdown
    from monitoring.replay.timeline import build_timeline

    if json_out is None and output is None:
        fail("--scenario needs --json OUT and/or --output REPORT.md")
    settings = get_settings()
    try:
        scenario, centers = parse_scenario(path.read_text(encoding="utf-8"))
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror}")
    except ScenarioError as exc:
        fail(f"{path}: {exc}")
    params = rule_parameters(shipped.shipped_settings(), shipped.SHIPPED_PROFILE)
    timeline = build_timeline(scenario, centers, params, progress=typer.echo)  # type: ignore[arg-type]
    typer.echo("running promtool over the replay, every center and the network ...")
    processes = max(1, os.cpu_count() or 1)
    per_process = -(-len(centers) // processes)  # fewer, larger promtool runs: rule evaluation dominates
    with tempfile.TemporaryDirectory(prefix="dost-replay-") as tmp:
        workdir = keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        verified = verify_timeline(timeline, render_rules(params), workdir, settings.promtool_binary,
                                   centers_per_process=per_process)
    for v in verified:
        typer.echo(f"promtool, {v.what}: {'passed' if v.result.passed else 'FAILED'} ({v.checks} checks, {v.seconds:.0f} s)")
        if not v.result.passed:
            typer.echo(v.result.output[-4000:], err=True)
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(render_json(timeline), encoding="utf-8")
        typer.echo(f"wrote {json_out}")
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(render_markdown(timeline, [(v.what, v.result.passed, v.checks) for v in verified],
                                          f"dost-feedback replay --scenario {path}"), encoding="utf-8")
        typer.echo(f"wrote {output}")
    if not all(v.result.passed for v in verified):
        raise typer.Exit(1)
