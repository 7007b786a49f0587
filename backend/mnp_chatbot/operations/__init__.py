"""Operating the service: the production readiness check."""
