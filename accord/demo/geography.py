"""Countries of the demo data: cities, postal code shapes, currency, VAT, legal forms, web and mail
domains, and phone number ranges that ``phonenumbers`` validates.

Phone ranges are (leading digits with the country code, count of random digits that follow); every
number drawn from them is a valid E.164 number of that country (``accord/demo/tests`` checks it on
thousands of draws per range). Fictional ranges such as +1 555-01xx are not valid and are not used.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from accord.demo.names import words
from accord.demo.sampling import group_offsets


@dataclass(frozen=True)
class City:
    name: str
    region: str
    postal_template: str  # '#' a digit, '@' a capital letter


@dataclass(frozen=True)
class Country:
    code: str
    culture: str  # key of names.GIVEN_NAMES / FAMILY_NAMES / STREETS
    weight: float  # share of the customer base
    currency: str
    tld: str
    tax_rate_basis_points: int  # standard VAT: 1900 = 19.00 %
    legal_forms: tuple[str, ...]
    cities: tuple[City, ...]
    mobile_ranges: tuple[tuple[str, int], ...]
    landline_ranges: tuple[tuple[str, int], ...]
    mail_domains: tuple[str, ...]  # free mail providers people use there, besides the global ones


def _cities(text: str) -> tuple[City, ...]:
    """'Berlin/Berlin/10###; München/Bayern/80###' -> City tuples."""
    return tuple(
        City(*(part.strip() for part in item.split("/"))) for item in text.split(";") if item.strip()
    )


def _ranges(text: str) -> tuple[tuple[str, int], ...]:
    """'49151+8, 4930+8' -> (('49151', 8), ('4930', 8))."""
    return tuple((prefix, int(count)) for prefix, count in (item.split("+") for item in words(text)))


GLOBAL_MAIL_DOMAINS = words("gmail.com, outlook.com, yahoo.com, icloud.com, proton.me, hotmail.com")

COUNTRIES: tuple[Country, ...] = (
    Country(
        code="DE",
        culture="de",
        weight=16,
        currency="EUR",
        tld="de",
        tax_rate_basis_points=1900,
        legal_forms=words("GmbH, AG, GmbH & Co. KG, KG"),
        cities=_cities(
            "Berlin/Berlin/10###; Hamburg/Hamburg/20###; München/Bayern/80###; Köln/Nordrhein-Westfalen/50###;"
            "Frankfurt am Main/Hessen/60###; Stuttgart/Baden-Württemberg/70###; Leipzig/Sachsen/04###;"
            "Düsseldorf/Nordrhein-Westfalen/40###"
        ),
        mobile_ranges=_ranges("49151+8, 49152+8, 49160+7, 49170+7, 49176+8"),
        landline_ranges=_ranges("4930+8, 4940+8, 4989+8, 4969+8"),
        mail_domains=words("web.de, gmx.de, t-online.de"),
    ),
    Country(
        code="US",
        culture="en",
        weight=14,
        currency="USD",
        tld="com",
        tax_rate_basis_points=0,
        legal_forms=words("Inc., LLC, Corp."),
        cities=_cities(
            "New York/NY/100##; San Francisco/CA/941##; Chicago/IL/606##; Boston/MA/021##; Seattle/WA/981##;"
            "Austin/TX/787##; Denver/CO/802##; Washington/DC/200##"
        ),
        mobile_ranges=_ranges(
            "12125+6, 14155+6, 13122+6, 16174+6, 12064+6, 15125+6, 13035+6, 12024+6, 16469+6"
        ),
        landline_ranges=_ranges("12122+6, 14158+6, 13122+6, 16174+6"),
        mail_domains=words("aol.com, comcast.net"),
    ),
    Country(
        code="GB",
        culture="en",
        weight=11,
        currency="GBP",
        tld="co.uk",
        tax_rate_basis_points=2000,
        legal_forms=words("Ltd, plc"),
        cities=_cities(
            "London/England/SW1A #@@; Manchester/England/M# #@@; Birmingham/England/B# #@@;"
            "Edinburgh/Scotland/EH# #@@; Bristol/England/BS# #@@; Leeds/England/LS# #@@"
        ),
        mobile_ranges=_ranges("447400+6, 447500+6, 447800+6, 447900+6"),
        landline_ranges=_ranges("44207+7, 44203+7, 44161+7"),
        mail_domains=words("btinternet.com, yahoo.co.uk, sky.com"),
    ),
    Country(
        code="FR",
        culture="fr",
        weight=10,
        currency="EUR",
        tld="fr",
        tax_rate_basis_points=2000,
        legal_forms=words("SAS, SA, SARL"),
        cities=_cities(
            "Paris/Île-de-France/750##; Lyon/Auvergne-Rhône-Alpes/6900#; Marseille/Provence-Alpes-Côte d'Azur/130##;"
            "Toulouse/Occitanie/310##; Bordeaux/Nouvelle-Aquitaine/330##; Lille/Hauts-de-France/590##;"
            "Nantes/Pays de la Loire/440##"
        ),
        mobile_ranges=_ranges("3361+7, 3362+7, 3365+7, 3367+7, 3368+7"),
        landline_ranges=_ranges("3314+7, 3315+7, 3344+7, 3356+7"),
        mail_domains=words("orange.fr, free.fr, laposte.net, wanadoo.fr"),
    ),
    Country(
        code="NL",
        culture="nl",
        weight=6,
        currency="EUR",
        tld="nl",
        tax_rate_basis_points=2100,
        legal_forms=words("B.V., N.V."),
        cities=_cities(
            "Amsterdam/Noord-Holland/10## @@; Rotterdam/Zuid-Holland/30## @@; Utrecht/Utrecht/35## @@;"
            "Den Haag/Zuid-Holland/25## @@; Eindhoven/Noord-Brabant/56## @@"
        ),
        mobile_ranges=_ranges("3161+7, 3162+7, 3164+7, 3165+7"),
        landline_ranges=_ranges("3120+7, 3110+7, 3130+7, 3170+7"),
        mail_domains=words("ziggo.nl, kpnmail.nl"),
    ),
    Country(
        code="ES",
        culture="es",
        weight=6,
        currency="EUR",
        tld="es",
        tax_rate_basis_points=2100,
        legal_forms=words("S.L., S.A."),
        cities=_cities(
            "Madrid/Comunidad de Madrid/280##; Barcelona/Cataluña/080##; Valencia/Comunidad Valenciana/460##;"
            "Sevilla/Andalucía/410##; Bilbao/País Vasco/480##; Málaga/Andalucía/290##"
        ),
        mobile_ranges=_ranges("3461+7, 3462+7, 3465+7, 3467+7"),
        landline_ranges=_ranges("3491+7, 3493+7, 3496+7"),
        mail_domains=words("telefonica.net, yahoo.es"),
    ),
    Country(
        code="IT",
        culture="it",
        weight=6,
        currency="EUR",
        tld="it",
        tax_rate_basis_points=2200,
        legal_forms=words("S.r.l., S.p.A."),
        cities=_cities(
            "Milano/Lombardia/201##; Roma/Lazio/001##; Torino/Piemonte/101##; Napoli/Campania/801##;"
            "Bologna/Emilia-Romagna/401##; Firenze/Toscana/501##"
        ),
        mobile_ranges=_ranges("39320+7, 39333+7, 39347+7, 39348+7"),
        landline_ranges=_ranges("3902+8, 39061+7, 39064+7"),
        mail_domains=words("libero.it, virgilio.it, tiscali.it"),
    ),
    Country(
        code="AT",
        culture="de",
        weight=4,
        currency="EUR",
        tld="at",
        tax_rate_basis_points=2000,
        legal_forms=words("GmbH, AG"),
        cities=_cities(
            "Wien/Wien/1###; Graz/Steiermark/8###; Linz/Oberösterreich/4###; Salzburg/Salzburg/5###"
        ),
        mobile_ranges=_ranges("43664+7, 43676+7"),
        landline_ranges=_ranges("4315+7, 43316+6"),
        mail_domains=words("gmx.at, aon.at"),
    ),
    Country(
        code="CH",
        culture="de",
        weight=4,
        currency="CHF",
        tld="ch",
        tax_rate_basis_points=810,
        legal_forms=words("AG, GmbH, SA"),
        cities=_cities(
            "Zürich/Zürich/8###; Genève/Genève/12##; Basel/Basel-Stadt/40##; Bern/Bern/30##; Lausanne/Vaud/10##"
        ),
        mobile_ranges=_ranges("4176+7, 4178+7, 4179+7"),
        landline_ranges=_ranges("4144+7, 4122+7, 4161+7, 4131+7"),
        mail_domains=words("bluewin.ch, gmx.ch"),
    ),
    Country(
        code="PL",
        culture="pl",
        weight=4,
        currency="PLN",
        tld="pl",
        tax_rate_basis_points=2300,
        legal_forms=words("sp. z o.o., S.A."),
        cities=_cities(
            "Warszawa/mazowieckie/00-###; Kraków/małopolskie/30-###; Wrocław/dolnośląskie/50-###;"
            "Gdańsk/pomorskie/80-###; Poznań/wielkopolskie/60-###"
        ),
        mobile_ranges=_ranges("4850+7, 4851+7, 4860+7, 4869+7"),
        landline_ranges=_ranges("4822+7, 4812+7, 4871+7"),
        mail_domains=words("wp.pl, onet.pl, o2.pl"),
    ),
    Country(
        code="BE",
        culture="fr",
        weight=3,
        currency="EUR",
        tld="be",
        tax_rate_basis_points=2100,
        legal_forms=words("SA, BV, SRL"),
        cities=_cities(
            "Bruxelles/Bruxelles-Capitale/10##; Antwerpen/Antwerpen/20##; Gent/Oost-Vlaanderen/90##; Liège/Liège/40##"
        ),
        mobile_ranges=_ranges("32470+6, 32475+6, 32496+6"),
        landline_ranges=_ranges("3222+6, 3232+6"),
        mail_domains=words("skynet.be, telenet.be"),
    ),
    Country(
        code="SE",
        culture="nordic",
        weight=3,
        currency="SEK",
        tld="se",
        tax_rate_basis_points=2500,
        legal_forms=words("AB"),
        cities=_cities(
            "Stockholm/Stockholms län/1## ##; Göteborg/Västra Götaland/4## ##; Malmö/Skåne/2## ##"
        ),
        mobile_ranges=_ranges("4670+7, 4672+7, 4673+7"),
        landline_ranges=_ranges("468+7, 4631+7"),
        mail_domains=words("telia.com, bredband.net"),
    ),
    Country(
        code="CA",
        culture="en",
        weight=3,
        currency="CAD",
        tld="ca",
        tax_rate_basis_points=500,
        legal_forms=words("Inc., Ltd."),
        cities=_cities("Toronto/ON/M5V #@#; Vancouver/BC/V6B #@#; Montréal/QC/H2X #@#"),
        mobile_ranges=_ranges("14162+6, 14165+6, 16043+6, 15142+6"),
        landline_ranges=_ranges("14162+6, 16043+6"),
        mail_domains=words("rogers.com, sympatico.ca"),
    ),
    Country(
        code="IE",
        culture="en",
        weight=2,
        currency="EUR",
        tld="ie",
        tax_rate_basis_points=2300,
        legal_forms=words("Ltd, DAC"),
        cities=_cities("Dublin/Leinster/D02 @###; Cork/Munster/T12 @###; Galway/Connacht/H91 @###"),
        mobile_ranges=_ranges("35385+7, 35386+7, 35387+7"),
        landline_ranges=_ranges("3531+7"),
        mail_domains=words("eircom.net"),
    ),
    Country(
        code="DK",
        culture="nordic",
        weight=2,
        currency="DKK",
        tld="dk",
        tax_rate_basis_points=2500,
        legal_forms=words("A/S, ApS"),
        cities=_cities("København/Hovedstaden/1###; Aarhus/Midtjylland/8###; Odense/Syddanmark/5###"),
        mobile_ranges=_ranges("45205+5, 45284+5, 45414+5"),
        landline_ranges=_ranges("45331+5, 45861+5"),
        mail_domains=words("mail.dk, jubii.dk"),
    ),
    Country(
        code="NO",
        culture="nordic",
        weight=2,
        currency="NOK",
        tld="no",
        tax_rate_basis_points=2500,
        legal_forms=words("AS, ASA"),
        cities=_cities("Oslo/Oslo/0###; Bergen/Vestland/5###; Trondheim/Trøndelag/7###"),
        mobile_ranges=_ranges("479+7, 4741+6"),
        landline_ranges=_ranges("4722+6"),
        mail_domains=words("online.no, getmail.no"),
    ),
    Country(
        code="PT",
        culture="pt",
        weight=2,
        currency="EUR",
        tld="pt",
        tax_rate_basis_points=2300,
        legal_forms=words("Lda., S.A."),
        cities=_cities("Lisboa/Lisboa/1###-###; Porto/Porto/4###-###; Braga/Braga/47##-###"),
        mobile_ranges=_ranges("35191+7, 35193+7, 35196+7"),
        landline_ranges=_ranges("35121+7, 35122+7"),
        mail_domains=words("sapo.pt, clix.pt"),
    ),
)

COUNTRY_WEIGHTS = np.array([country.weight for country in COUNTRIES], dtype=float) / sum(
    country.weight for country in COUNTRIES
)


class PhoneRanges:
    """Every country's ranges of one kind (mobile or landline) flattened into arrays, so that numbers
    for a million people are drawn with a handful of numpy operations."""

    def __init__(self, ranges_by_country: list[tuple[tuple[str, int], ...]]) -> None:
        flat = [item for ranges in ranges_by_country for item in ranges]
        self.counts = np.array([len(ranges) for ranges in ranges_by_country])
        self.offsets = group_offsets(self.counts)
        self.prefixes = np.array([int(prefix) for prefix, _ in flat], dtype=np.int64)
        self.powers = np.array([10**digits for _, digits in flat], dtype=np.int64)

    def draw(self, rng: np.random.Generator, country: np.ndarray) -> np.ndarray:
        """E.164 digits (without '+') as int64, one per entry of ``country`` (indexes into COUNTRIES)."""
        which = self.offsets[country] + rng.integers(0, self.counts[country])
        return self.prefixes[which] * self.powers[which] + rng.integers(0, self.powers[which])


MOBILE = PhoneRanges([country.mobile_ranges for country in COUNTRIES])
LANDLINE = PhoneRanges([country.landline_ranges for country in COUNTRIES])


def e164(digits: np.ndarray) -> list[str]:
    return ["+" + str(number) for number in digits.tolist()]


def postal_code(template: str, draws: list[int]) -> str:
    """Fill a template from random integers: '#' a digit, '@' a letter."""
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    out = []
    position = 0
    for char in template:
        if char == "#":
            out.append(str(draws[position] % 10))
            position += 1
        elif char == "@":
            out.append(letters[draws[position] % len(letters)])
            position += 1
        else:
            out.append(char)
    return "".join(out)
