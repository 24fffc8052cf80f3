"""The layout a newcomer can read (CONTRIBUTING.md): layers, small modules, one catalogue of
series names, and a test tree that mirrors the packages."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from dost_contract import metric_names
from dost_contract.settings import PROJECT_ROOT

PACKAGES = ("dost_contract", "dost_channels", "dost_simulation", "models", "streams", "feedback_web", "monitoring",
            "dost_feedback")
MAX_MODULE_LINES = 500
# Modules that only wire or re-export (no logic of their own to test): why, for each.
WIRING_ONLY = {
    "dost_feedback/__main__.py": "runs the CLI",
    "dost_feedback/cli/__init__.py": "lists the commands",
    "dost_feedback/cli/common.py": "exits with a message; exercised through every command",
    "dost_contract/settings/base.py": "a path and a type",
    "dost_contract/settings/centers.py": "field declarations (tests/dost_contract/settings/test_settings.py)",
    "dost_contract/settings/kafka.py": "fields; client kwargs: tests/dost_feedback/stack/test_kafka_security.py",
    "dost_contract/settings/retention.py": "field declarations (defaults: tests/dost_feedback/test_retention.py)",
    "dost_contract/settings/oncall.py": "field declarations",
    "dost_contract/settings/sentiment.py": "field declarations",
    "dost_contract/settings/web.py": "field declarations",
    "dost_contract/settings/monitoring.py": "field declarations",
    "dost_contract/settings/streams.py": "field declarations (its validator: test_settings.py)",
    "dost_contract/settings/channels.py": "field declarations (insecure_secrets: test_settings.py)",
    "streams/followup/metrics.py": "metric declarations (tests/streams/followup/test_worker.py reads them)",
    "dost_contract/settings/followup.py": "field declarations (the default rule: tests/dost_contract/test_followup.py)",
    "dost_contract/settings/database.py": "one field and its URL check (tests/dost_channels/db/test_engine.py)",
    "dost_channels/db/migrations/env.py": "Alembic's entry point (tests/dost_channels/db/test_migrate.py)",
    "dost_channels/db/migrations/versions/0001_initial.py": "a migration (tests/dost_channels/db/test_migrate.py)",
    "dost_channels/db/migrations/versions/0002_followup_cases.py": "a migration (tests/dost_channels/db/test_migrate.py)",
    "dost_channels/db/migrations/versions/0003_manager_users.py": "a migration (tests/dost_channels/db/test_migrate.py)",
    "dost_contract/topics.py": "topic names",
    "feedback_web/metrics.py": "metric declarations",
    "streams/sentiment/metrics.py": "metric declarations",
    "streams/faust_app.py": "the Faust app's settings",
    "streams/worker.py": "starts the process (tests/streams/test_worker.py runs it)",
    "streams/app.py": "Faust wiring (tests/streams/test_worker.py, test_exactness.py run it)",
    "monitoring/alerting/rules.py": "joins the groups (tests/monitoring/alerting/test_rules.py)",
    "monitoring/dashboards/__init__.py": "lists the dashboards (test_files.py)",
    "monitoring/generated_files.py": "the --check command line (test_shipped.py, test_files.py)",
    "monitoring/yaml_output.py": "YAML style (the drift tests compare its output byte for byte)",
    "monitoring/oncall/payload.py": "Alertmanager's webhook model (test_receiver.py)",
    "models/batching.py": "one sort (tests/models/test_sentiment.py)",
    "models/onnx_export.py": "torch.onnx calls (tests/models/test_build.py)",
    "models/loading.py": "picks a backend (tests/models/test_sentiment.py)",
    "models/onnx_backend.py": "an ONNX Runtime session (tests/models/test_sentiment.py)",
    "models/transformers_backend.py": "a transformers pipeline (tests/models/test_sentiment.py)",
    "models/training.py": "fine-tuning (tests/models/test_build.py)",
    "dost_feedback/queue_system.py": "one producer call (tests/feedback_web/sms/test_inbound.py publishes through the CLI)",
}


def package_modules() -> list[Path]:
    return sorted(path.relative_to(PROJECT_ROOT) for package in PACKAGES for path in (PROJECT_ROOT / package).rglob("*.py"))


def test_the_import_layers_hold():
    """pyproject.toml's import-linter contracts: the floor imports nothing of ours, apps never
    reach sideways, nothing imports the roof."""
    result = subprocess.run([str(Path(sys.executable).parent / "lint-imports")], cwd=PROJECT_ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize("module", package_modules(), ids=str)
def test_no_module_is_over_500_lines(module: Path):
    lines = len((PROJECT_ROOT / module).read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{module} has {lines} lines; split it by concern"


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


SERIES_NAME = re.compile(r"\bdost_[a-z0-9_]+")


def series_literals(module: Path) -> list[str]:
    """``dost_*`` names typed in a module's string literals (docstrings and package names aside)."""
    tree = ast.parse((PROJECT_ROOT / module).read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            found += [name for name in SERIES_NAME.findall(node.value) if name not in PACKAGES]
    return found


def test_every_series_name_lives_in_the_catalogue():
    catalogue = Path("dost_contract/metric_names.py")
    stray = {str(module): names for module in package_modules() if module != catalogue
             if (names := series_literals(module))}
    assert stray == {}, "use dost_contract.metric_names instead of typing the name"
    declared = [value for name, value in vars(metric_names).items() if name.isupper()]
    assert len(declared) == len(set(declared)), "a series name is declared twice"
    assert series_literals(catalogue), "the catalogue itself must hold the names"


def test_series_literals_finds_a_typed_name(tmp_path: Path):
    """The catalogue check can fail: a typed name in a string (not a docstring) is found."""
    module = tmp_path / "probe.py"  # outside the packages: lint-imports and the other checks never see it
    module.write_text('"""dost_center_ratings in a docstring is fine."""\nQUERY = f"sum(dost_center_ratings{{x}})"\n')
    assert series_literals(module) == ["dost_center_ratings"]


def mirrored_test(module: Path) -> Path:
    """tests/<package path>/test_<module>.py (a package's __init__: test_<package>.py in its folder)."""
    if module.name == "__init__.py":
        return Path("tests", *module.parent.parts, f"test_{module.parent.name}.py")
    return Path("tests", *module.parent.parts, f"test_{module.stem}.py")


def modules_with_logic() -> list[Path]:
    out = []
    for module in package_modules():
        if str(module) in WIRING_ONLY:
            continue
        tree = ast.parse((PROJECT_ROOT / module).read_text(encoding="utf-8"))
        if any(isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) for node in tree.body):
            out.append(module)
    return out


@pytest.mark.parametrize("module", modules_with_logic(), ids=str)
def test_every_module_with_logic_has_a_mirrored_test_file(module: Path):
    assert (PROJECT_ROOT / mirrored_test(module)).exists(), f"{module}: add {mirrored_test(module)}"


def test_wiring_only_modules_exist():
    missing = [name for name in WIRING_ONLY if not (PROJECT_ROOT / name).exists()]
    assert missing == [], "WIRING_ONLY names modules that are gone"
