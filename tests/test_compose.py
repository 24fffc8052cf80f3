"""Structural checks of the container deployment: docker-compose.yml, Dockerfile,
.dockerignore, and the monitoring files they wire together.

There is no Docker engine where these tests run, so compose is never started here.
Instead every cross-reference a broken deployment would trip over is checked:
mounted host paths exist, dependencies name real services, scrape/webhook targets
name services and ports that exist, Kafka's replication settings can be satisfied,
Grafana's provisioning points at a mounted dashboards folder, and so on.
"""

from __future__ import annotations

import glob
import json
import re
import shlex
import tomllib
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
COMPOSE_FILE = REPO / "docker-compose.yml"
DOCKERFILE = REPO / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"
PROMETHEUS_YML = REPO / "monitoring" / "prometheus" / "prometheus.yml"
RULES_DIR = REPO / "monitoring" / "prometheus" / "rules"
ALERTMANAGER_YML = REPO / "monitoring" / "alertmanager" / "alertmanager.yml"
GRAFANA_PROVISIONING = REPO / "monitoring" / "grafana" / "provisioning"
GRAFANA_DASHBOARDS = REPO / "monitoring" / "grafana" / "dashboards"

KAFKA_IMAGE = "apache/kafka:3.9.1"
APP_SERVICES = ("topics-init", "web", "worker-1", "worker-2", "receiver")
REQUIRED_SERVICES = (*APP_SERVICES, "prometheus", "alertmanager", "grafana")
# Only these may publish ports on the host; everything else talks on the compose network.
USER_FACING = {"proxy", "prometheus", "alertmanager"}
# Operator UIs without authentication: loopback only.
LOOPBACK_ONLY = {"prometheus", "alertmanager"}
DEPENDS_ON_CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}


# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------

_VAR = re.compile(r"\$(?:\$|\{(?P<braced>[^}]+)\}|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))")


