"""Every table the stores use, in one SQLAlchemy ``MetaData`` (Alembic's target).

Times are Unix seconds as double precision (``Double``: PostgreSQL's REAL is 4 bytes and
would round a timestamp to minutes). Channel tables: devices, API clients, QR tokens, SMS
invitations and their outbox, opt-outs, the SMS ledger, rate-limit buckets, kiosk presses
and completed visits. On-call tables: notifications and deliveries (``monitoring.oncall.outbox``).
Follow-up tables (``dost_channels.cases``): the cases, one per feedback_id, and their history,
whose unpublished entries the case agent relays to ``followup.cases``; the follow-up contacts
(``dost_channels.case_sms``): an SMS rater's phone, encrypted, kept a short while so that a
case can answer the citizen.
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
    text,
)

metadata = MetaData()

devices = Table(
    "devices", metadata,
    Column("device_id", Text, primary_key=True),
    Column("center_id", Text, nullable=False),
    Column("label", Text, nullable=False, server_default=""),
    Column("token_hash", Text, nullable=False, unique=True),
    Column("created_at", Double, nullable=False),
    Column("revoked_at", Double),
)

api_clients = Table(
    "api_clients", metadata,
    Column("client_id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("key_hash", Text, nullable=False, unique=True),
    Column("centers", Text, nullable=False),  # JSON list of center ids, or "*" for every center
    Column("channels", Text, nullable=False),  # JSON list of channel values
    Column("created_at", Double, nullable=False),
    Column("revoked_at", Double),
)

qr_tokens = Table(
    "qr_tokens", metadata,
    Column("token_hash", Text, primary_key=True),
    Column("center_id", Text, nullable=False),
    Column("service_group", Text),
    Column("created_at", Double, nullable=False),
    Column("expires_at", Double, nullable=False),
    Column("used_at", Double),
    Column("feedback_id", Text),
)

invitations = Table(
    "invitations", metadata,
    Column("visit_id", Text, primary_key=True),
    Column("phone_hash", Text, nullable=False),
    Column("center_id", Text, nullable=False),
    Column("service_group", Text),
    Column("language", Text, nullable=False),
    Column("created_at", Double, nullable=False),
    Column("expires_at", Double, nullable=False),
    Column("sent_at", Double),
    Column("help_sent_at", Double),
    Column("answered_at", Double),
    Column("feedback_id", Text),
    Index("invitations_by_phone", "phone_hash", "created_at"),
)

opt_outs = Table(
    "opt_outs", metadata,
    Column("phone_hash", Text, primary_key=True),
    Column("opted_out_at", Double, nullable=False),
)

invitation_outbox = Table(
    "invitation_outbox", metadata,
    Column("visit_id", Text, primary_key=True),
    Column("phone_encrypted", Text),
    Column("text", Text, nullable=False),
    Column("created_at", Double, nullable=False),
    Column("expires_at", Double, nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", Double, nullable=False),
    Column("last_error", Text),
    Column("sent_at", Double),
    Column("gave_up_at", Double),
    Index("outbox_due", "next_attempt_at",
          sqlite_where=text("sent_at IS NULL AND gave_up_at IS NULL"),
          postgresql_where=text("sent_at IS NULL AND gave_up_at IS NULL")),
)

sms_messages = Table(
    "sms_messages", metadata,
    Column("message_id", Text, primary_key=True),
    Column("received_at", Double, nullable=False),
    Column("outcome", Text),
    Index("sms_messages_by_time", "received_at"),
)

sms_auto_replies = Table(
    "sms_auto_replies", metadata,
    Column("phone_hash", Text, nullable=False),
    Column("day", Text, nullable=False),
    Column("purpose", Text, nullable=False),
    Column("sent_at", Double, nullable=False),
    PrimaryKeyConstraint("phone_hash", "day"),
)

rate_buckets = Table(
    "rate_buckets", metadata,
    Column("bucket_key", Text, primary_key=True),
    Column("tokens", Double, nullable=False),
    Column("updated_at", Double, nullable=False),
)

kiosk_presses = Table(
    "kiosk_presses", metadata,
    Column("feedback_id", Text, primary_key=True),
    Column("device_id", Text, nullable=False),
    Column("pressed_at", Double, nullable=False),
    Column("rating", Integer, nullable=False),
    Column("suspect", Text),
    Index("kiosk_presses_by_device", "device_id", "pressed_at"),
)

completed_visits = Table(
    "completed_visits", metadata,
    Column("visit_id", Text, primary_key=True),
    Column("center_id", Text, nullable=False),
    Column("completed_at", Double, nullable=False),
    Index("completed_visits_by_center", "center_id", "completed_at"),
)

notifications = Table(
    "notifications", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("received_at", Double, nullable=False),
    Column("receiver", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("severity", Text, nullable=False),
    Column("region", Text),
    Column("summary", Text, nullable=False),
    Column("payload", Text, nullable=False),
)

deliveries = Table(
    "deliveries", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("notification_id", Integer, ForeignKey("notifications.id"), nullable=False),
    Column("channel", Text, nullable=False),
    Column("channel_type", Text, nullable=False),
    Column("channel_config", Text, nullable=False),
    Column("state", Text, nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", Double),
    Column("last_error", Text),
    Column("updated_at", Double, nullable=False),
    CheckConstraint("state IN ('pending', 'sent', 'failed')", name="deliveries_state"),
    Index("deliveries_due", "state", "next_attempt_at"),
)

followup_cases = Table(
    "followup_cases", metadata,
    Column("case_id", Text, primary_key=True),
    Column("feedback_id", Text, nullable=False),
    Column("center_id", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("rating", Integer, nullable=False),
    Column("comment", Text),  # as on feedback.submitted: PII already masked
    Column("sentiment_label", Text),
    Column("sentiment_score", Double),
    Column("language", Text),
    Column("service_group", Text),
    Column("channel", Text, nullable=False),
    Column("opened_at", Double, nullable=False),
    Column("due_at", Double, nullable=False),
    Column("status", Text, nullable=False),
    Column("assignee", Text),
    Column("root_cause", Text),
    Column("resolution_note", Text),
    Column("resolved_at", Double),
    Column("closed_at", Double),
    Column("updated_at", Double, nullable=False),
    Column("reply_sent_at", Double),
    Column("survey_sent_at", Double),
    Column("survey_rating", Integer),
    UniqueConstraint("feedback_id", name="followup_cases_feedback_id"),
    CheckConstraint("status IN ('open', 'in_progress', 'resolved', 'closed')", name="followup_cases_status"),
    Index("followup_cases_by_center", "center_id", "status", "due_at"),
    Index("followup_cases_by_due", "status", "due_at"),
)

followup_case_history = Table(
    "followup_case_history", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Text, ForeignKey("followup_cases.case_id"), nullable=False),
    Column("at", Double, nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("from_status", Text),
    Column("to_status", Text, nullable=False),
    Column("root_cause", Text),
    Column("note", Text),
    Column("published_at", Double),  # relayed to followup.cases by the case agent
    Index("followup_case_history_by_case", "case_id", "id"),
    Index("followup_case_history_unpublished", "id",
          sqlite_where=text("published_at IS NULL"), postgresql_where=text("published_at IS NULL")),
)

followup_contacts = Table(
    "followup_contacts", metadata,
    Column("feedback_id", Text, primary_key=True),
    Column("phone_hash", Text, nullable=False),
    Column("phone_encrypted", Text, nullable=False),  # DOST_PHONE_ENCRYPTION_KEY, as on visits.completed
    Column("language", Text, nullable=False),
    Column("created_at", Double, nullable=False),
    Column("expires_at", Double, nullable=False),
    Index("followup_contacts_by_expiry", "expires_at"),
)

# Managers' accounts (dost_channels.users, revision 0003).
manager_users = Table(
    "manager_users", metadata,
    Column("user_id", Text, primary_key=True),
    Column("email", Text, nullable=False, unique=True),
    Column("role", Text, nullable=False),
    Column("centers", Text, nullable=False),  # JSON list of center ids (a manager's)
    Column("region", Text),  # a regional user's region
    Column("password_hash", Text),  # argon2id; NULL until the set-password link is used
    Column("created_at", Double, nullable=False),
    Column("disabled_at", Double),
    CheckConstraint("role IN ('manager', 'regional', 'admin')", name="manager_users_role"),
)

manager_tokens = Table(
    "manager_tokens", metadata,
    Column("token_hash", Text, primary_key=True),
    Column("user_id", Text, ForeignKey("manager_users.user_id"), nullable=False),
    Column("purpose", Text, nullable=False),  # set_password (one-time link) or api (bearer token)
    Column("created_at", Double, nullable=False),
    Column("expires_at", Double),
    Column("used_at", Double),  # a link claimed, or an API token revoked
    CheckConstraint("purpose IN ('set_password', 'api')", name="manager_tokens_purpose"),
    Index("manager_tokens_by_user", "user_id"),
)
