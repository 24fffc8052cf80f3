"""Upload the DOST dashboards to a running Grafana and report what changed.

``dost-feedback dashboards push --url URL --token TOKEN [--folder DOST] [--dry-run]``
is the thin shell over ``push_dashboards``. The decision logic is pure
(``comparable``, ``classify``, ``format_report``); the I/O goes through the
``grafana-api`` package (``GrafanaFace``) and these Grafana HTTP API endpoints only:

- ``GET  /api/folders``                  find the target folder by title
- ``POST /api/folders``                  create it when missing
- ``GET  /api/dashboards/uid/<uid>``     the stored dashboard (404: not there yet)
- ``POST /api/dashboards/db``            create or overwrite a dashboard

Every failure a user can cause (unreachable URL, DNS, timeout, bad or weak token, not a
Grafana) becomes a ``GrafanaPushError`` with a one-line message, never a traceback.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Literal, TypeVar
from urllib.parse import urlsplit

import requests
from grafana_api.grafana_api import GrafanaClientError, GrafanaException, GrafanaUnauthorizedError
from grafana_api.grafana_face import GrafanaFace

from monitoring.names import slug

Change = Literal["created", "updated", "unchanged"]
# Keys Grafana sets itself on save; they never make a dashboard "changed".
SERVER_KEYS = ("id", "version")
PUSH_MESSAGE = "dost-feedback dashboards push"

T = TypeVar("T")


class GrafanaPushError(Exception):
    """A push failed for a reason the user can act on; str() is the message to print."""


@dataclass(frozen=True)
class PushResult:
    uid: str
    title: str
    change: Change


# --- pure ---------------------------------------------------------------------------------


def comparable(model: dict[str, Any]) -> dict[str, Any]:
    """The dashboard without the keys Grafana assigns (numeric id, version)."""
    return {key: value for key, value in model.items() if key not in SERVER_KEYS}


def classify(local: dict[str, Any], remote: dict[str, Any] | None, remote_folder_uid: str | None,
             folder_uid: str | None) -> Change:
    """created: not in Grafana; unchanged: same model in the same folder; else updated."""
    if remote is None:
        return "created"
    if comparable(remote) == comparable(local) and remote_folder_uid == folder_uid:
        return "unchanged"
    return "updated"


def format_report(results: Iterable[PushResult], folder: str, dry_run: bool) -> str:
    results = list(results)
    verb = {"created": "would create", "updated": "would update", "unchanged": "unchanged"} if dry_run else {
        "created": "created", "updated": "updated", "unchanged": "unchanged"}
    width = max([len(r.uid) for r in results] + [0])
    lines = [f"{verb[r.change]:<12} {r.uid:<{width}}  {r.title}" for r in results]
    counts = {change: sum(r.change == change for r in results) for change in ("created", "updated", "unchanged")}
    planned = {"created": "to create", "updated": "to update", "unchanged": "unchanged"}
    summary = ", ".join(f"{n} {planned[change] if dry_run else change}" for change, n in counts.items())
    lines.append(f"{len(results)} dashboards in folder {folder!r}: {summary}" + (" (dry run: nothing written)" if dry_run else ""))
    return "\n".join(lines)


def parse_grafana_url(url: str) -> dict[str, Any]:
    """GrafanaFace's connection arguments from a base URL like https://grafana.example.az/sub."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise GrafanaPushError(f"--url must be Grafana's base URL, like http://127.0.0.1:3000 (got {url!r})")
    try:
        port = parts.port
    except ValueError as error:
        raise GrafanaPushError(f"--url has a bad port: {url!r}") from error
    prefix = parts.path.strip("/")
    return {"host": parts.hostname, "port": port, "protocol": parts.scheme,
            "url_path_prefix": f"{prefix}/" if prefix else ""}


# --- I/O ----------------------------------------------------------------------------------


def load_dashboards(directory: Path) -> list[dict[str, Any]]:
    """The dashboard models committed under ``directory`` (*.json), in file-name order."""
    files = sorted(directory.glob("*.json"))
    if not files:
        raise GrafanaPushError(f"no dashboards (*.json) in {directory}")
    return [json.loads(path.read_text(encoding="utf-8")) for path in files]


