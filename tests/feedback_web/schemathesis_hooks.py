"""Schemathesis hooks (loaded through SCHEMATHESIS_HOOKS by test_schemathesis.py).

Signs every generated ``/sms/inbound`` call the way the gateway would, so the fuzzer
gets past the signature check into phone parsing, SMS parsing and the channel store, and
gives every ``/api/v1/cases`` call an admin's bearer token (``FUZZ_MANAGER_TOKEN``), so the
fuzzer reaches the case queries and actions (the 401 without one is tested on its own).
"""

from __future__ import annotations

import os
import time

import schemathesis

from feedback_web.sms.signature import DOST_SIGNATURE_HEADER, DOST_TIMESTAMP_HEADER, compute_signature


@schemathesis.hook
def before_call(context, case, kwargs):
    if case.operation.path.startswith("/api/v1/cases"):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {os.environ['FUZZ_MANAGER_TOKEN']}"}
        return
    if case.operation.path != "/sms/inbound" or not isinstance(case.body, dict):
        return
    params = [(str(name), value) for name, value in case.body.items() if isinstance(value, str)]
    url = os.environ["FUZZ_WEB_URL"] + "/sms/inbound"
    timestamp = int(time.time())
    signature = compute_signature(os.environ["DOST_SMS_SIGNATURE_SECRET"], url, params, timestamp)
    case.headers = {**(case.headers or {}), DOST_SIGNATURE_HEADER: signature, DOST_TIMESTAMP_HEADER: str(timestamp)}
