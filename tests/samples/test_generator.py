"""Synthetic prescriptions: deterministic, in the extractedData shape, truth as printed."""

from __future__ import annotations

import pytest

from scriptsensei.extraction.fields import (
    FIELD_GROUPS,
    MEDICATION_KEYS,
    MEDICATIONS,
    flatten,
    unflatten,
)
from scriptsensei.samples import Sample, SampleOptions, generate_sample, sample_rng
from scriptsensei.samples.layouts import LAYOUTS

CLEAN = SampleOptions(profile="clean", pdf_share=0.0)


def make(seed: int, index: int, options: SampleOptions = CLEAN) -> Sample:
    return generate_sample(sample_rng(seed, index), index, options)


@pytest.fixture(scope="module")
def clean_samples() -> list[Sample]:
    return [make(11, i) for i in range(16)]


def test_same_seed_gives_the_same_sample() -> None:
    for index in (0, 5):
        first, second = make(3, index, SampleOptions()), make(3, index, SampleOptions())
        assert first.truth == second.truth
        assert first.meta == second.meta
        assert first.image.tobytes() == second.image.tobytes()


def test_other_seed_gives_another_sample() -> None:
    assert make(3, 0).truth != make(4, 0).truth


def test_sample_does_not_depend_on_its_neighbours() -> None:
    # Sample i comes from its own stream, so sets of different sizes share their first samples.
    assert make(9, 2).truth == generate_sample(sample_rng(9, 2), 2, CLEAN).truth
    assert make(9, 2).truth != make(9, 3).truth


def test_truth_has_every_key_of_the_shape(clean_samples: list[Sample]) -> None:
    for sample in clean_samples:
        assert set(sample.truth) == set(FIELD_GROUPS)
        for group, keys in FIELD_GROUPS.items():
            if group == MEDICATIONS:
                assert 1 <= len(sample.truth[group]) <= 6
                assert all(set(med) == set(MEDICATION_KEYS) for med in sample.truth[group])
            else:
                assert set(sample.truth[group]) == set(keys)


def test_truth_round_trips_through_flatten(clean_samples: list[Sample]) -> None:
    for sample in clean_samples:
        assert unflatten(flatten(sample.truth)) == sample.truth


def test_every_truth_value_is_on_the_page(clean_samples: list[Sample]) -> None:
    for sample in clean_samples:
        page_text = " ".join(sample.texts)
        for path, value in flatten(sample.truth).items():
            if value is not None:
                assert value in page_text, f"{sample.name}: {path}={value!r} not rendered"
                assert sample.meta["field_boxes"][path], path


def test_values_are_bare_without_labels(clean_samples: list[Sample]) -> None:
    for sample in clean_samples:
        for path, value in flatten(sample.truth).items():
            if value is not None and not path.endswith("others"):
                assert value == value.strip()
                assert not value.endswith(":"), path
                assert not value.startswith(("Name:", "Date:", "BP:", "Tab.", "x ")), path


def test_core_fields_are_always_present(clean_samples: list[Sample]) -> None:
    for sample in clean_samples:
        flat = flatten(sample.truth)
        for path in (
            "patientDetails.patientName",
            "patientDetails.date",
            "doctorDetails.doctorName",
        ):
            assert flat[path], (sample.name, path)
        assert all(med["drugName"] and med["frequency"] for med in sample.truth[MEDICATIONS])


def test_formulation_is_the_printed_word_without_its_dot(clean_samples: list[Sample]) -> None:
    forms = {med["formulation"] for s in clean_samples for med in s.truth[MEDICATIONS]}
    assert not any(form.endswith(".") for form in forms if form)
    assert forms & {"Tab", "TAB", "Cap", "CAP", "tablet", "capsule"}


def test_field_boxes_lie_on_the_page(clean_samples: list[Sample]) -> None:
    for sample in clean_samples:
        for boxes in sample.meta["field_boxes"].values():
            for x0, y0, x1, y1 in boxes:
                assert 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1


@pytest.fixture(scope="module")
def many_samples() -> list[Sample]:
    return [make(21, i) for i in range(30)]


