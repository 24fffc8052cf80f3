"""Every ``dost_*`` series name the system exports, in one catalogue.

The exporters (``streams/metrics.py``, ``streams/sentiment/metrics.py``,
``streams/sms_invitations.py``, ``streams/followup/metrics.py``, ``feedback_web/metrics.py``,
``monitoring/oncall/receiver.py``)
declare their metrics with these names, and the rules, dashboards and replay query them
by the same constants, so a rename is one edit here. ``tests/test_layout.py`` checks that
no ``dost_*`` series name is typed anywhere else in the packages.

Counters carry ``_total`` here as Prometheus shows them (prometheus_client strips and
re-adds it). Histograms are named by their base; a query adds ``_bucket``, ``_sum`` or
``_count`` with ``bucket()`` and friends.
"""

from __future__ import annotations

# --- The contract's satisfaction series (stream workers; ../shared/CONTRACT.md) -----------
FEEDBACK_RATINGS_TOTAL = "dost_feedback_ratings_total"  # {center_id, channel, rating}
CENTER_SATISFACTION_RATIO = "dost_center_satisfaction_ratio"  # {center_id, window}
CENTER_RATINGS = "dost_center_ratings"  # {center_id, window}
CENTER_SATISFIED = "dost_center_satisfied"  # {center_id, window}
CENTER_SATISFACTION_TARGET = "dost_center_satisfaction_target"  # {center_id}
COMMENT_SENTIMENT_TOTAL = "dost_comment_sentiment_total"  # {center_id, label}

# --- Stream worker: registry info, service groups, pipeline health ----------------------
CENTER_INFO = "dost_center_info"  # {center_id, region, kind}, always 1
CENTER_OPEN = "dost_center_open"  # {center_id}: 1 within opening hours
CENTER_OPEN_HOURS_PER_WEEK = "dost_center_open_hours_per_week"  # {center_id}
SERVICE_GROUP_SATISFACTION_RATIO = "dost_service_group_satisfaction_ratio"  # {center_id, service_group, window}
SERVICE_GROUP_RATINGS = "dost_service_group_ratings"
SERVICE_GROUP_SATISFIED = "dost_service_group_satisfied"
WORKER_EVENTS_PROCESSED_TOTAL = "dost_worker_events_processed_total"  # {outcome}
WORKER_RECORDS_REREAD_TOTAL = "dost_worker_records_reread_total"
WORKER_DEADLETTERS_TOTAL = "dost_worker_deadletters_total"  # {reason}
WORKER_BATCH_PROCESSING_SECONDS = "dost_worker_batch_processing_seconds"  # histogram
WORKER_BATCH_EVENTS = "dost_worker_batch_events"  # histogram
WORKER_CONSUMER_LAG_MESSAGES = "dost_worker_consumer_lag_messages"  # {partition}
WORKER_ASSIGNED_PARTITIONS = "dost_worker_assigned_partitions"
# The rating state's size: {kind} = center_days | feedback_marks | mark_blocks (entries held)
WORKER_STATE_ENTRIES = "dost_worker_state_entries"
WORKER_STATE_MARK_BYTES = "dost_worker_state_mark_bytes"  # bytes of mark blocks held
# The change detectors (streams.detector; dost_contract.change_detection), {center_id, detector}:
CENTER_CHANGE_SCORE = "dost_center_change_score"  # CUSUM points, held >= the page level while latched
CENTER_CHANGE_SINCE = "dost_center_change_since_timestamp_seconds"  # start of the current excursion
CENTER_CHANGE_RATINGS = "dost_center_change_ratings"  # ratings since then
CENTER_CHANGE_UNSATISFIED = "dost_center_change_unsatisfied"  # unhappy ratings (1-3) since then

# --- SMS-invitation agent (its own process and consumer group) ---------------------------
SMS_INVITATIONS_TOTAL = "dost_sms_invitations_total"  # {outcome}: visits.completed handled
SMS_INVITATION_SENDS_TOTAL = "dost_sms_invitation_sends_total"  # {outcome}: outbox send attempts
SMS_OUTBOX_INVITATIONS = "dost_sms_outbox_invitations"  # {state}: pending, sent, gave_up

# --- Follow-up case agent (its own process and consumer group; streams/followup/) -------
FOLLOWUP_CASES_OPEN = "dost_followup_cases_open"  # {center_id}: open or in progress
FOLLOWUP_CASES_OVERDUE = "dost_followup_cases_overdue"  # {center_id}: of those, past due_at
FOLLOWUP_CASE_RESOLUTION_SECONDS = "dost_followup_case_resolution_seconds"  # histogram {center_id}
FOLLOWUP_CASES_RESOLVED_TOTAL = "dost_followup_cases_resolved_total"  # {center_id, root_cause}
FOLLOWUP_CASES_OPENED_TOTAL = "dost_followup_cases_opened_total"  # {center_id, reason}
FOLLOWUP_EVENTS_TOTAL = "dost_followup_events_total"  # {topic, outcome}: feedback records the agent handled
FOLLOWUP_CASE_EVENTS_PUBLISHED_TOTAL = "dost_followup_case_events_published_total"  # {event}: on followup.cases

# --- Sentiment worker -------------------------------------------------------------------
SENTIMENT_EVENTS_TOTAL = "dost_sentiment_events_total"  # {outcome}
SENTIMENT_BATCH_SECONDS = "dost_sentiment_batch_seconds"  # histogram
SENTIMENT_BATCH_COMMENTS = "dost_sentiment_batch_comments"  # histogram
SENTIMENT_CONSUMER_LAG_MESSAGES = "dost_sentiment_consumer_lag_messages"  # {partition}

# --- Web --------------------------------------------------------------------------------
WEB_FEEDBACK_ACCEPTED_TOTAL = "dost_web_feedback_accepted_total"  # {channel}
WEB_FEEDBACK_REJECTED_TOTAL = "dost_web_feedback_rejected_total"  # {reason}
WEB_PUBLISH_SECONDS = "dost_web_publish_seconds"  # histogram
WEB_SMS_REPLIES_TOTAL = "dost_web_sms_replies_total"  # {outcome}
WEB_KIOSK_SUSPECT_RATINGS_TOTAL = "dost_web_kiosk_suspect_ratings_total"  # {center_id, device_id, reason}

# --- On-call receiver -------------------------------------------------------------------
ONCALL_NOTIFICATIONS_TOTAL = "dost_oncall_notifications_total"  # {status, severity}
ONCALL_DELIVERIES_TOTAL = "dost_oncall_deliveries_total"  # {channel, severity, result}
ONCALL_DELIVERIES_UNDELIVERED = "dost_oncall_deliveries_undelivered"  # {state}
ONCALL_HEARTBEATS_TOTAL = "dost_oncall_heartbeats_total"  # {result}: Watchdog heartbeats relayed


def bucket(histogram: str) -> str:
    """The ``_bucket`` series of a histogram (for ``histogram_quantile``)."""
    return f"{histogram}_bucket"
