"""Embedded vocabularies for synthetic rounds: skills, sectors, values, languages, regions.

Plain data only. Skill names are lowercase and hyphenated. Within each family the skills are
listed from the most to the least commonly held, and generators use that order as a
popularity ranking. Weights are relative: only their ratios matter.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

SKILL_FAMILIES: Final[Mapping[str, tuple[str, ...]]] = {
    "finance": (
        "budgeting",
        "accounting",
        "financial-planning",
        "controlling",
        "risk-management",
        "financial-reporting",
        "excel-modelling",
        "audit",
        "treasury",
        "tax",
        "investment-analysis",
        "credit-analysis",
        "claims-handling",
        "actuarial-analysis",
    ),
    "data-it": (
        "data-analysis",
        "sql",
        "business-intelligence",
        "python",
        "it-service-management",
        "software-development",
        "data-governance",
        "cybersecurity",
        "cloud-architecture",
        "enterprise-architecture",
        "systems-integration",
        "data-engineering",
        "machine-learning",
    ),
    "engineering": (
        "quality-engineering",
        "process-engineering",
        "maintenance-engineering",
        "mechanical-engineering",
        "electrical-engineering",
        "safety-engineering",
        "product-design",
        "industrial-automation",
        "civil-engineering",
        "technical-drawing",
        "materials-science",
        "r-and-d-management",
    ),
    "operations": (
        "operations-management",
        "procurement",
        "supply-chain-management",
        "quality-management",
        "lean-management",
        "logistics-planning",
        "vendor-management",
        "inventory-management",
        "production-planning",
        "facility-management",
        "warehouse-management",
        "fleet-management",
    ),
    "hr-people": (
        "coaching",
        "recruitment",
        "talent-development",
        "employee-relations",
        "mentoring",
        "onboarding",
        "organizational-development",
        "compensation-and-benefits",
        "workforce-planning",
        "well-being-at-work",
        "diversity-and-inclusion",
    ),
    "legal-compliance": (
        "regulatory-compliance",
        "contract-law",
        "gdpr",
        "internal-control",
        "corporate-governance",
        "employment-law",
        "public-procurement-law",
        "ethics-and-integrity",
        "anti-money-laundering",
        "litigation",
        "intellectual-property",
    ),
    "marketing-communication": (
        "internal-communication",
        "marketing-strategy",
        "content-writing",
        "public-relations",
        "digital-marketing",
        "brand-management",
        "market-research",
        "event-management",
        "social-media",
        "crisis-communication",
        "copywriting",
        "graphic-design",
    ),
    "sales": (
        "customer-service",
        "negotiation",
        "account-management",
        "business-development",
        "sales-management",
        "key-account-management",
        "customer-experience",
        "tendering",
        "partnership-management",
        "pricing",
        "crm",
    ),
    "healthcare": (
        "patient-care",
        "nursing",
        "care-coordination",
        "elderly-care",
        "hospital-management",
        "medical-administration",
        "mental-health-support",
        "health-informatics",
        "infection-prevention",
        "pharmacy",
        "clinical-research",
    ),
    "education": (
        "training-delivery",
        "teaching",
        "adult-education",
        "curriculum-design",
        "instructional-design",
        "e-learning",
        "assessment-design",
        "student-counselling",
        "school-management",
        "language-teaching",
        "special-needs-education",
    ),
    "public-policy": (
        "stakeholder-engagement",
        "public-administration",
        "policy-analysis",
        "public-policy",
        "grant-management",
        "public-finance",
        "community-building",
        "citizen-participation",
        "social-work",
        "urban-planning",
        "legislative-drafting",
    ),
    "sustainability-energy": (
        "sustainability-reporting",
        "energy-efficiency",
        "environmental-management",
        "energy-transition",
        "circular-economy",
        "renewable-energy",
        "carbon-accounting",
        "mobility-planning",
        "climate-adaptation",
        "water-management",
        "biodiversity",
    ),
    "project-change": (
        "project-management",
        "change-management",
        "process-improvement",
        "business-analysis",
        "programme-management",
        "agile-methods",
        "requirements-analysis",
        "portfolio-management",
        "benefits-management",
        "project-office",
        "service-design",
    ),
    "leadership": (
        "people-management",
        "stakeholder-management",
        "strategic-planning",
        "team-leadership",
        "decision-making",
        "conflict-resolution",
        "facilitation",
        "crisis-management",
        "innovation-management",
        "board-governance",
        "intercultural-management",
    ),
}
"""Skill families, each listing its skills from the most to the least commonly held."""

SKILLS: Final[tuple[str, ...]] = tuple(s for family in SKILL_FAMILIES.values() for s in family)
"""Every skill, family by family."""

CAREER_FAMILIES: Final[Mapping[str, float]] = {
    "leadership": 2.0,
    "project-change": 1.5,
    "hr-people": 0.5,
}
"""Families that senior careers add to any sector: extra weight for a talent's second family."""

