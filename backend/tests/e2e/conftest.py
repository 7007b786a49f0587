"""Browser-test fixtures, loaded only where the playwright package is installed (see live.py)."""

import importlib.util

if importlib.util.find_spec("playwright") is not None:
    from tests.e2e.live import (  # noqa: F401
        browser,
        built_frontend,
        carrier_site,
        chromium,
        context,
        live_server,
        page,
        pytest_terminal_summary,
        screenshots,
    )
