"""The on-call config (``config/oncall.yaml``): channels with their contacts, and which
channels each Alertmanager route notifies. Loading is the only I/O; routing is pure.

    channels:                      # name -> channel; the name is what logs and metrics show
      dev-file: {type: dev}        # JSON lines in DOST_ONCALL_DEV_OUTBOX_FILE
      duty-sms: {type: sms, to: ["+994501234567"]}     # the citizen-SMS gateway
      ops-mail: {type: email, to: ["oncall@example.az"]}  # SMTP from DOST_SMTP_*
      chat: {type: webhook, url: "https://chat.example.az/hooks/dost"}
    default_channels: [dev-file]   # alerts without a known severity (the root route)
    routes:                        # most specific first: severity+region, then severity
      - {severity: page, channels: [duty-sms, ops-mail]}
      - {severity: page, region: karabakh, channels: [karabakh-sms, ops-mail]}
      - {severity: warning, channels: [ops-mail]}
      - {severity: ticket, channels: [chat]}
    managers:                      # FollowupCasesOverdue: the region's center managers, e-mail only
      channels: [managers-mail]    # regions without their own
      regions: {karabakh: [karabakh-managers-mail]}

Without ``managers:``, those tickets go to the default channels that are not SMS.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, Sequence, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from dost_contract.settings import AlertSeverity
from monitoring.alerting.alertmanager_config import receiver_name

PHONE_PATTERN = r"^\+[1-9][0-9]{6,14}$"  # E.164
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+$"


class OncallConfigError(ValueError):
    """The on-call config is missing or invalid; the message names the file and the problem."""


class _Channel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DevChannel(_Channel):
    type: Literal["dev"]


class SmsChannel(_Channel):
    type: Literal["sms"]
    to: list[Annotated[str, Field(pattern=PHONE_PATTERN)]] = Field(min_length=1)


class EmailChannel(_Channel):
    type: Literal["email"]
    to: list[Annotated[str, Field(pattern=EMAIL_PATTERN)]] = Field(min_length=1)


class WebhookChannel(_Channel):
    type: Literal["webhook"]
    url: Annotated[str, Field(pattern=r"^https?://\S+$")]


Channel = Annotated[Union[DevChannel, SmsChannel, EmailChannel, WebhookChannel], Field(discriminator="type")]


class Route(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    severity: AlertSeverity
    region: str | None = None
    channels: list[str] = Field(min_length=1)


class ManagersRoute(BaseModel):
    """Where ``FollowupCasesOverdue`` goes: e-mail (or the dev file), per region."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    channels: list[str] = Field(min_length=1)
    regions: dict[str, list[str]] = Field(default_factory=dict)


class OncallConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    channels: dict[str, Channel] = Field(min_length=1)
    default_channels: list[str] = Field(min_length=1)
    routes: list[Route] = Field(default_factory=list)
    managers: ManagersRoute | None = None

    @model_validator(mode="after")
    def _consistent(self) -> "OncallConfig":
        named = [("default_channels", self.default_channels)] + [
            (f"route {receiver_name(route.severity, route.region)}", route.channels)
            for route in self.routes
        ]
        if self.managers is not None:
            named += [("managers", self.managers.channels)] + [
                (f"managers region {region}", names) for region, names in self.managers.regions.items()]
        for where, names in named:
            unknown = [name for name in names if name not in self.channels]
            if unknown:
                raise ValueError(f"{where} names unknown channel(s) {unknown}; defined: {sorted(self.channels)}")
        seen: set[tuple[str, str | None]] = set()
        for route in self.routes:
            key = (route.severity, route.region)
            if key in seen:
                raise ValueError(f"two routes for severity={route.severity} region={route.region}")
            seen.add(key)
        if self.managers is not None:
            managers = [*self.managers.channels, *(n for names in self.managers.regions.values() for n in names)]
            sms = sorted({name for name in managers if self.channels[name].type == "sms"})
            if sms:
                raise ValueError(f"managers: channel(s) {sms} are SMS; follow-up tickets go to the center "
                                 "managers by e-mail, never to the on-call SMS")
        return self


def route_channels(config: OncallConfig, severity: str | None, region: str | None) -> list[str]:
    """The channel names for a route: severity+region, else severity, else the defaults. Pure."""
    by_key = {(route.severity, route.region): route.channels for route in config.routes}
    for key in ((severity, region), (severity, None)):
        if key in by_key:
            return list(by_key[key])
    return list(config.default_channels)


def managers_channels(config: OncallConfig, region: str | None) -> list[str]:
    """The channel names for a ``FollowupCasesOverdue`` ticket of ``region``. Pure."""
    if config.managers is not None:
        return list(config.managers.regions.get(region or "", config.managers.channels))
    return [name for name in config.default_channels if config.channels[name].type != "sms"]


def parse_oncall_config(text: str, source: str, known_regions: Sequence[str] | None = None) -> OncallConfig:
    """Validate the YAML text; ``known_regions`` (the registry's) catches misspelt regions."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise OncallConfigError(f"on-call config {source} is not valid YAML: {exc}") from None
    if not isinstance(document, dict):
        raise OncallConfigError(f"on-call config {source} must be a mapping with 'channels' and 'default_channels'")
    try:
        config = OncallConfig.model_validate(document)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or '(top)'}: {error['msg']}" for error in exc.errors()
        )
        raise OncallConfigError(f"on-call config {source} is invalid: {problems}") from None
    if known_regions is not None:
        regions = {r.region for r in config.routes if r.region} | set(config.managers.regions if config.managers else ())
        unknown = sorted(regions - set(known_regions))
        if unknown:
            raise OncallConfigError(
                f"on-call config {source}: region(s) {unknown} are not in the center registry "
                f"(known: {', '.join(sorted(known_regions))})"
            )
    return config


def load_oncall_config(path: Path, known_regions: Sequence[str] | None = None) -> OncallConfig:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise OncallConfigError(f"on-call config not found: {path} (set DOST_ONCALL_CONFIG_FILE)") from None
    except OSError as exc:
        raise OncallConfigError(f"on-call config {path} cannot be read: {exc}") from None
    return parse_oncall_config(text, str(path), known_regions)
