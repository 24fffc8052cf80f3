"""The center registry: which DOST centers exist, where, and what each one's target is."""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from dost_contract.followup import FollowupRule
from dost_contract.opening_hours import OpeningHours, parse_opening_hours
from dost_contract.settings import Settings, get_settings

CENTER_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


class CenterKind(StrEnum):
    REGIONAL = "regional"
    BRANCH = "branch"
    SMART_POINT = "smart_point"
    CITY = "city"


class CenterName(BaseModel):
    model_config = ConfigDict(extra="forbid")
    az: str
    en: str


class Center(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    center_id: str
    name: CenterName
    region: str
    kind: CenterKind
    target: float = Field(0.985, gt=0, lt=1)
    parent: str | None = None
    daily_visitors: int = Field(100, ge=1)
    opening_hours: str = "09:00-18:00"
    planned: bool = False
    # Overrides of the default follow-up rule (DOST_FOLLOWUP_*) for this center, e.g.
    # ``followup: {max_rating: 3, deadline_working_days: 1}``.
    followup: FollowupRule | None = None

    @field_validator("center_id")
    @classmethod
    def _valid_id(cls, center_id: str) -> str:
        if not CENTER_ID_PATTERN.match(center_id):
            raise ValueError("center_id must be lowercase letters, digits and '-', 2-63 chars")
        return center_id

    @field_validator("opening_hours")
    @classmethod
    def _valid_hours(cls, hours: str) -> str:
        parse_opening_hours(hours)  # OpeningHoursError (a ValueError) says what is wrong
        return hours

    @property
    def hours(self) -> OpeningHours:
        return parse_opening_hours(self.opening_hours)

    def followup_rule(self, default: FollowupRule) -> FollowupRule:
        """``default`` with this center's own ``followup:`` fields."""
        return default.overridden_by(self.followup)


class RegistryError(ValueError):
    """The registry file is missing or malformed; the message says where."""


class CenterRegistry(BaseModel):
    centers: tuple[Center, ...]

    @model_validator(mode="after")
    def _unique_and_linked(self) -> "CenterRegistry":
        seen: set[str] = set()
        for center in self.centers:
            if center.center_id in seen:
                raise ValueError(f"duplicate center_id {center.center_id!r}")
            seen.add(center.center_id)
        for center in self.centers:
            if center.parent and center.parent not in seen:
                raise ValueError(f"{center.center_id}: parent {center.parent!r} is not in the registry")
        return self

    def __contains__(self, center_id: object) -> bool:
        return any(c.center_id == center_id for c in self.centers)

    def __len__(self) -> int:
        return len(self.centers)

    def get(self, center_id: str) -> Center | None:
        return self.by_id().get(center_id)

    def ids(self) -> list[str]:
        return [c.center_id for c in self.centers]

    def by_id(self) -> dict[str, Center]:
        return {c.center_id: c for c in self.centers}

    def regions(self) -> list[str]:
        """The distinct regions, sorted (Alertmanager routes one sub-route per region)."""
        return sorted({c.region for c in self.centers})

    def targets(self) -> dict[str, float]:
        return {c.center_id: c.target for c in self.centers}


def _read_centers(path: Path, default_target: float) -> list[dict]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RegistryError(f"center registry not found: {path} (set DOST_CENTERS_FILE)") from None
    except yaml.YAMLError as exc:
        raise RegistryError(f"center registry {path} is not valid YAML: {exc}") from None
    if not isinstance(document, dict) or not isinstance(document.get("centers"), list):
        raise RegistryError(f"center registry {path} must hold a top-level 'centers:' list")
    return [{"target": default_target, **entry} for entry in document["centers"]]


def load_registry(settings: Settings | None = None, include_planned: bool | None = None) -> CenterRegistry:
    settings = settings or get_settings()
    include_planned = settings.include_planned_centers if include_planned is None else include_planned
    entries = _read_centers(settings.centers_file, settings.default_target)
    if include_planned:
        entries += _read_centers(settings.planned_centers_file, settings.default_target)
    try:
        return CenterRegistry(centers=tuple(entries))
    except ValidationError as exc:
        raise RegistryError(f"center registry is invalid: {exc}") from None
