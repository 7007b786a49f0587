"""Decides the curated reply for one message: the answer ladder, small talk, follow-ups, navigator, hand-off.

    message ─┬─ navigator active or asked for ────────────────→ navigator turn
             ├─ asks for a human / complains ─────────────────→ hand-off
             ├─ greeting / thanks / goodbye ──────────────────→ small talk
             └─ follow-up expanded → retrieval ─┬─ confident ─→ curated answer (+ brand facts, hedge)
                                                ├─ unsure ────→ clarify (or hand-off when it repeats)
                                                └─ nothing ───→ out of scope, or no answer + hand-off

Pure apart from the knowledge snapshot it reads: no database, network or clock (`today` is passed in).
"""

import datetime as dt
import re
from dataclasses import dataclass, replace
from typing import Any

from mnp_chatbot.chat import composer, context, smalltalk
from mnp_chatbot.chat.reply import Mode, Reply
from mnp_chatbot.faq.index import KnowledgeSnapshot
from mnp_chatbot.faq.retrieval import DenseRanking, Hit
from mnp_chatbot.faq.text import normalize
from mnp_chatbot.handoff import rules
from mnp_chatbot.navigator import dialogue
from mnp_chatbot.navigator.schemas import NavigatorState

SEARCH_DEPTH = 5
QUESTION = re.compile(r"[?？]|(?:か|の|かな|って)[。!！]*$|教えて|いくら|どう(?:すれば|やって)|何")
NAVIGATOR_COMMAND = re.compile(
    r"^(?:mnp|乗り?換え?|のりかえ)?ナビ(?:を|で)?(?:始め(?:る|たい|て)|開始|スタート|使(?:う|いたい)|お願い(?:します)?)?[!！。]*$"
)
NAVIGATOR_QUESTIONS_TO_KEEP = {"mode", "step", "review"}

HANDOFF_TEXT = (
    "オペレーターへのおつなぎを受け付けました。ただいま対応できるオペレーターがいないため、"
    "順番にご案内します。お急ぎの場合は、ご契約中の通信会社の公式サイトのお問い合わせ窓口もご利用ください。"
)
NO_ANSWER_TEXT = (
    "申し訳ありません。そのご質問にお答えできる情報が見つかりませんでした。"
    "オペレーターにおつなぎしますので、少々お待ちください。"
)


@dataclass(frozen=True, slots=True)
class Conversation:
    """What the engine knows of the session before this message."""

    slots: context.Slots
    navigator: NavigatorState | None


@dataclass(frozen=True, slots=True)
class Decision:
    reply: Reply
    slots: context.Slots
    navigator: NavigatorState | None
    hits: tuple[Hit, ...] = ()
    query: str = ""

    def state(self) -> dict[str, Any]:
        """What to store on the conversation for the next turn."""
        stored: dict[str, Any] = {"chat": self.slots.as_dict()}
        if self.navigator is not None:
            stored["navigator"] = self.navigator.model_dump(mode="json")
        return stored


def load_state(stored: dict[str, Any]) -> Conversation:
    navigator = stored.get("navigator")
    return Conversation(
        slots=context.Slots.of(stored.get("chat", {})),
        navigator=NavigatorState.model_validate(navigator) if navigator else None,
    )


def decide(
    text: str,
    masked: str,
    conversation: Conversation,
    snapshot: KnowledgeSnapshot,
    *,
    today: dt.date,
    thresholds: composer.Thresholds = composer.DEFAULT_THRESHOLDS,
    dense: DenseRanking | None = None,
) -> Decision:
    """`text` is what the customer wrote; `masked` is the same with personal data masked (kept as topic)."""
    normalized = normalize(text)
    slots = context.remember(conversation.slots, snapshot.stated_slots(text))
    navigator = conversation.navigator
    if _navigator_first(normalized, text, navigator, snapshot):
        turn = _navigator_turn(text, slots, navigator, snapshot, today=today)
        if turn is not None:
            return turn
    reason = rules.handoff_reason(rules.TurnFacts(text, slots.low_confidence_streak, confident=True))
    if reason is not None:
        return Decision(_handoff(reason), slots, navigator)
    kind = smalltalk.classify(normalized)
    if kind is not None:
        return Decision(Reply(smalltalk.REPLIES[kind], Mode.SMALLTALK, 1.0), slots, navigator)
    return _retrieve(text, masked, normalized, slots, navigator, snapshot, thresholds, dense)


