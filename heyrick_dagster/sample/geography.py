"""Places the sample's premises sit in: postcode districts, localities, streets, coordinates.

Each template is one real authority's shape: its postcode districts (with an
approximate centre), the locality names people write in addresses, a few of
its shopping streets, and how its officers lay out address lines. Postcode
units (the "6JG" of "SE13 6JG") are made up, so a sample postcode is valid in
form but need not exist.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

# Letters allowed in the inward code of a UK postcode (no C, I, K, M, O, V).
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


@dataclass(frozen=True)
class District:
    outward: str  # "SE13"
    localities: tuple[str, ...]
    latitude: float
    longitude: float
    streets: tuple[str, ...]


@dataclass(frozen=True)
class Template:
    town: str
    # "packed": lines filled from AddressLine1 (Lewisham, Newham, Leicester ...).
    # "slotted": AddressLine1 holds only a building name, the street is always
    # AddressLine2 (Bradford, Tower Hamlets), so AddressLine1 is often absent.
    style: str
    locality_share: float  # how often an address names its locality
    districts: tuple[District, ...]


_GENERIC_STREET_STEMS = (
    "Station", "Church", "Park", "Victoria", "Albert", "Queens", "Kings", "Mill", "Manor",
    "Grove", "Green", "George", "Market", "York", "Windsor", "Stanley", "Cedar", "Oak",
    "Elm", "Beech", "Chestnut", "Granville", "Clarence", "Wellington", "Nelson", "Hill",
    "Brook", "Spring", "Garden", "Tower", "Bridge", "Meadow", "Orchard", "Vicarage",
    "Alexandra", "Milton", "Cromwell", "Richmond", "Trinity", "Highfield",
)
_GENERIC_STREET_KINDS = (
    "Road", "Road", "Road", "Street", "Street", "Lane", "Avenue", "Parade", "Terrace",
    "Place", "Way", "Crescent",
)


def _d(outward, localities, lat, lon, streets) -> District:
    return District(outward, tuple(localities), lat, lon, tuple(streets))


TEMPLATES: dict[str, Template] = {
    "lewisham": Template("London", "packed", 0.65, (
        _d("SE4", ["Brockley", "Crofton Park"], 51.4620, -0.0360,
           ["Brockley Road", "Brockley Rise", "Coulgate Street", "Harefield Road"]),
        _d("SE6", ["Catford", "Bellingham", "Rushey Green"], 51.4380, -0.0190,
           ["Rushey Green", "Bromley Road", "Sangley Road", "Catford Broadway", "Bellingham Road"]),
        _d("SE8", ["Deptford"], 51.4780, -0.0260,
           ["Deptford High Street", "Evelyn Street", "Deptford Church Street", "Market Yard"]),
        _d("SE12", ["Lee"], 51.4470, 0.0150,
           ["Burnt Ash Hill", "Baring Road", "Lee Road"]),
        _d("SE13", ["Lewisham", "Hither Green", "Ladywell"], 51.4590, -0.0110,
           ["Lewisham High Street", "Lee High Road", "Loampit Vale", "Springbank Road",
            "Ladywell Road", "Staplehurst Road"]),
        _d("SE14", ["New Cross", "New Cross Gate"], 51.4750, -0.0410,
           ["New Cross Road", "Queens Road", "Lewisham Way", "Nunhead Lane"]),
        _d("SE23", ["Forest Hill", "Honor Oak"], 51.4400, -0.0520,
           ["London Road", "Dartmouth Road", "Stanstead Road", "Perry Vale"]),
        _d("SE26", ["Sydenham", "Lower Sydenham"], 51.4270, -0.0540,
           ["Sydenham Road", "Kirkdale", "Wells Park Road", "Silverdale"]),
    )),
    "newham": Template("London", "packed", 0.85, (
        _d("E6", ["East Ham", "Beckton"], 51.5320, 0.0520,
           ["High Street North", "High Street South", "Barking Road", "Plashet Grove"]),
        _d("E7", ["Forest Gate", "Upton Park"], 51.5480, 0.0250,
           ["Woodgrange Road", "Romford Road", "Upton Lane", "Katherine Road"]),
        _d("E12", ["Manor Park", "Little Ilford"], 51.5520, 0.0500,
           ["Romford Road", "Station Road", "High Street North", "Church Road"]),
        _d("E13", ["Plaistow"], 51.5270, 0.0260,
           ["Barking Road", "Greengate Street", "Balaam Street", "Boundary Road"]),
        _d("E15", ["Stratford", "West Ham"], 51.5410, 0.0010,
           ["The Broadway", "West Ham Lane", "Leytonstone Road", "Stratford High Street"]),
        _d("E16", ["Canning Town", "Custom House", "North Woolwich"], 51.5100, 0.0310,
           ["Rathbone Market", "Freemasons Road", "Prince Regent Lane", "Victoria Dock Road"]),
    )),
    "tower_hamlets": Template("London", "slotted", 0.15, (
        _d("E1", ["Whitechapel", "Stepney", "Spitalfields", "Wapping"], 51.5170, -0.0610,
           ["Whitechapel Road", "Brick Lane", "Commercial Road", "Cannon Street Road",
            "Wentworth Street", "Cable Street", "Hanbury Street"]),
        _d("E2", ["Bethnal Green"], 51.5290, -0.0590,
           ["Bethnal Green Road", "Roman Road", "Cambridge Heath Road", "Columbia Road"]),
        _d("E3", ["Bow", "Mile End", "Bromley-by-Bow"], 51.5270, -0.0240,
           ["Roman Road", "Bow Road", "Mile End Road", "Devons Road", "Old Ford Road"]),
        _d("E14", ["Poplar", "Isle of Dogs", "Limehouse", "Canary Wharf"], 51.5050, -0.0180,
           ["East India Dock Road", "Chrisp Street", "Westferry Road", "Manchester Road",
            "Trafalgar Way", "Salmon Lane"]),
    )),
    "bradford": Template("Bradford", "slotted", 0.7, (
        _d("BD1", ["City Centre"], 53.7940, -1.7520,
           ["Kirkgate", "Ivegate", "Sunbridge Road", "Market Street", "Manningham Lane"]),
        _d("BD2", ["Eccleshill", "Undercliffe"], 53.8120, -1.7300,
           ["Harrogate Road", "Killinghall Road", "Otley Road"]),
        _d("BD3", ["Barkerend", "Bradford Moor", "Thornbury"], 53.7970, -1.7260,
           ["Leeds Road", "Barkerend Road", "Leeds Old Road"]),
        _d("BD4", ["Bierley", "East Bowling", "Tong"], 53.7740, -1.7200,
           ["Tong Street", "Wakefield Road", "Rooley Lane", "Bierley Lane"]),
        _d("BD5", ["Little Horton", "West Bowling"], 53.7770, -1.7570,
           ["Manchester Road", "Little Horton Lane", "Newton Street"]),
        _d("BD6", ["Wibsey", "Buttershaw", "Low Moor"], 53.7680, -1.7850,
           ["High Street", "Fair Road", "Reevy Road"]),
        _d("BD7", ["Great Horton", "Lidget Green"], 53.7830, -1.7770,
           ["Great Horton Road", "Legrams Lane", "Cross Lane"]),
        _d("BD8", ["Manningham", "Girlington"], 53.8000, -1.7780,
           ["Lumb Lane", "Oak Lane", "Whetley Hill", "Ingleby Road", "Toller Lane"]),
        _d("BD9", ["Heaton", "Frizinghall"], 53.8100, -1.7900,
           ["Keighley Road", "Heaton Road", "Leylands Lane"]),
        _d("BD10", ["Idle", "Thackley", "Greengates"], 53.8300, -1.7400,
           ["Bradford Road", "The Green", "Town Lane"]),
    )),
    "leicester": Template("Leicester", "packed", 0.2, (
        _d("LE1", ["City Centre"], 52.6360, -1.1330,
           ["Granby Street", "High Street", "Belvoir Street", "Britannia Street",
            "Humberstone Gate"]),
        _d("LE2", ["Highfields", "Clarendon Park", "Aylestone"], 52.6200, -1.1200,
           ["London Road", "Queens Road", "Narborough Road", "St Peters Road", "Welford Road"]),
        _d("LE3", ["Braunstone", "Westcotes", "Glenfield"], 52.6270, -1.1750,
           ["Hinckley Road", "Narborough Road", "Fosse Road South"]),
        _d("LE4", ["Belgrave", "Beaumont Leys", "Rushey Mead"], 52.6600, -1.1250,
           ["Belgrave Road", "Melton Road", "Beaumont Way", "Loughborough Road"]),
        _d("LE5", ["Evington", "Humberstone", "Spinney Hills"], 52.6370, -1.0850,
           ["East Park Road", "Evington Road", "Uppingham Road", "St Saviours Road"]),
    )),
    "cardiff": Template("Cardiff", "packed", 0.5, (
        _d("CF10", ["City Centre", "Butetown", "Cardiff Bay"], 51.4760, -3.1760,
           ["Queen Street", "St Mary Street", "Caroline Street", "Bute Street", "Mermaid Quay"]),
        _d("CF11", ["Canton", "Grangetown", "Riverside"], 51.4780, -3.1980,
           ["Cowbridge Road East", "Clare Road", "Penarth Road", "Tudor Street"]),
        _d("CF14", ["Whitchurch", "Heath", "Llanishen"], 51.5170, -3.2100,
           ["Merthyr Road", "Whitchurch Road", "Caerphilly Road"]),
        _d("CF24", ["Cathays", "Roath", "Splott", "Adamsdown"], 51.4880, -3.1650,
           ["City Road", "Albany Road", "Crwys Road", "Clifton Street", "Splott Road"]),
        _d("CF5", ["Ely", "Llandaff", "Fairwater"], 51.4830, -3.2400,
           ["Cowbridge Road West", "Grand Avenue", "Fairwater Road"]),
        _d("CF3", ["Rumney", "St Mellons"], 51.5150, -3.1250,
           ["Newport Road", "Wentloog Road"]),
    )),
    "aberdeen": Template("Aberdeen", "packed", 0.3, (
        _d("AB10", ["City Centre"], 57.1450, -2.1050,
           ["Union Street", "Holburn Street", "Bridge Street", "Crown Street", "Belmont Street"]),
        _d("AB11", ["Torry", "Ferryhill", "Harbour"], 57.1390, -2.0900,
           ["Victoria Road", "Market Street", "Menzies Road", "Guild Street"]),
        _d("AB24", ["Old Aberdeen", "Woodside", "Seaton"], 57.1650, -2.1100,
           ["King Street", "George Street", "Great Northern Road", "High Street"]),
        _d("AB25", ["Rosemount", "Kittybrewster"], 57.1530, -2.1150,
           ["Rosemount Place", "Skene Street", "Clifton Road", "Powis Terrace"]),
        _d("AB15", ["Rubislaw", "Cults"], 57.1400, -2.1500,
           ["Queens Road", "Great Western Road", "North Deeside Road"]),
        _d("AB16", ["Mastrick", "Northfield"], 57.1620, -2.1600,
           ["Greenfern Road", "Provost Rust Drive"]),
    )),
}


@dataclass(frozen=True)
class PostcodeUnit:
    postcode: str  # canonical, e.g. "SE13 6JG"
    street: str
    locality: str
    first_number: int
    latitude_micro: int  # degrees x 1e6; shared by every premises in the unit
    longitude_micro: int


@dataclass
class Street:
    name: str
    district: District
    units: list[PostcodeUnit] = field(default_factory=list)


def build_streets(template: Template, n_premises: int, rng: random.Random) -> tuple[
        list[Street], list[float]]:
    """Streets with their postcode units, and a popularity weight per street.

    About one postcode unit per three premises: parades and markets share one
    postcode between many premises, as in the real register.
    """
    n_streets = max(4 * len(template.districts), n_premises // 7)
    streets: list[Street] = []
    used_names: set[tuple[str, str]] = set()
    used_postcodes: set[str] = set()
    for i in range(n_streets):
        district = template.districts[i % len(template.districts)]
        named = i // len(template.districts)
        if named < len(district.streets):
            name = district.streets[named]
        else:
            for _ in range(50):
                name = f"{rng.choice(_GENERIC_STREET_STEMS)} {rng.choice(_GENERIC_STREET_KINDS)}"
                if (district.outward, name) not in used_names:
                    break
        used_names.add((district.outward, name))
        streets.append(Street(name, district))

    for street in streets:
        district = street.district
        lat0 = district.latitude + rng.gauss(0.0, 0.006)
        lon0 = district.longitude + rng.gauss(0.0, 0.009)
        sector_digit = rng.randrange(10)
        number = rng.randint(1, 40)
        for _ in range(rng.choice((1, 2, 2, 3, 3, 4, 4, 5))):
            while True:
                inward = (f"{sector_digit}{rng.choice(INWARD_LETTERS)}"
                          f"{rng.choice(INWARD_LETTERS)}")
                postcode = f"{district.outward} {inward}"
                if postcode not in used_postcodes:
                    break
                sector_digit = rng.randrange(10)
            used_postcodes.add(postcode)
            street.units.append(PostcodeUnit(
                postcode=postcode,
                street=street.name,
                locality=rng.choice(district.localities),
                first_number=number,
                latitude_micro=round((lat0 + rng.gauss(0.0, 0.0007)) * 1e6),
                longitude_micro=round((lon0 + rng.gauss(0.0, 0.0010)) * 1e6),
            ))
            number += rng.randint(8, 40)

    # High streets and markets take far more premises than side streets.
    weights = [rng.lognormvariate(0.0, 0.7) for _ in streets]
    for i, street in enumerate(streets):
        if street.name in street.district.streets[:2]:
            weights[i] *= 2.0
    return streets, weights
