"""SIC 2007 codes the world's companies use, with the text Companies House prints beside them.

`SIC_TEXT` covers every code in `companies.sic_codes`, so a writer can print
"56103 - Take-away food shops and mobile food stands" as BasicCompanyData does.
The shares of the non-food codes follow a 0.1% random sample of the 2020 register.
"""

from __future__ import annotations

from heyrick_dagster.sample import names
from heyrick_dagster.sample import sectors as s

SIC_TEXT: dict[str, str] = {
    "01130": "Growing of vegetables and melons, roots and tubers",
    "01470": "Raising of poultry",
    "10710": "Manufacture of bread; manufacture of fresh pastry goods and cakes",
    "10890": "Manufacture of other food products n.e.c.",
    "41100": "Development of building projects",
    "41202": "Construction of domestic buildings",
    "43210": "Electrical installation",
    "43220": "Plumbing, heat and air-conditioning installation",
    "43999": "Other specialised construction activities n.e.c.",
    "45200": "Maintenance and repair of motor vehicles",
    "46390": "Non-specialised wholesale of food, beverages and tobacco",
    "47110": "Retail sale in non-specialised stores with food, beverages or tobacco predominating",
    "47220": "Retail sale of meat and meat products in specialised stores",
    "47240": "Retail sale of bread, cakes, flour confectionery and sugar confectionery "
             "in specialised stores",
    "47250": "Retail sale of beverages in specialised stores",
    "47260": "Retail sale of tobacco products in specialised stores",
    "47290": "Other retail sale of food in specialised stores",
    "47730": "Dispensing chemist in specialised stores",
    "47910": "Retail sale via mail order houses or via Internet",
    "49320": "Taxi operation",
    "49410": "Freight transport by road",
    "55100": "Hotels and similar accommodation",
    "56101": "Licensed restaurants",
    "56102": "Unlicensed restaurants and cafes",
    "56103": "Take-away food shops and mobile food stands",
    "56210": "Event catering activities",
    "56290": "Other food services",
    "56302": "Public houses and bars",
    "62012": "Business and domestic software development",
    "62020": "Information technology consultancy activities",
    "62090": "Other information technology service activities",
    "64209": "Activities of other holding companies n.e.c.",
    "68100": "Buying and selling of own real estate",
    "68209": "Other letting and operating of own or leased real estate",
    "68320": "Management of real estate on a fee or contract basis",
    "69201": "Accounting and auditing activities",
    "70229": "Management consultancy activities other than financial management",
    "71129": "Other engineering activities",
    "73110": "Advertising agencies",
    "74909": "Other professional, scientific and technical activities n.e.c.",
    "74990": "Non-trading company",
    "78109": "Other activities of employment placement agencies",
    "81210": "General cleaning of buildings",
    "82990": "Other business support service activities n.e.c.",
    "85200": "Primary education",
    "85310": "General secondary education",
    "86900": "Other human health activities",
    "87100": "Residential nursing care facilities",
    "88100": "Social work activities without accommodation for the elderly and disabled",
    "88910": "Child day-care activities",
    "96020": "Hairdressing and other beauty treatment",
    "96090": "Other service activities n.e.c.",
    "98000": "Residents property management",
    "99999": "Dormant Company",
    "10850": "Manufacture of prepared meals and dishes",
    "47190": "Other retail sale in non-specialised stores",
    "47210": "Retail sale of fruit and vegetables in specialised stores",
    "47230": "Retail sale of fish, crustaceans and molluscs in specialised stores",
    "47300": "Retail sale of automotive fuel in specialised stores",
    "47710": "Retail sale of clothing in specialised stores",
    "47810": "Retail sale via stalls and markets of food, beverages and tobacco products",
    "56301": "Licensed clubs",
}

