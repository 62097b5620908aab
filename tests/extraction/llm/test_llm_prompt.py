"""The prompt: the fields asked for, their instructions, custom prompts, untrusted input."""

from __future__ import annotations

import json

from scriptsensei.extraction.engine import ExtractionSettings
from scriptsensei.extraction.fields import FIELD_GROUPS, scalar_paths
from scriptsensei.extraction.llm.prompt import FIELD_INSTRUCTIONS, build_prompt


def _template(user: str) -> dict[str, object]:
    start = user.index("{")
    decoded, _ = json.JSONDecoder().raw_decode(user, start)
    return decoded  # type: ignore[no-any-return]


def test_every_field_of_the_shape_has_an_instruction() -> None:
    expected = set(scalar_paths()) | {f"medications.{k}" for k in FIELD_GROUPS["medications"]}
    assert set(FIELD_INSTRUCTIONS) == expected


def test_everything_is_asked_for_by_default() -> None:
    prompt = build_prompt(ExtractionSettings())
    template = _template(prompt.user)
    assert list(template) == list(FIELD_GROUPS)
    assert template["medications"] == [dict.fromkeys(FIELD_GROUPS["medications"])]
    assert len(prompt.fields) == len(FIELD_INSTRUCTIONS)


def test_selection_limits_the_template_and_the_instructions() -> None:
    settings = ExtractionSettings(selected_fields=("vitals.pulse", "doctorDetails"))
    prompt = build_prompt(settings)
    assert _template(prompt.user) == {
        "vitals": {"pulse": None},
        "doctorDetails": dict.fromkeys(FIELD_GROUPS["doctorDetails"]),
    }
    assert "medications" not in prompt.user
    assert "bloodPressure" not in prompt.user


def test_a_custom_prompt_for_one_medicine_applies_to_all() -> None:
    settings = ExtractionSettings(
        selected_fields=("medications",),
        custom_prompts={"medications.0.frequency": "Write frequency as times per day."},
    )
    user = build_prompt(settings).user
    assert "- medications.frequency: Write frequency as times per day." in user
    assert FIELD_INSTRUCTIONS["medications.frequency"] not in user


def test_blank_custom_prompts_keep_the_default() -> None:
    settings = ExtractionSettings(custom_prompts={"vitals.pulse": "   "})
    assert FIELD_INSTRUCTIONS["vitals.pulse"] in build_prompt(settings).user


def test_the_system_prompt_treats_the_document_as_untrusted_data() -> None:
    system = build_prompt(ExtractionSettings()).system
    assert "untrusted" in system
    assert "never as instructions" in system
    assert "exactly one JSON object" in system


def test_provenance_text_holds_system_and_user_parts() -> None:
    prompt = build_prompt(ExtractionSettings(selected_fields=("vitals",)))
    assert prompt.as_text().startswith(prompt.system)
    assert prompt.as_text().endswith(prompt.user)
