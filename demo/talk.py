"""What demo KOLs talk about: the congresses they attend and, per topic, what we send them
and what they tell us. Data only, read by `demo.engagements`."""

# (area, congress, month, day, {year: city}): a congress conversation is dated on the congress.
CONGRESSES = [
    ("Cardiology", "ESC Congress", 8, 30, {2025: "Madrid", 2026: "Munich"}),
    ("Cardiology", "Heart Failure", 5, 18, {2025: "Belgrade"}),
    ("Cardiology", "AHA Scientific Sessions", 11, 8, {2025: "New Orleans"}),
    ("Cardiology", "ACC Scientific Session", 3, 29, {2026: "New Orleans"}),
    ("Nephrology", "ASN Kidney Week", 11, 6, {2025: "Houston"}),
    ("Nephrology", "ERA Congress", 6, 5, {2025: "Vienna", 2026: "Glasgow"}),
    ("Endocrinology", "ADA Scientific Sessions", 6, 21, {2025: "Chicago", 2026: "New Orleans"}),
    ("Endocrinology", "EASD Annual Meeting", 9, 16, {2025: "Vienna"}),
    ("Oncology", "ASCO Annual Meeting", 6, 1, {2025: "Chicago", 2026: "Chicago"}),
    ("Oncology", "ESMO Congress", 10, 19, {2025: "Berlin"}),
]

# topic: (something we can send them, then things KOLs tell us about the topic)
TOPIC_TALK: dict[str, tuple[str, ...]] = {
    "Heart failure with preserved ejection fraction": (
        "the EMPEROR-Preserved subgroup analysis",
        "Referral from primary care is the bottleneck for HFpEF diagnosis; echo waits are 4 months",
        "Half the HFpEF patients in clinic also have obesity and AF; trials rarely look like them",
        "Natriuretic peptide cut-offs confuse the GPs; a one-page pathway would help",
    ),
    "Heart failure with reduced ejection fraction": (
        "the STRONG-HF rapid up-titration summary",
        "All four pillars within six weeks is the aim, but titration visits are the constraint",
        "Nurse-led titration clinics work; funding them is the hard part",
    ),
    "SGLT2 inhibitors": (
        "the SGLT2 inhibitor sick-day guidance",
        "Still sees SGLT2 inhibitors stopped on admission and never restarted",
        "Colleagues worry about genital infections more than the data justify",
    ),
    "Atrial fibrillation": (
        "the EAST-AFNET 4 secondary analyses",
        "Screening finds more AF than the anticoagulation clinic can absorb",
        "Wants better evidence on rhythm control in older patients with heart failure",
    ),
    "Lipid management": (
        "the treat-to-target lipid audit template",
        "Most post-MI patients never reach their LDL target; the repeat lipid test is not done",
        "Patients hear 'statin' and think side effects; needs better conversation tools",
    ),
    "Cardiac amyloidosis": (
        "the ATTR red-flag checklist for referrers",
        "ATTR is underdiagnosed; scintigraphy outside the big centres is patchy",
        "Red flags such as carpal tunnel surgery get missed in clinic letters",
    ),
    "Real-world evidence": (
        "the real-world evidence methods overview",
        "Would trust registry data more if they published how missing data were handled",
        "Payers now ask for local real-world outcomes before they fund anything",
    ),
    "Chronic kidney disease progression": (
        "the KDIGO 2024 CKD guideline summary",
        "uACR is measured in under half of people with diabetes in the area",
        "Patients arrive at eGFR 25, when the window to slow progression has mostly passed",
    ),
    "Diabetic kidney disease": (
        "the joint diabetes-renal clinic case studies",
        "Diabetologists and nephrologists each assume the other starts the kidney-protective drugs",
        "Wants a joint DKD clinic but needs outcome data to make the case to management",
    ),
    "Hyperkalaemia": (
        "the real-world hyperkalaemia management data",
        "Would value real-world data on hyperkalaemia management before adopting",
        "RAAS inhibitors stop at the first potassium of 5.5; that is where patients are lost",
    ),
    "Anaemia in CKD": (
        "the HIF-PHI cardiovascular safety review",
        "Iron status is checked late; IV iron logistics are the problem, not the evidence",
        "Wants to know how HIF-PHIs compare long term on cardiovascular safety",
    ),
    "Dialysis outcomes": (
        "the home dialysis outcomes registry report",
        "Patients on dialysis are excluded from nearly every cardiovascular trial",
        "Home dialysis stalls on training capacity, not on what patients prefer",
    ),
    "Type 2 diabetes": (
        "the ADA/EASD consensus report summary",
        "Clinic time goes on glucose; none is left for heart and kidney risk",
        "Primary care needs a simpler algorithm than the full consensus report",
    ),
    "GLP-1 receptor agonists": (
        "the GLP-1 RA titration and GI tolerability guide",
        "Last year's supply shortages undid months of work with patients",
        "Patients stop for GI side effects when a slower titration would have helped",
    ),
    "Obesity management": (
        "the SELECT cardiovascular outcomes summary",
        "Referrers still treat obesity as a lifestyle issue, not a chronic disease",
        "The waiting list for the weight management service is over a year",
    ),
    "Cardiometabolic risk": (
        "an example cardiometabolic clinic pathway",
        "Patients see three specialists who each manage one risk factor",
        "Would like one cardiometabolic risk score the whole team uses",
    ),
    "Cardio-oncology": (
        "the ESC cardio-oncology guideline pocket summary",
        "Oncologists want a clear rule on when to refer before anthracyclines",
        "Baseline echo before treatment is still patchy across the network",
    ),
    "Immunotherapy toxicity": (
        "the checkpoint inhibitor myocarditis algorithm",
        "Checkpoint inhibitor myocarditis is rare, yet each ward has its own troponin protocol",
        "The oncology nurses need teaching material on early toxicity signs",
    ),
    "Renal cell carcinoma": (
        "the RCC treatment sequencing review",
        "Kidney function after nephrectomy is rarely followed up by nephrology",
        "Sequencing after first-line immunotherapy combinations is guesswork without better data",
    ),
    "Biomarker-driven trials": (
        "the biomarker testing turnaround benchmarks",
        "Trial eligibility hinges on biomarker tests the local lab does not run",
        "Turnaround time for molecular testing decides whether patients can enrol",
    ),
}
