"""Names, practices and places that synthetic prescriptions draw from (all invented)."""

from __future__ import annotations

INDIAN_MALE = (
    "Rahul Sharma", "Amit Patel", "Suresh Kumar", "Vikram Singh", "Arjun Reddy",
    "Mohammed Irfan", "Rajesh Iyer", "Sanjay Gupta", "Karthik Nair", "Anil Deshmukh",
    "Manoj Verma", "Prakash Rao", "Harish Menon", "Deepak Joshi", "Ravi Shankar",
    "Abdul Rahman", "Gurpreet Singh", "Naveen Chandra", "Sunil Bhat", "Imran Khan",
)  # fmt: skip
INDIAN_FEMALE = (
    "Priya Nair", "Anjali Mehta", "Sunita Devi", "Kavya Reddy", "Fatima Begum",
    "Lakshmi Krishnan", "Neha Agarwal", "Pooja Singh", "Meera Iyer", "Divya Kulkarni",
    "Shalini Rao", "Asha Kumari", "Rekha Pillai", "Sneha Patil", "Ayesha Siddiqui",
    "Harpreet Kaur", "Geeta Joshi", "Nandini Bose", "Swati Mishra", "Radha Venkatesh",
)  # fmt: skip
WESTERN_MALE = (
    "John Smith", "David Miller", "Michael Brown", "James Wilson", "Robert Taylor",
    "Thomas Anderson", "William Clarke", "Daniel Evans", "George Hughes", "Peter Walsh",
)  # fmt: skip
WESTERN_FEMALE = (
    "Emily Johnson", "Sarah Davies", "Laura Thompson", "Emma Roberts", "Olivia Green",
    "Hannah Wright", "Jessica Moore", "Rachel Cooper", "Sophie Turner", "Claire Bennett",
)  # fmt: skip

DOCTORS_INDIAN = (
    "Anjali Rao", "Ramesh Babu", "S. K. Gupta", "Meenakshi Sundaram", "Ajay Kulkarni",
    "Farah Khan", "Venkatesh Prasad", "Nisha Malhotra", "P. Srinivasan", "Kiran Hegde",
    "Sameer Deshpande", "Usha Rani", "Alok Tripathi", "Vandana Shetty", "R. Balaji",
)  # fmt: skip
DOCTORS_WESTERN = (
    "Jane Whitfield", "Mark Ellison", "Helen Carter", "Simon Fraser", "Alice Morgan",
    "Richard Hale", "Catherine Lowe", "Andrew Blake",
)  # fmt: skip

QUALIFICATIONS_INDIAN = (
    "MBBS, MD (General Medicine)", "MBBS, DNB (Family Medicine)", "MBBS, MD (Paediatrics)",
    "MBBS, MS (ENT)", "MBBS, DCH", "MBBS, MD, DM (Cardiology)", "MBBS, DGO",
    "MBBS, MD (Dermatology)", "MBBS", "MBBS, MD (Pulmonology)",
)  # fmt: skip
QUALIFICATIONS_WESTERN = ("MBBS, MRCGP", "MD", "MB ChB, MRCGP", "MBBS, FRACGP", "DO")

SPECIALIZATIONS = (
    "Consultant Physician", "General Physician", "Family Physician", "Paediatrician",
    "ENT Surgeon", "Cardiologist", "Consultant Physician & Diabetologist", "Dermatologist",
    "Gynaecologist", "Pulmonologist", "General Practitioner", "Internal Medicine",
)  # fmt: skip

CLINIC_NAMES = (
    "Sunrise Family Clinic", "Shree Sai Clinic", "Arogya Health Centre", "Lotus Medical Centre",
    "Care & Cure Clinic", "Sanjeevani Polyclinic", "Dhanvantari Clinic", "Healthway Clinic",
    "Green Park Medical Centre", "LifeLine Clinic", "Om Sai Polyclinic", "Wellness Point Clinic",
)  # fmt: skip
HOSPITAL_NAMES = (
    "City General Hospital", "Sri Venkateswara Multispeciality Hospital",
    "Apex Superspeciality Hospital", "Kaveri Medical Centre & Hospital",
    "St. Mary's Hospital", "Lakeview Hospital", "Rainbow Children's Hospital",
    "National Institute of Medical Sciences", "Metro Heart & Multispeciality Hospital",
)  # fmt: skip
GP_PRACTICES = (
    "Riverside Medical Practice", "Oakwood Surgery", "Hillcrest Family Practice",
    "Parkside Health Centre", "Maple Street Clinic",
)  # fmt: skip
BRANCHES = ("Whitefield", "Koramangala", "Andheri West", "Salt Lake", "Banjara Hills", "Anna Nagar")

# (street address, city, PIN)
INDIAN_ADDRESSES = (
    ("12, 2nd Cross, Indiranagar", "Bengaluru", "560038"),
    ("45, MG Road", "Pune", "411001"),
    ("Plot 7, Sector 14", "Gurugram", "122001"),
    ("3-5-12, Himayatnagar", "Hyderabad", "500029"),
    ("21, Gandhi Nagar, Adyar", "Chennai", "600020"),
    ("B-204, Lokhandwala Complex", "Mumbai", "400053"),
    ("88, Park Street", "Kolkata", "700016"),
    ("14/2, Civil Lines", "Jaipur", "302006"),
    ("Near Bus Stand, Station Road", "Nashik", "422001"),
    ("56, Residency Road", "Kochi", "682011"),
)
WESTERN_ADDRESSES = (
    ("14 High Street", "Oxford", "OX1 4AB"),
    ("221 Elm Avenue", "Springfield", "IL 62704"),
    ("7 Market Square", "Leeds", "LS1 6DT"),
    ("52 Harbour Road", "Auckland", "1010"),
)

DEPARTMENTS = ("General Medicine", "Paediatrics", "ENT", "Cardiology", "Dermatology", "OPD")
