"""YAML output for the rendered configs: stable key order, multi-line strings as `|` blocks."""

from __future__ import annotations

from typing import Any

import yaml


class _ConfigDumper(yaml.SafeDumper):
    """SafeDumper that keeps long PromQL readable and never wraps lines."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_ConfigDumper.add_representer(str, _represent_str)


def dump_yaml(document: Any, header: str | None = None) -> str:
    """``document`` as YAML; ``header`` lines become leading ``#`` comments."""
    body = yaml.dump(
        document,
        Dumper=_ConfigDumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=10_000,
    )
    if not header:
        return body
    comment = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    return comment + body
