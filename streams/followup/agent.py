"""The case agent: unhappy feedback -> a follow-up case; case history -> ``followup.cases``.

Its own Faust app and consumer group (``<app id>-followup``), in its own process
(``dost-feedback cases-worker``), so a slow database never holds back the satisfaction
numbers or the sentiment model.

- ``CaseOpener.handle`` (agents on ``feedback.submitted`` and ``feedback.scored``): a
  valid rating that the center's rule (``dost_contract.followup``) says needs a case opens
  one: a low rating as soon as it is submitted, a negative comment once it is scored. The
  case store opens **at most one case per feedback_id** (a unique constraint), so a
  re-delivery, a replay, a rating that is both low and negative, or a second agent process
  never opens a second. A score that arrives for an existing case adds its sentiment.
  The deadline counts from the feedback's ``received_at``, so a replay computes the same one.
- ``CaseRelay`` (a timer, on the group's leader only): publishes the case history entries
  not yet on ``followup.cases`` (the web and the CLI only write the database), then marks
  them published; a crash in between publishes an entry again, so consumers key on
  (``case_id``, ``event``, ``at``). A ``resolved`` entry also feeds the resolution histogram
  and the root-cause counter, and queues the SMS survey of an SMS case.
  It also refreshes the open and overdue gauges from the database, for every center.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Container
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import orjson

from dost_channels import case_sms
from dost_channels.cases import CaseStore
from dost_channels.db.offload import in_db_thread
from dost_channels.store import ChannelStore
from dost_contract.centers import CenterRegistry
from dost_contract.events import FeedbackSubmitted
from dost_contract.followup import (
    Case,
    CaseAction,
    CaseEvent,
    FollowupRule,
    RootCause,
    due_at,
    new_case,
    opening_reason,
)
from dost_contract.settings import Settings
from streams.followup import metrics
from streams.validation import validate_record

log = logging.getLogger(__name__)
OUTCOMES = ("opened", "duplicate", "no_case", "sentiment", "invalid")
RELAY_BATCH = 500


@dataclass(frozen=True)
class Scored:
    """A ``feedback.scored`` record's sentiment."""

    label: str
    score: float | None
    language: str | None


def parse_feedback(raw: bytes | None, known_centers: Container[str]) -> tuple[FeedbackSubmitted | None,
                                                                                 Scored | None]:
    """The valid event of a ``feedback.submitted`` or ``feedback.scored`` record, and its sentiment if scored.
    Invalid, unknown-center and suspect records give (None, None): the rating worker dead-letters them."""
    event = validate_record(raw, known_centers)
    if not isinstance(event, FeedbackSubmitted):
        return None, None
    sentiment = orjson.loads(raw).get("sentiment")
    if not isinstance(sentiment, dict) or not isinstance(sentiment.get("label"), str):
        return event, None
    return event, Scored(sentiment["label"], sentiment.get("score"), sentiment.get("language"))


def case_for(event: FeedbackSubmitted, scored: Scored | None, registry: CenterRegistry, default_rule: FollowupRule,
             zone: ZoneInfo) -> Case | None:
    """The case this feedback opens under its center's rule, or None."""
    center = registry.get(event.center_id)
    if center is None:
        return None
    rule = center.followup_rule(default_rule)
    reason = opening_reason(rule, event.rating, scored.label if scored else None)
    if reason is None:
        return None
    opened_at = event.received_at.timestamp()
    return new_case(
        feedback_id=str(event.feedback_id), center_id=event.center_id, reason=reason, rating=event.rating,
        channel=event.channel.value, opened_at=opened_at,
        due=due_at(opened_at, center.hours, zone, rule.deadline_working_days), comment=event.comment,
        service_group=event.service_group.value if event.service_group else None,
        sentiment_label=scored.label if scored else None, sentiment_score=scored.score if scored else None,
        language=scored.language if scored else None,
    )


