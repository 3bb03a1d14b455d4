"""Schemathesis hooks for tests/fuzz, loaded through schemathesis.toml.

Each hook keeps the fuzzer away from something that is not a property of the API under test, and says why. They
change only values the generator drew, never what the API answers or how the checks judge it.
"""

import os
import re
import uuid

import schemathesis

# The admin whose token the authenticated run carries (specs/api.test.ts sets it; empty in the run without a token).
OWN_USER_ID = os.environ.get("FOLIO_FUZZ_USER_ID", "")
# The API's rule for an Idempotency-Key (IDEMPOTENCY_KEY_PATTERN in apps/api/src/domain/idempotency.ts).
IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")


@schemathesis.hook
def before_call(context, case, kwargs):
    operation = case.operation
    # Excluded: changing or deleting the fuzzer's own user. Demoting it to editor, or changing its password, would
    # lock the rest of the run out of the admin operations (403s everywhere, nothing left to test), and the
    # stateful phase finds its id (GET /v1/auth/me, the user list) and would do it. Such a request goes to an id no
    # user has instead, so the operation is still called and checked, on a 404. The API's own rules for a user
    # changing itself (last_admin, cannot_delete_self) are for apps/api/test/auth.test.ts.
    if (
        OWN_USER_ID
        and operation.path == "/v1/users/{id}"
        and operation.method.lower() in ("patch", "delete")
        and (case.path_parameters or {}).get("id") == OWN_USER_ID
    ):
        case.path_parameters["id"] = str(uuid.uuid4())

    # A valid Idempotency-Key is made unique to the request. A key names one logical request (the web app sends a
    # new UUID for each); the generator reuses short keys such as "0" for unrelated requests, which the API rightly
    # answers by replaying the first response (for an upload, whatever the new body) or with 422. Replays and reuse
    # are tested in apps/api/test/idempotency.test.ts. Invalid keys are sent as drawn, to be refused.
    key = case.headers.get("Idempotency-Key") if case.headers else None
    if isinstance(key, str) and IDEMPOTENCY_KEY.match(key):
        case.headers["Idempotency-Key"] = f"{key[:160]}.{uuid.uuid4().hex}"
