from mnp_chatbot.core.errors import NotFound


class FaqEntryNotFound(NotFound):
    code = "faq_not_found"
    default_message = "指定されたFAQは見つかりません。"


class CarrierNotFound(NotFound):
    code = "carrier_not_found"
    default_message = "指定された通信会社は見つかりません。"