def connect(url: str, token: str, timeout: float) -> GrafanaFace:
    if not token:
        raise GrafanaPushError("--token is empty: pass a Grafana service-account token (Editor role)")
    return GrafanaFace(token, timeout=timeout, **parse_grafana_url(url))


def _describe(error: requests.exceptions.ConnectionError) -> str:
    text = str(error)
    if any(marker in text for marker in ("NameResolutionError", "Name or service not known", "getaddrinfo",
                                           "nodename nor servname", "Temporary failure in name resolution")):
        return "the host name does not resolve (DNS)"
    if "Connection refused" in text:
        return "connection refused (nothing listening there)"
    return f"connection failed ({text.splitlines()[0][:200]})"


def call(url: str, timeout: float, request: Callable[[], T]) -> T:
    """Run one Grafana API request, turning every expected failure into GrafanaPushError."""
    try:
        return request()
    except requests.exceptions.Timeout as error:
        raise GrafanaPushError(f"Grafana at {url} did not answer within {timeout:g} s") from error
    except requests.exceptions.ConnectionError as error:
        raise GrafanaPushError(f"cannot reach Grafana at {url}: {_describe(error)}") from error
    except requests.exceptions.RequestException as error:
        raise GrafanaPushError(f"request to Grafana at {url} failed: {error}") from error
    except GrafanaUnauthorizedError as error:
        raise GrafanaPushError(
            f"Grafana at {url} rejected the token (401 Unauthorized): check --token") from error
    except GrafanaClientError as error:
        if error.status_code == 403:
            raise GrafanaPushError(
                f"the token may not write dashboards on {url} (403 Forbidden): "
                "use a service account with the Editor role") from error
        raise GrafanaPushError(f"Grafana at {url} refused the request: {error.message}") from error
    except GrafanaException as error:
        raise GrafanaPushError(f"Grafana at {url} failed: {error.message}") from error
    except ValueError as error:  # a 2xx answer that is not JSON: not Grafana's API
        raise GrafanaPushError(f"{url} did not answer like Grafana's HTTP API (no JSON)") from error


def _remote_dashboard(client: GrafanaFace, uid: str) -> tuple[dict[str, Any] | None, str | None]:
    try:
        stored = client.dashboard.get_dashboard(uid)
    except GrafanaClientError as error:
        if error.status_code == 404:
            return None, None
        raise
    return stored.get("dashboard"), (stored.get("meta") or {}).get("folderUid")


def _folder_uid(client: GrafanaFace, url: str, timeout: float, folder: str, dry_run: bool) -> str | None:
    folders = call(url, timeout, client.folder.get_all_folders)
    for existing in folders:
        if existing.get("title") == folder:
            return existing["uid"]
    if dry_run:
        return None
    return call(url, timeout, lambda: client.folder.create_folder(folder, uid=slug(folder)))["uid"]


def push_dashboards(url: str, token: str, dashboards: Iterable[dict[str, Any]], folder: str,
                    dry_run: bool = False, timeout: float = 10.0) -> list[PushResult]:
    """Upload ``dashboards`` into ``folder`` (created if missing) and say what changed each.

    With ``dry_run`` nothing is written: the result says what a push would do.
    """
    client = connect(url, token, timeout)
    folder_uid = _folder_uid(client, url, timeout, folder, dry_run)
    results = []
    for model in dashboards:
        remote, remote_folder = call(url, timeout, lambda: _remote_dashboard(client, model["uid"]))
        change = classify(model, remote, remote_folder, folder_uid)
        if change != "unchanged" and not dry_run:
            body = {"dashboard": {**model, "id": None}, "folderUid": folder_uid, "overwrite": True,
                    "message": PUSH_MESSAGE}
            call(url, timeout, lambda: client.dashboard.update_dashboard(body))
        results.append(PushResult(model["uid"], model["title"], change))
    return results
