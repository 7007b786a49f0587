"""Decides the curated reply for one message: the answer ladder, small talk, follow-ups, navigator, hand-off.

    message ─┬─ navigator active: an answer to its question or a command ──→ navigator turn
             │                     anything else answered below, then its question again
             ├─ navigator asked for by name ──────────────────→ navigator turn
             ├─ asks for a human / complains ─────────────────→ hand-off
             ├─ greeting / thanks / goodbye ──────────────────→ small talk
             ├─ a switch stated or asked about (X から Y), an attribute of one brand,
             │  a list of brands ─────────────────────────────→ structured answer from the carrier table
             │                                         (+ the answer to a concern, navigator offered)
             └─ follow-up expanded → retrieval ─┬─ confident ─→ curated answer (+ brand facts, hedge)
                                                ├─ unsure ────→ clarify (or hand-off when it repeats)
                                                └─ nothing ───→ out of scope, or no answer + hand-off

Pure apart from the knowledge snapshot it reads: no database, network or clock (`today` is passed in).
"""

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from mnp_chatbot.chat import composer, context, intent, smalltalk, structured
from mnp_chatbot.chat import reply as reply_text
from mnp_chatbot.chat.direction import Direction
from mnp_chatbot.chat.intent import Attribute, Reading
from mnp_chatbot.chat.reply import Mode, Reply
from mnp_chatbot.faq.retrieval import DenseRanking, Hit
from mnp_chatbot.faq.snapshot import KnowledgeSnapshot
from mnp_chatbot.handoff import rules
from mnp_chatbot.japanese.text import normalize
from mnp_chatbot.knowledge.schemas import CarrierDocument
from mnp_chatbot.navigator import dialogue, parsing, questions
from mnp_chatbot.navigator.schemas import NavigatorState, Question

SEARCH_DEPTH = 5
QUESTION = re.compile(r"[?？]|(?:か|の|かな|って)[。!！]*$|教えて|いくら|どう(?:すれば|やって)|何")
NAVIGATOR_COMMAND = re.compile(
    r"^(?:mnp|乗り?換え?|のりかえ)?ナビ(?:を|で)?(?:始め(?:る|たい|て)|開始|スタート|使(?:う|いたい)|お願い(?:します)?)?[!！。]*$"
)
NAVIGATOR_QUESTIONS_TO_KEEP = {"mode", "step", "review"}
SIDE_QUESTION = re.compile(r"ところで|ちなみに|って(?:何|なに|なん)|とは|教えて|[?？]")
DEFINITION = re.compile(r"って(?:何|なに|なん)|とは[?？]?$|意味")
ABOUT = re.compile(r"について(?:教えて|知りたい)|とは$")
NAVIGATOR_OFFER = "手順を順番に確認したいときは「乗り換えナビ」をお使いください。"
RESUME_LEAD = "乗り換えナビの続きです。"
SHARED_SLOTS = ("from_brand", "to_brand", "sim", "channel", "device")

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


# Starter buttons (web, widget, LINE) and the FAQ question each stands for.
STARTER_QUESTIONS = {"手数料はいくら？": "事務手数料は、店頭とWebのどちらで申し込むほうが安いですか？"}


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
    """`text` is what the customer wrote; `masked` is the same with personal data masked (kept as topic).

    Whatever composed the reply, its dates read the Japanese way (the data may hold ISO dates)."""
    decision = _decide(text, masked, conversation, snapshot, today=today, thresholds=thresholds, dense=dense)
    japanese = reply_text.japanese_dates(decision.reply.text)
    return replace(decision, reply=replace(decision.reply, text=japanese))


