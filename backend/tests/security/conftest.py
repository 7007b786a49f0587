from tests.auth.support import accounts, db

__all__ = ["accounts", "db"]
