"""Schemathesis hooks (loaded through SCHEMATHESIS_HOOKS by test_schemathesis.py).

Signs every generated ``/sms/inbound`` call the way the gateway would, so the fuzzer
gets past the signature check into phone parsing, SMS parsing and the channel store.
"""

from __future__ import annotations

import os

import schemathesis

from feedback_web.sms.signature import SIGNATURE_HEADER, compute_signature


@schemathesis.hook
def before_call(context, case, kwargs):
    if case.operation.path != "/sms/inbound" or not isinstance(case.body, dict):
        return
    params = [(str(name), value) for name, value in case.body.items() if isinstance(value, str)]
    url = os.environ["FUZZ_WEB_URL"] + "/sms/inbound"
    signature = compute_signature(os.environ["DOST_SMS_SIGNATURE_SECRET"], url, params)
    case.headers = {**(case.headers or {}), SIGNATURE_HEADER: signature}
