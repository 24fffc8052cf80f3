"""The center registry: which file, whether the planned network is in, the default target."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from dost_contract.settings.base import PROJECT_ROOT


class CenterSettings(BaseModel):
    centers_file: Path = PROJECT_ROOT / "config" / "centers.yaml"
    planned_centers_file: Path = PROJECT_ROOT / "config" / "centers.planned.yaml"
    include_planned_centers: bool = False
    default_target: float = Field(0.985, gt=0, lt=1)
    # The time zone of the registry's opening_hours (an IANA name); the worker's
    # dost_center_open gauge and CenterNoRatingsWhileOpen use it.
    centers_timezone: str = "Asia/Baku"
