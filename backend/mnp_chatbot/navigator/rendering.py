"""Plans as plain text, for channels that have only text and quick replies (the web widget and LINE)."""

from collections.abc import Collection

from mnp_chatbot.navigator.schemas import Plan, Step
from mnp_chatbot.navigator.steps import jp_date

DONE_MARK = "（完了）"


def overview(plan: Plan) -> str:
    lines = [plan.summary, reservation_line(plan), *(f"⚠ {warning}" for warning in plan.reservation.warnings)]
    return "\n".join(line for line in lines if line)


def reservation_line(plan: Plan) -> str:
    info = plan.reservation
    if not info.needed:
        return ""
    if info.expires_on is None:
        return "予約番号が必要です（取得日を含めて15日間有効）。"
    return f"予約番号の有効期限：{jp_date(info.expires_on)}（残り{info.days_left}日）"


def roadmap(plan: Plan, completed: Collection[int] = ()) -> str:
    steps = [
        block(f"{index + 1}. {step.title}{DONE_MARK if index in completed else ''}", step.detail)
        for index, step in enumerate(plan.steps)
    ]
    parts = ["【あなたの乗り換えロードマップ】", overview(plan), *steps, checklist(plan)]
    return "\n\n".join(part for part in parts if part)


def block(head: str, detail: str) -> str:
    return "\n".join([head, *(f"   {line}" for line in detail.splitlines())])


def step_view(plan: Plan, index: int, completed: Collection[int] = ()) -> str:
    step = plan.steps[index]
    head = f"ステップ {index + 1}/{len(plan.steps)}：{step.title}{DONE_MARK if index in completed else ''}"
    return "\n".join(line for line in (head, step.detail, source_line(step)) if line)


def source_line(step: Step) -> str:
    """Up to three source titles; a hedged step ends with its official site (see `steps.make_step`)."""
    cited = step.sources if step.verified else step.sources[:-1]
    lines = ["出典：" + "、".join(ref.title for ref in cited[:3])] if cited else []
    if not step.verified and step.sources and step.sources[-1].url:
        lines.append(f"確認先：{step.sources[-1].url}")
    return "\n".join(lines)


def checklist(plan: Plan) -> str:
    if not plan.after_switch:
        return ""
    items = [block(f"・{step.title}", step.detail) for step in plan.after_switch]
    return "\n".join(["【乗り換え後に確認すること】", *items])
