"""The built-in instruction for each field and group (the prompt builder's defaults), which
a config's custom prompt replaces, and how custom prompt keys name fields."""

from __future__ import annotations

from dataclasses import dataclass

from scriptsensei.extraction.fields import FIELD_GROUPS, MEDICATIONS
from scriptsensei.extraction.llm.prompt import FIELD_INSTRUCTIONS, MEDICATIONS_NOTE


@dataclass(frozen=True)
class PromptDefault:
    selector: str  # a group (`vitals`) or a field (`vitals.pulse`, `medications.strength`)
    group: str
    default: str | None  # None: nothing is said unless a custom prompt is set


def prompt_defaults() -> list[PromptDefault]:
    """Every group's note, then its fields, in the shape's order."""
    out = []
    for group, keys in FIELD_GROUPS.items():
        note = MEDICATIONS_NOTE if group == MEDICATIONS else None
        out.append(PromptDefault(group, group, note))
        out.extend(
            PromptDefault(f"{group}.{k}", group, FIELD_INSTRUCTIONS[f"{group}.{k}"]) for k in keys
        )
    return out


def generic_selector(selector: str) -> str:
    """`medications.2.strength` -> `medications.strength`: the prompt builder asks once for
    every medicine, so both keys set the same instruction."""
    parts = selector.split(".")
    if len(parts) == 3 and parts[0] == MEDICATIONS:
        return f"{parts[0]}.{parts[2]}"
    return selector