# Companies that run no premises in the world: (code, weight, words their names use).
OTHER_COMPANY_SICS: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    ("82990", 266, ("SERVICES", "SOLUTIONS", "SUPPORT")),
    ("70229", 213, ("CONSULTING", "CONSULTANCY", "MANAGEMENT")),
    ("68209", 152, ("PROPERTIES", "PROPERTY", "LETTINGS", "ESTATES")),
    ("96090", 137, ("SERVICES", "GROUP")),
    ("62020", 133, ("IT", "TECH", "DIGITAL", "SYSTEMS")),
    ("99999", 131, ("HOLDINGS", "VENTURES")),
    ("68100", 92, ("PROPERTIES", "INVESTMENTS", "HOMES")),
    ("98000", 88, ("MANAGEMENT", "RESIDENTS")),
    ("41100", 85, ("DEVELOPMENTS", "HOMES", "BUILD")),
    ("74909", 83, ("SERVICES", "PROFESSIONAL")),
    ("49410", 81, ("LOGISTICS", "TRANSPORT", "HAULAGE", "FREIGHT")),
    ("74990", 65, ("HOLDINGS", "GROUP")),
    ("41202", 62, ("CONSTRUCTION", "BUILDERS", "BUILDING")),
    ("68320", 57, ("PROPERTY MANAGEMENT", "ESTATES")),
    ("62090", 56, ("IT SERVICES", "TECHNOLOGIES")),
    ("86900", 52, ("HEALTH", "CARE", "THERAPY")),
    ("47910", 52, ("ONLINE", "TRADING", "STORE")),
    ("43999", 51, ("CONTRACTORS", "SERVICES")),
    ("62012", 50, ("SOFTWARE", "LABS", "DIGITAL")),
    ("69201", 49, ("ACCOUNTANTS", "ACCOUNTANCY", "TAX")),
    ("43210", 48, ("ELECTRICAL", "ELECTRICS")),
    ("64209", 47, ("HOLDINGS", "GROUP")),
    ("56101", 45, ("RESTAURANT", "KITCHEN", "DINING")),
    ("47110", 41, ("STORES", "RETAIL", "MINI MARKET")),
    ("96020", 38, ("HAIR", "BEAUTY", "BARBERS", "NAILS")),
    ("56103", 37, ("FOODS", "KEBAB", "PIZZA", "CHICKEN")),
    ("45200", 36, ("MOTORS", "AUTOS", "GARAGE", "CAR WASH")),
    ("73110", 32, ("MEDIA", "MARKETING")),
    ("71129", 31, ("ENGINEERING",)),
    ("43220", 31, ("PLUMBING", "HEATING")),
    ("49320", 30, ("CARS", "TAXIS", "TRAVEL")),
    ("81210", 28, ("CLEANING", "CLEANERS")),
    ("78109", 20, ("RECRUITMENT", "STAFFING", "PEOPLE")),
    ("88100", 20, ("CARE", "HOMECARE", "SUPPORT")),
)

# Codes a food business's company files, by business type (first = main), then by sector.
_BY_TYPE: dict[str, tuple[tuple[str, ...], ...]] = {
    names.PUB: (("56302",), ("56302", "56101")),
    names.HOTEL: (("55100",), ("55100", "56101")),
    names.SCHOOL: (("85200",), ("85310",)),
    names.CARING: (("87100",), ("88910",), ("86900",)),
    names.MOBILE: (("56103",), ("56210",)),
    names.OTHER_CATERING: (("56210",), ("56290",), ("56210", "56290")),
    names.MANUFACTURER: (("10890",), ("10710",)),
    names.DISTRIBUTOR: (("46390",), ("46390", "49410")),
    names.IMPORTER: (("46390",),),
    names.FARMER: (("01130",), ("01470",)),
    s.RETAIL_OTHER: (("47290",), ("47730",), ("47220",), ("47240",)),
    s.SUPERMARKET: (("47110",),),
}
_BY_SECTOR: dict[str, tuple[tuple[str, ...], ...]] = {
    s.HOT_FOOD_TAKEAWAY: (("56103",), ("56103",), ("56103",), ("56103", "56102"),
                          ("56101", "56103")),
    s.RESTAURANT_CAFE: (("56101",), ("56102",), ("56102",), ("56101", "56103")),
    s.CONVENIENCE_STORE: (("47110",), ("47110",), ("47110", "47250"), ("47110", "47260"),
                          ("47290",)),
}


def food_sic_codes(sector: str, business_type: str) -> tuple[tuple[str, ...], ...]:
    """The code sets a company running this kind of premises may file (choose one)."""
    if sector in _BY_SECTOR:
        return _BY_SECTOR[sector]
    return _BY_TYPE.get(business_type, (("56290",),))