def test_every_layout_is_used_and_reaches_its_convention(many_samples: list[Sample]) -> None:
    assert {s.meta["layout"] for s in many_samples} == set(LAYOUTS)
    western = [s for s in many_samples if s.meta["convention"] == "western"]
    assert western and all(s.meta["layout"] == "gp_note" for s in western)


def test_handwritten_pad_is_always_filled_in_by_hand(many_samples: list[Sample]) -> None:
    pads = [s for s in many_samples if s.meta["layout"] == "handwritten_pad"]
    assert pads and all(s.meta["handwriting"] for s in pads)


def test_hospital_sheet_fills_route_and_hospital_name(many_samples: list[Sample]) -> None:
    hospital = [s for s in many_samples if s.meta["layout"] == "hospital_opd"]
    assert hospital
    for sample in hospital:
        assert sample.truth["clinicDetails"]["hospitalName"]
        assert sample.truth["clinicDetails"]["clinicName"] is None
        assert all(med["route"] for med in sample.truth[MEDICATIONS])


def test_handwriting_share_controls_the_body_font() -> None:
    none = [make(5, i, SampleOptions(profile="clean", handwriting_share=0.0)) for i in range(8)]
    every = [make(5, i, SampleOptions(profile="clean", handwriting_share=1.0)) for i in range(8)]
    # The handwritten pad is filled in by hand whatever the share.
    assert any(s.meta["layout"] != "handwritten_pad" for s in none)
    assert not any(s.meta["handwriting"] for s in none if s.meta["layout"] != "handwritten_pad")
    assert all(s.meta["handwriting"] for s in every)


def test_clean_profile_leaves_the_page_as_rendered(clean_samples: list[Sample]) -> None:
    for sample in clean_samples:
        assert sample.meta["degradations"] == []
        assert sample.meta["rotation"] == 0
        assert list(sample.image.size) == sample.meta["page_size"]
        assert sample.image_format == "png"


def test_photo_profile_records_every_degradation() -> None:
    for index in range(4):
        sample = make(8, index, SampleOptions(profile="photo", pdf_share=0.0))
        names = [d["name"] for d in sample.meta["degradations"]]
        assert sample.meta["degraded"]
        assert names[-1] == "jpeg" and sample.image_format == "jpg"
        assert {"skew", "perspective"} & set(names)
        clean = make(8, index, SampleOptions(profile="clean", pdf_share=0.0))
        assert sample.truth == clean.truth  # the same prescription, only photographed


def test_rotated_profile_turns_the_page_a_quarter_at_a_time() -> None:
    seen = set()
    for index in range(10):
        sample = make(2, index, SampleOptions(profile="rotated", pdf_share=0.0))
        width, height = sample.meta["page_size"]
        seen.add(sample.meta["rotation"])
        expected = (height, width) if sample.meta["rotation"] in (90, 270) else (width, height)
        assert sample.image.size == expected
    assert seen <= {90, 180, 270} and len(seen) >= 2


def test_mixed_profile_degrades_the_share_asked() -> None:
    never = [make(4, i, SampleOptions(profile="mixed", degraded_share=0.0)) for i in range(6)]
    always = [make(4, i, SampleOptions(profile="mixed", degraded_share=1.0)) for i in range(3)]
    assert not any(s.meta["degraded"] for s in never)
    assert all(s.meta["degraded"] for s in always)


def test_image_boxes_follow_the_page_into_the_photo() -> None:
    for index in range(3):
        sample = make(8, index, SampleOptions(profile="photo", pdf_share=0.0))
        assert sample.meta["image_size"] == list(sample.image.size)
        boxes = sample.meta["image_field_boxes"]
        assert set(boxes) == set(sample.meta["field_boxes"])
        for path, page_boxes in sample.meta["field_boxes"].items():
            assert len(boxes[path]) == len(page_boxes)
            for x0, y0, x1, y1 in boxes[path]:
                assert 0 <= x0 <= x1 <= 1 and 0 <= y0 <= y1 <= 1


def test_image_boxes_equal_page_boxes_on_clean_pages(clean_samples: list[Sample]) -> None:
    sample = clean_samples[0]
    for path, page_boxes in sample.meta["field_boxes"].items():
        for got, want in zip(sample.meta["image_field_boxes"][path], page_boxes, strict=True):
            assert got == pytest.approx(want, abs=1e-4)
