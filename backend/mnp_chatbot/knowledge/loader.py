"""Reads and validates the curated knowledge files shipped in `data/`."""

from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter

from mnp_chatbot.knowledge.schemas import CarrierDocument, FaqDocument, SynonymFile, SynonymGroup

DATA_DIR = Path(__file__).parent / "data"

_faqs = TypeAdapter(list[FaqDocument])
_carriers = TypeAdapter(list[CarrierDocument])


def _read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def load_faqs(directory: Path = DATA_DIR / "faqs") -> list[FaqDocument]:
    """All FAQ entries of every `*.yaml` file in `directory`, in file then entry order."""
    entries: list[FaqDocument] = []
    for path in sorted(directory.glob("*.yaml")):
        entries.extend(load_faq_file(path))
    slugs = [entry.slug for entry in entries]
    duplicates = sorted({slug for slug in slugs if slugs.count(slug) > 1})
    if duplicates:
        raise ValueError(f"duplicate FAQ slugs: {', '.join(duplicates)}")
    return entries


def load_faq_file(path: Path) -> list[FaqDocument]:
    """The FAQ entries of one knowledge file, validated."""
    return _faqs.validate_python(_read_yaml(path) or [])


def load_carriers(path: Path = DATA_DIR / "carriers.yaml") -> list[CarrierDocument]:
    if not path.exists():
        return []
    return _carriers.validate_python(_read_yaml(path) or [])


def load_synonyms(path: Path = DATA_DIR / "synonyms.yaml") -> list[SynonymGroup]:
    if not path.exists():
        return []
    return SynonymFile.model_validate(_read_yaml(path) or {"groups": []}).groups
