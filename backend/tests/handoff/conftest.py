from tests.admin.support import console, db

__all__ = ["console", "db"]
