"""The OpenAPI 3.1 document of the API; `tests/test_api_schema.py` holds the API to it."""

STATUS = {"type": "string", "enum": ["yes", "partial", "no", "no_data", "not_assessed"]}
NULLABLE_INT = {"type": ["integer", "null"]}
NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
URL = {"type": "string", "format": "uri"}
NULLABLE_STRING = {"type": ["string", "null"]}


def _object(properties: dict, required: list[str] | None = None) -> dict:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
    }


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _list_of(key: str, item: dict) -> dict:
    return _object({key: {"type": "array", "items": item}})


SCHEMAS = {
    "Error": _object({"error": {"type": "string"}, "message": {"type": "string"}}),
    "Country": _object(
        {
            "iso2": {"type": "string", "pattern": "^[A-Z]{2}$"},
            "iso3": {"type": "string"},
            "numeric": {"type": "string"},
            "name": {"type": "string"},
            "region": {"type": "string"},
            "url": URL,
        }
    ),
    "Citation": _object(
        {
            "instrument": {"type": "string"},
            "year_adopted": NULLABLE_INT,
            "provision": {"type": "string"},
            "status_as_of": NULLABLE_INT,
            "url": {"type": "string"},
            "language": {"type": "string"},
        }
    ),
    "Source": _object(
        {
            "title": {"type": "string"},
            "publisher": {"type": "string"},
            "year": NULLABLE_INT,
            "url": {"type": "string"},
            "file_url": NULLABLE_STRING,
            "file_name": NULLABLE_STRING,
            "file_sha256": NULLABLE_STRING,
            "file_size": NULLABLE_INT,
            "file_content_type": NULLABLE_STRING,
        }
    ),
    "Version": _object(
        {
            "number": {"type": "integer", "minimum": 1},
            "state": {"type": "string", "enum": ["published", "superseded", "retracted"]},
            "status": STATUS,
            "status_label": {"type": "string"},
            "analysis": {"type": "string", "description": "Markdown"},
            "analysis_language": {"type": "string"},
            "analysis_source": _object({"title": {"type": "string"}, "year": NULLABLE_INT}),
            "published_at": {"type": "string", "format": "date-time"},
            "framework_revision": NULLABLE_INT,
            "approved_by": {"type": "string"},
            "retracted_at": NULLABLE_TIME,
            "retraction_reason": {"type": ["string", "null"]},
            "citations": {"type": "array", "items": _ref("Citation")},
            "sources": {"type": "array", "items": _ref("Source")},
            "url": URL,
        }
    ),
    "Indicator": _object(
        {
            "slug": {"type": "string"},
            "title": {"type": "string"},
            "definition": {"type": "string"},
            "rubric": _object(
                {"yes": {"type": "string"}, "partial": {"type": "string"}, "no": {"type": "string"}}
            ),
            "position": {"type": "integer"},
            "retired": {"type": "boolean"},
            "url": URL,
        }
    ),
    "Reply": _object(
        {
            "id": {"type": "integer"},
            "organisation": {"type": "string"},
            "role": {"type": "string", "enum": ["government", "member", "other"]},
            "received_on": {"type": "string", "format": "date"},
            "published_at": NULLABLE_TIME,
            "language": {"type": "string"},
            "text": {"type": "string", "description": "Markdown, as published"},
            "source_url": {"type": "string", "description": "The reply at its source, or empty"},
            "url": {**URL, "description": "The reply on the assessment's page"},
        }
    ),
    "AssessmentSummary": _object(
        {
            "indicator": {"type": "string"},
            "status": STATUS,
            "current_version": NULLABLE_INT,
            "last_updated": NULLABLE_TIME,
            "url": URL,
        }
    ),
}
SCHEMAS["CountrySummary"] = {
    "allOf": [
        _ref("Country"),
        _object({"summary": {"type": "object", "additionalProperties": {"type": "integer"}}}),
    ]
}
SCHEMAS["CountryProfile"] = {
    "allOf": [
        _ref("Country"),
        _object(
            {
                "last_updated": NULLABLE_TIME,
                "assessments": {"type": "array", "items": _ref("AssessmentSummary")},
                "members": {"type": "array", "items": {"type": "object"}},
                "facts": {"type": "array", "items": {"type": "string"}},
                "resources": {"type": "array", "items": {"type": "object"}},
                "news": {"type": "array", "items": {"type": "object"}},
            }
        ),
    ]
}
SCHEMAS["Assessment"] = _object(
    {
        "country": _ref("Country"),
        "indicator": _ref("Indicator"),
        "status": STATUS,
        "current_version": NULLABLE_INT,
        "last_updated": NULLABLE_TIME,
        "versions": {
            "type": "array",
            "items": _ref("Version"),
            "description": "Every published version, newest first",
        },
        "replies": {
            "type": "array",
            "items": _ref("Reply"),
            "description": "Approved replies from organisations, oldest received first",
        },
    }
)
SCHEMAS["IndicatorComparison"] = {
    "allOf": [
        _ref("Indicator"),
        _object(
            {
                "countries": {
                    "type": "array",
                    "items": _object(
                        {
                            "iso2": {"type": "string"},
                            "name": {"type": "string"},
                            "status": STATUS,
                            "current_version": NULLABLE_INT,
                            "last_updated": NULLABLE_TIME,
                        }
                    ),
                }
            }
        ),
    ]
}

