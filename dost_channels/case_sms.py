"""Answering the citizen of a follow-up case by SMS: the manager's one reply, then the survey.

Only a rating that came by SMS has a phone to answer, and a manager never sees it:

1. **The contact.** When the web counts an SMS rating (``feedback_web.sms.inbound``) it
   keeps the phone for that ``feedback_id``, encrypted with ``DOST_PHONE_ENCRYPTION_KEY``
   (as on visits.completed) and hashed, for ``DOST_FOLLOWUP_CONTACT_DAYS``
   (``remember_contact``). The case agent prunes expired contacts.
2. **The manager's reply** (``queue_case_reply``): one short SMS per case, put in the same
   invitation outbox the SMS-invitation agent sends from (its id ``case-reply:<case_id>``,
   so a double click or two managers send one SMS). Not for an opted-out phone.
3. **The survey** (``queue_case_survey``, by the case agent when a case is resolved): an
   invitation ``case-survey:<case_id>`` with its outbox row, "Are you satisfied with how we
   handled it? Reply 1-5".
4. **The answer.** The web matches a reply to the phone's latest invitation as for any
   invitation; when that is a case survey it calls ``answer_case_survey``: the answer is
   recorded on the case (1 or 2 reopens it, 3-5 closes a resolved case) and is **not** a
   new rating: it rates how a complaint was handled, not the visit, so it never enters the
   satisfaction numbers (it is not published to feedback.submitted).
"""

from __future__ import annotations

import time

from dost_channels import i18n
from dost_channels.cases import CaseStore
from dost_contract.centers import CenterRegistry
from dost_contract.followup import CITIZEN_ACTOR, SYSTEM_ACTOR, Case, CaseAction, CaseError

CASE_REPLY_PREFIX = "case-reply:"
CASE_SURVEY_PREFIX = "case-survey:"
MAX_REPLY_CHARS = 300
REPLY_VALID_SECONDS = 24 * 3600  # the outbox retries a manager's reply for a day


def survey_case_id(visit_id: str) -> str | None:
    """The case a survey invitation belongs to, or None for an ordinary invitation."""
    return visit_id[len(CASE_SURVEY_PREFIX):] if visit_id.startswith(CASE_SURVEY_PREFIX) else None


class FollowupContacts:
    """The ``followup_contacts`` table; a mixin of ``ChannelStore`` (``dost_channels.store``)."""

    def remember_contact(self, *, feedback_id: str, phone_hash: str, phone_encrypted: str, language: str,
                         valid_seconds: float, now: float | None = None) -> bool:
        """Keep an SMS rater's phone (encrypted) for its feedback; False if already kept."""
        now = time.time() if now is None else now
        return bool(self._write(
            "INSERT INTO followup_contacts (feedback_id, phone_hash, phone_encrypted, language, created_at, "
            "expires_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (str(feedback_id), phone_hash, phone_encrypted, language, now, now + valid_seconds),
        ))

    def contact(self, feedback_id: str, now: float | None = None) -> dict | None:
        """The unexpired contact of ``feedback_id``: phone_hash, phone_encrypted, language."""
        row = self._one("SELECT phone_hash, phone_encrypted, language FROM followup_contacts "
                        "WHERE feedback_id = ? AND expires_at > ?", (str(feedback_id), time.time() if now is None
                                                                     else now))
        return dict(row) if row else None

    def prune_contacts(self, now: float | None = None) -> int:
        return self._write("DELETE FROM followup_contacts WHERE expires_at <= ?", (time.time() if now is None else now,))

    def queue_sms(self, *, message_id: str, phone_encrypted: str, text: str, valid_seconds: float,
                  now: float | None = None) -> bool:
        """An outbox row without an invitation (nothing to match a reply to); False if that id is queued."""
        now = time.time() if now is None else now
        return bool(self._write(
            "INSERT INTO invitation_outbox (visit_id, phone_encrypted, text, created_at, expires_at, next_attempt_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (message_id, phone_encrypted, text, now, now + valid_seconds, now),
        ))


