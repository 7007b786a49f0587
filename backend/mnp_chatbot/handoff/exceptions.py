from mnp_chatbot.core.errors import Conflict, Forbidden, NotFound, ValidationFailed


class HandoffNotFound(NotFound):
    code = "handoff_not_found"
    default_message = "指定の有人対応は見つかりませんでした。"


class HandoffAlreadyClaimed(Conflict):
    code = "already_claimed"
    default_message = "この会話は別のオペレーターが対応中です。"


class CapacityReached(Conflict):
    code = "capacity_reached"
    default_message = "同時に対応できる会話の上限に達しています。"


class HandoffNotActive(Conflict):
    code = "handoff_not_active"
    default_message = "この会話は現在対応中ではありません。"


class HandoffNotWaiting(Conflict):
    code = "handoff_not_waiting"
    default_message = "この会話は待機中ではありません。"


class NotYourHandoff(Forbidden):
    code = "not_your_handoff"
    default_message = "この会話は他のオペレーターが担当しています。"


class OperatorUnavailable(Conflict):
    code = "operator_unavailable"
    default_message = "引き継ぎ先のオペレーターは対応できません。"


class NoHandoffToContact(NotFound):
    code = "no_handoff"
    default_message = "この会話にはオペレーターへのおつなぎの依頼がありません。"


class CallbackNotFound(NotFound):
    code = "callback_not_found"
    default_message = "指定の折り返し依頼は見つかりませんでした。"


class InvalidHandoffSetting(ValidationFailed):
    code = "invalid_setting"