def _decide(
    text: str,
    masked: str,
    conversation: Conversation,
    snapshot: KnowledgeSnapshot,
    *,
    today: dt.date,
    thresholds: composer.Thresholds,
    dense: DenseRanking | None,
) -> Decision:
    normalized = normalize(text)
    reading = snapshot.reading(text)
    slots = remember(conversation.slots, reading, snapshot.stated_slots(text), text)
    navigator = conversation.navigator
    if navigator is not None and navigator.active:
        return _inside_navigator(text, masked, normalized, reading, slots, navigator, snapshot, today=today)
    if _navigator_first(normalized, text, navigator, snapshot, reading):
        turn = _navigator_turn(text, slots, navigator, snapshot, today=today)
        if turn is not None:
            return turn
    return _answer(text, masked, normalized, reading, slots, navigator, snapshot, thresholds, dense)


def remember(slots: context.Slots, reading: Reading, stated: dict[str, str], text: str) -> context.Slots:
    """What this message tells about the customer's switch, kept for the next turns.

    A question about a thing (「eSIMって何？」) does not state that the customer chose it."""
    if DEFINITION.search(normalize(text)):
        stated = {key: value for key, value in stated.items() if key not in ("sim", "channel")}
    remembered = context.remember(slots, stated)
    if reading.brands:
        remembered = replace(remembered, brands=tuple(brand.id for brand in reading.brands))
    return remembered


def _answer(
    text: str,
    masked: str,
    normalized: str,
    reading: Reading,
    slots: context.Slots,
    navigator: NavigatorState | None,
    snapshot: KnowledgeSnapshot,
    thresholds: composer.Thresholds = composer.DEFAULT_THRESHOLDS,
    dense: DenseRanking | None = None,
) -> Decision:
    reason = rules.handoff_reason(rules.TurnFacts(text, slots.low_confidence_streak, confident=True))
    if reason is not None:
        return Decision(_handoff(reason), slots, navigator)
    kind = smalltalk.classify(normalized)
    if kind is not None:
        return Decision(Reply(smalltalk.REPLIES[kind], Mode.SMALLTALK, 1.0), slots, navigator)
    found = _structured(text, masked, reading, slots, navigator, snapshot, thresholds)
    if found is not None:
        return found
    return _retrieve(text, masked, normalized, reading, slots, navigator, snapshot, thresholds, dense)


def _navigator_first(
    normalized: str,
    text: str,
    navigator: NavigatorState | None,
    snapshot: KnowledgeSnapshot,
    reading: Reading,
) -> bool:
    """The flow starts when asked for by name, or when a wish to switch names no brand and is not also a
    question the knowledge base answers. A switch between named brands is acknowledged and answered
    first, with the flow offered (see `_structured`)."""
    if NAVIGATOR_COMMAND.match(normalized):
        return True
    if not reading.wants_switch or reading.roles:
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
    carriers = snapshot.carrier_list
    if navigator is None:
        known = {k: v for k, v in slots.as_dict().items() if k in SHARED_SLOTS}
        turn = dialogue.start(known, carriers, today=today)
    else:
        turn = dialogue.advance(navigator, text, carriers, today=today)  # a stopped flow resumes
    reply = Reply(turn.text, Mode.NAVIGATOR, 1.0, quick_replies=tuple(turn.quick_replies))
    return Decision(reply, shared(slots, turn.state), turn.state)


def shared(slots: context.Slots, state: NavigatorState) -> context.Slots:
    """The chat's memory updated with what the navigator learnt (one set of slots for both)."""
    known = state.slots.model_dump(mode="json")
    updates = {key: known[key] for key in SHARED_SLOTS if known.get(key) is not None}
    return replace(slots, **updates)


