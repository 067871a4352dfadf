"""Business-name vocabularies of the sample, by latent sector and FSA business type.

Patterns use placeholders filled at random: {adj} (takeaway-style adjective),
{place} (a locality, street or town of the authority), {word} (a neutral
word), {first}/{last}/{init} (people), {cuisine}, {saint}, {pub}. Brand names
appear as they do on the real register, where most "Costcutter"s are separate
franchisees -- a shared name is not a shared business.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from heyrick_dagster.sample import sectors as s

# FSA business types with their BusinessTypeID, as the real files pair them.
BUSINESS_TYPE_IDS: dict[str, int] = {
    "Restaurant/Cafe/Canteen": 1,
    "Hospitals/Childcare/Caring Premises": 5,
    "Distributors/Transporters": 7,
    "Importers/Exporters": 14,
    "Retailers - other": 4613,
    "Farmers/growers": 7838,
    "Manufacturers/packers": 7839,
    "Retailers - supermarkets/hypermarkets": 7840,
    "Other catering premises": 7841,
    "Hotel/bed & breakfast/guest house": 7842,
    "Pub/bar/nightclub": 7843,
    "Takeaway/sandwich shop": 7844,
    "School/college/university": 7845,
    "Mobile caterer": 7846,
}
OTHER_CATERING = "Other catering premises"
MOBILE = "Mobile caterer"
CARING = "Hospitals/Childcare/Caring Premises"
SCHOOL = "School/college/university"
PUB = "Pub/bar/nightclub"
HOTEL = "Hotel/bed & breakfast/guest house"
MANUFACTURER = "Manufacturers/packers"
DISTRIBUTOR = "Distributors/Transporters"
IMPORTER = "Importers/Exporters"
FARMER = "Farmers/growers"

# Business types of premises whose latent sector is "other", with weights
# close to the real Lewisham/Newham registers.
OTHER_SECTOR_TYPES: dict[str, float] = {
    OTHER_CATERING: 24.0, s.RETAIL_OTHER: 20.0, CARING: 14.0, SCHOOL: 8.5, PUB: 9.0,
    MOBILE: 5.0, s.SUPERMARKET: 2.5, HOTEL: 2.5, MANUFACTURER: 1.8, DISTRIBUTOR: 1.5,
    IMPORTER: 0.5, FARMER: 0.3,
}

FIRST_NAMES = (
    "John", "Sarah", "Mohammed", "Aisha", "Priya", "Raj", "Fatima", "Emma", "David", "Olu",
    "Chinedu", "Agnieszka", "Mehmet", "Ayesha", "Tom", "Grace", "Kwame", "Yusuf", "Lucy",
    "Adeola", "Bilal", "Hannah", "Samina", "Imran", "Gurpreet", "Jas", "Ewa", "Marek", "Li",
    "Wei", "Nadia", "Zainab", "Amir", "Sophie", "James", "Kemal", "Tariq", "Mary", "Paul",
    "Deborah", "Femi", "Kofi", "Abdul", "Shabana", "Harjit", "Rosa", "Tunde", "Karen", "Mark",
    "Mario", "Luigi", "Rosie", "Bella", "Ali", "Sam", "Jo", "Beth", "Lizzie", "Nikos", "Anna",
)
LAST_NAMES = (
    "Smith", "Jones", "Patel", "Khan", "Ahmed", "Hussain", "Begum", "Ali", "Shah", "Singh",
    "Kaur", "Williams", "Brown", "Taylor", "Okafor", "Adeyemi", "Mensah", "Nowak", "Kowalski",
    "Yilmaz", "Demir", "Chen", "Wong", "Nguyen", "Rahman", "Uddin", "Miah", "Islam", "Mistry",
    "Parmar", "Evans", "Davies", "Thomas", "Roberts", "Wilson", "Campbell", "Stewart",
    "Robertson", "Murray", "Osei", "Owusu", "Akhtar", "Iqbal", "Mahmood", "Chauhan", "Solanki",
    "Kaya", "Celik", "Papadopoulos", "Rossi", "Silva", "Santos", "Walker", "Hughes",
)
ADJECTIVES = (
    "Golden", "Perfect", "Tasty", "Royal", "Star", "Super", "New", "Big", "Hot", "Crispy",
    "Jumbo", "Happy", "Lucky", "Best", "Original", "Mega", "Sizzling", "Spicy", "Top",
    "Master", "Mr", "Sultan", "Istanbul", "Ankara", "Bosphorus", "Taj", "Shahi", "Raja",
    "Dragon", "Jade", "Lotus", "Panda", "Oriental", "Peking", "Canton", "Hong Kong", "Kings",
    "Chicago", "Texas", "Dallas", "Southern", "Caribbean", "Mama's", "Papa's", "Tip Top",
    "Lahore", "Karachi", "Ocean", "Atlantic", "Sunny", "Express",
)
WORDS = (
    "Central", "Park", "Green", "Oak", "Willow", "Sunrise", "Rainbow", "Hilltop", "Riverside",
    "Victoria", "Albert", "Phoenix", "Crown", "Eagle", "Olive", "Lemon Tree", "Ginger",
    "Saffron", "Mango", "Coconut", "Cinnamon", "Sage", "Fig", "Blue Door", "Little", "Corner",
    "Family", "City", "Village", "Harmony", "Evergreen", "Sunflower", "Orchid", "Heritage",
)
CUISINES = (
    "Turkish", "Lebanese", "Indian", "Thai", "Vietnamese", "Italian", "Ethiopian", "Nigerian",
    "Jamaican", "Sri Lankan", "Nepalese", "Polish", "Korean", "Japanese", "Mexican", "Greek",
    "Persian", "Afghan", "Somali", "Kurdish", "Portuguese", "Brazilian", "Bangladeshi",
    "Punjabi", "Gujarati", "Malaysian", "Eritrean", "Ghanaian",
)
SAINTS = ("Mary", "John", "Joseph", "Paul", "Peter", "Michael", "Anne", "Thomas", "Matthew",
          "Luke", "Mark", "Saviour", "Stephen", "Andrew", "David", "Margaret", "Winifred")
PUBS = (
    "Red Lion", "Crown", "White Hart", "Royal Oak", "Kings Arms", "Queens Head", "Plough",
    "Swan", "Black Horse", "George", "Railway Tavern", "Bricklayers Arms", "Rose & Crown",
    "Fox & Hounds", "Duke of Edinburgh", "Prince of Wales", "Greyhound", "Bell", "Anchor",
    "Three Tuns", "Wheatsheaf", "Nags Head", "Dolphin", "Jolly Sailor", "Blacksmiths Arms",
)


def _p(*patterns: str) -> tuple[str, ...]:
    return patterns


# --- hot-food takeaways -------------------------------------------------------------------
TAKEAWAY_NAMES = _p(
    "{adj} Kebab House", "{adj} Kebab & Pizza", "{adj} Fried Chicken", "{adj} Chicken",
    "{adj} Chicken & Pizza", "{adj} Chicken & Ribs", "{adj} Pizza", "{adj} Pizza & Grill",
    "{adj} Pizza & Kebab", "{adj} Chinese Takeaway", "{adj} Chinese", "{adj} Fish Bar",
    "{adj} Fish & Chips", "{adj} Chippy", "{adj} Grill", "{adj} Peri Peri", "{adj} Burger",
    "{adj} Tandoori", "{adj} Balti House", "{adj} Curry House", "{adj} Noodle Bar", "{adj} Wok",
    "{adj} Caribbean Takeaway", "{adj} Takeaway", "{place} Kebab House", "{place} Fish Bar",
    "{place} Pizza", "{place} Chinese Takeaway", "{first}'s Fried Chicken", "{first}'s Kebabs",
    "Domino's Pizza", "Papa John's", "KFC", "Morley's", "Perfect Fried Chicken",
    "Chicken Cottage", "Favorite Chicken & Ribs", "Dixy Chicken", "German Doner Kebab",
    "Golden Kebab House", "Dragon Chinese Takeaway", "Tasty Pizza & Grill",
    "The Codfather Fish Bar", "The Plaice To Be", "Oh My Cod", "Frying Nemo",
    "A Salt & Battery", "Pizza Go Go", "Chicken Spot", "Wing Stop Grill",
)
# Takeaways registered as Restaurant/Cafe/Canteen with no takeaway word: the rules miss them.
TAKEAWAY_AS_RESTAURANT = _p(
    "{adj} Chinese", "{adj} Pizza", "{adj} Tandoori", "{adj} Grill", "Jade Garden",
    "{adj} Wok", "{adj} Burger", "{adj} Chicken", "{adj} Balti House", "{adj} Noodle Bar",
    "{first}'s Chicken", "Chicken Cottage", "Dixy Chicken", "{place} Pizza House",
)

# --- restaurants and cafes ----------------------------------------------------------------
RESTAURANT_NAMES = _p(
    "{word} Cafe", "{place} Cafe", "Cafe {word}", "{first}'s Cafe", "{word} Café",
    "{word} Restaurant", "{cuisine} Restaurant", "{place} {cuisine} Restaurant",
    "The {word} Kitchen", "{first}'s Kitchen", "{word} Bistro", "{word} Brasserie",
    "{word} Tea Rooms", "{word} Coffee House", "{word} Lounge", "{word} Diner",
    "{first}'s Trattoria", "{word} Pizzeria", "{word} Thai", "{word} Sushi", "{word} Tapas Bar",
    "{cuisine} Kitchen", "{cuisine} Grill House", "The {word}", "{word} Canteen",
    "{place} Staff Canteen", "Nando's", "Pizza Express", "Wagamama", "Costa Coffee",
    "Starbucks", "Caffe Nero", "Zizzi", "Prezzo", "Wimpy", "Pho {place}", "Crêperie {word}",
)
# Sandwich shops and cafes registered as Takeaway/sandwich shop; names carry the word.
SANDWICH_NAMES = _p(
    "Greggs", "Subway", "Pret A Manger", "Costa Coffee", "Starbucks", "{word} Sandwich Bar",
    "{first}'s Sandwiches", "{place} Sandwich Bar", "{word} Bakery", "{last}'s Bakers",
    "{word} Deli", "{place} Deli", "{word} Coffee", "{first}'s Coffee Shop", "{place} Cafe",
    "{first}'s Cafe", "{word} Bagel Bakery", "Bagel {word}", "The Sandwich Box",
    "Baker's Corner",
)
# Cafes registered as Takeaway/sandwich shop with no cafe word: the rules call them takeaways.
CAFE_AS_TAKEAWAY = _p(
    "Bean There", "The Daily Grind", "{word} Juice Bar", "{first}'s Patisserie",
    "Little {word}", "{first}'s Kitchen", "{word} Tea House", "Bread & Butter", "{word} Crêpes",
)

# --- convenience stores -------------------------------------------------------------------
CONVENIENCE_NAMES = _p(
    "Costcutter", "Londis", "Nisa Local", "Premier", "Premier Stores", "Spar", "One Stop",
    "Best One", "Best-one", "Budgens", "Bargain Booze", "Mace", "Premier Express",
    "Londis Express", "Costcutter Express", "Costcutter {place}", "Londis {place}",
    "Premier {place} Stores", "{word} Food & Wine", "{place} Food and Wine",
    "{word} Mini Market", "{place} Minimarket", "{word} Mini Mart", "{word} Off Licence",
    "{place} Off License", "{word} News", "{place} News", "News & Booze", "{word} Local",
    "{word} Local Convenience Store", "{word} Convenience Store", "{place} Convenience Store",
    "{word} Express Supermarket", "{word} Supermarket", "{place} Supermarket", "{word} Stores",
    "{place} Stores", "{word} Food Centre", "{word} Wines", "{word} Grocers",
    "{cuisine} Grocery", "{word} Food Store", "{cuisine} Food Store", "{last} Newsagent",
    "Local Convenience Store", "Express Supermarket", "Food & Wine", "Mini Market",
    "Off Licence", "{init} & {init} Food & Wine", "{first}'s Mini Market",
)
# Small supermarket formats, registered as Retailers - supermarkets/hypermarkets.
SMALL_SUPERMARKET_NAMES = _p(
    "Tesco Express", "Sainsbury's Local", "Tesco Metro", "Asda Express", "Co-op Local",
    "{word} Mini Supermarket", "{place} Convenience Supermarket", "Tesco Express {place}",
    "Sainsbury's Local {place}",
)
# Corner shops registered under a person or company name only: the rules miss them.
CONVENIENCE_HIDDEN = _p(
    "{init} & {init} {last} Ltd", "{last} Brothers Ltd", "{last} & Sons", "{init} {last}",
    "{last} Retail Ltd", "{last} Trading Ltd", "Polski Sklep", "{first}'s", "{place} Traders",
    "{init}{init} {last} Ltd",
)

# --- other --------------------------------------------------------------------------------
OTHER_RETAIL_NAMES = _p(
    "{place} Pharmacy", "{last} Pharmacy", "{last} Chemist", "Boots", "Superdrug",
    "{place} Butchers", "{word} Halal Butchers", "{place} Halal Meat", "{word} Bakery",
    "{first}'s Cake Shop", "{word} Cakes", "{place} Fruit & Veg", "{word} Fruit and Veg",
    "{place} Fishmongers", "{word} Sweet Centre", "{word} Sweets", "{word} Health Foods",
    "Holland & Barrett", "Poundland", "B&M Bargains", "Home Bargains", "{place} Post Office",
    "{word} Pet Supplies", "{word} Chocolates", "{word} Pound Shop", "{place} Charity Shop",
    "(Pitch {num}) {first} {last}", "{first} {last}", "{word} Cosmetics", "{word} Wholefoods",
)
# Non-convenience retailers whose names carry a convenience word: the rules call them shops.
OTHER_AS_CONVENIENCE = _p(
    "Express Pharmacy", "Local Pharmacy", "{word} Fine Wines", "{word} Health Food Store",
    "{word} Pet Store", "Premier Pharmacy", "{place} Cake Store",
)
BIG_SUPERMARKET_NAMES = _p(
    "Tesco Superstore", "Tesco Extra", "Tesco", "Sainsbury's", "Asda", "Lidl", "Aldi",
    "Morrisons", "Iceland", "Marks & Spencer", "Waitrose", "Co-op Food", "Asda Superstore",
    "Lidl UK", "Aldi Stores Ltd", "Sainsbury's Supermarkets Ltd", "The Food Warehouse",
    "Farmfoods",
)
OTHER_NAMES_BY_TYPE: dict[str, tuple[str, ...]] = {
    OTHER_CATERING: _p(
        "{first} {last}", "{first} {last}", "{word} Catering", "{last} Catering Ltd",
        "{first}'s Cakes", "{place} Community Centre", "{place} Church Hall",
        "St {saint}'s Church", "{place} Food Bank", "{place} Cricket Club",
        "{place} Football Club", "{place} Social Club", "{place} Leisure Centre",
        "{word} Events", "Bakes by {first}", "{first}'s Kitchen", "{word} Supper Club",
        "{place} Scout Hut", "{word} Banqueting Hall",
    ),
    MOBILE: _p(
        "{word} Ices", "{first}'s Burger Van", "{word} Street Food", "{word} Coffee Van",
        "{first}'s Kebab Van", "{first} {last}", "{word} Crepes", "{first}'s Hog Roast",
    ),
    PUB: _p(
        "The {pub}", "The {pub}", "{pub}", "The {word} Tavern", "{word} Bar", "{word} Lounge",
        "{place} Social Club", "{place} Working Men's Club", "{word} Nightclub",
    ),
    SCHOOL: _p(
        "{place} Primary School", "{word} Junior School", "{place} Infant School",
        "St {saint}'s RC Primary School", "St {saint}'s C of E Primary School",
        "{place} Academy", "{word} High School", "{place} College", "{place} Secondary School",
    ),
    CARING: _p(
        "{word} Care Home", "{place} Nursing Home", "{word} Day Nursery", "Little {word} Nursery",
        "{first} {last} (Childminder)", "{place} Hospital", "{word} Lodge Care Home",
        "{word} House", "{place} Pre-School", "St {saint}'s Hospice",
    ),
    HOTEL: _p("{place} Hotel", "{word} Guest House", "The {pub} Inn", "Premier Inn",
              "Travelodge", "Holiday Inn Express"),
    MANUFACTURER: _p("{word} Foods Ltd", "{last} Bakery Ltd", "{place} Brewery",
                     "{word} Sauces Ltd", "{word} Chocolate Co"),
    DISTRIBUTOR: _p("{word} Wholesale Ltd", "{last} Distribution Ltd", "{word} Cash & Carry",
                    "{last} Logistics Ltd", "{word} Food Supplies"),
    IMPORTER: _p("{word} Imports Ltd", "{cuisine} International Ltd", "{last} Trading Ltd"),
    FARMER: _p("{word} Farm", "{place} Allotment Society", "{word} Honey"),
}

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class NameContext:
    """Place words of one authority used to fill {place}."""

    places: tuple[str, ...]


def fill(pattern: str, ctx: NameContext, rng: random.Random) -> str:
    def one(match: re.Match) -> str:
        key = match.group(1)
        if key == "adj":
            return rng.choice(ADJECTIVES)
        if key == "place":
            return rng.choice(ctx.places)
        if key == "word":
            return rng.choice(WORDS)
        if key == "first":
            return rng.choice(FIRST_NAMES)
        if key == "last":
            return rng.choice(LAST_NAMES)
        if key == "init":
            return rng.choice("ABDGHJKMNPRSTZ")
        if key == "cuisine":
            return rng.choice(CUISINES)
        if key == "saint":
            return rng.choice(SAINTS)
        if key == "pub":
            return rng.choice(PUBS)
        if key == "num":
            return str(rng.randint(1, 60))
        raise KeyError(key)

    return _PLACEHOLDER.sub(one, pattern)


def patterns_for(sector: str, business_type: str, hard: bool) -> tuple[str, ...]:
    """Name patterns for a business of this latent sector and type (hard: a rule miss)."""
    if sector == s.HOT_FOOD_TAKEAWAY:
        return TAKEAWAY_AS_RESTAURANT if hard else TAKEAWAY_NAMES
    if sector == s.RESTAURANT_CAFE:
        if hard:
            return CAFE_AS_TAKEAWAY
        return SANDWICH_NAMES if business_type == s.TAKEAWAY else RESTAURANT_NAMES
    if sector == s.CONVENIENCE_STORE:
        if hard:
            return CONVENIENCE_HIDDEN
        return SMALL_SUPERMARKET_NAMES if business_type == s.SUPERMARKET else CONVENIENCE_NAMES
    if business_type == s.RETAIL_OTHER:
        return OTHER_AS_CONVENIENCE if hard else OTHER_RETAIL_NAMES
    if business_type == s.SUPERMARKET:
        return BIG_SUPERMARKET_NAMES
    return OTHER_NAMES_BY_TYPE[business_type]


def vary(name: str, rng: random.Random) -> str:
    """Small case and punctuation variation, as officers type names."""
    roll = rng.random()
    if roll < 0.035:
        return name.upper()
    if roll < 0.045:
        return name.lower()
    if roll < 0.075:
        return name + rng.choice((" Ltd", " Limited", " LTD", " Ltd."))
    if roll < 0.090:
        return name.replace("'", "")
    if roll < 0.100:
        return name.replace(" ", "  ", 1)
    if roll < 0.110:
        return name.replace(" & ", " and ") if " & " in name else name.replace(" and ", " & ")
    return name
