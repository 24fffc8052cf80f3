"""``dost-feedback receiver|sentiment-worker``: a broken config or model stops them at once, in one line."""

from __future__ import annotations

from dost_feedback.stack.processes import free_port
from models.sentiment import BUILD_COMMAND


def test_receiver_with_a_broken_oncall_config_exits_1_with_the_config_error(cli, tmp_path):
    config = tmp_path / "oncall.yaml"
    config.write_text("channels:\n  dev-file: {type: dev}\ndefault_channels: [nobody]\n")
    result = cli("receiver", oncall_config_file=config, receiver_port=free_port(), timeout=30)
    assert result.returncode == 1
    [error] = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert error == (f"error: on-call config {config} is invalid: (top): Value error, "
                     "default_channels names unknown channel(s) ['nobody']; defined: ['dev-file']")
    assert "Traceback" not in result.stderr and "Uvicorn running" not in result.stderr


def test_receiver_without_its_config_file_says_which_setting_to_set(cli, tmp_path):
    missing = tmp_path / "nowhere" / "oncall.yaml"
    result = cli("receiver", oncall_config_file=missing, receiver_port=free_port(), timeout=30)
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == f"error: on-call config not found: {missing} (set DOST_ONCALL_CONFIG_FILE)"


def test_sentiment_worker_without_a_model_names_the_build_command(cli, tmp_path):
    missing = tmp_path / "no-model"
    # Nobody listens on the broker port: the missing model must stop it before it tries to connect.
    result = cli("sentiment-worker", sentiment_model=str(missing), sentiment_metrics_port=free_port(),
                 kafka_bootstrap_servers=f"127.0.0.1:{free_port()}", timeout=60)
    assert result.returncode == 1
    [error] = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert error.startswith(f"error: no sentiment model at {missing}; build the offline default with `{BUILD_COMMAND}`")
    assert BUILD_COMMAND == "dost-feedback models build"
    assert "Traceback" not in result.stderr