def interpolate(value: str) -> str:
    """Resolve compose ``${VAR...}`` syntax from the file alone, never the environment.

    ``${VAR:-default}``/``${VAR-default}`` give the default; a required ``${VAR:?msg}``
    gets a placeholder; a plain ``${VAR}`` resolves to "" as compose would when unset.
    """

    def resolve(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        expr = match.group("braced") or match.group("bare")
        for sep in (":-", "-"):
            name, found, default = expr.partition(sep)
            if found and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                return interpolate(default)
        for sep in (":?", "?"):
            name, found, _ = expr.partition(sep)
            if found:
                return f"required-{name.lower()}"
        return ""

    return _VAR.sub(resolve, value)


def interpolate_tree(node):
    if isinstance(node, str):
        return interpolate(node)
    if isinstance(node, list):
        return [interpolate_tree(item) for item in node]
    if isinstance(node, dict):
        return {key: interpolate_tree(item) for key, item in node.items()}
    return node


def env_of(service: dict) -> dict[str, str]:
    """A service's environment as a dict, whichever syntax the file uses."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {key: "" if value is None else str(value) for key, value in env.items()}


def depends_on(service: dict) -> dict[str, dict]:
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return {name: {"condition": "service_started"} for name in deps}
    return deps


def is_host_path(source: str) -> bool:
    return source.startswith((".", "/", "~"))


def mounts(service: dict) -> list[tuple[str, str]]:
    """(source, container target) for every volume entry, short or long syntax."""
    result = []
    for entry in service.get("volumes") or []:
        if isinstance(entry, str):
            parts = entry.split(":")
            if len(parts) == 1:  # anonymous volume
                continue
            result.append((parts[0], parts[1]))
        else:
            if entry.get("source"):
                result.append((entry["source"], entry["target"]))
    return result


def bind_mounts(service: dict) -> list[tuple[Path, str]]:
    return [
        ((REPO / source).resolve(), target)
        for source, target in mounts(service)
        if is_host_path(source)
    ]


def host_path_for(service: dict, container_path: str) -> Path | None:
    """Where a path inside the container comes from on the host, via bind mounts."""
    wanted = PurePosixPath(container_path)
    best: tuple[int, Path] | None = None
    for host, target in bind_mounts(service):
        target_path = PurePosixPath(target)
        if wanted == target_path or target_path in wanted.parents:
            depth = len(target_path.parts)
            if best is None or depth > best[0]:
                best = (depth, host / wanted.relative_to(target_path))
    return best[1] if best else None


def container_ports(service: dict) -> set[int]:
    """Ports the service listens on inside the network: `expose` plus published targets."""
    ports = {int(str(port).split("/")[0]) for port in service.get("expose") or []}
    for host_ip, _published, target in published_ports(service):
        ports.add(target)
    return ports


def published_ports(service: dict) -> list[tuple[str, str, int]]:
    """(host ip, host port, container port) for every `ports` entry."""
    result = []
    for entry in service.get("ports") or []:
        if isinstance(entry, dict):
            result.append(
                (str(entry.get("host_ip", "")), str(entry.get("published", "")), int(entry["target"]))
            )
            continue
        spec = str(entry).split("/")[0]
        parts = spec.rsplit(":", 2)
        if len(parts) == 3:
            result.append((parts[0], parts[1], int(parts[2])))
        elif len(parts) == 2:
            result.append(("", parts[0], int(parts[1])))
        else:
            result.append(("", "", int(parts[0])))
    return result


def image_is_pinned(image: str) -> bool:
    if "@sha256:" in image:
        return True
    name = image.rsplit("/", 1)[-1]
    tag = name.partition(":")[2]
    return bool(tag) and tag != "latest"


def require_file(path: Path, what: str) -> Path:
    if not path.is_file():
        pytest.fail(
            f"{path.relative_to(REPO)} is missing: docker-compose.yml mounts it as {what}. "
            "Land that file (monitoring work) before this deployment can start."
        )
    return path


def host_port(target: str) -> tuple[str, int]:
    host, _, port = target.rpartition(":")
    assert host and port.isdigit(), f"target {target!r} is not host:port"
    return host, int(port)


def assert_reaches_service(services: dict, host: str, port: int, origin: str) -> None:
    assert host in services, (
        f"{origin} points at {host}:{port}, but there is no compose service {host!r} "
        f"(services: {sorted(services)})"
    )
    ports = container_ports(services[host])
    assert port in ports, (
        f"{origin} points at {host}:{port}, but service {host!r} exposes only {sorted(ports)}"
    )


# --- .dockerignore: Docker's matching, in the subset this repository needs ----------

def _ignore_pattern_regex(pattern: str) -> re.Pattern[str]:
    out = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            if i < len(pattern) and pattern[i] == "/":
                out[-1] = "(?:.*/)?"
                i += 1
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = pattern.index("]", i)
            out.append(pattern[i : end + 1])
            i = end
        else:
            out.append(re.escape(char))
        i += 1
    return re.compile("".join(out) + r"\Z")


def dockerignored(path: str, patterns: list[str]) -> bool:
    """True when `path` (or a folder above it) is excluded from the build context."""
    candidates = [str(PurePosixPath(*PurePosixPath(path).parts[: n + 1])) for n in range(len(PurePosixPath(path).parts))]
    excluded = False
    for raw in patterns:
        negate = raw.startswith("!")
        pattern = raw[1:] if negate else raw
        pattern = pattern.strip().lstrip("/").removeprefix("./").rstrip("/")
        regex = _ignore_pattern_regex(pattern)
        if any(regex.match(candidate) for candidate in candidates):
            excluded = not negate
    return excluded


# --------------------------------------------------------------------------------------
# fixtures
# --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def compose() -> dict:
    assert COMPOSE_FILE.is_file(), "docker-compose.yml is missing"
    data = yaml.safe_load(COMPOSE_FILE.read_text())
    assert isinstance(data, dict) and isinstance(data.get("services"), dict)
    # x-* keys are YAML-anchor holders, not part of the deployment.
    return interpolate_tree({key: value for key, value in data.items() if not key.startswith("x-")})


@pytest.fixture(scope="module")
def services(compose) -> dict[str, dict]:
    return compose["services"]


@pytest.fixture(scope="module")
def kafka_brokers(services) -> dict[str, dict]:
    brokers = {name: svc for name, svc in services.items() if str(svc.get("image", "")).startswith("apache/kafka:")}
    assert brokers, "no Kafka broker service (image apache/kafka) in docker-compose.yml"
    return brokers


@pytest.fixture(scope="module")
def dockerfile_lines() -> list[str]:
    assert DOCKERFILE.is_file(), "Dockerfile is missing"
    # Join continuation lines so each instruction is one line.
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


# --------------------------------------------------------------------------------------
# compose: services and wiring
# --------------------------------------------------------------------------------------

# The compose-spec keys this deployment may use; a typo ("depends-on", "healthchek")
# would otherwise be silently ignored or rejected only at `docker compose up`.
SERVICE_KEYS = {
    "build", "image", "command", "entrypoint", "environment", "env_file", "expose", "ports",
    "volumes", "depends_on", "healthcheck", "restart", "hostname", "profiles", "networks",
    "stop_grace_period", "stop_signal", "user", "working_dir", "labels", "logging", "deploy",
    "ulimits", "mem_limit", "cpus", "read_only", "tmpfs", "init", "pull_policy", "secrets",
}
HEALTHCHECK_KEYS = {"test", "interval", "timeout", "retries", "start_period", "start_interval", "disable"}


def test_services_use_known_compose_keys(compose, services):
    assert set(compose) <= {"name", "services", "volumes", "networks", "configs", "secrets"}
    for name, svc in services.items():
        unknown = set(svc) - SERVICE_KEYS
        assert not unknown, f"{name}: unknown service keys {sorted(unknown)}"
        unknown = set(svc.get("healthcheck") or {}) - HEALTHCHECK_KEYS
        assert not unknown, f"{name}: unknown healthcheck keys {sorted(unknown)}"
        test = (svc.get("healthcheck") or {}).get("test")
        if test is not None:
            assert isinstance(test, list) and test[0] in {"CMD", "CMD-SHELL", "NONE"}, f"{name}: healthcheck test"


def test_required_services_exist(services, kafka_brokers):
    missing = [name for name in REQUIRED_SERVICES if name not in services]
    assert not missing, f"docker-compose.yml lacks services: {missing}"


def test_depends_on_names_real_services_with_valid_conditions(services):
    for name, svc in services.items():
        for dep, spec in depends_on(svc).items():
            assert dep in services, f"{name} depends on unknown service {dep!r}"
            assert dep != name, f"{name} depends on itself"
            condition = (spec or {}).get("condition", "service_started")
            assert condition in DEPENDS_ON_CONDITIONS, f"{name} -> {dep}: bad condition {condition!r}"
            if condition == "service_healthy":
                assert services[dep].get("healthcheck"), (
                    f"{name} waits for {dep} to be healthy, but {dep} has no healthcheck"
                )
            if condition == "service_completed_successfully":
                assert services[dep].get("restart", "no") == "no", (
                    f"{name} waits for one-shot {dep} to complete, so {dep} must not restart"
                )


def test_depends_on_has_no_cycles(services):
    state: dict[str, str] = {}

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == "done":
            return
        assert state.get(name) != "visiting", f"depends_on cycle: {' -> '.join([*path, name])}"
        state[name] = "visiting"
        for dep in depends_on(services[name]):
            visit(dep, [*path, name])
        state[name] = "done"

    for name in services:
        visit(name, [])


def test_startup_order(services, kafka_brokers):
    setup_deps = depends_on(services["kafka-setup"])
    for broker in kafka_brokers:
        assert setup_deps.get(broker, {}).get("condition") == "service_healthy", (
            f"kafka-setup must wait for {broker} to be healthy"
        )
    assert services["kafka-setup"]["command"] == ["kafka", "setup"]
    assert depends_on(services["topics-init"]) == {"kafka-setup": {"condition": "service_completed_successfully"}}, (
        "topics-init creates topics as the admin once the principals and ACLs exist"
    )
    assert services["topics-init"]["command"] == ["topics", "create"]
    for name in ("web", "worker-1", "worker-2"):
        assert depends_on(services[name]).get("topics-init", {}).get("condition") == (
            "service_completed_successfully"
        ), f"{name} must start only after the topics exist (Faust refuses mismatched topics)"


def test_restart_policies(services):
    for name, svc in services.items():
        restart = svc.get("restart")
        assert restart in {"no", "always", "on-failure", "unless-stopped"} or str(restart).startswith(
            "on-failure:"
        ), f"{name}: restart policy {restart!r} missing or invalid"
        one_shot = (name in ("topics-init", "kafka-setup", "monitoring-config", "db-upgrade")
                    or "simulate" in (svc.get("profiles") or []))
        if not one_shot:
            assert restart in {"always", "unless-stopped"}, f"long-running {name} must restart"


def test_bind_mounted_host_paths_exist(services):
    for name, svc in services.items():
        for host, target in bind_mounts(svc):
            assert host.exists(), (
                f"{name} mounts {host.relative_to(REPO) if host.is_relative_to(REPO) else host} "
                f"at {target}, but that path does not exist in the repository"
            )
            assert host.is_relative_to(REPO), f"{name} mounts {host}, outside the repository"


def test_named_volumes_are_declared(compose, services):
    declared = set((compose.get("volumes") or {}).keys())
    for name, svc in services.items():
        for source, target in mounts(svc):
            # A host path from a required variable (the operator's own file) is not a volume.
            if not is_host_path(source) and not source.startswith("required-"):
                assert source in declared, f"{name} uses volume {source!r}, not declared under volumes:"


def test_build_contexts_and_dockerfiles_exist(services):
    for name in APP_SERVICES:
        assert "build" in services[name], f"{name} must be built from the project Dockerfile"
    for name, svc in services.items():
        build = svc.get("build")
        if build is None:
            continue
        context = build if isinstance(build, str) else build.get("context", ".")
        dockerfile = "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile")
        context_dir = (REPO / context).resolve()
        assert context_dir.is_dir(), f"{name}: build context {context} does not exist"
        assert (context_dir / dockerfile).is_file(), f"{name}: {dockerfile} not found in {context}"


def test_images_are_pinned(services):
    for name, svc in services.items():
        image = svc.get("image")
        if image is None:
            assert "build" in svc, f"{name} has neither image nor build"
            continue
        assert image_is_pinned(image), f"{name}: image {image!r} is not pinned to a version"


def test_only_user_facing_services_publish_ports(services):
    for name, svc in services.items():
        published = published_ports(svc)
        if name not in USER_FACING:
            assert not published, f"{name} is internal but publishes {svc.get('ports')}"
            continue
        assert published, f"user-facing {name} publishes no port"
        if name in LOOPBACK_ONLY:
            for host_ip, _, _ in published:
                assert host_ip == "127.0.0.1", f"{name} must publish on 127.0.0.1 only, not {host_ip or 'all interfaces'}"
    assert {target for _, _, target in published_ports(services["proxy"])} == {80, 443}, "proxy must publish 80, 443"
    assert not published_ports(services["web"]) and not published_ports(services["grafana"]), "only via the proxy"


# --------------------------------------------------------------------------------------
# secure by default: secrets, the edge, the alert path
# --------------------------------------------------------------------------------------

SECRETS = ("DOST_SMS_SIGNATURE_SECRET", "DOST_PHONE_HASH_SECRET", "DOST_PHONE_ENCRYPTION_KEY",
           "DOST_ONCALL_WEBHOOK_TOKEN", "DOST_SESSION_SECRET", "DOST_SMS_GATEWAY_TOKEN")
REQUIRED_VARIABLE = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*):\?[^}]+\}")
CADDYFILE = REPO / "infra" / "caddy" / "Caddyfile"
ENV_EXAMPLE = REPO / ".env.example"


def raw_services() -> dict[str, dict]:
    return yaml.safe_load(COMPOSE_FILE.read_text())["services"]


def test_every_secret_is_required_with_a_message_and_never_defaulted():
    for name in APP_SERVICES:
        env = env_of(raw_services()[name])
        for secret in SECRETS:
            match = REQUIRED_VARIABLE.fullmatch(env.get(secret, ""))
            assert match and match["name"] == secret, f"{name}: {secret} must be ${{{secret}:?message}}"
        assert env["DOST_SMS_GATEWAY"] == "http", f"{name}: the log gateway sends nothing"
    assert ":-" not in COMPOSE_FILE.read_text().split("GRAFANA_ADMIN_PASSWORD")[1].splitlines()[0]


def test_env_example_lists_every_required_variable_with_how_to_make_it():
    required = set(REQUIRED_VARIABLE.findall(COMPOSE_FILE.read_text())) | {"GRAFANA_ADMIN_PASSWORD"}
    listed = dict(re.findall(r"^([A-Z_]+)=(.*)$", ENV_EXAMPLE.read_text(), flags=re.M))
    assert required <= set(listed), f".env.example lacks {sorted(required - set(listed))}"
    text = ENV_EXAMPLE.read_text()
    for secret in SECRETS[:5]:
        assert listed[secret] == "", f"{secret}: .env.example must not carry a value"
        before = text.split(f"\n{secret}=")[0].rsplit("\n\n", 1)[-1]
        assert "Generate" in before or "generate" in before, f"{secret}: say how to generate it"


def test_the_receiver_reads_a_mounted_oncall_config_not_the_sample(services):
    receiver = services["receiver"]
    assert env_of(receiver)["DOST_ONCALL_CONFIG_FILE"] == "/etc/dost/oncall.yaml"
    sources = [source for source, target in mounts(receiver) if target == "/etc/dost/oncall.yaml"]
    assert sources == ["required-dost_oncall_config"]  # the operator's file, from a required variable
    assert REQUIRED_VARIABLE.fullmatch(env_of(raw_services()["receiver"])["DOST_HEARTBEAT_URL"])


def test_alertmanager_reads_the_token_from_the_secret_its_config_names(compose, services):
    assert services["alertmanager"].get("secrets") == ["oncall_webhook_token"]
    assert compose["secrets"]["oncall_webhook_token"] == {"environment": "DOST_ONCALL_WEBHOOK_TOKEN"}
    config = yaml.safe_load(ALERTMANAGER_YML.read_text())
    files = {webhook["http_config"]["authorization"]["credentials_file"]
             for receiver in config["receivers"] for webhook in receiver["webhook_configs"]}
    assert files == {"/run/secrets/oncall_webhook_token"}


def test_prometheus_lifecycle_api_is_off(services):
    assert not any("lifecycle" in str(arg) for arg in services["prometheus"]["command"])


def test_the_proxy_terminates_tls_limits_bodies_and_hides_metrics(services):
    proxy = services["proxy"]
    assert proxy["image"].startswith("caddy:")
    assert host_path_for(proxy, "/etc/caddy/Caddyfile") == CADDYFILE.resolve()
    text = CADDYFILE.read_text()
    sites = re.findall(r"^\{\$(DOST_[A-Z_]+)\} \{$", text, flags=re.M)
    assert sites == ["DOST_PUBLIC_HOST", "DOST_GRAFANA_HOST"]
    web_site = text.split("{$DOST_PUBLIC_HOST} {")[1].split("\n}\n")[0]
    assert "max_size 64KB" in web_site and "reverse_proxy web:8000" in web_site
    assert re.search(r"@internal path /metrics .*/docs .*/openapi.json", web_site)
    assert "respond @internal 404" in web_site
    assert_reaches_service(services, "web", 8000, "proxy")
    assert_reaches_service(services, "grafana", 3000, "proxy")
    env = env_of(raw_services()["web"])
    assert env["DOST_PUBLIC_BASE_URL"].startswith("https://${DOST_PUBLIC_HOST:?")
    assert env["DOST_GRAFANA_URL"].startswith("https://${DOST_GRAFANA_HOST:?")


def test_retention_runs_periodically_on_the_database_and_the_receivers_volume(services):
    retention = services["retention"]
    assert retention["command"] == ["retention", "run", "--periodic"]
    assert mounts(retention) == [s_t for s_t in mounts(services["receiver"]) if s_t[1] == "/var/lib/dost"]


DATABASE_USERS = ("web", "sms-inviter", "cases-worker", "receiver", "retention")


def test_the_stores_are_in_postgresql_migrated_first_and_no_sqlite_volume_is_shared(services):
    postgres = services["postgres"]
    assert postgres["image"] == "postgres:15"
    assert [t for _, t in mounts(postgres)] == ["/var/lib/postgresql/data"]
    assert env_of(raw_services()["postgres"])["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    upgrade = services["db-upgrade"]
    assert upgrade["command"] == ["db", "upgrade"] and upgrade["restart"] == "no"
    assert upgrade["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in (*DATABASE_USERS, "db-upgrade"):
        url = env_of(raw_services()[name])["DOST_DATABASE_URL"]
        assert url.startswith("postgresql+psycopg://dost:${POSTGRES_PASSWORD:?") and url.endswith("@postgres:5432/dost")
    for name in DATABASE_USERS:
        assert services[name]["depends_on"]["db-upgrade"]["condition"] == "service_completed_successfully", name
    assert not any("channels" in source for svc in services.values() for source, _ in mounts(svc))


def test_app_services_listen_beyond_loopback(services):
    # A service bound to 127.0.0.1 inside its container is unreachable to its peers.
    expectations = {
        "web": ("DOST_WEB_HOST", "DOST_WEB_PORT", 8000),
        "worker-1": ("DOST_WORKER_METRICS_HOST", "DOST_WORKER_METRICS_PORT", 9101),
        "worker-2": ("DOST_WORKER_METRICS_HOST", "DOST_WORKER_METRICS_PORT", 9101),
        "receiver": ("DOST_RECEIVER_HOST", "DOST_RECEIVER_PORT", 9097),
    }
    for name, (host_var, port_var, port) in expectations.items():
        env = env_of(services[name])
        assert env.get(host_var) == "0.0.0.0", f"{name}: {host_var} must be 0.0.0.0"
        assert int(env.get(port_var, port)) == port, f"{name}: {port_var} must be {port}"
        assert port in container_ports(services[name]), f"{name} must expose {port}"
        assert services[name].get("healthcheck"), f"{name} has no healthcheck"


def test_workers_are_distinct_group_members(services):
    workers = [services["worker-1"], services["worker-2"]]
    assert [w.get("hostname") for w in workers] == ["worker-1", "worker-2"], (
        "workers need stable, distinct hostnames: Prometheus scrapes them by name"
    )
    for worker in workers:
        assert worker.get("command") == ["worker"]
    state_volumes = [{s for s, t in mounts(w) if t == "/var/lib/dost"} for w in workers]
    assert all(state_volumes), "each worker needs a state volume at /var/lib/dost"
    assert not (state_volumes[0] & state_volumes[1]), "workers must not share table state"


def test_app_services_use_production_settings(services):
    for name in (*APP_SERVICES, "simulator"):
        if name not in services:
            continue
        env = env_of(services[name])
        assert env.get("DOST_PROFILE") == "prod", f"{name}: DOST_PROFILE must be prod"
        assert int(env.get("DOST_TOPIC_PARTITIONS", 0)) == 12, f"{name}: DOST_TOPIC_PARTITIONS must be 12"
        assert env.get("DOST_STATE_DIR") == "/var/lib/dost"


def test_compose_dost_variables_are_real_settings(services, dockerfile_lines):
    """Every DOST_* variable set for a container names a Settings field and parses."""
    from dost_contract.settings import Settings

    fields = set(Settings.model_fields)
    dockerfile_env: dict[str, str] = {}
    for line in dockerfile_lines:
        if line.upper().startswith("ENV "):
            for token in shlex.split(line[4:]):
                key, _, value = token.partition("=")
                dockerfile_env[key] = value
    sources = {"Dockerfile": dockerfile_env} | {
        name: env_of(svc) for name, svc in services.items() if "build" in svc
    }
    for origin, env in sources.items():
        values = {}
        for key, value in env.items():
            if not key.startswith("DOST_"):
                continue
            field = key.removeprefix("DOST_").lower()
            assert field in fields, f"{origin}: {key} is not a setting (dost_contract/settings/)"
            # pydantic-settings reads a dict-valued variable as JSON.
            values[field] = json.loads(value) if value.lstrip().startswith("{") else value
        Settings(**values)  # raises on a value the setting would reject


# --------------------------------------------------------------------------------------
# Kafka
# --------------------------------------------------------------------------------------

def test_kafka_brokers_form_one_kraft_cluster(kafka_brokers):
    node_ids, cluster_ids, voter_sets = {}, set(), set()
    for name, svc in kafka_brokers.items():
        env = env_of(svc)
        assert svc["image"] == KAFKA_IMAGE
        roles = set(env.get("KAFKA_PROCESS_ROLES", "").split(","))
        assert {"broker", "controller"} <= roles, f"{name}: KRaft combined mode expected"
        for key in (
            "KAFKA_NODE_ID",
            "KAFKA_LISTENERS",
            "KAFKA_ADVERTISED_LISTENERS",
            "KAFKA_CONTROLLER_LISTENER_NAMES",
            "KAFKA_CONTROLLER_QUORUM_VOTERS",
            "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP",
            "KAFKA_INTER_BROKER_LISTENER_NAME",
            "KAFKA_LOG_DIRS",
            "CLUSTER_ID",
        ):
            assert env.get(key), f"{name}: {key} must be set (the image otherwise uses single-node defaults)"
        node_ids[int(env["KAFKA_NODE_ID"])] = name
        cluster_ids.add(env["CLUSTER_ID"])
        voter_sets.add(env["KAFKA_CONTROLLER_QUORUM_VOTERS"])

        # Advertised listeners must use the name peers resolve: the service's hostname.
        for listener in env["KAFKA_ADVERTISED_LISTENERS"].split(","):
            host = urlsplit(listener).hostname
            assert host in {name, svc.get("hostname")}, f"{name} advertises {listener}"

        # Log dirs live on a named volume, or data dies with the container.
        volumes = {target: source for source, target in mounts(svc)}
        assert env["KAFKA_LOG_DIRS"] in volumes, f"{name}: no volume at {env['KAFKA_LOG_DIRS']}"
        assert not is_host_path(volumes[env["KAFKA_LOG_DIRS"]])

        health = " ".join(map(str, (svc.get("healthcheck") or {}).get("test", [])))
        assert "/opt/kafka/bin/kafka-broker-api-versions.sh" in health, f"{name}: healthcheck"

    assert len(node_ids) == len(kafka_brokers), "KAFKA_NODE_ID values must be unique"
    assert len(cluster_ids) == 1, "all brokers must share one CLUSTER_ID"
    assert len(voter_sets) == 1, "all brokers must agree on KAFKA_CONTROLLER_QUORUM_VOTERS"

    # Every voter is a broker service, with its own node id, on its controller listener.
    voters = next(iter(voter_sets)).split(",")
    assert len(voters) == len(kafka_brokers)
    for voter in voters:
        node_id, _, address = voter.partition("@")
        host, port = host_port(address)
        assert node_ids.get(int(node_id)) == host, f"voter {voter} does not match a broker's node id"
        listeners = env_of(kafka_brokers[host])["KAFKA_LISTENERS"]
        controller_name = env_of(kafka_brokers[host])["KAFKA_CONTROLLER_LISTENER_NAMES"]
        assert f"{controller_name}://:{port}" in listeners or f"{controller_name}://0.0.0.0:{port}" in listeners


def test_kafka_replication_is_satisfiable(services, kafka_brokers):
    brokers = len(kafka_brokers)
    min_isrs = set()
    for name, svc in kafka_brokers.items():
        env = env_of(svc)
        for key in (
            "KAFKA_DEFAULT_REPLICATION_FACTOR",
            "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR",
            "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
        ):
            factor = int(env.get(key, 1))
            assert 1 <= factor <= brokers, f"{name}: {key}={factor} with {brokers} brokers"
        replication = int(env.get("KAFKA_DEFAULT_REPLICATION_FACTOR", 1))
        min_isr = int(env.get("KAFKA_MIN_INSYNC_REPLICAS", 1))
        min_isrs.add(min_isr)
        if brokers >= 3:
            # Production: survive one lost broker without losing acknowledged writes.
            assert replication == 3 and min_isr == 2, (
                f"{name}: with {brokers} brokers use replication 3 and min.insync.replicas 2"
            )
        assert int(env.get("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", 1)) <= int(
            env.get("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", 1)
        )
    assert len(min_isrs) == 1, "brokers disagree on min.insync.replicas"
    min_isr = min_isrs.pop()

    for name, svc in services.items():
        env = env_of(svc)
        if "DOST_TOPIC_REPLICATION_FACTOR" in env:
            factor = int(env["DOST_TOPIC_REPLICATION_FACTOR"])
            assert factor <= brokers, f"{name}: replication {factor} > {brokers} brokers"
            assert factor >= min_isr, (
                f"{name}: replication {factor} < min.insync.replicas {min_isr}: acks=all writes would fail"
            )


def transitive_deps(services: dict, name: str) -> set[str]:
    seen: set[str] = set()
    stack = [name]
    while stack:
        for dep in depends_on(services[stack.pop()]):
            if dep not in seen:
                seen.add(dep)
                stack.append(dep)
    return seen


def test_app_bootstrap_servers_name_kafka_client_listeners(services, kafka_brokers):
    for name, svc in services.items():
        servers = env_of(svc).get("DOST_KAFKA_BOOTSTRAP_SERVERS")
        if "build" in svc and name != "monitoring-config":  # it only writes a file
            assert servers, f"{name}: DOST_KAFKA_BOOTSTRAP_SERVERS is not set"
        if not servers:
            continue
        hosts = set()
        for server in servers.split(","):
            host, port = host_port(server.strip())
            assert host in kafka_brokers, f"{name}: bootstrap server {server} is not a Kafka service"
            assert port in container_ports(kafka_brokers[host]), f"{name}: {server} is not a broker port"
            hosts.add(host)
        assert hosts == set(kafka_brokers), f"{name}: list every broker so any one can bootstrap"


def test_kafka_has_no_listener_without_authentication_and_every_service_its_principal(services, kafka_brokers):
    for name, broker in kafka_brokers.items():
        env = env_of(broker)
        protocols = dict(item.split(":") for item in env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(","))
        assert set(protocols.values()) == {"SASL_PLAINTEXT"}, f"{name}: a listener without SASL"
        assert env["KAFKA_LISTENER_NAME_CLIENT_SASL_ENABLED_MECHANISMS"] == "SCRAM-SHA-512"
        assert env["KAFKA_AUTHORIZER_CLASS_NAME"] == "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
        assert env["KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND"] == "false" and env["KAFKA_SUPER_USERS"] == "User:admin"
    principals = {name: env_of(services[name]).get("DOST_KAFKA_USERNAME") for name in
                  ("web", "worker-1", "worker-2", "sentiment-worker", "simulator", "kafka-setup", "topics-init")}
    assert principals == {"web": "web", "worker-1": "worker", "worker-2": "worker", "sentiment-worker":
                          "sentiment-worker", "simulator": "simulator", "kafka-setup": "admin", "topics-init": "admin"}
    from dost_feedback.stack.kafka_security import principal_grants

    passwords = json.loads(env_of(services["kafka-setup"])["DOST_KAFKA_PRINCIPAL_PASSWORDS"])
    assert set(passwords) == set(principal_grants("dost-feedback", "dost-feedback-sentiment"))
    for name in ("web", "worker-1", "sentiment-worker"):
        assert env_of(services[name])["DOST_KAFKA_SECURITY_PROTOCOL"] == "SASL_PLAINTEXT"


def test_kafka_clients_start_after_every_broker(services, kafka_brokers):
    for name in ("topics-init", "web", "worker-1", "worker-2", "simulator"):
        if name not in services:
            continue
        missing = set(kafka_brokers) - transitive_deps(services, name)
        assert not missing, f"{name} may start before {sorted(missing)}"


# --------------------------------------------------------------------------------------
# Prometheus and Alertmanager wiring (their files are written by the monitoring work)
# --------------------------------------------------------------------------------------

def _prometheus_targets(config: dict) -> list[tuple[str, str]]:
    """(origin, host:port) for scrape targets and Alertmanager targets."""
    found = []
    for job in config.get("scrape_configs") or []:
        for static in job.get("static_configs") or []:
            for target in static.get("targets") or []:
                found.append((f"scrape job {job.get('job_name')!r}", target))
    for am in (config.get("alerting") or {}).get("alertmanagers") or []:
        for static in am.get("static_configs") or []:
            for target in static.get("targets") or []:
                found.append(("alerting.alertmanagers", target))
    return found


def test_prometheus_scrape_targets_are_compose_services(services):
    config = yaml.safe_load(require_file(PROMETHEUS_YML, "/etc/prometheus/prometheus.yml").read_text())
    targets = _prometheus_targets(config)
    assert targets, "prometheus.yml has no static targets"
    for origin, target in targets:
        host, port = host_port(target)
        assert_reaches_service(services, host, port, f"prometheus.yml {origin}")
    scraped = {target for origin, target in targets if origin.startswith("scrape")}
    assert {"worker-1:9101", "worker-2:9101"} <= scraped, "both workers must be scraped"
    assert any(origin == "alerting.alertmanagers" for origin, _ in targets), (
        "prometheus.yml must send alerts to the alertmanager service"
    )


def test_prometheus_rule_files_resolve_inside_the_container(services):
    config = yaml.safe_load(require_file(PROMETHEUS_YML, "/etc/prometheus/prometheus.yml").read_text())
    require_file(RULES_DIR / "satisfaction.rules.yml", "part of /etc/prometheus/rules")
    prometheus = services["prometheus"]
    config_flag = next(
        (arg.split("=", 1)[1] for arg in prometheus.get("command") or [] if str(arg).startswith("--config.file=")),
        "/etc/prometheus/prometheus.yml",
    )
    assert host_path_for(prometheus, config_flag) == PROMETHEUS_YML.resolve(), (
        f"--config.file={config_flag} is not the mounted monitoring/prometheus/prometheus.yml"
    )
    rule_files = config.get("rule_files") or []
    assert rule_files, "prometheus.yml loads no rule_files"
    for pattern in rule_files:
        # Relative rule paths resolve against the config file's directory: the volume that
        # monitoring-config fills with the shipped rules (its dashboard links made public).
        in_container = PurePosixPath(config_flag).parent / pattern
        volumes = [source for source, target in mounts(prometheus) if PurePosixPath(target) == in_container.parent]
        assert volumes == ["prometheus-rules"], f"rule_files {pattern!r} -> {in_container}, which no mount provides"
        writer = services["monitoring-config"]
        out = writer["command"][writer["command"].index("--out") + 1]
        assert ("prometheus-rules", out) in mounts(writer)
        assert depends_on(prometheus)["monitoring-config"]["condition"] == "service_completed_successfully"
        assert glob.glob(str(RULES_DIR / PurePosixPath(pattern).name)), f"rule_files {pattern!r} matches nothing"


def test_alertmanager_config_is_mounted_and_webhooks_reach_services(services):
    config = yaml.safe_load(require_file(ALERTMANAGER_YML, "/etc/alertmanager/alertmanager.yml").read_text())
    alertmanager = services["alertmanager"]
    config_flag = next(
        (arg.split("=", 1)[1] for arg in alertmanager.get("command") or [] if str(arg).startswith("--config.file=")),
        "/etc/alertmanager/alertmanager.yml",
    )
    assert host_path_for(alertmanager, config_flag) == ALERTMANAGER_YML.resolve()
    urls = [
        hook["url"]
        for receiver in config.get("receivers") or []
        for hook in receiver.get("webhook_configs") or []
        if hook.get("url")
    ]
    assert urls, "alertmanager.yml has no webhook receiver for on-call"
    for url in urls:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        assert_reaches_service(services, parts.hostname, port, f"alertmanager webhook {url}")


# --------------------------------------------------------------------------------------
# Grafana
# --------------------------------------------------------------------------------------

def _provisioning_files(kind: str) -> list[Path]:
    folder = GRAFANA_PROVISIONING / kind
    files = sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")])
    assert files, f"no Grafana {kind} provisioning in {folder.relative_to(REPO)}"
    return files


def _datasource_uids() -> dict[str, dict]:
    uids = {}
    for path in _provisioning_files("datasources"):
        config = yaml.safe_load(path.read_text())
        assert config.get("apiVersion") == 1, f"{path.name}: apiVersion 1 expected"
        for source in config.get("datasources") or []:
            assert source.get("uid"), f"{path.name}: datasource {source.get('name')} needs a fixed uid"
            assert source["uid"] not in uids, f"duplicate datasource uid {source['uid']}"
            uids[source["uid"]] = source
    return uids


def test_grafana_mounts_provisioning_and_ships_no_default_password(services):
    grafana = services["grafana"]
    for kind in ("datasources", "dashboards"):
        assert host_path_for(grafana, f"/etc/grafana/provisioning/{kind}") == (GRAFANA_PROVISIONING / kind).resolve()
    # Alerting comes from the volume monitoring-config renders (dashboard links under
    # DOST_GRAFANA_URL), never the committed copy with 127.0.0.1 links.
    assert host_path_for(grafana, "/etc/grafana/provisioning/alerting") is None
    assert ("grafana-alerting", "/etc/grafana/provisioning/alerting") in mounts(grafana)
    writer = services["monitoring-config"]
    assert ("grafana-alerting", writer["command"][writer["command"].index("--grafana-out") + 1]) in mounts(writer)
    assert depends_on(grafana)["monitoring-config"]["condition"] == "service_completed_successfully"
    raw = yaml.safe_load(COMPOSE_FILE.read_text())["services"]["grafana"]
    password = str(env_of(raw).get("GF_SECURITY_ADMIN_PASSWORD", ""))
    assert re.fullmatch(r"\$\{[A-Za-z_][A-Za-z0-9_]*:?\?[^}]*\}", password), (
        "GF_SECURITY_ADMIN_PASSWORD must be a required variable (${VAR:?message}), never a default"
    )


def test_grafana_datasource_points_at_prometheus_service(services):
    uids = _datasource_uids()
    assert "prometheus" in uids, "dashboards reference the datasource uid 'prometheus'"
    source = uids["prometheus"]
    assert source.get("type") == "prometheus"
    parts = urlsplit(source["url"])
    assert_reaches_service(services, parts.hostname, parts.port or 80, "Grafana datasource")


def test_grafana_dashboard_provider_path_is_mounted(services):
    grafana = services["grafana"]
    paths = []
    for path in _provisioning_files("dashboards"):
        config = yaml.safe_load(path.read_text())
        assert config.get("apiVersion") == 1, f"{path.name}: apiVersion 1 expected"
        for provider in config.get("providers") or []:
            assert provider.get("type", "file") == "file"
            paths.append(provider["options"]["path"])
    assert paths, "no dashboard provider configured"
    for container_path in paths:
        host = host_path_for(grafana, container_path)
        assert host == GRAFANA_DASHBOARDS.resolve(), (
            f"dashboard provider path {container_path} is not the mounted monitoring/grafana/dashboards"
        )


def _all_panels(panels: list[dict]) -> list[dict]:
    found = []
    for panel in panels:
        found.append(panel)
        found.extend(_all_panels(panel.get("panels") or []))  # collapsed rows nest panels
    return found


def _dashboard_files() -> list[Path]:
    files = sorted(GRAFANA_DASHBOARDS.rglob("*.json"))
    assert files, "monitoring/grafana/dashboards/ holds no dashboard"
    return files


def test_dashboards_are_well_formed():
    builtin_uids = {"-- Grafana --", "-- Mixed --", "-- Dashboard --", "grafana"}
    known_uids = set(_datasource_uids()) | builtin_uids
    dashboard_uids = set()
    for path in _dashboard_files():
        name = path.relative_to(REPO)
        dashboard = json.loads(path.read_text())
        assert isinstance(dashboard.get("schemaVersion"), int) and dashboard["schemaVersion"] >= 36, (
            f"{name}: schemaVersion missing or too old"
        )
        assert dashboard.get("uid") and dashboard.get("title"), f"{name}: needs uid and title"
        assert dashboard["uid"] not in dashboard_uids, f"{name}: duplicate dashboard uid"
        dashboard_uids.add(dashboard["uid"])
        assert dashboard.get("id") is None, f"{name}: drop the instance-specific numeric id"

        panels = _all_panels(dashboard.get("panels") or [])
        assert panels, f"{name}: no panels"
        ids = [panel.get("id") for panel in panels]
        assert all(isinstance(i, int) for i in ids), f"{name}: every panel needs an integer id"
        assert len(ids) == len(set(ids)), f"{name}: duplicate panel ids {ids}"

        for panel in panels:
            label = f"{name} panel {panel['id']} ({panel.get('title')})"
            grid = panel.get("gridPos") or {}
            assert all(isinstance(grid.get(k), int) for k in "hwxy"), f"{label}: gridPos h/w/x/y"
            assert grid["w"] > 0 and grid["h"] > 0 and grid["x"] + grid["w"] <= 24, f"{label}: gridPos"
            if panel.get("type") == "row":
                continue
            refs = [panel.get("datasource")] + [t.get("datasource") for t in panel.get("targets") or []]
            for ref in refs:
                if ref is None:
                    continue
                uid = ref.get("uid") if isinstance(ref, dict) else ref
                assert uid in known_uids, f"{label}: datasource {ref!r} is not provisioned"
            for target in panel.get("targets") or []:
                assert target.get("refId"), f"{label}: target without refId"


def test_network_overview_dashboard_queries_the_contract_metrics():
    path = GRAFANA_DASHBOARDS / "network-overview.json"
    dashboard = json.loads(path.read_text())
    assert dashboard["schemaVersion"] == 41  # grafana-foundation-sdk 11.6 (compose runs Grafana 11.6)
    exprs = " ".join(
        target.get("expr", "")
        for panel in _all_panels(dashboard["panels"])
        for target in panel.get("targets") or []
    )
    # The recording rules (monitoring/alerting/): one series per center even with several workers.
    for needle in (
        'dost:center_satisfaction:ratio{window="24h"}',
        "dost:center_satisfaction_target:max",
        'dost:center_ratings:max{window="24h"}',
    ):
        assert needle in exprs, f"network overview does not query {needle}"
    for panel in _all_panels(dashboard["panels"]):
        if panel.get("type") != "row":
            assert panel["datasource"] == {"type": "prometheus", "uid": "prometheus"}


# --------------------------------------------------------------------------------------
# Dockerfile and build context
# --------------------------------------------------------------------------------------

def test_dockerfile_runtime_image(dockerfile_lines):
    froms = [line.split()[1] for line in dockerfile_lines if line.upper().startswith("FROM ")]
    assert froms, "Dockerfile has no FROM"
    assert froms[-1] == "python:3.11-slim", f"runtime stage must be python:3.11-slim, not {froms[-1]}"
    for base in froms:
        assert image_is_pinned(base), f"base image {base} is not pinned"

    final_stage = dockerfile_lines[max(i for i, l in enumerate(dockerfile_lines) if l.upper().startswith("FROM ")) :]
    users = [line.split()[1] for line in final_stage if line.upper().startswith("USER ")]
    assert users, "runtime stage must switch to a non-root USER"
    assert users[-1].split(":")[0] not in {"root", "0"}, "runtime user must not be root"

    entrypoints = [line for line in final_stage if line.upper().startswith("ENTRYPOINT ")]
    assert entrypoints and json.loads(entrypoints[-1].split(None, 1)[1]) == ["dost-feedback"]
    assert any(re.search(r"pip (install|wheel)\b.*(\s\.|dost-feedback)", l) for l in dockerfile_lines), (
        "the image must install the project with pip"
    )


def test_entrypoint_is_a_declared_console_script():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert "dost-feedback" in project.get("scripts", {}), "pyproject declares no dost-feedback script"


def test_dockerignore_keeps_what_the_build_needs(dockerfile_lines):
    assert DOCKERIGNORE.is_file(), ".dockerignore is missing: the whole tree (with .git) would be sent"
    patterns = [
        line.strip() for line in DOCKERIGNORE.read_text().splitlines() if line.strip() and not line.startswith("#")
    ]
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    needed = ["pyproject.toml", "config/centers.yaml"]
    readme = pyproject["project"].get("readme")
    if isinstance(readme, str):
        needed.append(readme)
    needed += pyproject["project"].get("license-files", [])
    # The packages pyproject asks setuptools to find.
    includes = pyproject.get("tool", {}).get("setuptools", {}).get("packages", {}).get("find", {}).get("include", [])
    needed += [pattern.rstrip("*") + "/__init__.py" for pattern in includes]
    for path in needed:
        assert not dockerignored(path, patterns), f".dockerignore excludes {path}, which the build needs"

    # COPY sources from the context (not from other stages) must survive the filter.
    for line in dockerfile_lines:
        if not line.upper().startswith("COPY ") or "--from=" in line:
            continue
        args = [a for a in shlex.split(line)[1:] if not a.startswith("--")]
        for source in args[:-1]:
            if source in {".", "./"}:
                continue
            assert (REPO / source).exists(), f"Dockerfile copies {source}, which does not exist"
            assert not dockerignored(source.rstrip("/"), patterns), f".dockerignore excludes COPY source {source}"

    for secret_ish in (".git/config", ".dost/kafka/libs/x.jar", "tests/test_compose.py"):
        assert dockerignored(secret_ish, patterns), f"{secret_ish} should not be in the build context"


def test_dockerignore_matcher():
    patterns = ["**/__pycache__", "tests", "*.egg-info", "monitoring/grafana", "!tests/keep.py"]
    assert dockerignored("dost_feedback/__pycache__/x.pyc", patterns)
    assert dockerignored("tests/test_x.py", patterns)
    assert not dockerignored("tests/keep.py", patterns)
    assert dockerignored("dost_feedback.egg-info/PKG-INFO", patterns)
    assert dockerignored("monitoring/grafana/dashboards/a.json", patterns)
    assert not dockerignored("monitoring/oncall/receiver.py", patterns)
    assert not dockerignored("pyproject.toml", patterns)


def test_interpolation():
    assert interpolate("${A:-x}") == "x"
    assert interpolate("127.0.0.1:${P:-9090}:9090") == "127.0.0.1:9090:9090"
    assert interpolate("${B:?set B}") == "required-b"
    assert interpolate("$$HOME") == "$HOME"
    assert interpolate("${C}") == ""