def _inside_navigator(
    text: str,
    masked: str,
    normalized: str,
    reading: Reading,
    slots: context.Slots,
    navigator: NavigatorState,
    snapshot: KnowledgeSnapshot,
    *,
    today: dt.date,
) -> Decision:
    """An answer to the step's question or a command moves the flow; any other question is answered with
    what the flow knows, and the step's question is asked again (nothing is recorded from it)."""
    carriers = snapshot.carrier_list
    if not _answers_step(navigator, text, reading, carriers):
        memory = _with_navigator_slots(slots, navigator)
        side = _answer(text, masked, normalized, reading, memory, navigator, snapshot)
        if side.reply.mode in (Mode.FAQ, Mode.CLARIFY, Mode.HANDOFF, Mode.SMALLTALK):
            prompt, replies = dialogue.reprompt(navigator, carriers, today=today)
            if side.reply.handoff:
                return replace(side, navigator=navigator)
            text_out = "\n\n".join([side.reply.text, RESUME_LEAD + prompt])
            keep = tuple(replies) if side.reply.mode is not Mode.CLARIFY else side.reply.quick_replies
            reply = replace(side.reply, text=text_out, quick_replies=keep)
            return Decision(
                reply, replace(side.slots, channel=slots.channel, sim=slots.sim), navigator, side.hits
            )
    turn = _navigator_turn(text, slots, navigator, snapshot, today=today)
    assert turn is not None
    return turn


def _answers_step(
    navigator: NavigatorState, text: str, reading: Reading, carriers: list[CarrierDocument]
) -> bool:
    """Whether the message is a command or an answer to the question the flow asked (not a side question)."""
    if parsing.parse_command(text) is not None or NAVIGATOR_COMMAND.match(normalize(text)):
        return True
    question = navigator.question
    if question.value in NAVIGATOR_QUESTIONS_TO_KEEP:
        return not SIDE_QUESTION.search(normalize(text)) and not reading.has_own_topic
    side = bool(SIDE_QUESTION.search(normalize(text))) or (
        reading.is_question and reading.attribute is not None
    )
    if side and not (question in (Question.FROM, Question.TO) and reading.roles):
        return False
    if question in (Question.FROM, Question.TO):
        named = bool(reading.brands) or bool(questions.direct_answer(question, text, carriers))
        return named or not reading.has_own_topic
    answered = questions.direct_answer(question, text, carriers)
    if question is Question.RESERVATION:
        return True
    return bool(answered) or not reading.is_question


def _with_navigator_slots(slots: context.Slots, navigator: NavigatorState) -> context.Slots:
    return shared(slots, navigator) if navigator.slots.from_brand or navigator.slots.to_brand else slots


def _answerable(text: str, snapshot: KnowledgeSnapshot) -> bool:
    return composer.is_confident(snapshot.search(text))


def _handoff(reason: rules.HandoffReason) -> Reply:
    return Reply(HANDOFF_TEXT, Mode.HANDOFF, 0.0, handoff=True, handoff_reason=reason.value)


def _retrieve(
    text: str,
    masked: str,
    normalized: str,
    reading: Reading,
    slots: context.Slots,
    navigator: NavigatorState | None,
    snapshot: KnowledgeSnapshot,
    thresholds: composer.Thresholds,
    dense: DenseRanking | None,
) -> Decision:
    carriers = list(snapshot.carriers.values())
    named = list(snapshot.brands_in(text))
    starter = _starter_question(text, named, slots)
    expanded = starter or context.expand_follow_up(
        normalized, slots, named, carriers, elliptic=reading.is_elliptic
    )
    query = expanded or text
    entries = dict(snapshot.entries)
    ranked = snapshot.search(query, dense if expanded is None else None)
    definition = DEFINITION.search(normalize(query)) is not None or ABOUT.search(normalize(query)) is not None
    hits = composer.break_ties(ranked, entries, definition=definition, brand_named=bool(named))[:SEARCH_DEPTH]
    if hits and not composer.has_evidence(hits[0]):
        hits = ()  # 「いつ来ますか？」 matches only on いつ: nothing was understood
    if composer.is_confident(hits, thresholds):
        brands = named or list(snapshot.brands_in(query))
        reply = composer.answer(hits, entries, brands, thresholds, _focus(text, named, slots, snapshot))
        topic = expanded or masked
        remembered = replace(slots, topic=topic, attribute=None, low_confidence_streak=0)
        return Decision(replace(reply, topic=topic), remembered, navigator, hits, query)
    can_clarify = composer.can_clarify(hits, thresholds)
    if not named and not _in_domain(hits) and not can_clarify:
        # Off-topic chatter (「今日の天気は？」) is not a question the bot failed: no streak, no hand-off.
        reply = Reply(smalltalk.OUT_OF_SCOPE_REPLY, Mode.OUT_OF_SCOPE, quick_replies=_starter_replies())
        return Decision(reply, slots, navigator, hits, query)
    unsure = replace(slots, low_confidence_streak=slots.low_confidence_streak + 1)
    facts = rules.TurnFacts(text, slots.low_confidence_streak, confident=False)
    if rules.handoff_reason(facts) is rules.HandoffReason.REPEATED_LOW_CONFIDENCE:
        return Decision(_handoff(rules.HandoffReason.REPEATED_LOW_CONFIDENCE), unsure, navigator, hits, query)
    if can_clarify:
        return Decision(composer.clarify(hits, entries, thresholds), unsure, navigator, hits, query)
    reply = Reply(NO_ANSWER_TEXT, Mode.NO_ANSWER, handoff=True, handoff_reason=rules.HandoffReason.NO_ANSWER)
    return Decision(reply, unsure, navigator, hits, query)


