"""The OpenAPI schema describes what each operation accepts.

django-ninja gathers the definitions of every operation's models into one table of
components, by name, and a later definition silently replaces an earlier one of the same
name. Two different things named alike — Django's nested ``Kind`` and ``Status`` choices,
two ``CaseOut`` — made the schema describe one operation's values for another's (a
meeting offered a request's kinds), so that a client built from the schema was refused.
"""

from __future__ import annotations

import json
from collections import defaultdict

from ninja.openapi.schema import NinjaGenerateJsonSchema, REF_TEMPLATE

from koreplan.api.api import api


def _without_descriptions(value):
    # Wording may differ between two copies of the same shape; the shape may not.
    if isinstance(value, dict):
        return {k: _without_descriptions(v) for k, v in value.items() if k not in ("description", "title")}
    if isinstance(value, list):
        return [_without_descriptions(v) for v in value]
    return value


def test_no_two_different_definitions_share_a_name():
    definitions: dict[str, dict[str, str]] = defaultdict(dict)
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                models = [*operation.models, *(m for m in operation.response_models.values() if m is not None)]
                for model in models:
                    for mode in ("validation", "serialization"):
                        schema = model.model_json_schema(
                            ref_template=REF_TEMPLATE, schema_generator=NinjaGenerateJsonSchema, mode=mode
                        )
                        for name, definition in schema.get("$defs", {}).items():
                            shape = json.dumps(_without_descriptions(definition), sort_keys=True)
                            definitions[name].setdefault(shape, operation.operation_id or operation.view_func.__name__)
    clashes = {name: list(shapes.values()) for name, shapes in definitions.items() if len(shapes) > 1}
    assert not clashes, f"components named alike but defined differently (name: operations): {clashes}"
