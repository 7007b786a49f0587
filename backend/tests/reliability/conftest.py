from tests.fixtures.openai_server import openai_server, openai_server_session
from tests.reliability.support import own_redis

__all__ = ["openai_server", "openai_server_session", "own_redis"]