def center_name(registry: CenterRegistry, center_id: str, language: str) -> str:
    """The center's name as an SMS in ``language`` says it (English for en, else Azerbaijani)."""
    center = registry.get(center_id)
    if center is None:
        return center_id
    return center.name.en if language == "en" else center.name.az


def _reachable(store, case: Case, now: float) -> dict:
    if case.channel != "sms":
        raise CaseError(f"case {case.case_id}: the rating came by {case.channel}, there is no phone to answer")
    contact = store.contact(case.feedback_id, now)
    if contact is None:
        raise CaseError(f"case {case.case_id}: the citizen's phone is no longer kept (contacts expire)")
    if store.is_opted_out(contact["phone_hash"]):
        raise CaseError(f"case {case.case_id}: the citizen has opted out of SMS")
    return contact


def queue_case_reply(store, cases: CaseStore, registry: CenterRegistry, case_id: str, message: str, actor: str, *,
                     centers=None, now: float | None = None) -> Case:
    """Queue the manager's one SMS to the citizen of an SMS case; the case with ``reply_sent``.

    ``store`` is the ``ChannelStore``. ``CaseError`` says why not: not an SMS rating, no
    phone kept, opted out, already replied, empty or too long.
    """
    now = time.time() if now is None else now
    message = " ".join((message or "").split())
    if not message:
        raise CaseError("the reply to the citizen is empty")
    if len(message) > MAX_REPLY_CHARS:
        raise CaseError(f"the reply is at most {MAX_REPLY_CHARS} characters (one or two SMS), got {len(message)}")
    case = cases.get(case_id, centers)
    if case.reply_sent_at is not None:
        raise CaseError(f"case {case_id}: the citizen has already been sent its one reply")
    contact = _reachable(store, case, now)
    language = contact["language"]
    text = i18n.text("sms_case_reply", language, center=center_name(registry, case.center_id, language),
                     message=message)
    if not store.queue_sms(message_id=CASE_REPLY_PREFIX + case_id, phone_encrypted=contact["phone_encrypted"],
                           text=text, valid_seconds=REPLY_VALID_SECONDS, now=now):
        raise CaseError(f"case {case_id}: the citizen has already been sent its one reply")
    return cases.act(case_id, CaseAction.REPLY_SENT, actor, note=message, centers=centers, now=now)


def queue_case_survey(store, cases: CaseStore, registry: CenterRegistry, case: Case, *, valid_seconds: float,
                      now: float | None = None) -> bool:
    """Queue "Reply 1-5" for a resolved SMS case (once); False when it cannot or need not be sent."""
    now = time.time() if now is None else now
    if case.survey_sent_at is not None:
        return False
    try:
        contact = _reachable(store, case, now)
    except CaseError:
        return False
    try:  # first the case (once, and only while resolved), then the outbox
        cases.act(case.case_id, CaseAction.SURVEY_SENT, SYSTEM_ACTOR, now=now)
    except CaseError:
        return False
    language = contact["language"]
    return store.enqueue_invitation(
        visit_id=CASE_SURVEY_PREFIX + case.case_id, phone_hash=contact["phone_hash"],
        phone_encrypted=contact["phone_encrypted"], center_id=case.center_id, service_group=case.service_group,
        language=language,
        text=i18n.text("sms_case_survey", language, center=center_name(registry, case.center_id, language)),
        valid_seconds=valid_seconds, now=now,
    )


def answer_case_survey(store, cases: CaseStore, visit_id: str, rating: int, now: float | None = None) -> Case:
    """Record the citizen's survey answer on its case (1-2 reopen, 3-5 close); the invitation is answered."""
    now = time.time() if now is None else now
    case_id = survey_case_id(visit_id)
    if case_id is None:
        raise CaseError(f"invitation {visit_id!r} is not a case survey")
    case = cases.act(case_id, CaseAction.SURVEY_ANSWERED, CITIZEN_ACTOR, survey_rating=rating, now=now)
    store.mark_answered(visit_id, case.feedback_id, now)
    return case
