"""``dost-feedback simulate``: every bad option is refused in one line before anything is sent."""

from __future__ import annotations

import pytest

from dost_feedback.stack.processes import free_port


@pytest.mark.parametrize(
    "args,message",
    [
        (["--via", "bogus"], "--via must be 'web' or 'kafka'"),
        (["--degrade", "nowhere=0.5"], "--degrade: unknown center 'nowhere'; known: {known}"),
        (["--degrade", "baku-1=1.5"], "--degrade: satisfaction must be between 0 and 1; got 1.5"),
        (["--degrade", "baku-1=most"], "--degrade: 'most' is not a number between 0 and 1"),
        (["--degrade", "baku-1"], "--degrade expects CENTER=RATIO, e.g. baku-3=0.90; got 'baku-1'"),
        (["--degrade", "baku-1=0.5", "--degrade", "regional-guba=0.5"],
         "--degrade: unknown center 'regional-guba'; known: {known}"),
    ],
    ids=["via", "unknown-center", "ratio-above-1", "ratio-not-a-number", "no-ratio", "planned-center"],
)
def test_bad_options_are_refused_in_one_line(cli, known_centers, args, message):
    # Nothing listens at the web or the broker: a refused option must fail before either is tried.
    result = cli("simulate", "--count", "1", *args, web_port=free_port(),
                 kafka_bootstrap_servers=f"127.0.0.1:{free_port()}", timeout=30)
    error = f"error: {message.format(known=known_centers)}\n"
    assert (result.returncode, result.stdout, result.stderr) == (1, "", error)


def test_without_a_broker_it_says_which_it_could_not_reach(cli, known_centers):
    broker = f"127.0.0.1:{free_port()}"
    result = cli("simulate", "--via", "kafka", "--count", "1", kafka_bootstrap_servers=broker, timeout=30)
    assert result.returncode == 1
    centers = len(known_centers.split(", "))
    assert result.stdout == (f"simulating {centers} centers at 10 ratings/s via kafka ({broker}); "
                             "healthy satisfaction 0.990\n")
    [error] = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert error.startswith(f"error: cannot reach {broker}: KafkaConnectionError: Unable to bootstrap")
    assert "Traceback" not in result.stderr


def test_planned_centers_are_known_with_planned(cli, known_centers):
    broker = f"127.0.0.1:{free_port()}"
    result = cli("simulate", "--planned", "--via", "kafka", "--count", "1", "--degrade", "regional-guba=0.5",
                 "--satisfaction", "0.95", kafka_bootstrap_servers=broker, timeout=30)
    assert result.returncode == 1  # no broker; the options were accepted
    [headline] = result.stdout.splitlines()
    assert headline.startswith("simulating ") and headline.endswith(
        f" centers at 10 ratings/s via kafka ({broker}); healthy satisfaction 0.950; regional-guba degraded to 0.500")
    assert int(headline.split()[1]) > len(known_centers.split(", "))
    assert f"error: cannot reach {broker}: " in result.stderr
