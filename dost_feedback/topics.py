"""Kafka topic names of the public contract. All topics are keyed by ``center_id``."""

FEEDBACK_SUBMITTED = "feedback.submitted"
FEEDBACK_SCORED = "feedback.scored"
FEEDBACK_DEADLETTER = "feedback.deadletter"
CENTER_SATISFACTION = "center.satisfaction"

ALL_TOPICS = (FEEDBACK_SUBMITTED, FEEDBACK_SCORED, FEEDBACK_DEADLETTER, CENTER_SATISFACTION)
