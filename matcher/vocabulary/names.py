"""The words of synthetic names: organization names (a prefix and a noun of the sector),
package titles (a skill and a role) and mission statements.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

SECTOR_NAME_NOUNS: Final[Mapping[str, tuple[str, ...]]] = {
    "public": (
        "Public Agency",
        "Social Services",
        "Employment Agency",
        "Water Authority",
        "Mobility Agency",
        "Housing Agency",
        "Provincial Services",
    ),
    "healthcare": (
        "Hospital",
        "Care Group",
        "Clinic",
        "Health Network",
        "Care Homes",
        "Medical Centre",
    ),
    "education": (
        "School Group",
        "University College",
        "Academy",
        "Training Centre",
        "Adult Learning Centre",
        "Lyceum",
    ),
    "finance": ("Bank", "Insurance", "Capital", "Savings Bank", "Assurance", "Credit"),
    "manufacturing": (
        "Steelworks",
        "Industries",
        "Chemicals",
        "Machinery",
        "Plastics",
        "Food Processing",
    ),
    "retail": ("Stores", "Markets", "Retail Group", "Fashion", "Home Centres", "Pharmacies"),
    "technology": ("Software", "Digital", "Systems", "Data Labs", "Networks", "Cloud Services"),
    "energy": ("Energy", "Power", "Solar Coop", "Grid", "Wind", "Heat Networks"),
    "non-profit": (
        "Foundation",
        "Community Trust",
        "Aid Network",
        "Youth Works",
        "Nature Fund",
        "Food Bank",
    ),
    "logistics": ("Logistics", "Freight", "Shipping", "Transport", "Distribution", "Ports"),
}
"""The second half of an organization's name, by sector."""

NAME_PREFIXES: Final[tuple[str, ...]] = (
    "Scheldt",
    "Meuse",
    "Sambre",
    "Lys",
    "Dender",
    "Yser",
    "Kempen",
    "Ardennes",
    "Polder",
    "Brabant",
    "Hesbaye",
    "Condroz",
    "Famenne",
    "Zenne",
    "Demer",
    "Nete",
    "Gaume",
    "Westhoek",
    "Hageland",
    "Waasland",
    "Sonian",
    "Northsea",
    "Delta",
    "Horizon",
    "Beacon",
    "Keystone",
    "Lumen",
    "Meridian",
    "Summit",
    "Harbour",
    "Atlas",
    "Aurora",
    "Crescent",
    "Linden",
    "Oak",
    "Willow",
    "Heron",
    "Kestrel",
    "Belfry",
    "Lion",
    "Iris",
    "Beguine",
    "Carillon",
    "Marram",
    "Dune",
    "Fen",
    "Orchard",
    "Quarry",
)
"""The first half of an organization's name."""

ROLE_TITLES: Final[tuple[str, ...]] = (
    "lead",
    "advisor",
    "coach",
    "programme lead",
    "expert",
    "coordinator",
    "mentor",
    "architect",
)
"""The last word of a package title."""

FAMILY_MISSIONS: Final[Mapping[str, tuple[str, ...]]] = {
    "finance": (
        "Strengthen financial planning and control",
        "Set up a multi-year budget and its follow-up",
        "Put risk and treasury management on a sound footing",
    ),
    "data-it": (
        "Turn scattered data into decisions",
        "Modernize the core information systems",
        "Build dashboards the teams actually use",
    ),
    "engineering": (
        "Make the installations safer and more reliable",
        "Take a product from prototype to production",
        "Lift quality and maintenance practices",
    ),
    "operations": (
        "Streamline the supply chain and purchasing",
        "Cut waste from daily operations",
        "Professionalize procurement",
    ),
    "hr-people": (
        "Coach teams through growth",
        "Build a talent and mentoring programme",
        "Improve recruitment and onboarding",
    ),
    "legal-compliance": (
        "Bring contracts and compliance up to standard",
        "Set up privacy and integrity governance",
        "Reduce legal and regulatory risk",
    ),
    "marketing-communication": (
        "Tell the organization's story to a wider public",
        "Rebuild internal communication",
        "Launch a campaign to reach new audiences",
    ),
    "sales": (
        "Grow partnerships and funding",
        "Improve how clients and citizens are served",
        "Open a new market",
    ),
    "healthcare": (
        "Improve the coordination of care",
        "Support caregivers and patients",
        "Organize care closer to home",
    ),
    "education": (
        "Help teachers and trainers pass on experience",
        "Design a training programme for adults",
        "Modernize the curriculum",
    ),
    "public-policy": (
        "Design and evaluate a public programme",
        "Involve citizens and stakeholders in decisions",
        "Secure and manage grants",
    ),
    "sustainability-energy": (
        "Plan the energy transition",
        "Measure and reduce the carbon footprint",
        "Make operations circular",
    ),
    "project-change": (
        "Deliver a change programme",
        "Run a portfolio of improvement projects",
        "Redesign key processes with the teams",
    ),
    "leadership": (
        "Mentor a young leadership team",
        "Steer a strategic turnaround",
        "Lead a merger of two departments",
    ),
}
"""Mission statements by the family of a package's main required skill."""

SKILL_LABELS: Final[Mapping[str, str]] = {
    "sql": "SQL",
    "gdpr": "GDPR",
    "crm": "CRM",
    "it-service-management": "IT service management",
    "r-and-d-management": "R&D management",
}
"""How skills whose names hold acronyms are written in titles; others: hyphens to spaces."""

__all__ = [
    "FAMILY_MISSIONS",
    "NAME_PREFIXES",
    "ROLE_TITLES",
    "SECTOR_NAME_NOUNS",
    "SKILL_LABELS",
]
