"""The webhook signature schemes: Twilio's (checked against the twilio package's own
RequestValidator) and ours, with its signed timestamp of bounded age."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from twilio.request_validator import RequestValidator

from feedback_web.sms.signature import (
    DOST_SIGNATURE_HEADER,
    DOST_TIMESTAMP_HEADER,
    TWILIO_SIGNATURE_HEADER,
    DostScheme,
    TwilioScheme,
    compute_signature,
    compute_twilio_signature,
    signature_scheme,
)

URL = "https://dost.example.az/sms/inbound"
PARAMS = [("From", "+994501234567"), ("Body", "5 çox yaxşı")]
TWILIO_FORM = {"MessageSid": "SM0123456789abcdef0123456789abcdef", "AccountSid": "AC42", "From": "+994501234567",
               "To": "+994124000000", "Body": "5 çox yaxşı idi", "NumMedia": "0"}
NOW = 1_790_000_000


def dost_headers(secret: str, url: str, params, timestamp: int) -> dict[str, str]:
    return {DOST_SIGNATURE_HEADER: compute_signature(secret, url, params, timestamp),
            DOST_TIMESTAMP_HEADER: str(timestamp)}


def test_dost_signature_is_hmac_sha256_over_timestamp_url_and_sorted_params():
    expected = base64.b64encode(hmac.new(
        b"secret", (f"{NOW}\n" + URL + "Body5 çox yaxşıFrom+994501234567").encode(), hashlib.sha256,
    ).digest()).decode()
    assert compute_signature("secret", URL, PARAMS, NOW) == expected
    assert compute_signature("s", URL, PARAMS, NOW) == compute_signature("s", URL, list(reversed(PARAMS)), NOW)


def test_dost_scheme_accepts_only_the_exact_fresh_signature():
    scheme = DostScheme("secret", max_age_seconds=300)
    good = dost_headers("secret", URL, PARAMS, NOW)
    verdict = scheme.verify(URL, PARAMS, good, NOW + 10)
    assert verdict.ok and verdict.message_id.startswith("dost:")
    assert scheme.verify(URL, PARAMS, good, NOW + 10).message_id == verdict.message_id  # a replay: same id
    refused = {
        "stale": scheme.verify(URL, PARAMS, good, NOW + 301),
        "from the future": scheme.verify(URL, PARAMS, good, NOW - 301),
        "unsigned": scheme.verify(URL, PARAMS, {}, NOW),
        "no timestamp": scheme.verify(URL, PARAMS, {DOST_SIGNATURE_HEADER: good[DOST_SIGNATURE_HEADER]}, NOW),
        "timestamp moved": scheme.verify(URL, PARAMS, {**good, DOST_TIMESTAMP_HEADER: str(NOW + 5)}, NOW),
        "bad timestamp": scheme.verify(URL, PARAMS, {**good, DOST_TIMESTAMP_HEADER: "yesterday"}, NOW),
        "other secret": DostScheme("other", 300).verify(URL, PARAMS, good, NOW),
        "other url": scheme.verify(URL + "?x=1", PARAMS, good, NOW),
        "other body": scheme.verify(URL, [("From", "+994501234567"), ("Body", "1")], good, NOW),
        "extra field": scheme.verify(URL, PARAMS + [("Extra", "")], good, NOW),
        "garbled": scheme.verify(URL, PARAMS, {**good, DOST_SIGNATURE_HEADER: "AA" + good[DOST_SIGNATURE_HEADER][2:]},
                                 NOW),
    }
    assert {name for name, v in refused.items() if v.ok} == set()
    assert "300" in refused["stale"].problem
    # A gateway's own message id wins over the content hash.
    with_id = PARAMS + [("MessageId", "gw-77")]
    assert scheme.verify(URL, with_id, dost_headers("secret", URL, with_id, NOW), NOW).message_id == "dost:gw-77"


def test_twilio_signature_is_what_twilios_request_validator_computes():
    validator = RequestValidator("twilio-auth-token")
    ours = compute_twilio_signature("twilio-auth-token", URL, TWILIO_FORM.items())
    assert ours == validator.compute_signature(URL, TWILIO_FORM)
    assert validator.validate(URL, TWILIO_FORM, ours)


def test_twilio_scheme_checks_the_signature_and_takes_message_sid_as_the_id():
    scheme = TwilioScheme("twilio-auth-token")
    signature = RequestValidator("twilio-auth-token").compute_signature(URL, TWILIO_FORM)
    params = list(TWILIO_FORM.items())
    verdict = scheme.verify(URL, params, {TWILIO_SIGNATURE_HEADER: signature}, NOW)
    assert verdict.ok and verdict.message_id == "twilio:" + TWILIO_FORM["MessageSid"]
    assert not scheme.verify(URL, params, {}, NOW).ok
    wrong = RequestValidator("not-the-token").compute_signature(URL, TWILIO_FORM)
    assert not scheme.verify(URL, params, {TWILIO_SIGNATURE_HEADER: wrong}, NOW).ok
    assert not scheme.verify("https://evil.example/sms/inbound", params, {TWILIO_SIGNATURE_HEADER: signature}, NOW).ok
    tampered = [(k, "1" if k == "Body" else v) for k, v in params]
    assert not scheme.verify(URL, tampered, {TWILIO_SIGNATURE_HEADER: signature}, NOW).ok
    # Our scheme's header is not Twilio's.
    assert not scheme.verify(URL, params, dost_headers("twilio-auth-token", URL, params, NOW), NOW).ok
    no_sid = {k: v for k, v in TWILIO_FORM.items() if k != "MessageSid"}
    no_sid_signature = RequestValidator("twilio-auth-token").compute_signature(URL, no_sid)
    refused = scheme.verify(URL, list(no_sid.items()), {TWILIO_SIGNATURE_HEADER: no_sid_signature}, NOW)
    assert not refused.ok and "MessageSid" in refused.problem


def test_the_scheme_is_chosen_by_name():
    assert isinstance(signature_scheme("twilio", "t", 300), TwilioScheme)
    assert isinstance(signature_scheme("dost", "t", 300), DostScheme)
    with pytest.raises(ValueError, match="dost or twilio"):
        signature_scheme("plivo", "t", 300)