LEARNING_INTEREST: Final[Mapping[str, float]] = {
    "finance": 0.5,
    "data-it": 1.4,
    "engineering": 0.4,
    "operations": 0.5,
    "hr-people": 0.9,
    "legal-compliance": 0.4,
    "marketing-communication": 0.7,
    "sales": 0.4,
    "healthcare": 0.8,
    "education": 1.2,
    "public-policy": 1.1,
    "sustainability-energy": 1.6,
    "project-change": 0.8,
    "leadership": 0.6,
}
"""How often each family is what seniors want to learn next."""

SECTOR_SHARE: Final[Mapping[str, float]] = {
    "public": 0.14,
    "healthcare": 0.10,
    "education": 0.09,
    "finance": 0.11,
    "manufacturing": 0.12,
    "retail": 0.08,
    "technology": 0.10,
    "energy": 0.07,
    "non-profit": 0.10,
    "logistics": 0.09,
}
"""Share of organizations in each sector."""

SECTORS: Final[tuple[str, ...]] = tuple(SECTOR_SHARE)

SECTOR_AFFINITY: Final[Mapping[str, Mapping[str, float]]] = {
    "public": {
        "public-policy": 3.0,
        "project-change": 2.0,
        "finance": 1.5,
        "legal-compliance": 1.5,
        "data-it": 1.5,
        "leadership": 1.5,
        "hr-people": 1.0,
        "operations": 0.8,
        "marketing-communication": 0.8,
        "sustainability-energy": 0.8,
    },
    "healthcare": {
        "healthcare": 4.0,
        "operations": 1.2,
        "hr-people": 1.2,
        "project-change": 1.2,
        "leadership": 1.2,
        "finance": 1.0,
        "data-it": 1.0,
        "legal-compliance": 0.6,
    },
    "education": {
        "education": 4.0,
        "hr-people": 1.0,
        "project-change": 1.0,
        "leadership": 1.0,
        "data-it": 1.0,
        "public-policy": 0.8,
        "finance": 0.6,
        "marketing-communication": 0.5,
    },
    "finance": {
        "finance": 4.0,
        "data-it": 2.0,
        "legal-compliance": 1.5,
        "sales": 1.2,
        "project-change": 1.0,
        "leadership": 1.0,
        "marketing-communication": 0.6,
        "hr-people": 0.5,
    },
    "manufacturing": {
        "engineering": 4.0,
        "operations": 2.5,
        "project-change": 1.0,
        "leadership": 1.0,
        "finance": 0.8,
        "sales": 0.8,
        "data-it": 0.8,
        "sustainability-energy": 0.8,
        "hr-people": 0.5,
    },
    "retail": {
        "sales": 3.0,
        "marketing-communication": 2.5,
        "operations": 2.0,
        "data-it": 1.0,
        "hr-people": 1.0,
        "leadership": 1.0,
        "finance": 0.8,
        "project-change": 0.6,
    },
    "technology": {
        "data-it": 4.5,
        "project-change": 1.5,
        "sales": 1.0,
        "leadership": 1.0,
        "marketing-communication": 0.8,
        "engineering": 0.8,
        "finance": 0.5,
        "legal-compliance": 0.4,
    },
    "energy": {
        "sustainability-energy": 3.5,
        "engineering": 2.5,
        "project-change": 1.2,
        "operations": 1.0,
        "finance": 0.8,
        "legal-compliance": 0.8,
        "data-it": 0.8,
        "leadership": 0.8,
        "public-policy": 0.6,
    },
    "non-profit": {
        "public-policy": 2.0,
        "marketing-communication": 1.5,
        "education": 1.2,
        "project-change": 1.2,
        "sustainability-energy": 1.2,
        "healthcare": 1.0,
        "hr-people": 1.0,
        "finance": 1.0,
        "leadership": 1.0,
    },
    "logistics": {
        "operations": 4.0,
        "data-it": 1.2,
        "engineering": 1.0,
        "sales": 1.0,
        "project-change": 1.0,
        "leadership": 1.0,
        "finance": 0.8,
        "sustainability-energy": 0.6,
    },
}
"""How much each sector employs (and asks for) each skill family; families not named: 0."""

SECTOR_FLAT_SHARE: Final[Mapping[str, float]] = {
    "public": 0.10,
    "healthcare": 0.15,
    "education": 0.30,
    "finance": 0.15,
    "manufacturing": 0.20,
    "retail": 0.25,
    "technology": 0.60,
    "energy": 0.30,
    "non-profit": 0.55,
    "logistics": 0.20,
}
"""Share of organizations of each sector with a flat structure (before the size effect)."""

SECTOR_ROLE_SHARES: Final[Mapping[str, tuple[float, float, float]]] = {
    "public": (0.15, 0.45, 0.40),
    "healthcare": (0.25, 0.35, 0.40),
    "education": (0.20, 0.40, 0.40),
    "finance": (0.55, 0.10, 0.35),
    "manufacturing": (0.50, 0.15, 0.35),
    "retail": (0.45, 0.15, 0.40),
    "technology": (0.40, 0.20, 0.40),
    "energy": (0.30, 0.30, 0.40),
    "non-profit": (0.10, 0.60, 0.30),
    "logistics": (0.45, 0.15, 0.40),
}
"""Shares of the roles (lender, host, both) in each sector: corporates with many seniors
lend more, public and non-profit organizations host more."""

