"""How Grafana 11 reads an alerting provisioning file, for tests: which fields it expands
and how, ported from Grafana's own code (not a guess at it).

- ``pkg/services/provisioning/values``: every ``values.*Value`` string goes through
  ``interpolateValue``: split on ``$$``; each part through ``setting.ExpandVar``
  (``$__env{NAME}``, ``$__file{…}``, ``$__vault{…}``) and Go's ``os.ExpandEnv``; parts joined
  with ``$`` (so ``$$`` is a literal ``$``).
- ``pkg/services/provisioning/alerting/rules_types.go`` (``AlertRuleV1.mapToModel``): uid,
  title, condition, for, states, group name/folder/interval and **labels** take the expanded
  value; **annotations** and each query's **model** take ``Raw``, the text as written.
"""

from __future__ import annotations

import re
from typing import Any

_SHELL_SPECIAL = set("*#$@!?-0123456789")
_EXPANDER = re.compile(r"\$__(\w+)\{(.*?)\}")  # Grafana's setting.ExpandVar pattern


def _shell_name(s: str) -> tuple[str, int]:
    """Go's os.getShellName: the name after a ``$`` and how many bytes it consumed."""
    if s[0] == "{":
        if len(s) > 2 and s[1] in _SHELL_SPECIAL and s[2] == "}":
            return s[1:2], 3
        for i in range(1, len(s)):
            if s[i] == "}":
                return ("", 2) if i == 1 else (s[1:i], i + 1)
        return "", 1
    if s[0] in _SHELL_SPECIAL:
        return s[0:1], 1
    i = 0
    while i < len(s) and (s[i] == "_" or s[i].isascii() and s[i].isalnum()):
        i += 1
    return s[:i], i


def go_expand_env(s: str, env: dict[str, str]) -> str:
    """Go's ``os.ExpandEnv``: ``$NAME`` and ``${NAME}`` replaced (unset -> empty); bad syntax eaten."""
    out, i, j = [], 0, 0
    while j < len(s):
        if s[j] == "$" and j + 1 < len(s):
            out.append(s[i:j])
            name, width = _shell_name(s[j + 1:])
            if name:
                out.append(env.get(name, ""))
            elif width == 0:
                out.append("$")
            j += width
            i = j + 1
        j += 1
    return "".join(out) + s[i:] if out else s


def _expand_var(part: str, env: dict[str, str]) -> str:
    def replace(match: re.Match) -> str:
        if match.group(1) != "env":
            raise AssertionError(f"provisioning text uses Grafana's $__{match.group(1)} expander: {part!r}")
        return env.get(match.group(2), "")
    return _EXPANDER.sub(replace, part)


def grafana_interpolate(value: str, env: dict[str, str]) -> str:
    """Grafana's ``values.interpolateValue``."""
    return "$".join(go_expand_env(_expand_var(part, env), env) for part in value.split("$$"))


_EXPANDED_RULE_FIELDS = ("uid", "title", "condition", "for", "noDataState", "execErrState")
_EXPANDED_GROUP_FIELDS = ("name", "folder", "interval")


def provisioned_rule_groups(document: dict[str, Any], env: dict[str, str]) -> list[dict[str, Any]]:
    """The rule groups as Grafana stores them from ``document``: the expanded fields expanded,
    annotations and query models as written."""
    def expand(value: Any) -> Any:
        return grafana_interpolate(value, env) if isinstance(value, str) else value

    groups = []
    for group in document["groups"]:
        stored = {key: expand(group[key]) for key in _EXPANDED_GROUP_FIELDS}
        stored["rules"] = []
        for rule in group["rules"]:
            stored_rule = {key: expand(rule[key]) for key in _EXPANDED_RULE_FIELDS if key in rule}
            stored_rule["labels"] = {key: expand(value) for key, value in (rule.get("labels") or {}).items()}
            stored_rule["annotations"] = dict(rule.get("annotations") or {})
            stored_rule["data"] = [
                {**{key: expand(query[key]) for key in ("refId", "datasourceUid") if key in query},
                 "model": query["model"]}
                for query in rule["data"]
            ]
            stored["rules"].append(stored_rule)
        groups.append(stored)
    return groups
