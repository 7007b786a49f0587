from tests.auth.support import accounts, db
from tests.fixtures.openai_server import openai_server, openai_server_session

__all__ = ["accounts", "db", "openai_server", "openai_server_session"]