@dataclass
class CaseOpener:
    """Opens the cases one feedback record calls for (synchronous: run it on a database thread)."""

    store: CaseStore
    registry: CenterRegistry
    default_rule: FollowupRule
    zone: ZoneInfo

    def handle(self, raw: bytes | None) -> str:
        """One record; its outcome (one of ``OUTCOMES``)."""
        return self.handle_batch([raw])[0]

    def handle_batch(self, raws: list[bytes | None]) -> list[str]:
        """Each record's outcome (one of ``OUTCOMES``): the cases in one transaction, the scores in another."""
        outcomes: list[str] = []
        to_open: list[tuple[int, Case]] = []
        to_score: list[tuple[int, tuple[str, str, float | None, str | None]]] = []
        for index, raw in enumerate(raws):
            event, scored = parse_feedback(raw, self.registry)
            outcomes.append("invalid" if event is None else "no_case")
            if event is None:
                continue
            case = case_for(event, scored, self.registry, self.default_rule, self.zone)
            if case is not None:
                to_open.append((index, case))
            if scored is not None:
                to_score.append((index, (str(event.feedback_id), scored.label, scored.score, scored.language)))
        if to_open:
            for (index, _), (stored, opened) in zip(to_open, self.store.open_cases([c for _, c in to_open])):
                outcomes[index] = "opened" if opened else "duplicate"
                if opened:
                    metrics.CASES_OPENED_TOTAL.labels(stored.center_id, stored.reason).inc()
                    log.info("case %s opened for feedback %s (%s, %s)", stored.case_id, stored.feedback_id,
                             stored.center_id, stored.reason)
        pending = [(index, score) for index, score in to_score if outcomes[index] != "opened"]
        if pending:
            for (index, _), noted in zip(pending, self.store.note_sentiments([s for _, s in pending])):
                if noted and outcomes[index] == "no_case":
                    outcomes[index] = "sentiment"
        return outcomes


Send = Callable[[bytes, bytes], Awaitable[Awaitable[object]]]  # (key, value) -> the broker's acknowledgement


@dataclass
class CaseRelay:
    """Publishes the case history to ``followup.cases``; refreshes the case gauges."""

    store: CaseStore
    channel_store: ChannelStore
    registry: CenterRegistry
    settings: Settings

    def __post_init__(self) -> None:
        for center_id in self.registry.ids():  # every center's series exists from the start
            metrics.CASE_RESOLUTION_SECONDS.labels(center_id)
            for cause in RootCause:
                metrics.CASES_RESOLVED_TOTAL.labels(center_id, cause.value)
        for action in CaseAction:
            metrics.CASE_EVENTS_PUBLISHED_TOTAL.labels(action.value)

    async def relay(self, send: Send) -> int:
        """Publish what is pending (waiting for the broker's acknowledgements), then mark it; how many."""
        pending = await in_db_thread(self.store.unpublished, RELAY_BATCH)
        if not pending:
            return 0
        acks = [await send(*event.to_kafka()) for _, event in pending]
        await asyncio.gather(*acks)
        await in_db_thread(self.store.mark_published, [entry_id for entry_id, _ in pending])
        for _, event in pending:
            self.observe(event)
        for _, event in pending:
            if event.event == CaseAction.RESOLVED and self.settings.followup_survey_enabled:
                await in_db_thread(self.queue_survey, event.case_id)
        return len(pending)

    @staticmethod
    def observe(event: CaseEvent) -> None:
        metrics.CASE_EVENTS_PUBLISHED_TOTAL.labels(event.event.value).inc()
        if event.event == CaseAction.RESOLVED:
            metrics.CASE_RESOLUTION_SECONDS.labels(event.center_id).observe(event.resolution_seconds or 0.0)
            cause = event.root_cause.value if event.root_cause else RootCause.OTHER.value
            metrics.CASES_RESOLVED_TOTAL.labels(event.center_id, cause).inc()

    def queue_survey(self, case_id: str) -> bool:
        """The "Reply 1-5" SMS of a resolved SMS case (best effort: a survey is optional)."""
        try:
            case = self.store.get(case_id)
            if case.channel != "sms":
                return False
            return case_sms.queue_case_survey(self.channel_store, self.store, self.registry, case,
                                              valid_seconds=self.settings.followup_survey_ttl_seconds)
        except Exception:  # noqa: BLE001 - the resolution is published; only the survey is lost
            log.exception("case %s: the follow-up survey could not be queued", case_id)
            return False

    def refresh_gauges(self, now: float | None = None) -> None:
        counts = self.store.counts(time.time() if now is None else now)
        for center_id in {*self.registry.ids(), *counts}:
            held = counts.get(center_id)
            metrics.CASES_OPEN.labels(center_id).set(held.open if held else 0)
            metrics.CASES_OVERDUE.labels(center_id).set(held.overdue if held else 0)
