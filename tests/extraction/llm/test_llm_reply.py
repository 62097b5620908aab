"""Reading replies: where the JSON is, what it means, and what is refused."""

from __future__ import annotations

import json

import pytest

from scriptsensei.extraction.llm.reply import (
    MAX_MEDICATIONS,
    MAX_PARSE_CHARS,
    MAX_VALUE_CHARS,
    MalformedReplyError,
    ReplyTooLargeError,
    locate_json,
    parse_reply,
)


def test_whole_reply_json() -> None:
    assert parse_reply('{"vitals": {"pulse": "72"}}').values["vitals.pulse"] == "72"


def test_fenced_block_is_preferred_over_braces_in_prose() -> None:
    content = 'Note {braces} here.\n```json\n{"vitals": {"pulse": "88"}}\n```'
    assert parse_reply(content).values["vitals.pulse"] == "88"


def test_fence_without_language_tag() -> None:
    content = '```\n{"vitals": {"bmi": "24.1"}}\n```'
    assert parse_reply(content).values["vitals.bmi"] == "24.1"


def test_first_object_after_leading_prose_and_before_trailing_prose() -> None:
    content = 'Here you go: {"advice": {"investigations": "CBC"}} and {"advice": {}} more'
    located = locate_json(content)
    assert content[located.start] == "{"
    assert parse_reply(content).values["advice.investigations"] == "CBC"


def test_an_extraction_inside_a_list_is_read() -> None:
    assert parse_reply('[{"vitals": {"pulse": "64"}}]').values["vitals.pulse"] == "64"


def test_an_inner_object_of_broken_json_is_not_taken_for_the_reply() -> None:
    with pytest.raises(MalformedReplyError, match="no JSON object of the prescription shape"):
        parse_reply('{"vitals": {"pulse": "72"}, oops}')
    with pytest.raises(MalformedReplyError):
        parse_reply('[{"name": "x"}]')


def test_an_empty_object_is_an_empty_extraction() -> None:
    assert parse_reply("{}").values == {}


def test_single_quotes_are_malformed_not_evaluated() -> None:
    with pytest.raises(MalformedReplyError):
        parse_reply("{'vitals': {'pulse': __import__('os').getpid()}}")


def test_raw_newlines_inside_strings_are_tolerated() -> None:
    content = '{"advice": {"lifestyleAdvice": "Walk daily\nLow salt"}}'
    assert parse_reply(content).values["advice.lifestyleAdvice"] == "Walk daily Low salt"


def test_nan_and_infinity_are_null() -> None:
    values = parse_reply('{"vitals": {"bmi": NaN, "weight": Infinity}}').values
    assert values["vitals.bmi"] is None
    assert values["vitals.weight"] is None


def test_values_of_every_type_become_text_or_null() -> None:
    content = json.dumps(
        {
            "patientDetails": {"age": 7.0, "allergies": ["Penicillin", "Dust"], "gender": True},
            "vitals": {"others": {"RR": "18/min", "GCS": None}, "pulse": "  80   bpm "},
            "doctorDetails": {"signature": "N.A."},
        }
    )
    values = parse_reply(content).values
    assert values["patientDetails.age"] == "7"
    assert values["patientDetails.allergies"] == "Penicillin, Dust"
    assert values["patientDetails.gender"] == "yes"
    assert values["vitals.others"] == "RR: 18/min"
    assert values["vitals.pulse"] == "80 bpm"
    assert values["doctorDetails.signature"] is None


def test_medications_in_any_reasonable_form_become_a_list() -> None:
    as_strings = parse_reply('{"medications": ["Tab Dolo 650", null, {"drugName": "ORS"}]}')
    assert as_strings.values["medications.0.drugName"] == "Tab Dolo 650"
    assert as_strings.values["medications.1.drugName"] == "ORS"
    numbered = parse_reply('{"medications": {"1": {"drugName": "A"}, "2": {"drugName": "B"}}}')
    assert numbered.values["medications.1.drugName"] == "B"
    assert "medications.0.drugName" not in parse_reply('{"medications": "NA"}').values


def test_wrapper_key_and_dotted_keys_are_understood() -> None:
    wrapped = parse_reply('{"extractedData": {"vitals": {"height": "170 cm"}}}')
    assert wrapped.values["vitals.height"] == "170 cm"
    assert wrapped.located.prefix == "extractedData."
    dotted = parse_reply('{"patientDetails.uhid": "UH-991", "vitals.spO2": "97%"}')
    assert dotted.values["patientDetails.uhid"] == "UH-991"
    assert dotted.values["vitals.spO2"] == "97%"


def test_a_group_that_is_not_an_object_is_null() -> None:
    values = parse_reply('{"vitals": "not recorded", "advice": {"investigations": "LFT"}}').values
    assert "vitals.pulse" not in values
    assert values["advice.investigations"] == "LFT"


def test_replies_over_the_limit_are_refused() -> None:
    with pytest.raises(ReplyTooLargeError, match="was not parsed"):
        parse_reply("{" + " " * MAX_PARSE_CHARS + "}")


def test_the_error_carries_a_short_excerpt() -> None:
    with pytest.raises(MalformedReplyError) as info:
        parse_reply("Sorry, " + "blah " * 500)
    assert "Sorry, blah" in str(info.value)
    assert len(str(info.value)) < 250


def test_absurd_nesting_is_malformed_not_a_crash() -> None:
    with pytest.raises(MalformedReplyError):
        parse_reply('{"vitals": ' + "[" * 100_000 + "]" * 100_000 + "}")


def test_field_values_and_medicine_counts_are_bounded() -> None:
    meds = [{"drugName": f"Drug {i}"} for i in range(MAX_MEDICATIONS + 40)]
    content = json.dumps({"patientDetails": {"patientName": "Z" * 50_000}, "medications": meds})
    values = parse_reply(content).values
    assert values["patientDetails.patientName"] == "Z" * MAX_VALUE_CHARS + "…"
    assert f"medications.{MAX_MEDICATIONS - 1}.drugName" in values
    assert f"medications.{MAX_MEDICATIONS}.drugName" not in values
