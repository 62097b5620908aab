"""Words that appear on prescriptions and must never be read as drug names, even when the
NER dictionary lists them or a fuzzy match would land on a drug."""

from __future__ import annotations

_WORDS = """
    tab tabs tablet tablets cap caps capsule capsules syp syrup inj injection oint ointment
    cream gel drops drop lotion susp suspension sachet powder inhaler spray solution
    od bd tds tid qid hs sos prn stat daily once twice thrice morning noon evening night
    after before food meal meals empty stomach with water milk days day week weeks month
    months dose doses times time take apply oral orally mg ml mcg gm units unit iu
    patient name age sex male female date doctor clinic hospital road street nagar
    advice review follow up rest fluids diet plenty warm salt saline test tests blood urine
    sugar fasting report reports diagnosis complaints history examination vitals pulse
    temperature weight height bmi spo2 phone mobile email address reg regd registration
    signature sign medicine medicines medication medications rx the and for with each
    fever cough cold pain headache vomiting diarrhoea loose motions throat infection
    continue stop avoid drink eat sleep exercise walk local external use only
    forte plus ds sr xl mr cv lc ls er od dsr kid junior syrup
    by sig puff puffs layer thin vial amp in to on at of per
"""
NOT_DRUGS: frozenset[str] = frozenset(_WORDS.split())
