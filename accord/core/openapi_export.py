"""Print the OpenAPI schema of the REST API; `make openapi` writes it to openapi.json."""

import json

import django


def schema_json() -> str:
    from config.api import api

    return json.dumps(api.get_openapi_schema(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    django.setup()
    print(schema_json(), end="")