ISO2 = {
    "name": "iso2",
    "in": "path",
    "required": True,
    "description": "ISO 3166-1 alpha-2 code, any case",
    "schema": {"type": "string", "pattern": "^[A-Za-z]{2}$"},
}
SLUG = {
    "name": "slug",
    "in": "path",
    "required": True,
    "description": "Indicator slug",
    "schema": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$", "maxLength": 80},
}
NUMBER = {
    "name": "number",
    "in": "path",
    "required": True,
    "description": "Public version number",
    "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
}
REGION = {
    "name": "region",
    "in": "query",
    "required": False,
    "description": "Only countries of this region (no NUL character: every request holding one is refused with 400)",
    "schema": {"type": "string", "pattern": "^[^\\u0000]*$"},
}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


NOT_FOUND = _json(_ref("Error"), "Not found")
NOT_MODIFIED = {"description": "Not modified since the ETag or date the request names"}


def _get(summary: str, schema: dict, parameters=(), can_miss: bool = True) -> dict:
    responses = {"200": _json(schema, "OK"), "304": NOT_MODIFIED}
    if can_miss:
        responses["404"] = NOT_FOUND
    return {"get": {"summary": summary, "parameters": list(parameters), "responses": responses}}


def _licence() -> dict:
    from flask import current_app

    licence = current_app.config["DATA_LICENCE"]
    return {"name": licence.get("title") or licence["name"], "url": licence.get("path") or None}


def document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "assess public API",
            "version": "1",
            "description": "Read-only access to every published child-protection law assessment. "
            "Only reviewed and approved versions appear here. A country, an assessment and an "
            "indicator also answer `?as_of=YYYY-MM-DD`: what was public at the end of that day "
            "(UTC), with `as_of` in the answer; an assessment's answer then lists the replies "
            "public on that day.",
            "license": _licence(),
        },
        "paths": {
            "/api/v1/countries": _get(
                "Every country with a summary of its findings",
                _list_of("countries", _ref("CountrySummary")),
                [REGION],
                can_miss=False,
            ),
            "/api/v1/countries/{iso2}": _get(
                "A country profile with its current findings", _ref("CountryProfile"), [ISO2]
            ),
            "/api/v1/countries/{iso2}/assessments/{slug}": _get(
                "One assessment: the current finding, its whole published history and the "
                "approved replies to it",
                _ref("Assessment"),
                [ISO2, SLUG],
            ),
            "/api/v1/countries/{iso2}/assessments/{slug}/versions/{number}": _get(
                "One published version, with citations and sources",
                _ref("Version"),
                [ISO2, SLUG, NUMBER],
            ),
            "/api/v1/indicators": _get(
                "The indicator framework",
                _list_of("indicators", _ref("Indicator")),
                can_miss=False,
            ),
            "/api/v1/indicators/{slug}": _get(
                "One indicator across every country", _ref("IndicatorComparison"), [SLUG]
            ),
        },
        "components": {"schemas": SCHEMAS},
    }
