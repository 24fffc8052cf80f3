"""Kafka topic names of the public contract. All topics are keyed by ``center_id``."""

FEEDBACK_SUBMITTED = "feedback.submitted"
FEEDBACK_SCORED = "feedback.scored"
FEEDBACK_DEADLETTER = "feedback.deadletter"
CENTER_SATISFACTION = "center.satisfaction"
FOLLOWUP_CASES = "followup.cases"  # follow-up case events (dost_contract.followup.CaseEvent)

ALL_TOPICS = (FEEDBACK_SUBMITTED, FEEDBACK_SCORED, FEEDBACK_DEADLETTER, CENTER_SATISFACTION, FOLLOWUP_CASES)

# The citizen channels' input: a finished visit (center, service group, phone encrypted
# and hashed), from which the SMS-invitation agent invites a rating.
VISITS_COMPLETED = "visits.completed"
CHANNEL_TOPICS = (VISITS_COMPLETED,)

# Faust keeps each stream table in a compacted changelog topic, "<app id>-<table>-changelog".
# They are created up front (with the source topics' partition count) because a worker
# that creates them itself can read their metadata before the partitions exist.
CENTER_DAYS_TABLE = "center-days"
# feedback_id marks (streams.dedup): blocks of first-seen ids, for once-ever de-duplication.
FEEDBACK_MARKS_TABLE = "feedback-marks"
TABLES = (CENTER_DAYS_TABLE, FEEDBACK_MARKS_TABLE)


def changelog_topic(app_id: str, table: str) -> str:
    return f"{app_id}-{table}-changelog"
