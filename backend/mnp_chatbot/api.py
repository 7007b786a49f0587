"""Every domain router, mounted on the app."""

from fastapi import FastAPI

from mnp_chatbot.audit.router import router as audit_router
from mnp_chatbot.auth.router import errors
from mnp_chatbot.auth.router import router as auth_router
from mnp_chatbot.chat.router import router as chat_router
from mnp_chatbot.editorial.review_router import router as faq_review_router
from mnp_chatbot.editorial.router import router as editorial_router
from mnp_chatbot.faq.router import router as faq_router
from mnp_chatbot.handoff.router import customer_router as handoff_customer_router
from mnp_chatbot.handoff.router import router as handoff_router
from mnp_chatbot.health.router import router as health_router
from mnp_chatbot.insights.router import router as insights_router
from mnp_chatbot.navigator.router import router as navigator_router
from mnp_chatbot.privacy.router import router as privacy_router
from mnp_chatbot.web import frontend

# Any /api route can answer these (body-size and rate limits), in the one error shape.
API_ERRORS = errors(413, 429)


def include_routers(app: FastAPI) -> None:
    app.include_router(health_router)
    app.include_router(faq_router, responses={**API_ERRORS, **errors(404)})
    app.include_router(chat_router, responses=API_ERRORS)
    app.include_router(navigator_router, responses=API_ERRORS)
    app.include_router(auth_router, responses=API_ERRORS)
    app.include_router(audit_router, responses=API_ERRORS)
    app.include_router(privacy_router, responses=API_ERRORS)
    app.include_router(editorial_router, responses=API_ERRORS)
    app.include_router(faq_review_router, responses=API_ERRORS)
    app.include_router(insights_router, responses=API_ERRORS)
    app.include_router(handoff_router, responses=API_ERRORS)
    app.include_router(handoff_customer_router, responses=API_ERRORS)
    frontend.mount(app)  # keep last: it serves every path that no router above claims
