"""Print the app's OpenAPI document (JSON, keys in a stable order) for the front end's generated types.

`make api-types` turns it into frontend/src/api/generated.ts with openapi-typescript; `make api-types-check`
(part of `make frontend-check`, so of `make test`) fails when that file is stale.
"""

import json
import sys
from typing import Any

from mnp_chatbot.core.config import Settings
from mnp_chatbot.main import create_app


def document() -> dict[str, Any]:
    app = create_app(Settings(_env_file=None, ENVIRONMENT="test"))
    return app.openapi()


def main() -> None:
    json.dump(document(), sys.stdout, ensure_ascii=False, indent=2, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
