"""The API keeps the promises of its OpenAPI document: schemathesis generates requests for every
operation from the document and checks status codes, content types and response schemas, against
the WSGI app."""

import schemathesis
from hypothesis import HealthCheck, given, settings

from assess.services import demo

EXAMPLES_PER_OPERATION = 25


def test_api_conforms_to_its_openapi_document(app):
    demo.load_demo_data()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 6
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def conforms(case):
            # The WSGI transport does not undo content codings (compression has its own tests:
            # tests/test_public_traffic_cache.py): ask for the body as it is.
            case.call_and_validate(headers={"Accept-Encoding": "identity"})

        conforms()
