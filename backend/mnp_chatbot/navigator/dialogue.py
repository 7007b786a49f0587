"""The guided flow 「乗り換えナビ」 as a pure state machine: one message in, one `Turn` out.

    FROM → TO → CHANNEL → DEVICE → SIM → HOLDER → FAMILY → RESERVATION   (slots; known ones are skipped)
      → MODE ─ 全体を見る ──→ REVIEW (roadmap)
             └ 1ステップずつ → STEP ─ 次へ / 完了 / 前へ → … → REVIEW (checklist)
    やめる closes the flow anywhere; 「乗り換えナビ」 later resumes it where it stopped; 最初から restarts it.

The plan is recomputed from the slots on every turn, so the state stays small and `today` stays current.
"""

import datetime as dt
from collections.abc import Mapping, Sequence

from mnp_chatbot.knowledge import schemas as knowledge
from mnp_chatbot.navigator import parsing, planner, questions, rendering
from mnp_chatbot.navigator.exceptions import InvalidSituation
from mnp_chatbot.navigator.parsing import Command
from mnp_chatbot.navigator.schemas import Mode, NavigatorState, Plan, Question, Slots, Turn

__all__ = ["advance", "extract_slots", "reprompt", "start", "wants_navigator"]

wants_navigator = parsing.wants_navigator
extract_slots = parsing.extract_slots

GREETING = "乗り換えナビを始めます。いくつか質問にお答えください。"
UNCLEAR = "すみません、うまく読み取れませんでした。"
RESUMED = "前回の続きから再開します。"
CLOSED = "乗り換えナビを終了しました。「乗り換えナビ」と送ると、続きから再開できます。"
ASK_MODE = "手順をまとめて見ますか？それとも1ステップずつ進めますか？"
FINISHED = "手順は以上です。おつかれさまでした。"
MODE_REPLIES = ["全体を見る", "1ステップずつ", "やめる"]
STEP_REPLIES = ["次へ", "完了", "前へ", "全体を見る", "やめる"]
REVIEW_REPLIES = ["1ステップずつ", "最初から", "やめる"]
FIELD_SLOTS = {"from": "from_brand", "to": "to_brand", "channel": "channel", "sim": "sim", "device": "device"}
PLAN_QUESTIONS = (Question.MODE, Question.STEP, Question.REVIEW)


def start(
    known_slots: Mapping[str, object] | Slots,
    carriers: Sequence[knowledge.CarrierDocument],
    *,
    today: dt.date,
) -> Turn:
    """A new flow that reuses what the conversation already knows (see `extract_slots`)."""
    known = known_slots.model_dump() if isinstance(known_slots, Slots) else known_slots
    state = NavigatorState(slots=questions.known_slots(known, carriers))
    return proceed(state, carriers, today=today, lead=GREETING)


def advance(
    state: NavigatorState, user_text: str, carriers: Sequence[knowledge.CarrierDocument], *, today: dt.date
) -> Turn:
    command = parsing.parse_command(user_text)
    if command is Command.STOP:
        return Turn(
            state=state.model_copy(update={"active": False}), text=CLOSED, quick_replies=["乗り換えナビ"]
        )
    if command is Command.RESTART:
        return start({}, carriers, today=today)
    if not state.active:
        return resume(state, user_text, carriers, today=today)
    if state.question in PLAN_QUESTIONS:
        return navigate(state, command, carriers, today=today)
    return answer(state, user_text, carriers, today=today)


def reprompt(
    state: NavigatorState, carriers: Sequence[knowledge.CarrierDocument], *, today: dt.date
) -> tuple[str, list[str]]:
    """The flow's pending question again, with its quick replies (after a side question was answered)."""
    if state.question is Question.MODE:
        return ASK_MODE, MODE_REPLIES
    if state.question is Question.STEP:
        plan = plan_of(state.slots, carriers, today=today)
        index = min(state.step_index, len(plan.steps) - 1)
        return (
            f"ステップ {index + 1}/{len(plan.steps)}「{plan.steps[index].title}」から続けられます。",
            STEP_REPLIES,
        )
    if state.question is Question.REVIEW:
        return "「1ステップずつ」で手順を順に確認できます。", REVIEW_REPLIES
    prompt, replies = questions.ask(state.question, state.slots, carriers)
    return prompt, replies


def resume(
    state: NavigatorState, user_text: str, carriers: Sequence[knowledge.CarrierDocument], *, today: dt.date
) -> Turn:
    if not parsing.wants_navigator(user_text, carriers):
        return Turn(state=state, text=CLOSED, quick_replies=["乗り換えナビ"])
    state = state.model_copy(update={"active": True})
    if state.question in PLAN_QUESTIONS:
        return show(state, plan_of(state.slots, carriers, today=today), lead=RESUMED)
    return proceed(state, carriers, today=today, lead=RESUMED)


