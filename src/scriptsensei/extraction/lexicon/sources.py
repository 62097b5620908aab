"""The drug names the lexicon knows: the drug-named-entity-recognition dictionary plus the
bundled list of Indian brands and generics (`data/indian_drugs.json`).

The NER package's own import loads the same pickle and builds n-gram indexes we do not
use, so its data file is read directly.
"""

from __future__ import annotations

import bz2
import importlib.util
import json
import pickle  # the file ships inside an installed, pinned package
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import structlog

log = structlog.get_logger(__name__)

NER_PACKAGE = "drug_named_entity_recognition"
NER_FILE = "drug_ner_dictionary.pkl.bz2"


@dataclass(frozen=True)
class LexiconData:
    variant_to_canonical: dict[str, str]  # lower-case variant -> canonical generic name
    brands: frozenset[str]  # variants that are brand names


def _ner_dictionary() -> dict[str, Any]:
    spec = importlib.util.find_spec(NER_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        log.warning("drug_lexicon.ner_missing", package=NER_PACKAGE)
        return {}
    path = Path(next(iter(spec.submodule_search_locations))) / NER_FILE
    with bz2.open(path, "rb") as handle:
        loaded: dict[str, Any] = pickle.load(handle)  # noqa: S301 - trusted packaged data
    return loaded


def _indian_list() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("data/indian_drugs.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def _inn(name: str, inn_names: dict[str, str]) -> str:
    return inn_names.get(name, name)


def load_lexicon_data() -> LexiconData:
    ner = _ner_dictionary()
    indian = _indian_list()
    inn_names: dict[str, str] = indian["inn_names"]
    mapping: dict[str, str] = {}
    brands: set[str] = set()
    for variant, canonicals in ner.get("drug_variant_to_canonical", {}).items():
        if canonicals:
            mapping[variant] = _inn(canonicals[0], inn_names)
    for variant, data in ner.get("drug_variant_to_variant_data", {}).items():
        if data.get("is_brand"):
            brands.add(variant)
    for generic in indian["generics"]:
        mapping[generic] = _inn(generic, inn_names)
    for variant, canonical in inn_names.items():
        mapping[variant] = canonical
    for brand, generic in indian["brands"].items():  # the Indian list wins over the NER data
        mapping[brand] = _inn(generic, inn_names)
        brands.add(brand)
    log.info("drug_lexicon.loaded", variants=len(mapping))
    return LexiconData(mapping, frozenset(brands))