def _navigator_first(
    normalized: str, text: str, navigator: NavigatorState | None, snapshot: KnowledgeSnapshot
) -> bool:
    """The flow takes the message when it runs, when asked for by name, when the customer states a switch
    to a named brand (「ドコモから楽天に乗り換えたい」), or when a wish to switch is not also a question the
    knowledge base answers (「楽天モバイルから転出したい」 gets the curated answer)."""
    if (navigator is not None and navigator.active) or NAVIGATOR_COMMAND.match(normalized):
        return True
    if not snapshot.wants_navigator(text):
        return False
    states_target = "to_brand" in snapshot.stated_slots(text) and not QUESTION.search(normalized)
    return states_target or not _answerable(text, snapshot)


def _navigator_turn(
    text: str,
    slots: context.Slots,
    navigator: NavigatorState | None,
    snapshot: KnowledgeSnapshot,
    *,
    today: dt.date,
) -> Decision | None:
    carriers = list(snapshot.carriers.values())
    if navigator is None or (not navigator.active and snapshot.wants_navigator(text)):
        known = {
            k: v for k, v in slots.as_dict().items() if k in ("from_brand", "to_brand", "sim", "channel")
        }
        turn = dialogue.start(known, carriers, today=today) if navigator is None else None
    else:
        turn = None
    if turn is None:
        assert navigator is not None
        turn = dialogue.advance(navigator, text, carriers, today=today)
        if turn.state == navigator and navigator.active and _answerable(text, snapshot):
            return None  # the customer asked something else mid-flow: answer it, keep the flow
    reply = Reply(turn.text, Mode.NAVIGATOR, 1.0, quick_replies=tuple(turn.quick_replies))
    return Decision(reply, slots, turn.state)


def _answerable(text: str, snapshot: KnowledgeSnapshot) -> bool:
    return composer.is_confident(snapshot.search(text))


def _handoff(reason: rules.HandoffReason) -> Reply:
    return Reply(HANDOFF_TEXT, Mode.HANDOFF, 0.0, handoff=True, handoff_reason=reason.value)


def _retrieve(
    text: str,
    masked: str,
    normalized: str,
    slots: context.Slots,
    navigator: NavigatorState | None,
    snapshot: KnowledgeSnapshot,
    thresholds: composer.Thresholds,
    dense: DenseRanking | None,
) -> Decision:
    carriers = list(snapshot.carriers.values())
    named = list(snapshot.brands_in(text))
    expanded = context.expand_follow_up(normalized, slots, named, carriers)
    query = expanded or text
    hits = snapshot.search(query, dense if expanded is None else None)[:SEARCH_DEPTH]
    entries = dict(snapshot.entries)
    if composer.is_confident(hits, thresholds):
        brands = named or list(snapshot.brands_in(query))
        reply = composer.answer(hits, entries, brands, thresholds)
        topic = expanded or masked
        remembered = replace(slots, topic=topic, low_confidence_streak=0)
        return Decision(replace(reply, topic=topic), remembered, navigator, hits, query)
    unsure = replace(slots, low_confidence_streak=slots.low_confidence_streak + 1)
    facts = rules.TurnFacts(text, slots.low_confidence_streak, confident=False)
    if rules.handoff_reason(facts) is rules.HandoffReason.REPEATED_LOW_CONFIDENCE:
        return Decision(_handoff(rules.HandoffReason.REPEATED_LOW_CONFIDENCE), unsure, navigator, hits, query)
    if composer.can_clarify(hits, thresholds):
        return Decision(composer.clarify(hits, entries, thresholds), unsure, navigator, hits, query)
    if not named and not _in_domain(hits):
        reply = Reply(smalltalk.OUT_OF_SCOPE_REPLY, Mode.OUT_OF_SCOPE, quick_replies=_starter_replies())
        return Decision(reply, unsure, navigator, hits, query)
    reply = Reply(NO_ANSWER_TEXT, Mode.NO_ANSWER, handoff=True, handoff_reason=rules.HandoffReason.NO_ANSWER)
    return Decision(reply, unsure, navigator, hits, query)


def _in_domain(hits: tuple[Hit, ...]) -> bool:
    return bool(hits) and len(hits[0].matched_terms) >= 2


def _starter_replies() -> tuple[str, ...]:
    return ("予約番号の取り方", "手数料はいくら？", composer.NAVIGATOR_LABEL)
