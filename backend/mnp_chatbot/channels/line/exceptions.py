from mnp_chatbot.core.errors import BadRequest, NotFound, Unauthorized


class LineChannelOff(NotFound):
    code = "line_channel_off"
    default_message = "LINE連携は設定されていません。"


class InvalidSignature(Unauthorized):
    code = "invalid_signature"
    default_message = "署名を確認できませんでした。"


class MalformedWebhook(BadRequest):
    code = "malformed_webhook"
    default_message = "Webhookの本文を読み取れませんでした。"