def _structured(
    text: str,
    masked: str,
    reading: Reading,
    slots: context.Slots,
    navigator: NavigatorState | None,
    snapshot: KnowledgeSnapshot,
    thresholds: composer.Thresholds,
) -> Decision | None:
    """An answer computed from the carrier table, when the message is about brands the table describes."""
    carriers = snapshot.carriers
    attribute = reading.attribute
    composed: structured.Composed | None = None
    remembered = slots
    offer = False
    pair: tuple[CarrierDocument, CarrierDocument] | None = None
    if reading.is_pair and (reading.wants_switch or attribute is not None or not reading.has_own_topic):
        pair = carriers[reading.roles["from_brand"]], carriers[reading.roles["to_brand"]]
        channel = reading.channel if reading.channel != "phone" else None
        composed = structured.pair_answer(*pair, channel=channel, acknowledge=True)
        attribute, offer = Attribute.NEEDS_NUMBER, True
    elif reading.wants_switch and len(reading.roles) == 1 and attribute is None:
        ((role, brand_id),) = reading.roles.items()
        brand = carriers[brand_id]
        composed = (
            structured.destination_answer(brand) if role == "to_brand" else structured.origin_answer(brand)
        )
        offer = True
    elif reading.is_list and attribute is not None and not reading.brands:
        composed = structured.list_answer(attribute, snapshot.carrier_list)
    else:
        if attribute is None and reading.is_elliptic and slots.attribute is not None:
            attribute = Attribute(slots.attribute)  # 「auは？」「お店でも同じ？」 after a brand attribute
        if attribute is not None and not reading.has_own_topic and not reading.is_list:
            pair = _remembered_pair(attribute, reading, slots, carriers)
            one = _brand_for(attribute, reading, slots, carriers)
            if pair is not None:
                composed = structured.pair_answer(*pair, channel=reading.channel, acknowledge=False)
            elif one is not None:
                if attribute is Attribute.FEE and reading.roles == {"from_brand": one.id}:
                    attribute = Attribute.PORT_OUT_FEE  # 「auから出るとき手数料かかる？」 is about leaving
                composed = structured.brand_answer(one, attribute, reading.channel)
    if composed is None:
        return None
    text_out = composed.text
    if offer and reading.has_own_topic:
        concern = _concern(text, snapshot, thresholds)
        if concern is not None:
            text_out = "\n\n".join([composed.text, concern])
    if reading.channel in ("shop", "online"):
        remembered = replace(remembered, channel=reading.channel)
    remembered = replace(
        remembered, topic=masked, attribute=attribute.value if attribute else None, low_confidence_streak=0
    )
    replies = (
        (composer.NAVIGATOR_LABEL, composer.HUMAN_LABEL)
        if offer or reading.roles
        else (composer.HUMAN_LABEL,)
    )
    if pair is None:
        # What the customer may ask next about the same brand, the same way (leaving or joining it).
        focus = _focus(text, reading.brands, slots, snapshot)
        related = composer.directed_questions(snapshot.entries, focus, count=2, answered=attribute)
        replies = tuple([*related, *replies][: composer.MAX_QUICK_REPLIES])
    if offer:
        text_out = "\n".join([text_out, NAVIGATOR_OFFER])
    reply = Reply(
        text=text_out,
        mode=Mode.FAQ,
        confidence=1.0,
        sources=composed.sources,
        quick_replies=replies,
        topic=masked,
        extra={"structured": True},
    )
    return Decision(reply, remembered, navigator, (), text)


