"""Clinical phrases that synthetic prescriptions draw from, in the prescriber's shorthand."""

from __future__ import annotations

COMPLAINTS = (
    "Fever x 3 days", "Sore throat", "Cough with sputum", "Headache", "Body ache",
    "Burning micturition", "Loose stools x 2 days", "Acidity", "Running nose",
    "Breathlessness on exertion", "Joint pain", "Itching over arms", "Vomiting x 1 day",
    "Ear pain", "Giddiness", "Abdominal pain", "Dry cough x 1 week", "Chest tightness",
)  # fmt: skip
HISTORY = (
    "K/C/O DM", "K/C/O HTN", "K/C/O DM, HTN", "Hypothyroid on treatment", "Asthma since childhood",
    "No significant past history", "H/O similar episode 6 months back", "Post COVID",
    "Smoker, 10 pack years", "Known case of CKD stage 2", "T2DM for 8 years",
)  # fmt: skip
EXAMINATION = (
    "Throat congested", "Chest clear", "B/L air entry equal", "CVS: S1 S2 heard",
    "P/A soft, non-tender", "Tonsils enlarged", "Mild pallor", "No pedal oedema",
    "Wheeze present", "Tympanic membrane congested", "Erythematous rash over forearm",
)  # fmt: skip
DIAGNOSES = (
    "Acute pharyngitis", "Viral fever", "Type 2 diabetes mellitus", "Essential hypertension",
    "URTI", "Acute gastroenteritis", "GERD", "UTI", "Allergic rhinitis", "Acute bronchitis",
    "Osteoarthritis knee", "Tinea corporis", "Acute otitis media", "Bronchial asthma",
    "Dyslipidaemia", "Hypothyroidism", "Migraine", "Iron deficiency anaemia",
)  # fmt: skip
ALLERGIES = (
    "NKDA", "No known drug allergies", "Penicillin", "Sulfa drugs", "Aspirin",
    "NSAIDs", "Nil known", "Dust allergy", "Cephalosporins",
)  # fmt: skip
LIFESTYLE_ADVICE = (
    "Drink plenty of fluids", "Avoid oily and spicy food", "Steam inhalation twice daily",
    "Salt restricted diet", "Walk 30 minutes daily", "Take adequate rest",
    "Warm saline gargles", "Avoid cold drinks", "Diabetic diet", "Stop smoking",
    "Soft bland diet", "Keep the area clean and dry",
)  # fmt: skip
INVESTIGATIONS = (
    "CBC", "CRP", "ESR", "FBS, PPBS", "HbA1c", "Lipid profile", "LFT", "RFT", "TSH",
    "Urine R/E", "Chest X-ray PA view", "ECG", "Dengue NS1", "Widal test", "Serum creatinine",
    "USG abdomen", "Vitamin D3", "Blood culture",
)  # fmt: skip
FOLLOW_UP = (
    "Review after 5 days", "Review after 1 week", "Follow up after 2 weeks", "Review SOS",
    "Review with reports", "Follow up after 1 month", "Review after 3 days if fever persists",
    "Come back if symptoms worsen", "Next visit after 15 days",
)  # fmt: skip
VITALS_OTHERS = (
    "RR: 18/min",
    "RBS: 142 mg/dL",
    "GRBS: 110 mg/dL",
    "RR: 20/min",
    "Pain score: 3/10",
)