def answer(
    state: NavigatorState, user_text: str, carriers: Sequence[knowledge.CarrierDocument], *, today: dt.date
) -> Turn:
    slots, note = questions.read_answer(state.question, user_text, state.slots, carriers, today=today)
    if not note and slots == state.slots:
        resuming = parsing.wants_navigator(user_text, carriers)
        note = RESUMED if resuming else UNCLEAR
    return proceed(state.model_copy(update={"slots": slots}), carriers, today=today, lead=note)


def proceed(
    state: NavigatorState, carriers: Sequence[knowledge.CarrierDocument], *, today: dt.date, lead: str
) -> Turn:
    """Ask the next missing slot, or present the plan once every slot is known."""
    slots, note = questions.autofill(state.slots, carriers)
    question = questions.next_question(slots, carriers)
    lead = join(lead, note)
    if question is not None:
        prompt, replies = questions.ask(question, slots, carriers)
        new_state = state.model_copy(update={"slots": slots, "question": question})
        return Turn(state=new_state, text=join(lead, prompt), quick_replies=replies)
    try:
        plan = plan_of(slots, carriers, today=today)
    except InvalidSituation as error:
        return proceed(
            state.model_copy(update={"slots": forget(slots, error)}), carriers, today=today, lead=lead
        )
    new_state = state.model_copy(update={"slots": slots, "question": Question.MODE})
    text = join(lead, rendering.overview(plan), ASK_MODE)
    return Turn(state=new_state, text=text, quick_replies=MODE_REPLIES, plan=plan)


def forget(slots: Slots, error: InvalidSituation) -> Slots:
    """Clear the slot the planner rejected, so that its question is asked again."""
    if error.field == "reservationIssuedOn":
        return slots.model_copy(update={"reservation_issued_on": None, "reservation_answered": False})
    key = FIELD_SLOTS.get(error.field)
    return slots.model_copy(update={key: None}) if key else Slots()


def plan_of(slots: Slots, carriers: Sequence[knowledge.CarrierDocument], *, today: dt.date) -> Plan:
    return planner.make_plan(questions.situation_of(slots), carriers, today=today)


def navigate(
    state: NavigatorState,
    command: Command | None,
    carriers: Sequence[knowledge.CarrierDocument],
    *,
    today: dt.date,
) -> Turn:
    plan = plan_of(state.slots, carriers, today=today)
    if command is Command.ROADMAP:
        return show(state.model_copy(update={"mode": Mode.ROADMAP, "question": Question.REVIEW}), plan)
    if command is Command.STEPWISE:
        index = (
            first_open_step(state, len(plan.steps)) if state.question is Question.REVIEW else state.step_index
        )
        update = {"mode": Mode.STEP, "question": Question.STEP, "step_index": index}
        return show(state.model_copy(update=update), plan)
    if state.question is Question.STEP and command in (Command.NEXT, Command.DONE, Command.BACK):
        return show(walk(state, command, len(plan.steps)), plan, lead=done_note(state, command, plan))
    return show(state, plan, lead=UNCLEAR)


def done_note(state: NavigatorState, command: Command, plan: Plan) -> str:
    """「完了」 marks the step done and says so (「次へ」 only moves on), with how many are done."""
    if command is not Command.DONE:
        return ""
    index = min(state.step_index, len(plan.steps) - 1)
    done = len({*state.completed, index})
    return f"✓ 「{plan.steps[index].title}」を完了にしました（{done}/{len(plan.steps)}完了）。"


def first_open_step(state: NavigatorState, step_count: int) -> int:
    """Where to pick up after a review: the first step not marked 完了, or the start when all are."""
    return next((index for index in range(step_count) if index not in state.completed), 0)


def walk(state: NavigatorState, command: Command, step_count: int) -> NavigatorState:
    index = state.step_index
    completed = state.completed
    if command is Command.DONE and index not in completed:
        completed = (*completed, index)
    index = max(0, index - 1) if command is Command.BACK else index + 1
    if index >= step_count:
        return state.model_copy(
            update={"step_index": step_count - 1, "completed": completed, "question": Question.REVIEW}
        )
    return state.model_copy(update={"step_index": index, "completed": completed})


def show(state: NavigatorState, plan: Plan, *, lead: str = "") -> Turn:
    """The current view of the plan for the state's question: mode choice, one step, or the review."""
    if state.question is Question.MODE:
        text, replies = join(rendering.overview(plan), ASK_MODE), MODE_REPLIES
    elif state.question is Question.STEP:
        index = min(state.step_index, len(plan.steps) - 1)  # the plan may have shrunk since it was saved
        text, replies = rendering.step_view(plan, index, state.completed), STEP_REPLIES
    elif state.mode is Mode.STEP:
        text, replies = join(rendering.checklist(plan), FINISHED), ["全体を見る", *REVIEW_REPLIES]
    else:
        text, replies = rendering.roadmap(plan, state.completed), REVIEW_REPLIES
    return Turn(state=state, text=join(lead, text), quick_replies=replies, plan=plan)


def join(*parts: str) -> str:
    return "\n\n".join(part for part in parts if part)
