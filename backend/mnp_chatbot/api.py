"""Every domain router, mounted on the app."""

from fastapi import FastAPI

from mnp_chatbot.health.router import router as health_router


def include_routers(app: FastAPI) -> None:
    app.include_router(health_router)
