"""The demo dataset loaded by ``manage.py load_demo`` and reused by ``generate_facilities``.

Everything here is plain data written for Medtour. The accreditation bodies are real
organisations (described in our own words); every facility is FICTIONAL, with a made-up name,
street address and ``.example`` website, so the demo never claims that a real hospital holds an
accreditation. Dates are stored as day offsets from the day the data is loaded, so the demo
stays "current" whenever it is loaded. The procedure information pages (overview, risks,
recovery, travel advice and so on) are in ``facilities.demo_procedures``, keyed by the slugs below.

A few facilities exist to exercise the listing rule (see ``Facility.objects.listed()``):

* expiring within 60 days: nemuno-krantas-hospital, clinica-frontera-norte-columna,
  tolgyes-gerincklinika, andaman-shore-spine-clinic;
* only an expired accreditation (not listed): centro-rehabilitacion-cerros-orientales,
  centro-columna-costa-jabega;
* only a suspended accreditation (not listed): tamarind-court-hospital;
* unpublished although currently accredited (not listed): luzanky-spine-clinic;
* an expired accreditation and its current renewal (listed): ege-meridian-hospital.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Body:
    slug: str
    abbreviation: str
    name: str
    website: str
    assesses: str
    country: str = ""
    programmes: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Category:
    slug: str
    name: str
    position: int
    description: str


@dataclass(frozen=True)
class ProcedureData:
    slug: str
    name: str
    category: str
    summary: str


@dataclass(frozen=True)
class AccreditationData:
    body: str
    programme: str
    awarded_days_ago: int
    # Negative when the accreditation has already expired.
    expires_in_days: int
    level: str = ""
    status: str = "active"
    survey_days_before_award: int = 45


@dataclass(frozen=True)
class Offer:
    procedure: str
    price_from: int
    price_to: int
    includes: str
    notes: str = ""


@dataclass(frozen=True)
class FacilityData:
    slug: str
    name: str
    kind: str
    country: str
    city: str
    address: str
    description: str
    languages: tuple[str, ...]
    year_established: int
    beds: int
    accreditations: tuple[AccreditationData, ...]
    offers: tuple[Offer, ...]
    interpreter: bool = True
    airport_transfer: bool = True
    accommodation: bool = False
    visa_letters: bool = False
    is_published: bool = True
    photos: int = 2
    website: str = field(default="")

    @property
    def url(self) -> str:
        return self.website or f"https://{self.slug}.example"


BODIES = [
    Body(
        slug="jci",
        abbreviation="JCI",
        name="Joint Commission International",
        website="https://www.jointcommissioninternational.org",
        assesses=(
            "Surveys whole hospitals and outpatient centres against international standards for patient "
            "safety, infection control, medication use and leadership. Surveyors spend several days on site "
            "and follow individual patients through their care. An award lasts three years."
        ),
        programmes=("Hospital Accreditation Program", "Ambulatory Care Accreditation"),
    ),
    Body(
        slug="gha",
        abbreviation="GHA",
        name="Global Healthcare Accreditation",
        website="https://www.globalhealthcareaccreditation.com",
        assesses=(
            "Looks specifically at care for patients who travel: clear information before the trip, consent "
            "in a language the patient understands, coordination with the doctor at home and follow-up after "
            "the patient returns. It sits alongside clinical hospital accreditation rather than replacing it."
        ),
        programmes=("Medical Travel Services",),
    ),
    Body(
        slug="temos",
        abbreviation="Temos",
        name="Temos International",
        website="https://www.temos-worldwide.com",
        assesses=(
            "A German-based certifier of quality in care for international patients. It checks interpreter "
            "services, written and transparent quotes, complaint handling and the clinical standards of the "
            "specialities offered to patients from abroad."
        ),
        programmes=("Quality in International Patient Care", "Excellence in Medical Tourism"),
    ),
    Body(
        slug="aci",
        abbreviation="ACI",
        name="Accreditation Canada International",
        website="https://accreditation.ca",
        assesses=(
            "Assesses health organisations outside Canada with the Qmentum International programme, covering "
            "governance, infection prevention, medication safety and clinical services. Results are graded, "
            "with Gold, Platinum and Diamond levels showing how mature the quality system is."
        ),
        programmes=("Qmentum International",),
        levels=("Gold", "Platinum", "Diamond"),
    ),
    Body(
        slug="achsi",
        abbreviation="ACHSI",
        name="Australian Council on Healthcare Standards International",
        website="https://www.achs.org.au",
        assesses=(
            "Offers its EQuIP accreditation programme to hospitals outside Australia, combining the "
            "organisation's own self-assessment with periodic surveys by practising clinicians and managers. "
            "The emphasis is on clinical governance and continuous improvement across the whole organisation."
        ),
        programmes=("EQuIP6 Organisation-Wide Survey",),
    ),
    Body(
        slug="nabh",
        abbreviation="NABH",
        name="National Accreditation Board for Hospitals & Healthcare Providers",
        website="https://nabh.co",
        country="IN",
        assesses=(
            "India's national hospital accreditation scheme, run as a board of the Quality Council of India. "
            "Its standards cover access to care, patients' rights, infection control and the safety of the "
            "buildings; accredited hospitals are reassessed on a fixed cycle."
        ),
        programmes=("Hospital Accreditation",),
        levels=("Full accreditation",),
    ),
    Body(
        slug="ha-thailand",
        abbreviation="HA",
        name="Healthcare Accreditation Institute",
        website="https://www.ha.or.th",
        country="TH",
        assesses=(
            "Thailand's public organisation for hospital accreditation. It assesses hospitals against national "
            "standards for quality and patient safety in stages, with Advanced HA recognising hospitals whose "
            "improvement work is mature and measured."
        ),
        programmes=("Hospital Accreditation",),
        levels=("HA", "Advanced HA"),
    ),
]

LANGUAGES = [
    ("en", "English"),
    ("ar", "Arabic"),
    ("ru", "Russian"),
    ("de", "German"),
    ("fr", "French"),
    ("es", "Spanish"),
    ("tr", "Turkish"),
    ("th", "Thai"),
    ("hi", "Hindi"),
    ("ko", "Korean"),
    ("pl", "Polish"),
    ("cs", "Czech"),
    ("hu", "Hungarian"),
    ("pt", "Portuguese"),
    ("ms", "Malay"),
    ("he", "Hebrew"),
    ("lt", "Lithuanian"),
    ("zh", "Chinese"),
]

CATEGORIES = [
    Category(
        slug="spine-surgery",
        name="Spine surgery",
        position=0,
        description="Operations on the vertebrae, discs and nerves of the neck and back.",
    ),
    Category(
        slug="pain-management",
        name="Pain management",
        position=1,
        description="Planned care that controls pain around and after surgery so recovery can start early.",
    ),
]

PROCEDURES = [
    ProcedureData(
        slug="lumbar-spinal-fusion",
        name="Lumbar spinal fusion",
        category="spine-surgery",
        summary=(
            "Joins two or more vertebrae in the lower back with bone graft and screws so that a painful or "
            "unstable segment stops moving. Usually considered for slipped vertebrae, severe disc wear or "
            "deformity once other treatment has failed."
        ),
    ),
    ProcedureData(
        slug="minimally-invasive-lumbar-discectomy",
        name="Minimally invasive lumbar discectomy",
        category="spine-surgery",
        summary=(
            "Removes the part of a herniated disc that presses on a nerve, through a small incision with a "
            "tubular retractor or an endoscope. Most patients walk the same day and go home within two days."
        ),
    ),
    ProcedureData(
        slug="laminectomy",
        name="Laminectomy",
        category="spine-surgery",
        summary=(
            "Removes part of the bony arch at the back of a vertebra to give squeezed nerves more room, most "
            "often for lumbar spinal stenosis. It aims to relieve leg pain and numbness that come on when walking."
        ),
    ),
    ProcedureData(
        slug="vertebroplasty",
        name="Vertebroplasty",
        category="spine-surgery",
        summary=(
            "Bone cement is injected through a needle into a collapsed vertebra to steady a painful compression "
            "fracture, often caused by osteoporosis. It is done under X-ray guidance and usually takes under an hour."
        ),
    ),
    ProcedureData(
        slug="kyphoplasty",
        name="Kyphoplasty",
        category="spine-surgery",
        summary=(
            "Like vertebroplasty, but a small balloon first opens a space inside the fractured vertebra, which can "
            "restore some of its lost height before the cement is injected."
        ),
    ),
    ProcedureData(
        slug="minimally-invasive-spinal-infection-surgery",
        name="Minimally invasive surgery for spinal infection",
        category="spine-surgery",
        summary=(
            "Drains abscesses and clears infected tissue from a disc or vertebra through small incisions, taking "
            "samples so antibiotics can be targeted. Screws may be added where the infection has weakened the spine."
        ),
    ),
    ProcedureData(
        slug="minimally-invasive-spinal-tumour-surgery",
        name="Minimally invasive surgery for spinal tumours",
        category="spine-surgery",
        summary=(
            "Removes or debulks tumours of the spine, or stabilises vertebrae weakened by metastases, through "
            "small incisions guided by navigation. It is usually planned with oncologists and radiotherapists."
        ),
    ),
    ProcedureData(
        slug="cervical-disc-replacement",
        name="Cervical disc replacement",
        category="spine-surgery",
        summary=(
            "Replaces a worn or herniated disc in the neck with an artificial disc that keeps the level moving "
            "instead of fusing it. Suited to selected patients with arm pain or weakness from a pinched nerve."
        ),
    ),
    ProcedureData(
        slug="post-operative-pain-management",
        name="Post-operative pain-management programme",
        category="pain-management",
        summary=(
            "A planned course after spine surgery that combines nerve blocks, regular non-opioid medicines, "
            "physiotherapy and check-ins with a pain team, so patients move sooner and need fewer opioids."
        ),
    ),
]

# Cities per demo country; the synthetic generator spreads facilities over these.
CITIES = {
    "TR": ["Istanbul", "Antalya", "Izmir", "Ankara"],
    "IN": ["Chennai", "Bengaluru", "New Delhi", "Pune", "Hyderabad"],
    "TH": ["Bangkok", "Chiang Mai", "Phuket"],
    "MY": ["Kuala Lumpur", "George Town", "Johor Bahru"],
    "MX": ["Guadalajara", "Tijuana", "Monterrey", "Mexico City"],
    "CR": ["San José", "Escazú"],
    "CO": ["Medellín", "Bogotá", "Cali"],
    "PL": ["Kraków", "Warsaw", "Wrocław", "Gdańsk"],
    "CZ": ["Prague", "Brno"],
    "HU": ["Budapest", "Debrecen"],
    "DE": ["Munich", "Hamburg", "Berlin"],
    "ES": ["Barcelona", "Valencia", "Málaga", "Madrid"],
    "KR": ["Seoul", "Busan"],
    "AE": ["Dubai", "Abu Dhabi"],
    "LT": ["Vilnius", "Kaunas"],
}

# Languages commonly spoken at facilities in each country, besides English.
COUNTRY_LANGUAGES = {
    "TR": ["tr", "ar", "ru", "de"],
    "IN": ["hi", "ar", "fr"],
    "TH": ["th", "zh", "ar"],
    "MY": ["ms", "zh", "ar"],
    "MX": ["es"],
    "CR": ["es"],
    "CO": ["es", "pt"],
    "PL": ["pl", "de", "he"],
    "CZ": ["cs", "de", "ru"],
    "HU": ["hu", "de"],
    "DE": ["de", "ar", "ru"],
    "ES": ["es", "fr", "de"],
    "KR": ["ko", "ru", "zh"],
    "AE": ["ar", "ru", "hi", "fr"],
    "LT": ["lt", "ru", "pl", "he"],
}

# Typical USD range at a mid-priced destination; the generator scales it by COUNTRY_PRICE_INDEX.
PRICE_GUIDE = {
    "lumbar-spinal-fusion": (11_000, 16_000),
    "minimally-invasive-lumbar-discectomy": (5_000, 7_500),
    "laminectomy": (6_200, 9_000),
    "vertebroplasty": (3_300, 4_700),
    "kyphoplasty": (4_700, 6_600),
    "minimally-invasive-spinal-infection-surgery": (9_500, 14_000),
    "minimally-invasive-spinal-tumour-surgery": (14_000, 21_000),
    "cervical-disc-replacement": (10_500, 14_500),
    "post-operative-pain-management": (800, 1_400),
}

# The demo's exchange rates: made up, round figures near those of late 2026, units per US dollar.
# Loaded dated yesterday each time the demo loads (``facilities.demo.load_demo_rates``), so that
# the demo shows prices converted; real rates come from ``manage.py load_rates``.
DEMO_RATES = {
    "EUR": "0.92",
    "GBP": "0.79",
    "CAD": "1.38",
    "AUD": "1.52",
    "AED": "3.6725",
    "SAR": "3.75",
    "CHF": "0.88",
    "NOK": "10.8",
    "SEK": "10.5",
    "DKK": "6.86",
    "PLN": "3.98",
    "CZK": "23.2",
    "HUF": "362",
    "TRY": "34.6",
    "INR": "84.5",
    "THB": "34.4",
    "MYR": "4.46",
    "KRW": "1395",
    "MXN": "19.9",
    "COP": "4150",
    "CRC": "505",
}
DEMO_RATES_SOURCE = "Medtour demo rates (made up for the demo, not for real use)"

# The currency demo facilities in each country price in; elsewhere US dollars, as many
# international-patient offices quote foreigners.
DEMO_FACILITY_CURRENCY = {"DE": "EUR", "ES": "EUR", "LT": "EUR", "PL": "PLN", "TH": "THB", "IN": "INR"}

COUNTRY_PRICE_INDEX = {
    "IN": 0.8,
    "TR": 1.0,
    "LT": 1.0,
    "CO": 1.05,
    "MY": 1.05,
    "HU": 1.1,
    "PL": 1.15,
    "CZ": 1.2,
    "TH": 1.25,
    "MX": 1.35,
    "CR": 1.4,
    "ES": 1.7,
    "KR": 1.8,
    "AE": 2.0,
    "DE": 2.1,
}


def _surgery(nights: int) -> str:
    return (
        f"Surgeon and anaesthesia fees, implants, {nights} nights in a private room, pre-operative tests "
        "and one follow-up visit."
    )


def _day_case(nights: int) -> str:
    stay = "one night" if nights == 1 else f"{nights} nights"
    return (
        f"Surgeon and anaesthesia fees, {stay} in a private room, review of your recent MRI, medicines during "
        "the stay and a video follow-up two weeks later."
    )


def _cement(nights: int) -> str:
    stay = "one night" if nights == 1 else f"{nights} nights"
    return (
        f"The procedure under X-ray guidance with sedation, bone cement, {stay} of observation, a bone-density "
        "scan and a check X-ray before you leave."
    )


def _pain(sessions: int) -> str:
    return (
        f"Assessment by the pain team before surgery, nerve blocks in theatre, medicines on the ward, "
        f"{sessions} physiotherapy sessions and two weeks of remote follow-up."
    )


def _infection(nights: int) -> str:
    return (
        f"Surgery and anaesthesia, tissue cultures and a biopsy, {nights} nights in hospital including the "
        "first course of intravenous antibiotics, and an infectious-disease consultation."
    )


def _tumour(nights: int) -> str:
    return (
        f"Navigated surgery and anaesthesia, pathology, review by the tumour board, {nights} nights in hospital "
        "and a follow-up scan; radiotherapy is quoted separately."
    )


ONE_LEVEL = "Price for one level; each additional level adds roughly 20%."
MRI_FIRST = "Indicative; the final quote follows a review of an MRI taken within the last six months."
COMPANION = "A companion can stay in the room at no extra charge."
NAVIGATION = "Screws are placed with intra-operative navigation."


FACILITIES = [
    # --- Turkey ---
    FacilityData(
        slug="marmara-crescent-hospital",
        name="Marmara Crescent Hospital",
        kind="hospital",
        country="TR",
        city="Istanbul",
        address="Çınaraltı Caddesi 42, Ataşehir, 34750 Istanbul",
        description=(
            "A 320-bed general hospital on the Asian side of Istanbul with a floor given over to spine surgery "
            "and neurosurgery. Its four spine surgeons perform fusions, disc replacements and endoscopic "
            "discectomies in a hybrid theatre with nerve monitoring. International patients are met at the "
            "airport, paired with a coordinator who speaks their language and sent a written quote before they "
            "book. Physiotherapy starts on the ward the day after surgery."
        ),
        languages=("en", "tr", "ar", "ru", "de"),
        accommodation=True,
        visa_letters=True,
        year_established=2006,
        beds=320,
        photos=3,
        accreditations=(
            AccreditationData("jci", "Hospital Accreditation Program", 420, 675),
            AccreditationData("gha", "Medical Travel Services", 300, 430),
        ),
        offers=(
            Offer("lumbar-spinal-fusion", 11_500, 16_500, _surgery(5), ONE_LEVEL),
            Offer("minimally-invasive-lumbar-discectomy", 5_200, 7_800, _day_case(2)),
            Offer("cervical-disc-replacement", 10_500, 14_000, _surgery(3)),
            Offer("laminectomy", 6_800, 9_500, _surgery(3)),
            Offer("kyphoplasty", 5_000, 7_200, _cement(1)),
            Offer("post-operative-pain-management", 900, 1_600, _pain(6)),
        ),
    ),
    FacilityData(
        slug="lykia-coast-spine-centre",
        name="Lykia Coast Spine Centre",
        kind="specialist_hospital",
        country="TR",
        city="Antalya",
        address="Sahil Yolu 118, Meltem Mahallesi, 07030 Muratpaşa, Antalya",
        description=(
            "A 60-bed spine and orthopaedic hospital a few minutes from Antalya's seafront, built around three "
            "operating theatres with intra-operative 3D imaging. The surgeons favour minimally invasive work such "
            "as endoscopic discectomy and balloon kyphoplasty, so most stays are short. Patients can recover at "
            "partner hotels nearby, where a physiotherapist visits every day."
        ),
        languages=("en", "tr", "ru", "de"),
        accommodation=True,
        year_established=2014,
        beds=60,
        accreditations=(AccreditationData("temos", "Quality in International Patient Care", 380, 350),),
        offers=(
            Offer("minimally-invasive-lumbar-discectomy", 4_600, 6_900, _day_case(1)),
            Offer("kyphoplasty", 4_800, 6_500, _cement(1)),
            Offer("vertebroplasty", 3_200, 4_400, _cement(1)),
            Offer("lumbar-spinal-fusion", 10_800, 15_000, _surgery(4), NAVIGATION),
            Offer("post-operative-pain-management", 800, 1_300, _pain(8), "Sessions can continue at the hotel."),
        ),
    ),
    FacilityData(
        slug="ege-meridian-hospital",
        name="Ege Meridian Hospital",
        kind="hospital",
        country="TR",
        city="Izmir",
        address="Gazi Osmanpaşa Bulvarı 77, Konak, 35210 Izmir",
        description=(
            "A 410-bed general hospital with close ties to a medical faculty, serving the Aegean coast. Its spine "
            "service sits within neurosurgery and treats degenerative disease, spinal infections and tumours, "
            "with a weekly tumour board shared with the oncology centre next door. An international office "
            "arranges interpreters, visa invitation letters and hotel rooms for relatives. The hospital renewed "
            "its international accreditation under the newest standards after a full re-survey."
        ),
        languages=("en", "tr", "ar", "de"),
        accommodation=True,
        visa_letters=True,
        year_established=1998,
        beds=410,
        photos=3,
        accreditations=(
            # The earlier cycle and its renewal: differently named programmes, because a renewal is
            # surveyed against a newer edition of the standards.
            AccreditationData("jci", "Hospital Accreditation Program (7th edition)", 1_525, -430),
            AccreditationData("jci", "Hospital Accreditation Program (8th edition)", 440, 655),
        ),
        offers=(
            Offer("lumbar-spinal-fusion", 10_500, 15_500, _surgery(5), ONE_LEVEL),
            Offer("minimally-invasive-spinal-infection-surgery", 9_500, 14_000, _infection(8)),
            Offer("minimally-invasive-spinal-tumour-surgery", 14_000, 22_000, _tumour(6)),
            Offer("laminectomy", 6_200, 8_800, _surgery(3)),
            Offer("post-operative-pain-management", 850, 1_500, _pain(6)),
        ),
    ),
    # --- India ---
    FacilityData(
        slug="palmyra-grove-spine-hospital",
        name="Palmyra Grove Spine Hospital",
        kind="specialist_hospital",
        country="IN",
        city="Chennai",
        address="No. 27, Second Avenue, Anna Nagar East, Chennai 600102",
        description=(
            "A 150-bed hospital devoted to the spine, with one of the busiest lumbar fusion and deformity "
            "programmes in southern India. Screws are placed with robotic guidance, and every patient is reviewed "
            "by a surgeon, an anaesthetist and a physiotherapist before admission. The international lounge "
            "handles airport pick-up, a local SIM card and the paperwork foreign patients need during a long "
            "stay. Many patients come from the Gulf, East Africa and Bangladesh."
        ),
        languages=("en", "hi", "ar", "fr"),
        accommodation=True,
        visa_letters=True,
        year_established=2003,
        beds=150,
        photos=3,
        accreditations=(
            AccreditationData("nabh", "Hospital Accreditation", 500, 595, level="Full accreditation"),
            AccreditationData("jci", "Hospital Accreditation Program", 610, 485),
        ),
        offers=(
            Offer("lumbar-spinal-fusion", 9_000, 12_500, _surgery(6), "Robot-guided screw placement included."),
            Offer("minimally-invasive-lumbar-discectomy", 4_000, 5_600, _day_case(2)),
            Offer("laminectomy", 5_000, 6_800, _surgery(4)),
            Offer("cervical-disc-replacement", 9_000, 12_000, _surgery(3)),
            Offer("minimally-invasive-spinal-tumour-surgery", 12_000, 17_500, _tumour(7)),
            Offer("post-operative-pain-management", 500, 900, _pain(10)),
        ),
    ),
    FacilityData(
        slug="deccan-plateau-hospital",
        name="Deccan Plateau Hospital",
        kind="hospital",
        country="IN",
        city="Bengaluru",
        address="14/2 Outer Ring Road, Marathahalli, Bengaluru 560037",
        description=(
            "A 280-bed multispeciality hospital on Bengaluru's eastern technology corridor. Its spine unit "
            "combines orthopaedic and neurosurgical surgeons and runs a dedicated clinic for osteoporotic "
            "fractures in older patients. International patients get a case manager from the first enquiry, "
            "help with medical visas and an apartment block for families across the road."
        ),
        languages=("en", "hi", "ar"),
        accommodation=True,
        visa_letters=True,
        year_established=2009,
        beds=280,
        accreditations=(
            AccreditationData("nabh", "Hospital Accreditation", 350, 745, level="Full accreditation"),
            AccreditationData("achsi", "EQuIP6 Organisation-Wide Survey", 540, 190),
        ),
        offers=(
            Offer("lumbar-spinal-fusion", 9_500, 13_000, _surgery(6)),
            Offer("minimally-invasive-lumbar-discectomy", 4_200, 6_000, _day_case(2)),
            Offer("vertebroplasty", 3_000, 4_200, _cement(1)),
            Offer("kyphoplasty", 4_000, 5_600, _cement(1)),
            Offer("minimally-invasive-spinal-infection-surgery", 8_000, 11_500, _infection(10)),
            Offer("post-operative-pain-management", 550, 950, _pain(8)),
        ),
    ),
    FacilityData(
        slug="yamuna-heights-hospital",
        name="Yamuna Heights Hospital",
        kind="hospital",
        country="IN",
        city="New Delhi",
        address="Plot 9, Sector 12, Dwarka, New Delhi 110075",
        description=(
            "A 450-bed tertiary hospital twenty minutes from Delhi airport, with a spine team of six surgeons and "
            "its own spinal oncology clinic. Complex cases are discussed at a joint meeting of surgeons, "
            "radiologists and oncologists before a quote is sent. The international desk runs round the clock, "
            "with interpreters for Arabic, Russian and French and a guest house on the campus."
        ),
        languages=("en", "hi", "ar", "ru", "fr"),
        accommodation=True,
        visa_letters=True,
        year_established=2001,
        beds=450,
        photos=3,
        accreditations=(
            AccreditationData("jci", "Hospital Accreditation Program", 700, 395),
            AccreditationData("nabh", "Hospital Accreditation", 280, 815, level="Full accreditation"),
        ),
        offers=(
            Offer("lumbar-spinal-fusion", 9_800, 14_000, _surgery(6), ONE_LEVEL),
            Offer("laminectomy", 5_200, 7_400, _surgery(4)),
            Offer("cervical-disc-replacement", 9_500, 13_000, _surgery(3)),
            Offer("minimally-invasive-spinal-tumour-surgery", 13_000, 19_000, _tumour(7)),
            Offer("minimally-invasive-spinal-infection-surgery", 8_500, 12_500, _infection(10)),
            Offer("kyphoplasty", 4_300, 6_000, _cement(1)),
            Offer("post-operative-pain-management", 600, 1_000, _pain(10)),
        ),
    ),
    FacilityData(
        slug="tamarind-court-hospital",
        name="Tamarind Court Hospital",
        kind="hospital",
        country="IN",
        city="Pune",
        address="21 Tamarind Lane, Baner, Pune 411045",
        description=(
            "A 200-bed general hospital in the western suburbs of Pune with an orthopaedic spine unit. It treats "
            "disc herniations, stenosis and fractures, and has a physiotherapy gym on the ground floor. The "
            "international desk arranges interpreters and airport pick-up on request."
        ),
        languages=("en", "hi"),
        year_established=2011,
        beds=200,
        photos=1,
        accreditations=(
            AccreditationData(
                "nabh", "Hospital Accreditation", 480, 615, level="Full accreditation", status="suspended"
            ),
        ),
        offers=(
            Offer("lumbar-spinal-fusion", 9_200, 12_800, _surgery(6)),
            Offer("minimally-invasive-lumbar-discectomy", 4_100, 5_900, _day_case(2)),
            Offer("laminectomy", 5_000, 7_000, _surgery(4)),
        ),
    ),
    # --- Thailand ---
    FacilityData(
        slug="orchid-terrace-international-hospital",
        name="Orchid Terrace International Hospital",
        kind="hospital",
        country="TH",
        city="Bangkok",
        address="88 Soi Sukhumvit 49, Khlong Tan Nuea, Watthana, Bangkok 10110",
        description=(
            "A 300-bed private hospital in central Bangkok that has cared for patients from abroad for more than "
            "two decades. The spine centre has its own ward, two navigated theatres and a team that covers "
            "everything from day-case discectomy to tumour surgery. Patients are greeted at Suvarnabhumi airport, "
            "and interpreters for more than ten languages work on every floor. Nearby serviced apartments are "
            "booked at a hospital rate."
        ),
        languages=("en", "th", "ar", "zh", "ru"),
        accommodation=True,
        visa_letters=True,
        year_established=1996,
        beds=300,
        photos=3,
        accreditations=(
            AccreditationData("jci", "Hospital Accreditation Program", 365, 730),
            AccreditationData("ha-thailand", "Hospital Accreditation", 610, 485, level="Advanced HA"),
        ),
        offers=(
            Offer("lumbar-spinal-fusion", 15_000, 22_000, _surgery(5), NAVIGATION),
            Offer("minimally-invasive-lumbar-discectomy", 7_500, 10_500, _day_case(1)),
            Offer("cervical-disc-replacement", 16_000, 21_000, _surgery(3)),
            Offer("kyphoplasty", 7_000, 9_500, _cement(1)),
            Offer("vertebroplasty", 5_000, 7_000, _cement(1)),
            Offer("minimally-invasive-spinal-tumour-surgery", 20_000, 29_000, _tumour(6)),
            Offer("post-operative-pain-management", 1_200, 2_000, _pain(6)),
        ),
    ),
    FacilityData(
        slug="teak-garden-hospital",
        name="Teak Garden Hospital",
        kind="hospital",
        country="TH",
        city="Chiang Mai",
        address="199 Moo 4, Nong Pa Khrang, Mueang Chiang Mai 50000",
        description=(
            "A 180-bed hospital on the eastern edge of Chiang Mai, set in landscaped grounds that patients use for "
            "walking practice after surgery. Two spine surgeons trained in Japan and Germany run a combined "
            "clinic with the rehabilitation department. Prices are quoted as packages, and many patients stay on "
            "for a few weeks of supervised recovery in the cooler northern climate."
        ),
        languages=("en", "th", "zh"),
        accommodation=True,
        year_established=2005,
        beds=180,
        accreditations=(
            AccreditationData("ha-thailand", "Hospital Accreditation", 400, 695, level="HA"),
            AccreditationData("gha", "Medical Travel Services", 250, 480),
        ),
        offers=(
            Offer("lumbar-spinal-fusion", 12_500, 17_500, _surgery(6)),
            Offer("minimally-invasive-lumbar-discectomy", 6_000, 8_200, _day_case(2)),
            Offer("laminectomy", 7_000, 9_800, _surgery(4)),
            Offer("post-operative-pain-management", 900, 1_400, _pain(12), "Includes two weeks of outpatient physio."),
        ),
    ),
    FacilityData(
        slug="andaman-shore-spine-clinic",
        name="Andaman Shore Spine Clinic",
        kind="clinic",
        country="TH",
        city="Phuket",
        address="52/7 Chalermprakiat Road, Wichit, Mueang Phuket 83000",
        description=(
            "An 18-bed day-surgery clinic focused on minimally invasive spine procedures and fracture care. Most "
            "patients go home or back to their hotel within a day, with a nurse calling the following morning. "
            "The clinic works with the island's larger hospitals for any case that needs intensive care."
        ),
        languages=("en", "th", "ru"),
        year_established=2016,
        beds=18,
        photos=1,
        accreditations=(AccreditationData("temos", "Quality in International Patient Care", 1_043, 52),),
        offers=(
            Offer("minimally-invasive-lumbar-discectomy", 6_800, 9_000, _day_case(1)),
            Offer("vertebroplasty", 4_800, 6_300, _cement(1)),
            Offer("kyphoplasty", 6_500, 8_600, _cement(1)),
            Offer("post-operative-pain-management", 1_000, 1_600, _pain(5)),
        ),
    ),
    # --- Malaysia ---
    FacilityData(
        slug="cempaka-spine-institute",
        name="Cempaka Spine Institute",
        kind="specialist_hospital",
        country="MY",
        city="Kuala Lumpur",
        address="Lot 12, Jalan Cempaka Putih, Bukit Bintang, 55100 Kuala Lumpur",
        description=(
            "A 90-bed specialist hospital for spine and nerve conditions near the centre of Kuala Lumpur. Its "
            "surgeons run a motion-preserving programme built around cervical disc replacement, and a spinal "
            "infection service shared with the city's infectious-disease specialists. International patients are "
            "met at KLIA and can stay at a partner hotel linked to the hospital by a covered walkway."
        ),
        languages=("en", "ms", "zh", "ar"),
        accommodation=True,
        visa_letters=True,
        year_established=2012,
        beds=90,
        accreditations=(
            AccreditationData("achsi", "EQuIP6 Organisation-Wide Survey", 450, 645),
            AccreditationData("gha", "Medical Travel Services", 200, 530),
        ),
        offers=(
            Offer("lumbar-spinal-fusion", 12_000, 17_000, _surgery(5)),
            Offer("minimally-invasive-lumbar-discectomy", 5_800, 8_000, _day_case(2)),
            Offer("cervical-disc-replacement", 12_500, 16_500, _surgery(3)),
            Offer("minimally-invasive-spinal-infection-surgery", 11_000, 15_500, _infection(9)),
            Offer("post-operative-pain-management", 900, 1_500, _pain(6)),
        ),
    ),
    FacilityData(
        slug="straits-heritage-hospital",
        name="Straits Heritage Hospital",
        kind="hospital",
        country="MY",
        city="George Town",
        address="31 Lebuh Kenanga, 10200 George Town, Penang",
        description=(
            "A 230-bed general hospital in Penang's capital, popular with patients from Indonesia and Singapore. "
            "The orthopaedic spine team treats stenosis and osteoporotic fractures, with short waiting times for "
            "imaging. A patient-relations office arranges ferry and airport transfers and keeps in touch with the "
            "patient's own doctor after discharge."
        ),
        languages=("en", "ms", "zh"),
        year_established=1994,
        beds=230,
        accreditations=(AccreditationData("jci", "Hospital Accreditation Program", 520, 575),),
        offers=(
            Offer("lumbar-spinal-fusion", 11_000, 15_500, _surgery(5)),
            Offer("laminectomy", 6_000, 8_400, _surgery(3)),
            Offer("vertebroplasty", 3_800, 5_200, _cement(1)),
            Offer("kyphoplasty", 5_200, 7_000, _cement(1)),
        ),
    ),
    # --- Mexico ---
    FacilityData(
        slug="hospital-jacarandas-occidente",
        name="Hospital Jacarandas de Occidente",
        kind="hospital",
        country="MX",
        city="Guadalajara",
        address="Avenida de los Arcos 1450, Colonia Jardines del Bosque, 44520 Guadalajara, Jalisco",
        description=(
            "A 210-bed private hospital in Guadalajara with a large neurosurgery department and a dedicated spine "
            "floor. Many of its surgeons completed fellowships in the United States, and consultations can be held "
            "by video before the trip. Bilingual coordinators arrange pick-up from the airport and hotels within "
            "walking distance."
        ),
        languages=("en", "es"),
        accommodation=True,
        year_established=2000,
        beds=210,
        accreditations=(AccreditationData("jci", "Hospital Accreditation Program", 300, 795),),
        offers=(
            Offer("lumbar-spinal-fusion", 15_500, 23_000, _surgery(4), ONE_LEVEL),
            Offer("minimally-invasive-lumbar-discectomy", 7_000, 10_500, _day_case(1)),
            Offer("cervical-disc-replacement", 15_000, 20_500, _surgery(2)),
            Offer("laminectomy", 8_500, 12_000, _surgery(3)),
            Offer("post-operative-pain-management", 1_100, 1_900, _pain(6)),
        ),
    ),
    FacilityData(
        slug="clinica-frontera-norte-columna",
        name="Clínica Frontera Norte de Columna",
        kind="clinic",
        country="MX",
        city="Tijuana",
        address="Boulevard Agua Caliente 9120, Colonia Hipódromo, 22020 Tijuana, Baja California",
        description=(
            "A 24-bed spine clinic ten minutes from the San Ysidro border crossing, designed around short stays. "
            "A driver collects patients on the US side and brings them back after discharge, usually the next "
            "day. The clinic sends its operative notes and images to the patient's home doctor in English."
        ),
        languages=("en", "es"),
        year_established=2015,
        beds=24,
        photos=1,
        accreditations=(AccreditationData("gha", "Medical Travel Services", 700, 33),),
        offers=(
            Offer("minimally-invasive-lumbar-discectomy", 6_500, 9_200, _day_case(1)),
            Offer("vertebroplasty", 4_200, 5_800, _cement(1)),
            Offer("kyphoplasty", 5_800, 7_900, _cement(1)),
            Offer("laminectomy", 7_800, 10_500, _surgery(2), "Transport from San Diego included."),
        ),
    ),
    FacilityData(
        slug="centro-rehabilitacion-alameda-regia",
        name="Centro de Rehabilitación Alameda Regia",
        kind="rehabilitation",
        country="MX",
        city="Monterrey",
        address="Calzada del Valle 320 Oriente, Colonia del Valle, 66220 San Pedro Garza García, Nuevo León",
        description=(
            "A 40-bed rehabilitation centre that takes patients in the weeks after spine surgery, with a "
            "hydrotherapy pool, a gait laboratory and a small procedure room for cement augmentation of fractures. "
            "Programmes are set by a rehabilitation physician and reviewed weekly with the patient. Families can "
            "stay in apartments on the grounds."
        ),
        languages=("en", "es"),
        accommodation=True,
        year_established=2010,
        beds=40,
        accreditations=(AccreditationData("aci", "Qmentum International", 400, 695, level="Gold"),),
        offers=(
            Offer("post-operative-pain-management", 1_000, 2_200, _pain(15), "Residential programme of two weeks."),
            Offer("vertebroplasty", 4_000, 5_500, _cement(1)),
            Offer("kyphoplasty", 5_500, 7_500, _cement(2)),
        ),
    ),
    # --- Costa Rica ---
    FacilityData(
        slug="hospital-guayacan-internacional",
        name="Hospital Guayacán Internacional",
        kind="hospital",
        country="CR",
        city="San José",
        address="Avenida 10, Calles 25 y 27, Barrio La California, San José 10104",
        description=(
            "A 160-bed hospital in the capital with a spine programme led by surgeons trained in Spain and Canada. "
            "It has navigated theatres, an intermediate-care unit and an oncology service for spinal tumours. "
            "International coordinators handle airport transfers and arrange recovery stays in the hills above "
            "the city."
        ),
        languages=("en", "es"),
        accommodation=True,
        year_established=1999,
        beds=160,
        accreditations=(AccreditationData("jci", "Hospital Accreditation Program", 650, 445),),
        offers=(
            Offer("lumbar-spinal-fusion", 16_000, 24_000, _surgery(5), NAVIGATION),
            Offer("minimally-invasive-lumbar-discectomy", 7_500, 11_000, _day_case(1)),
            Offer("cervical-disc-replacement", 16_500, 22_000, _surgery(2)),
            Offer("minimally-invasive-spinal-tumour-surgery", 22_000, 31_000, _tumour(6)),
            Offer("post-operative-pain-management", 1_200, 2_000, _pain(6)),
        ),
    ),
    FacilityData(
        slug="clinica-colinas-escazu",
        name="Clínica Colinas de Escazú",
        kind="clinic",
        country="CR",
        city="Escazú",
        address="Calle Cortés 140, San Rafael de Escazú, San José",
        description=(
            "A 20-bed surgical clinic in the hills west of San José, mainly serving patients from North America. "
            "Its spine surgeons concentrate on disc surgery and fracture cement procedures done in a single day. "
            "Recovery rooms have space for a companion, and a nurse visits partner hotels during the first week."
        ),
        languages=("en", "es", "fr"),
        accommodation=True,
        year_established=2013,
        beds=20,
        accreditations=(
            AccreditationData("gha", "Medical Travel Services", 380, 350),
            AccreditationData("temos", "Excellence in Medical Tourism", 520, 210),
        ),
        offers=(
            Offer("minimally-invasive-lumbar-discectomy", 7_200, 10_000, _day_case(1), COMPANION),
            Offer("vertebroplasty", 4_600, 6_200, _cement(1)),
            Offer("kyphoplasty", 6_200, 8_400, _cement(1)),
            Offer("post-operative-pain-management", 1_000, 1_700, _pain(5)),
        ),
    ),
    # --- Colombia ---
    FacilityData(
        slug="clinica-arrayanes-poblado",
        name="Clínica Arrayanes del Poblado",
        kind="specialist_hospital",
        country="CO",
        city="Medellín",
        address="Carrera 43A 7-50 Sur, El Poblado, Medellín, Antioquia",
        description=(
            "A 110-bed specialist hospital for orthopaedics and spine surgery in Medellín's El Poblado district. "
            "The spine group handles infections and deformity as well as routine disc surgery, and runs an "
            "in-house physiotherapy school. International patients get a bilingual host, airport transfers and "
            "help finding an apartment for a longer recovery."
        ),
        languages=("en", "es", "pt"),
        accommodation=True,
        visa_letters=True,
        year_established=2007,
        beds=110,
        accreditations=(
            AccreditationData("jci", "Hospital Accreditation Program", 500, 595),
            AccreditationData("gha", "Medical Travel Services", 330, 400),
        ),
        offers=(
            Offer("lumbar-spinal-fusion", 12_000, 18_500, _surgery(5)),
            Offer("minimally-invasive-lumbar-discectomy", 5_500, 8_200, _day_case(2)),
            Offer("laminectomy", 6_800, 9_600, _surgery(3)),
            Offer("minimally-invasive-spinal-infection-surgery", 10_000, 14_500, _infection(8)),
            Offer("cervical-disc-replacement", 12_000, 16_800, _surgery(3)),
            Offer("post-operative-pain-management", 800, 1_400, _pain(8)),
        ),
    ),
    FacilityData(
        slug="centro-rehabilitacion-cerros-orientales",
        name="Centro de Rehabilitación Cerros Orientales",
        kind="rehabilitation",
        country="CO",
        city="Bogotá",
        address="Calle 93B 15-40, Chicó Norte, Bogotá",
        description=(
            "A 60-bed rehabilitation centre in northern Bogotá for patients recovering from spine surgery and "
            "spinal cord injury. It offers intensive physiotherapy, occupational therapy and a pain clinic, with a "
            "small procedure room for vertebral cement injections."
        ),
        languages=("en", "es"),
        interpreter=False,
        year_established=2004,
        beds=60,
        photos=1,
        accreditations=(AccreditationData("aci", "Qmentum International", 1_135, -40, level="Gold"),),
        offers=(
            Offer("post-operative-pain-management", 700, 1_300, _pain(15)),
            Offer("vertebroplasty", 3_500, 4_800, _cement(1)),
            Offer("kyphoplasty", 4_800, 6_600, _cement(1)),
        ),
    ),
    # --- Poland ---
    FacilityData(
        slug="szpital-kasztanowy",
        name="Szpital Kasztanowy",
        kind="specialist_hospital",
        country="PL",
        city="Kraków",
        address="ul. Kasztanowa 18, 30-224 Kraków",
        description=(
            "A 75-bed spine and joint hospital on the western side of Kraków, opened in a restored villa with a "
            "modern surgical wing. Its surgeons perform endoscopic and tubular disc surgery, cervical disc "
            "replacement and fusions. Patients from Scandinavia, Israel and the UK are looked after by a "
            "coordinator team that books hotels in the Old Town and arranges transfers from the airport."
        ),
        languages=("en", "pl", "de", "he"),
        accommodation=True,
        year_established=2008,
        beds=75,
        accreditations=(
            AccreditationData("temos", "Quality in International Patient Care", 260, 835),
            AccreditationData("achsi", "EQuIP6 Organisation-Wide Survey", 610, 120),
        ),
        offers=(
            Offer("lumbar-spinal-fusion", 13_000, 19_000, _surgery(5), ONE_LEVEL),
            Offer("minimally-invasive-lumbar-discectomy", 5_200, 7_600, _day_case(2)),
            Offer("cervical-disc-replacement", 12_500, 17_500, _surgery(3)),
            Offer("laminectomy", 6_500, 9_000, _surgery(3)),
            Offer("post-operative-pain-management", 900, 1_500, _pain(6)),
        ),
    ),
    FacilityData(
        slug="szpital-nowa-skarpa",
        name="Szpital Nowa Skarpa",
        kind="hospital",
        country="PL",
        city="Warsaw",
        address="ul. Nadwiślańska 61, 00-467 Warsaw",
        description=(
            "A 260-bed private hospital overlooking the Vistula, with a spine department that treats tumours and "
            "infections alongside degenerative disease. It has a 3T MRI, an intra-operative CT scanner and a "
            "high-dependency unit. An English-speaking international office prepares the quote, the admission "
            "plan and the discharge letter."
        ),
        languages=("en", "pl", "de"),
        airport_transfer=False,
        year_established=2003,
        beds=260,
        accreditations=(AccreditationData("jci", "Hospital Accreditation Program", 480, 615),),
        offers=(
            Offer("lumbar-spinal-fusion", 14_000, 20_000, _surgery(5)),
            Offer("minimally-invasive-spinal-tumour-surgery", 18_000, 26_000, _tumour(6)),
            Offer("minimally-invasive-spinal-infection-surgery", 11_500, 16_000, _infection(8)),
            Offer("kyphoplasty", 5_200, 7_200, _cement(1)),
            Offer("vertebroplasty", 3_600, 5_000, _cement(1)),
            Offer("post-operative-pain-management", 900, 1_500, _pain(6)),
        ),
    ),
    FacilityData(
        slug="centrum-rehabilitacji-laki-odrzanskie",
        name="Centrum Rehabilitacji Łąki Odrzańskie",
        kind="rehabilitation",
        country="PL",
        city="Wrocław",
        address="ul. Nadodrzańska 7, 50-413 Wrocław",
        description=(
            "A 55-bed rehabilitation centre beside the Oder river for patients recovering from spine surgery or "
            "living with chronic back pain. Each patient follows a two- to four-week programme of physiotherapy, "
            "hydrotherapy and pain education. A small interventional suite offers cement treatment of fractures."
        ),
        languages=("en", "pl", "de"),
        accommodation=True,
        interpreter=False,
        year_established=2012,
        beds=55,
        photos=1,
        accreditations=(AccreditationData("temos", "Quality in International Patient Care", 330, 400),),
        offers=(
            Offer("post-operative-pain-management", 800, 1_600, _pain(20), "Two-week residential stay."),
            Offer("vertebroplasty", 3_300, 4_600, _cement(1)),
            Offer("kyphoplasty", 4_600, 6_300, _cement(1)),
        ),
    ),
    # --- Czechia ---
    FacilityData(
        slug="nemocnice-vltavska-brana",
        name="Nemocnice Vltavská brána",
        kind="hospital",
        country="CZ",
        city="Prague",
        address="Podolské nábřeží 24, 147 00 Prague 4",
        description=(
            "A 340-bed general hospital on the right bank of the Vltava with a long-standing neurosurgical spine "
            "department. It is known for spinal tumour surgery and motion-preserving neck operations. Foreign "
            "patients are handled by an international department that speaks English, German and Russian and "
            "books accommodation close to the hospital."
        ),
        languages=("en", "cs", "de", "ru"),
        accommodation=True,
        visa_letters=True,
        year_established=1992,
        beds=340,
        photos=3,
        accreditations=(
            AccreditationData("jci", "Hospital Accreditation Program", 560, 535),
            AccreditationData("achsi", "EQuIP6 Organisation-Wide Survey", 220, 875),
        ),
        offers=(
            Offer("lumbar-spinal-fusion", 14_000, 20_500, _surgery(5)),
            Offer("cervical-disc-replacement", 13_500, 18_500, _surgery(3)),
            Offer("laminectomy", 7_000, 9_800, _surgery(3)),
            Offer("minimally-invasive-spinal-tumour-surgery", 19_000, 27_000, _tumour(6)),
            Offer("post-operative-pain-management", 1_000, 1_600, _pain(6)),
        ),
    ),
    FacilityData(
        slug="luzanky-spine-clinic",
        name="Lužánky Spine Clinic",
        kind="clinic",
        country="CZ",
        city="Brno",
        address="Třída Kapitána Jaroše 31, 602 00 Brno",
        description=(
            "A 16-bed private spine clinic next to Brno's oldest public park. Its surgeons perform disc surgery "
            "and cement procedures for fractures, with most patients staying one night. The profile is waiting "
            "for the clinic to confirm its prices."
        ),
        languages=("en", "cs", "de"),
        airport_transfer=False,
        year_established=2017,
        beds=16,
        photos=1,
        is_published=False,
        accreditations=(AccreditationData("temos", "Quality in International Patient Care", 150, 945),),
        offers=(
            Offer("minimally-invasive-lumbar-discectomy", 5_400, 7_600, _day_case(1)),
            Offer("vertebroplasty", 3_500, 4_900, _cement(1)),
            Offer("kyphoplasty", 4_900, 6_700, _cement(1)),
        ),
    ),
    # --- Hungary ---
    FacilityData(
        slug="duna-panorama-korhaz",
        name="Duna Panoráma Kórház",
        kind="hospital",
        country="HU",
        city="Budapest",
        address="Szent István park 11, 1137 Budapest",
        description=(
            "A 190-bed hospital on the Pest bank of the Danube, with a spine centre that shares theatres with "
            "orthopaedics. Surgeons treat disc disease, stenosis and spinal infections, and a pain team follows "
            "every patient for two weeks after surgery. International patients have a coordinator, an "
            "interpreter and help with hotel bookings."
        ),
        languages=("en", "hu", "de"),
        accommodation=True,
        year_established=2002,
        beds=190,
        accreditations=(
            AccreditationData("jci", "Hospital Accreditation Program", 390, 705),
            AccreditationData("gha", "Medical Travel Services", 600, 130),
        ),
        offers=(
            Offer("lumbar-spinal-fusion", 12_500, 18_000, _surgery(5)),
            Offer("minimally-invasive-lumbar-discectomy", 5_000, 7_200, _day_case(2)),
            Offer("laminectomy", 6_200, 8_800, _surgery(3)),
            Offer("cervical-disc-replacement", 12_000, 16_500, _surgery(3)),
            Offer("post-operative-pain-management", 850, 1_400, _pain(6)),
            Offer("minimally-invasive-spinal-infection-surgery", 10_000, 14_000, _infection(8)),
        ),
    ),
    FacilityData(
        slug="tolgyes-gerincklinika",
        name="Tölgyes Gerincklinika",
        kind="clinic",
        country="HU",
        city="Debrecen",
        address="Tölgyfa utca 5, 4032 Debrecen",
        description=(
            "A 22-bed spine clinic in a wooded part of Debrecen, run by three surgeons who trained at university "
            "hospitals in Austria and Germany. It focuses on disc surgery, stenosis and fracture cement "
            "procedures. Patients are collected from Debrecen airport and can stay in guest rooms above the clinic."
        ),
        languages=("en", "hu", "de"),
        accommodation=True,
        year_established=2011,
        beds=22,
        accreditations=(AccreditationData("achsi", "EQuIP6 Organisation-Wide Survey", 1_048, 47),),
        offers=(
            Offer("minimally-invasive-lumbar-discectomy", 4_600, 6_500, _day_case(2)),
            Offer("vertebroplasty", 3_100, 4_300, _cement(1)),
            Offer("kyphoplasty", 4_300, 6_000, _cement(1)),
            Offer("laminectomy", 5_800, 8_000, _surgery(3)),
        ),
    ),
    # --- Germany ---
    FacilityData(
        slug="isarauen-wirbelsaeulenklinik",
        name="Isarauen Wirbelsäulenklinik",
        kind="specialist_hospital",
        country="DE",
        city="Munich",
        address="Auenstraße 112, 80469 Munich",
        description=(
            "An 85-bed spine hospital in Munich's Isarvorstadt with six full-time spine surgeons and its own "
            "anaesthesia and rehabilitation teams. It handles revision surgery and tumours referred from other "
            "hospitals as well as first operations. The international service arranges interpreters, visa "
            "invitation letters and apartments for relatives."
        ),
        languages=("en", "de", "ar", "ru"),
        accommodation=True,
        visa_letters=True,
        year_established=1987,
        beds=85,
        photos=3,
        accreditations=(AccreditationData("temos", "Quality in International Patient Care", 410, 685),),
        offers=(
            Offer("lumbar-spinal-fusion", 26_000, 35_000, _surgery(7), ONE_LEVEL),
            Offer("cervical-disc-replacement", 24_000, 31_000, _surgery(4)),
            Offer("minimally-invasive-lumbar-discectomy", 11_000, 15_000, _day_case(3)),
            Offer("minimally-invasive-spinal-tumour-surgery", 30_000, 40_000, _tumour(8)),
            Offer("kyphoplasty", 9_000, 12_000, _cement(2)),
            Offer("post-operative-pain-management", 2_500, 4_000, _pain(8)),
        ),
    ),
    FacilityData(
        slug="klinikum-alsterblick",
        name="Klinikum Alsterblick",
        kind="hospital",
        country="DE",
        city="Hamburg",
        address="Schwanenwik 58, 22087 Hamburg",
        description=(
            "A 420-bed hospital on the eastern shore of the Alster with departments for neurosurgery, "
            "orthopaedics and infectious diseases. Its spine surgeons treat stenosis, infections and fractures "
            "in older patients. International patients have a dedicated office with Arabic- and Russian-speaking "
            "staff."
        ),
        languages=("en", "de", "ar", "ru"),
        visa_letters=True,
        airport_transfer=False,
        year_established=1972,
        beds=420,
        accreditations=(
            AccreditationData("temos", "Quality in International Patient Care", 700, 395),
            AccreditationData("achsi", "EQuIP6 Organisation-Wide Survey", 330, 765),
        ),
        offers=(
            Offer("lumbar-spinal-fusion", 25_000, 33_000, _surgery(7)),
            Offer("laminectomy", 14_000, 18_000, _surgery(5)),
            Offer("vertebroplasty", 6_500, 9_000, _cement(2)),
            Offer("minimally-invasive-spinal-infection-surgery", 20_000, 25_000, _infection(10)),
            Offer("post-operative-pain-management", 2_200, 3_600, _pain(8)),
        ),
    ),
    # --- Spain ---
    FacilityData(
        slug="hospital-turo-blau",
        name="Hospital Turó Blau",
        kind="hospital",
        country="ES",
        city="Barcelona",
        address="Carrer de les Acàcies 33, 08023 Barcelona",
        description=(
            "A 240-bed private hospital in the upper part of Barcelona, with a spine unit that works closely with "
            "its oncology and radiotherapy departments. It offers motion-preserving surgery for the neck and "
            "navigated fusion for the lower back. The international office speaks six languages and arranges "
            "airport transfers and hotels."
        ),
        languages=("en", "es", "fr", "de", "ar"),
        accommodation=True,
        year_established=1983,
        beds=240,
        accreditations=(AccreditationData("jci", "Hospital Accreditation Program", 200, 895),),
        offers=(
            Offer("lumbar-spinal-fusion", 20_000, 28_000, _surgery(5), NAVIGATION),
            Offer("minimally-invasive-lumbar-discectomy", 8_500, 12_500, _day_case(2)),
            Offer("cervical-disc-replacement", 18_000, 25_000, _surgery(3)),
            Offer("minimally-invasive-spinal-tumour-surgery", 26_000, 36_000, _tumour(6)),
            Offer("post-operative-pain-management", 1_800, 3_000, _pain(6)),
        ),
    ),
    FacilityData(
        slug="clinica-huerta-azahar",
        name="Clínica Huerta Azahar",
        kind="specialist_hospital",
        country="ES",
        city="Valencia",
        address="Avenida de los Naranjos 88, 46022 Valencia",
        description=(
            "A 70-bed specialist hospital for the spine and joints near Valencia's beaches. Many patients come "
            "from France and the Netherlands for stenosis and fracture treatment. The hospital arranges transfers "
            "and short-let apartments, and its physiotherapists run a beach-walk programme during recovery."
        ),
        languages=("en", "es", "fr"),
        accommodation=True,
        interpreter=False,
        year_established=2006,
        beds=70,
        accreditations=(
            AccreditationData("temos", "Quality in International Patient Care", 480, 615),
            AccreditationData("gha", "Medical Travel Services", 270, 460),
        ),
        offers=(
            Offer("lumbar-spinal-fusion", 18_500, 26_000, _surgery(5)),
            Offer("laminectomy", 9_000, 13_000, _surgery(3)),
            Offer("kyphoplasty", 7_500, 10_000, _cement(1)),
            Offer("vertebroplasty", 5_200, 7_400, _cement(1)),
        ),
    ),
    FacilityData(
        slug="centro-columna-costa-jabega",
        name="Centro de Columna Costa Jábega",
        kind="clinic",
        country="ES",
        city="Málaga",
        address="Paseo Marítimo El Palo 210, 29017 Málaga",
        description=(
            "A 20-bed day-surgery clinic on the eastern seafront of Málaga, treating disc herniations and "
            "osteoporotic fractures. Most procedures are done in a single day under sedation. The clinic works "
            "with an English-speaking physiotherapy practice nearby for follow-up care."
        ),
        languages=("en", "es", "de"),
        interpreter=False,
        airport_transfer=False,
        year_established=2012,
        beds=20,
        photos=1,
        accreditations=(AccreditationData("temos", "Quality in International Patient Care", 1_305, -210),),
        offers=(
            Offer("minimally-invasive-lumbar-discectomy", 8_000, 11_500, _day_case(1)),
            Offer("vertebroplasty", 5_000, 7_000, _cement(1)),
            Offer("post-operative-pain-management", 1_500, 2_400, _pain(6)),
        ),
    ),
    # --- South Korea ---
    FacilityData(
        slug="namsan-cedar-spine-hospital",
        name="Namsan Cedar Spine Hospital",
        kind="specialist_hospital",
        country="KR",
        city="Seoul",
        address="Toegye-ro 214, Jung-gu, Seoul 04627",
        description=(
            "A 130-bed spine hospital at the foot of Namsan, where endoscopic spine surgery through an incision "
            "of less than a centimetre is routine. Patients typically have MRI, consultation and surgery within "
            "two days of arrival. The international centre provides Russian, Chinese and Arabic interpreters and "
            "arranges stays at hotels within walking distance."
        ),
        languages=("en", "ko", "ru", "zh", "ar"),
        accommodation=True,
        visa_letters=True,
        year_established=2004,
        beds=130,
        photos=3,
        accreditations=(AccreditationData("jci", "Hospital Accreditation Program", 310, 785),),
        offers=(
            Offer("lumbar-spinal-fusion", 22_000, 30_000, _surgery(5)),
            Offer("minimally-invasive-lumbar-discectomy", 9_000, 13_500, _day_case(1), "Endoscopic technique."),
            Offer("cervical-disc-replacement", 20_000, 27_000, _surgery(3)),
            Offer("kyphoplasty", 7_800, 10_500, _cement(1)),
            Offer("minimally-invasive-spinal-infection-surgery", 17_000, 23_000, _infection(8)),
            Offer("post-operative-pain-management", 1_600, 2_600, _pain(6)),
        ),
    ),
    FacilityData(
        slug="oryukdo-seaview-hospital",
        name="Oryukdo Seaview Hospital",
        kind="hospital",
        country="KR",
        city="Busan",
        address="Yongho-ro 102, Nam-gu, Busan 48513",
        description=(
            "A 260-bed general hospital on Busan's southern coast with a spine centre inside its neuroscience "
            "department. It treats tumours and stenosis, and has close links with the city's cancer centre. "
            "Patients arriving by ferry from Japan or by air are met by an interpreter."
        ),
        languages=("en", "ko", "ru"),
        airport_transfer=False,
        year_established=1997,
        beds=260,
        accreditations=(AccreditationData("jci", "Hospital Accreditation Program", 620, 475),),
        offers=(
            Offer("lumbar-spinal-fusion", 21_000, 28_500, _surgery(5)),
            Offer("laminectomy", 11_000, 15_000, _surgery(3)),
            Offer("vertebroplasty", 6_000, 8_000, _cement(1)),
            Offer("minimally-invasive-spinal-tumour-surgery", 26_000, 35_000, _tumour(6)),
        ),
    ),
    # --- United Arab Emirates ---
    FacilityData(
        slug="palm-dune-spine-orthopaedic-hospital",
        name="Palm Dune Spine & Orthopaedic Hospital",
        kind="specialist_hospital",
        country="AE",
        city="Dubai",
        address="Street 19, Umm Suqeim 2, Dubai",
        description=(
            "A 120-bed hospital for the spine and joints with a robotic theatre and a rehabilitation floor. "
            "Surgeons from Europe, India and the Middle East work in joint teams and publish their complication "
            "rates each year. Patients from the Gulf and Africa are met at the airport and can recover in hotel "
            "apartments with nursing visits."
        ),
        languages=("en", "ar", "ru", "hi", "fr"),
        accommodation=True,
        visa_letters=True,
        year_established=2015,
        beds=120,
        photos=3,
        accreditations=(
            AccreditationData("jci", "Hospital Accreditation Program", 380, 715),
            AccreditationData("gha", "Medical Travel Services", 220, 510),
        ),
        offers=(
            Offer("lumbar-spinal-fusion", 24_000, 34_000, _surgery(5), "Robot-assisted; one or two levels."),
            Offer("minimally-invasive-lumbar-discectomy", 10_500, 15_000, _day_case(1)),
            Offer("cervical-disc-replacement", 22_000, 30_000, _surgery(2)),
            Offer("minimally-invasive-spinal-tumour-surgery", 28_000, 39_000, _tumour(6)),
            Offer("post-operative-pain-management", 2_000, 3_500, _pain(8)),
        ),
    ),
    FacilityData(
        slug="saadiyat-lantern-rehabilitation-centre",
        name="Saadiyat Lantern Rehabilitation Centre",
        kind="rehabilitation",
        country="AE",
        city="Abu Dhabi",
        address="Al Saadiyat Street 7, Saadiyat Island, Abu Dhabi",
        description=(
            "An 80-bed rehabilitation centre for adults recovering from spine surgery or injury, with robotic "
            "walking aids, a hydrotherapy pool and a pain clinic. A small interventional room offers cement "
            "treatment for painful fractures. Families can stay in suites on site."
        ),
        languages=("en", "ar", "fr"),
        accommodation=True,
        visa_letters=True,
        year_established=2018,
        beds=80,
        accreditations=(AccreditationData("aci", "Qmentum International", 300, 795, level="Diamond"),),
        offers=(
            Offer("post-operative-pain-management", 1_800, 3_200, _pain(20), "Three-week residential programme."),
            Offer("vertebroplasty", 6_200, 8_500, _cement(1)),
            Offer("kyphoplasty", 8_000, 11_000, _cement(2)),
        ),
    ),
    # --- Lithuania ---
    FacilityData(
        slug="gedimino-kalno-spine-clinic",
        name="Gedimino Kalno Spine Clinic",
        kind="clinic",
        country="LT",
        city="Vilnius",
        address="Pilies g. 40, LT-01123 Vilnius",
        description=(
            "A 26-bed spine clinic in Vilnius Old Town, popular with patients from Scandinavia, the UK and "
            "Israel. Its team performs disc surgery, single-level fusions and neck disc replacements, usually "
            "with a two- or three-night stay. A coordinator meets patients at the airport and books hotels a "
            "short walk away."
        ),
        languages=("en", "lt", "ru", "pl", "he"),
        accommodation=True,
        year_established=2010,
        beds=26,
        accreditations=(
            AccreditationData("temos", "Quality in International Patient Care", 420, 675),
            AccreditationData("gha", "Medical Travel Services", 320, 410),
        ),
        offers=(
            Offer("minimally-invasive-lumbar-discectomy", 5_000, 7_000, _day_case(2)),
            Offer("lumbar-spinal-fusion", 11_500, 16_000, _surgery(4), ONE_LEVEL),
            Offer("cervical-disc-replacement", 11_000, 15_000, _surgery(3)),
            Offer("post-operative-pain-management", 700, 1_200, _pain(6)),
        ),
    ),
    FacilityData(
        slug="nemuno-krantas-hospital",
        name="Nemuno Krantas Hospital",
        kind="hospital",
        country="LT",
        city="Kaunas",
        address="Karaliaus Mindaugo pr. 61, LT-44311 Kaunas",
        description=(
            "A 150-bed hospital on the bank of the Neman in central Kaunas, with a spine unit inside its "
            "neurosurgery department. It treats stenosis, spinal infections and fractures, and has a "
            "rehabilitation ward on the top floor. International patients receive a fixed-price quote in "
            "English and are met at the airport."
        ),
        languages=("en", "lt", "ru", "pl"),
        year_established=1995,
        beds=150,
        accreditations=(AccreditationData("temos", "Quality in International Patient Care", 1_077, 18),),
        offers=(
            Offer("lumbar-spinal-fusion", 11_000, 15_000, _surgery(5)),
            Offer("laminectomy", 5_800, 8_000, _surgery(3)),
            Offer("minimally-invasive-spinal-infection-surgery", 9_000, 12_500, _infection(9), MRI_FIRST),
            Offer("kyphoplasty", 4_500, 6_200, _cement(1)),
        ),
    ),
]