SECTOR_RIVALRY: Final[Mapping[str, float]] = {
    "public": 0.0,
    "healthcare": 0.25,
    "education": 0.10,
    "finance": 0.60,
    "manufacturing": 0.40,
    "retail": 0.60,
    "technology": 0.50,
    "energy": 0.50,
    "non-profit": 0.05,
    "logistics": 0.50,
}
"""Chance that an organization of the sector is paired with a competitor in the same sector."""

VALUES: Final[tuple[str, ...]] = (
    "sustainability",
    "integrity",
    "inclusion",
    "public-service",
    "innovation",
    "autonomy",
    "collaboration",
    "craftsmanship",
    "customer-focus",
    "social-impact",
    "care",
    "education",
    "entrepreneurship",
    "stability",
    "transparency",
    "excellence",
)
"""Work values that talents and packages state."""

SECTOR_VALUES: Final[Mapping[str, Mapping[str, float]]] = {
    "public": {"public-service": 4.0, "integrity": 2.5, "transparency": 2.0, "stability": 1.5},
    "healthcare": {"care": 4.0, "inclusion": 2.0, "excellence": 1.5, "collaboration": 1.5},
    "education": {"education": 4.0, "inclusion": 2.0, "care": 1.5, "social-impact": 1.5},
    "finance": {"integrity": 2.5, "stability": 2.0, "excellence": 2.0, "customer-focus": 1.5},
    "manufacturing": {"craftsmanship": 3.0, "excellence": 2.0, "innovation": 1.5},
    "retail": {"customer-focus": 3.5, "entrepreneurship": 2.0, "collaboration": 1.5},
    "technology": {"innovation": 3.5, "autonomy": 2.5, "entrepreneurship": 2.0},
    "energy": {"sustainability": 4.0, "innovation": 2.0, "public-service": 1.2},
    "non-profit": {"social-impact": 4.0, "inclusion": 2.5, "sustainability": 2.0, "care": 1.5},
    "logistics": {"customer-focus": 2.0, "collaboration": 2.0, "stability": 1.5},
}
"""Values each sector stresses (multipliers over a base weight of 1 for every value)."""

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

LANGUAGES: Final[tuple[str, ...]] = ("nl", "fr", "en", "de")
"""Working languages (ISO 639-1)."""

REGION_LANGUAGES: Final[Mapping[str, tuple[str, ...]]] = {
    "antwerp": ("nl",),
    "east-flanders": ("nl",),
    "west-flanders": ("nl",),
    "flemish-brabant": ("nl",),
    "limburg": ("nl",),
    "brussels": ("fr", "nl"),
    "walloon-brabant": ("fr",),
    "hainaut": ("fr",),
    "liege": ("fr",),
    "luxembourg": ("fr",),
    "namur": ("fr",),
    "east-cantons": ("de", "fr"),
}
"""The Belgian provinces (the German-speaking east cantons apart from Liège) and Brussels,
with the languages spoken there, most spoken first."""

REGIONS: Final[tuple[str, ...]] = tuple(REGION_LANGUAGES)

REGION_POPULATION: Final[Mapping[str, float]] = {
    "antwerp": 1_890,
    "east-flanders": 1_560,
    "west-flanders": 1_220,
    "flemish-brabant": 1_170,
    "limburg": 890,
    "brussels": 1_240,
    "walloon-brabant": 410,
    "hainaut": 1_350,
    "liege": 1_030,
    "luxembourg": 290,
    "namur": 500,
    "east-cantons": 80,
}
"""Population in thousands (rounded)."""

REGION_HEADQUARTERS: Final[Mapping[str, float]] = {
    "antwerp": 2_800,
    "east-flanders": 1_900,
    "west-flanders": 1_200,
    "flemish-brabant": 1_400,
    "limburg": 850,
    "brussels": 3_700,
    "walloon-brabant": 450,
    "hainaut": 1_250,
    "liege": 1_050,
    "luxembourg": 250,
    "namur": 550,
    "east-cantons": 80,
}
"""Relative number of organizations seated in each region: the population, with more in
Brussels and the large Flemish cities where head offices and public services cluster."""

REGION_CITIES: Final[Mapping[str, str]] = {
    "antwerp": "Antwerp",
    "east-flanders": "Ghent",
    "west-flanders": "Bruges",
    "flemish-brabant": "Leuven",
    "limburg": "Hasselt",
    "brussels": "Brussels",
    "walloon-brabant": "Wavre",
    "hainaut": "Mons",
    "liege": "Liège",
    "luxembourg": "Arlon",
    "namur": "Namur",
    "east-cantons": "Eupen",
}
"""The main city of each region, used to tell organizations with the same name apart."""

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
