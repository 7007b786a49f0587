"""Container HEALTHCHECK: the process answers /health/live on its own port (no curl in the image)."""

import os
import sys
import urllib.request

try:
    port = os.environ.get("PORT", "3000")
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/live", timeout=3) as response:
        sys.exit(0 if response.status == 200 else 1)
except Exception:
    sys.exit(1)
