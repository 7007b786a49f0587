"""What the customer is told about their hand-off, and the fixed Japanese notices (pure)."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Availability:
    open: bool  # within business hours and not a holiday
    online: int  # operators online now
    free_slots: int  # conversations they can still take
    hours: str  # the hours as configured, for the customer to read


@dataclass(frozen=True, slots=True)
class CustomerStatus:
    status: str  # waiting | active | resolved | abandoned | missed
    open: bool
    operators_online: bool
    hours: str
    position: int | None = None
    estimated_wait_seconds: int | None = None
    operator: str | None = None
    callback_left: bool = False

    @property
    def callback_offered(self) -> bool:
        return self.status in ("waiting", "missed") and not (self.open and self.operators_online)

    def as_json(self) -> dict[str, object]:
        return {
            "status": self.status,
            "operator": self.operator,
            "position": self.position,
            "estimatedWaitSeconds": self.estimated_wait_seconds,
            "open": self.open,
            "operatorsOnline": self.operators_online,
            "hours": self.hours,
            "callbackOffered": self.callback_offered,
            "callbackLeft": self.callback_left,
        }


def hours_label(spec: str) -> str:
    """The configured hours as the customer reads them."""
    text = spec.strip()
    return "24時間" if text.lower() in ("", "always", "24/7") else text


def request_notice(availability: Availability) -> str:
    """The bot's honest answer to a request for a human."""
    if not availability.open:
        return (
            f"ただいまオペレーターの対応時間外です（対応時間: {hours_label(availability.hours)}）。"
            "折り返しのご連絡先（電話番号またはメールアドレス）とご希望の時間帯を残していただければ、"
            "対応時間内に担当者からご連絡します。"
        )
    if availability.online == 0:
        return (
            "オペレーターへのおつなぎを受け付けました。ただいま対応できるオペレーターがいません。"
            "このままお待ちいただくか、折り返しのご連絡先を残してください。"
        )
    return (
        "オペレーターへのおつなぎを受け付けました。順番にご案内しますので、このままお待ちください。"
        "待ち順と目安の時間は画面上部に表示されます。"
    )


RESOLVED_NOTICE = "オペレーターとのチャットが終了しました。この後のご質問にはチャットボットがお答えします。"
RELEASED_NOTICE = "担当のオペレーターが交代します。順番にご案内しますので、このままお待ちください。"
CANCELLED_NOTICE = "オペレーターへのおつなぎを取り消しました。引き続きチャットボットがお答えします。"