def _focus(
    text: str, named: Sequence[CarrierDocument], slots: context.Slots, snapshot: KnowledgeSnapshot
) -> dict[str, Direction]:
    """The customer's brands and which way the customer looks at each: as the message says (「ドコモから」
    「ahamoに」), else, when it names no brand, the current carrier and the destination already told."""
    if named:
        return snapshot.directions(text)
    told = {slots.from_brand: Direction.FROM, slots.to_brand: Direction.TO}
    return {brand: way for brand, way in told.items() if brand is not None and brand in snapshot.carriers}


def _remembered_pair(
    attribute: Attribute, reading: Reading, slots: context.Slots, carriers: Mapping[str, CarrierDocument]
) -> tuple[CarrierDocument, CarrierDocument] | None:
    """「予約番号いる？」「ワンストップ使える？」 with no brand, after the customer told both brands."""
    if attribute not in (Attribute.NEEDS_NUMBER, Attribute.ONE_STOP) or reading.brands:
        return None
    source, target = slots.from_brand, slots.to_brand
    if source is not None and target is not None and source != target and {source, target} <= carriers.keys():
        return carriers[source], carriers[target]
    return None


def _brand_for(
    attribute: Attribute, reading: Reading, slots: context.Slots, carriers: Mapping[str, CarrierDocument]
) -> CarrierDocument | None:
    """The one brand the message names, else the one the conversation is about for this attribute: the
    current carrier for what happens when leaving it (予約番号, 解約金), the destination otherwise."""
    if len(reading.brands) == 1:
        return reading.brands[0]
    if reading.brands:
        return None
    recent = [carriers[b] for b in slots.brands if b in carriers]
    side = slots.from_brand if attribute in intent.SOURCE_SIDE else slots.to_brand
    if len(recent) == 1:
        return recent[0]
    return carriers[side] if side is not None and side in carriers else None


def _concern(text: str, snapshot: KnowledgeSnapshot, thresholds: composer.Thresholds) -> str | None:
    """The curated answer to what the customer worries about in a statement of a switch (名義, 分割 …)."""
    hits = snapshot.search(text)[:SEARCH_DEPTH]
    if not composer.is_confident(hits, thresholds):
        return None
    entry = snapshot.entries[hits[0].entry_id]
    if entry.category == "smalltalk":
        return None
    return composer.answer_text(entry, list(snapshot.brands_in(text)))


def _in_domain(hits: tuple[Hit, ...]) -> bool:
    return bool(hits) and len(hits[0].matched_terms) >= 2


def _starter_question(text: str, named: list[CarrierDocument], slots: context.Slots) -> str | None:
    """The question a starter button stands for, when the conversation names no brand yet:
    「手数料はいくら？」 gets the per-carrier fee table, not the general 'no port-in fee' entry (issue 18)."""
    if named or slots.from_brand or slots.to_brand or slots.brands:
        return None
    return STARTER_QUESTIONS.get(text.strip())


def _starter_replies() -> tuple[str, ...]:
    return ("予約番号の取り方", "手数料はいくら？", composer.NAVIGATOR_LABEL)
