"""Follow-up cases: the default rule (a center's registry ``followup:`` block overrides it),
the case agent's process and the citizen's follow-up survey."""

from __future__ import annotations

from pydantic import BaseModel, Field


class FollowupSettings(BaseModel):
    # A rating at or below this opens a case (0: ratings never do).
    followup_max_rating: int = Field(2, ge=0, le=5)
    # A comment scored negative on feedback.scored opens a case whatever the rating.
    followup_on_negative_comment: bool = True
    # Working days (of the center's opening hours, centers_timezone) a center has to act.
    followup_deadline_working_days: float = Field(2.0, gt=0, le=60)
    # After resolution, SMS cases get "Are you satisfied with how we handled it? Reply 1-5".
    followup_survey_enabled: bool = True
    # How long an SMS rater's phone is kept (encrypted) so that a case can answer them.
    followup_contact_days: float = Field(14.0, gt=0, le=90)
    # How long a survey reply is matched to its case.
    followup_survey_ttl_seconds: int = Field(7 * 24 * 3600, gt=0)
    # The case agent (dost-feedback cases-worker): its metrics (on DOST_WORKER_METRICS_HOST)
    # and how often it relays history entries to followup.cases and refreshes the gauges.
    followup_metrics_port: int = 9104
    followup_poll_seconds: float = Field(1.0, gt=0)
