"""Publishing one accepted rating, the same way for every channel.

Comments are PII-masked and length-limited here, so no channel can skip it. The answer
is 202 only after the broker acknowledged; otherwise 503 with the feedback_id, which the
client (kiosk queue, QR page, SMS gateway) retries with.
"""

from __future__ import annotations

from fastapi.responses import JSONResponse

from dost_contract.events import FeedbackSubmitted
from feedback_web import metrics
from feedback_web.pii import clean_comment
from feedback_web.publisher import BrokerUnavailable, FeedbackPublisher


def masked(feedback: FeedbackSubmitted) -> FeedbackSubmitted:
    if feedback.comment is None:
        return feedback
    return feedback.model_copy(update={"comment": clean_comment(feedback.comment)})


async def publish_or_503(publisher: FeedbackPublisher, feedback: FeedbackSubmitted) -> JSONResponse | None:
    """Publish ``feedback`` (masked); None once acknowledged, else the 503 answer to return."""
    with metrics.PUBLISH_SECONDS.time():
        try:
            await publisher.publish(masked(feedback))
        except BrokerUnavailable as exc:
            metrics.FEEDBACK_REJECTED_TOTAL.labels("broker_unavailable").inc()
            return JSONResponse(
                status_code=503,
                headers={"Retry-After": "5"},
                content={
                    "detail": "the feedback broker is unavailable; the rating was not recorded. "
                    "Retry with the same feedback_id; it will be counted once. "
                    f"({exc})",
                    "code": "broker_unavailable",
                    "feedback_id": str(feedback.feedback_id),
                },
            )
    metrics.FEEDBACK_ACCEPTED_TOTAL.labels(feedback.channel.value).inc()
    return None
