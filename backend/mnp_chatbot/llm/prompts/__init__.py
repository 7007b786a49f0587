"""Prompt files (`<name>.md`): a front matter with a `version:` line, then the prompt text."""

from dataclasses import dataclass
from functools import cache
from importlib import resources

FRONT_MATTER = "---"


@dataclass(frozen=True, slots=True)
class Prompt:
    name: str
    version: str
    text: str


class PromptFileInvalid(ValueError):
    """A prompt file without a front matter that names its version."""


def parse(name: str, raw: str) -> Prompt:
    head, separator, body = raw.removeprefix(FRONT_MATTER + "\n").partition("\n" + FRONT_MATTER + "\n")
    if not raw.startswith(FRONT_MATTER + "\n") or not separator:
        raise PromptFileInvalid(f"prompt {name!r} has no front matter")
    fields = dict(line.split(":", 1) for line in head.splitlines() if ":" in line)
    version = fields.get("version", "").strip()
    if not version:
        raise PromptFileInvalid(f"prompt {name!r} has no version")
    return Prompt(name, version, body.strip())


@cache
def load(name: str) -> Prompt:
    """The packaged prompt `<name>.md`, read once per process."""
    raw = resources.files(__package__).joinpath(f"{name}.md").read_text(encoding="utf-8")
    return parse(name, raw)
