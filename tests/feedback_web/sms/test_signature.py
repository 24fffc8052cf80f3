"""Twilio-style webhook signatures: URL + sorted form fields, HMAC-SHA256, base64."""

from __future__ import annotations

import base64
import hashlib
import hmac

from feedback_web.sms.signature import compute_signature, verify_signature

URL = "https://dost.example.az/sms/inbound"
PARAMS = [("From", "+994501234567"), ("Body", "5 çox yaxşı")]


def test_signature_is_hmac_sha256_over_url_and_sorted_params():
    expected = base64.b64encode(
        hmac.new(b"secret", (URL + "Body5 çox yaxşıFrom+994501234567").encode(), hashlib.sha256).digest()
    ).decode()
    assert compute_signature("secret", URL, PARAMS) == expected


def test_order_of_fields_does_not_matter():
    assert compute_signature("s", URL, PARAMS) == compute_signature("s", URL, list(reversed(PARAMS)))


def test_verify_accepts_only_the_exact_signature():
    good = compute_signature("secret", URL, PARAMS)
    assert verify_signature("secret", URL, PARAMS, good)
    assert not verify_signature("secret", URL, PARAMS, None)
    assert not verify_signature("secret", URL, PARAMS, "")
    assert not verify_signature("other", URL, PARAMS, good)
    assert not verify_signature("secret", URL + "?x=1", PARAMS, good)
    assert not verify_signature("secret", URL, [("From", "+994501234567"), ("Body", "1")], good)
    assert not verify_signature("secret", URL, PARAMS + [("Extra", "")], good)
    assert not verify_signature("secret", URL, PARAMS, good[:-2] + "AA")
