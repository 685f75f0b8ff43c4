"""Built-in word lists for the demo data: people's names by culture, streets, company name parts, job
titles, sales reps, tags, acquisition sources and the wording of interactions and tasks.

Shipped with Accord (Faker is a development dependency only) and kept small: realism comes from
combining them with weights, not from their length. Lists are comma-separated text so that they stay
compact under the formatter; ``words`` splits them.
"""

from __future__ import annotations


def words(text: str) -> tuple[str, ...]:
    """'Anna, de Vries,\n  Müller' -> ('Anna', 'de Vries', 'Müller'); whitespace inside a name is collapsed."""
    return tuple(" ".join(item.split()) for item in text.split(",") if item.strip())


def words_by_key(texts: dict[str, str]) -> dict[str, tuple[str, ...]]:
    return {key: words(text) for key, text in texts.items()}


# Given and family names by culture; accented spellings on purpose (search, sorting and email
# normalisation meet them from the first run).
GIVEN_NAMES = words_by_key(
    {
        "en": """
            James, Mary, Robert, Patricia, John, Jennifer, Michael, Linda, David, Elizabeth, William, Susan,
            Richard, Jessica, Thomas, Sarah, Charles, Karen, Daniel, Emily, Matthew, Olivia, Anthony,
            Sophie, Andrew, Chloe, Joshua, Grace, Oliver, Amelia, Siobhan, Aoife, Liam, Niamh
        """,
        "de": """
            Lukas, Anna, Jonas, Lea, Felix, Hannah, Maximilian, Lena, Paul, Marie, Jürgen, Sabine, Stefan,
            Katrin, Andreas, Julia, Matthias, Christine, Tobias, Birgit, Jörg, Ute, Uwe, Claudia, Sebastian,
            Franziska, Moritz, Jana, Florian, Anja, Björn, Käthe, Günther, Sören
        """,
        "fr": """
            Jean, Marie, Pierre, Camille, Louis, Chloé, Hugo, Léa, Théo, Manon, François, Hélène, Stéphane,
            Élodie, Jérôme, Céline, Nicolas, Amélie, Antoine, Inès, Benoît, Noémie, Mathieu, Aurélie,
            Thierry, Sébastien, Valérie, Gaëlle, Loïc, Zoé
        """,
        "es": """
            José, María, Antonio, Carmen, Manuel, Lucía, Javier, Sofía, David, Elena, Sergio, Paula, Álvaro,
            Marta, Pablo, Laura, Alejandro, Cristina, Jesús, Núria, Andrés, Raquel, Ramón, Inés, Íñigo,
            Begoña, Óscar, Ángela
        """,
        "it": """
            Giuseppe, Maria, Giovanni, Anna, Antonio, Francesca, Marco, Giulia, Luca, Chiara, Alessandro,
            Sara, Andrea, Valentina, Matteo, Elisa, Lorenzo, Federica, Nicolò, Martina, Davide, Silvia,
            Stefano, Alessia, Riccardo, Ilaria, Fabrizio, Noemi
        """,
        "nl": """
            Daan, Emma, Sem, Julia, Lucas, Sophie, Bram, Tess, Thijs, Fleur, Jeroen, Anouk, Pieter, Sanne,
            Joost, Lotte, Maarten, Eline, Ruud, Ingrid, Sjoerd, Noor, Wouter, Floor, Stijn, Maaike
        """,
        "nordic": """
            Erik, Anna, Lars, Ingrid, Johan, Astrid, Nils, Sigrid, Magnus, Maja, Björn, Åsa, Søren, Ida,
            Mikkel, Freja, Jørgen, Liv, Anders, Kari, Ole, Märta, Håkan, Ebba, Gustav, Linnéa
        """,
        "pl": """
            Jan, Anna, Piotr, Katarzyna, Krzysztof, Małgorzata, Andrzej, Agnieszka, Tomasz, Barbara, Paweł,
            Ewa, Michał, Magdalena, Łukasz, Joanna, Marcin, Zofia, Grzegorz, Dorota, Wojciech, Aleksandra,
            Jakub, Beata
        """,
        "pt": """
            João, Maria, José, Ana, António, Beatriz, Francisco, Inês, Rui, Mariana, Tiago, Sofia, Gonçalo,
            Leonor, Duarte, Margarida, Nuno, Catarina, Simão, Carolina
        """,
    }
)


FAMILY_NAMES = words_by_key(
    {
        "en": """
            Smith, Johnson, Williams, Brown, Jones, Miller, Davis, Wilson, Anderson, Taylor, Thomas, Moore,
            Martin, Jackson, Thompson, White, Harris, Clark, Lewis, Walker, Young, Allen, King, Wright,
            Scott, Green, Baker, Adams, Nelson, Hill, O'Brien, O'Connor, Murphy, Kelly, Evans, Roberts,
            Hughes, Edwards, Cooper, Ward
        """,
        "de": """
            Müller, Schmidt, Schneider, Fischer, Weber, Meyer, Wagner, Becker, Schulz, Hoffmann, Schäfer,
            Koch, Bauer, Richter, Klein, Wolf, Schröder, Neumann, Schwarz, Zimmermann, Braun, Krüger,
            Hofmann, Hartmann, Lange, Schmitt, Werner, Krause, Köhler, Böhm, Jäger, Groß, Weiß, Fuchs,
            Vogel, Keller, Lehmann
        """,
        "fr": """
            Martin, Bernard, Dubois, Thomas, Robert, Richard, Petit, Durand, Leroy, Moreau, Simon, Laurent,
            Lefèvre, Michel, Garcia, David, Bertrand, Roux, Vincent, Fournier, Morel, Girard, André,
            Mercier, Dupont, Lambert, Bonnet, François, Faure, Rousseau, Gauthier, Chevalier, Lemaître,
            Bélanger
        """,
        "es": """
            García, Fernández, González, Rodríguez, López, Martínez, Sánchez, Pérez, Gómez, Martín, Jiménez,
            Ruiz, Hernández, Díaz, Moreno, Muñoz, Álvarez, Romero, Alonso, Gutiérrez, Navarro, Torres,
            Domínguez, Vázquez, Ramos, Gil, Ramírez, Serrano, Blanco, Castaño
        """,
        "it": """
            Rossi, Russo, Ferrari, Esposito, Bianchi, Romano, Colombo, Ricci, Marino, Greco, Bruno, Gallo,
            Conti, De Luca, Mancini, Costa, Giordano, Rizzo, Lombardi, Moretti, Barbieri, Fontana, Santoro,
            Mariani, Rinaldi, Caruso, Ferrara, Galli, Martini, Leone, Niccolò, D'Angelo
        """,
        "nl": """
            de Jong, Jansen, de Vries, van den Berg, van Dijk, Bakker, Janssen, Visser, Smit, Meijer, de
            Boer, Mulder, de Groot, Bos, Vos, Peters, Hendriks, van Leeuwen, Dekker, Brouwer, de Wit,
            Dijkstra, Smits, de Graaf, van der Meer, Kok
        """,
        "nordic": """
            Andersson, Johansson, Karlsson, Nilsson, Eriksson, Larsson, Olsson, Persson, Svensson,
            Gustafsson, Jensen, Nielsen, Hansen, Pedersen, Sørensen, Rasmussen, Jørgensen, Olsen, Johansen,
            Berg, Haugen, Bjørnstad, Lindqvist, Åberg, Öberg, Ström, Ødegaard, Lindström
        """,
        "pl": """
            Nowak, Kowalski, Wiśniewski, Wójcik, Kowalczyk, Kamiński, Lewandowski, Zieliński, Szymański,
            Woźniak, Dąbrowski, Kozłowski, Jankowski, Mazur, Kwiatkowski, Krawczyk, Piotrowski, Grabowski,
            Nowakowski, Pawłowski, Michalski, Król, Wieczorek, Jabłoński
        """,
        "pt": """
            Silva, Santos, Ferreira, Pereira, Oliveira, Costa, Rodrigues, Martins, Jesus, Sousa, Fernandes,
            Gonçalves, Gomes, Lopes, Marques, Alves, Almeida, Ribeiro, Pinto, Carvalho, Teixeira, Moreira,
            Correia, Mendes, Simões, Conceição
        """,
    }
)


STREETS = words_by_key(
    {
        "en": """
            Main Street, High Street, Oak Avenue, Park Road, Church Lane, Market Street, Victoria Road, Elm
            Street, Station Road, Mill Lane, Broadway, King Street
        """,
        "de": """
            Hauptstraße, Bahnhofstraße, Schillerstraße, Gartenweg, Lindenallee, Goethestraße, Marktplatz,
            Industriestraße, Am Hafen, Mühlenweg, Königsallee, Friedrichstraße
        """,
        "fr": """
            rue de la Paix, avenue Victor Hugo, boulevard Saint-Michel, rue du Marché, place de l'Église,
            rue des Écoles, avenue Jean Jaurès, quai de la Gare, rue Pasteur
        """,
        "es": """
            Calle Mayor, Gran Vía, Avenida de la Constitución, Calle del Sol, Paseo de Gracia, Calle de
            Alcalá, Plaza de España, Calle Real, Avenida Diagonal
        """,
        "it": """
            Via Roma, Corso Italia, Via Garibaldi, Piazza del Duomo, Via Dante, Viale Europa, Via Mazzini,
            Corso Vittorio Emanuele, Via della Libertà
        """,
        "nl": """
            Kerkstraat, Dorpsstraat, Stationsweg, Molenweg, Prinsengracht, Herengracht, Hoofdstraat,
            Marktplein, Industrieweg
        """,
        "nordic": """
            Storgatan, Drottninggatan, Kungsgatan, Strøget, Nørregade, Karl Johans gate, Vesterbrogade,
            Hamngatan, Østergade
        """,
        "pl": """
            ulica Marszałkowska, ulica Długa, ulica Piotrkowska, aleja Jerozolimskie, ulica Floriańska,
            ulica Świętojańska, plac Zamkowy, ulica Mickiewicza
        """,
        "pt": """
            Rua Augusta, Avenida da Liberdade, Rua do Comércio, Rua de Santa Catarina, Praça do Comércio,
            Rua Garrett, Avenida dos Aliados
        """,
    }
)

# First word(s) of a company name, followed by a business word and a legal form.
COMPANY_PREFIXES = words(
    """
    Nordwind, Blue Harbor, Alpenglow, Silverline, Redwood, Brightwater, Ironbridge, Sunfield, Greenleaf,
    Northstar, Westbrook, Eastgate, Highland, Oakridge, Riverbend, Stonegate, Clearview, Bluepeak,
    Goldcrest, Summit, Pioneer, Horizon, Vertex, Quantum, Nimbus, Atlas, Orion, Helix, Lumen, Polaris,
    Vantage, Keystone, Cobalt, Crimson, Emerald, Sapphire, Amber, Falcon, Kestrel, Heron, Lynx, Otter,
    Fjord, Tundra, Sierra, Mistral, Sirocco, Zephyr, Aurora, Solstice, Meridian, Equinox, Paragon, Pinnacle,
    Beacon, Harbour, Lighthouse, Compass, Anchor, Granite, Basalt, Quarz, Kupfer, Eisberg, Sonnenhof,
    Lindenhof, Rheintal, Elbtal, Bergblick, Seeblick, Montblanc, Belle Rive, Côte d'Azur, Lumière, Étoile,
    Soleil, Rivière, Bosque, Mirador, Sol y Mar, Costa Brava, Aurelia, Castello, Fontana, Vela, Stella,
    Oranje, Polder, Tulip, Delta, Vikingr, Nordlys, Fjell, Skog, Wisła, Tatra, Bursztyn, Atlântico, Douro,
    Tejo
    """
)

# Business words of company names by the industry they stand for: 'Nordwind Logistics GmbH'.
COMPANY_BUSINESSES: dict[str, tuple[str, ...]] = {
    "Transportation & logistics": words("Logistics, Freight"),
    "Software": words("Systems, Software, Digital, Analytics"),
    "Telecommunications": words("Networks, Telecom"),
    "Food & beverage": words("Foods, Brewery, Bakery, Coffee Roasters"),
    "Pharmaceuticals": words("Pharma"),
    "Biotechnology": words("Biotech"),
    "Healthcare": words("Medical, Clinics"),
    "Energy & utilities": words("Energy, Solar, Wind Power"),
    "Construction": words("Construction, Builders"),
    "Architecture": words("Architects"),
    "Engineering": words("Engineering"),
    "Manufacturing": words("Manufacturing, Tools"),
    "Textiles & apparel": words("Textiles, Fashion"),
    "Furniture": words("Furniture"),
    "Retail": words("Retail, Stores"),
    "Professional services": words("Consulting, Partners"),
    "Legal services": words("Legal"),
    "Financial services": words("Capital"),
    "Insurance": words("Insurance"),
    "Banking": words("Bank"),
    "Real estate": words("Properties, Estates"),
    "Media & publishing": words("Media, Publishing, Studios"),
    "Travel & hospitality": words("Travel, Hotels"),
    "Education": words("Education, Academy"),
    "Automotive": words("Automotive, Motors"),
    "Chemicals": words("Chemicals"),
    "Agriculture": words("Agrar, Farms"),
    "Maritime": words("Marine"),
    "Aerospace": words("Aerospace"),
    "Security": words("Security"),
    "Industrial automation": words("Robotics"),
    "Research": words("Labs"),
}


JOB_TITLES = words(
    """
    Chief Executive Officer, Managing Director, Chief Financial Officer, Chief Technology Officer, Head of
    Purchasing, Procurement Manager, IT Manager, Head of Operations, Office Manager, Sales Director,
    Marketing Manager, Head of Marketing, Project Manager, Product Manager, Software Engineer, Accountant,
    Controller, HR Manager, Facility Manager, Buyer, Logistics Coordinator, Customer Service Lead, Team
    Assistant, Business Analyst, Geschäftsführerin, Einkaufsleiter, Directeur commercial, Responsable
    achats, Jefe de compras, Responsabile acquisti
    """
)
# Sales reps who own the demo records: (username, given name, family name); some carry more accounts.
SALES_REPS: tuple[tuple[str, str, str], ...] = (
    ("anna.schmidt", "Anna", "Schmidt"),
    ("james.miller", "James", "Miller"),
    ("sophie.dubois", "Sophie", "Dubois"),
    ("lucas.garcia", "Lucas", "García"),
    ("giulia.rossi", "Giulia", "Rossi"),
    ("daan.devries", "Daan", "de Vries"),
    ("ingrid.johansson", "Ingrid", "Johansson"),
    ("piotr.nowak", "Piotr", "Nowak"),
    ("emily.clarke", "Emily", "Clarke"),
    ("jorg.bauer", "Jörg", "Bauer"),
)
SALES_REP_WEIGHTS: tuple[float, ...] = (14, 13, 12, 11, 10, 10, 9, 8, 7, 6)

TAGS = words(
    """
    vip, newsletter, partner, churn-risk, trade-fair-2025, enterprise, smb, decision-maker, key-account,
    reseller, webinar, beta-tester
    """
)
TAG_COLORS = words(
    "#b91c1c, #2563eb, #7c3aed, #ea580c, #0891b2, #1e3a8a, #15803d, #a16207, #be185d, #4d7c0f, #0f766e, #6b7280"
)

# How contacts found us: source -> (channel, weight).
ACQUISITION: dict[str, tuple[str, float]] = {
    "google": ("organic", 22),
    "google-ads": ("paid", 12),
    "linkedin": ("social", 9),
    "linkedin-ads": ("paid", 5),
    "newsletter": ("email", 10),
    "referral": ("referral", 11),
    "partner": ("partner", 7),
    "trade-fair-2024": ("event", 5),
    "trade-fair-2025": ("event", 5),
    "webinar": ("event", 6),
    "website": ("direct", 6),
    "cold-call": ("outbound", 2),
}

LEAD_SOURCES = words("web form, trade fair, purchased list, webinar, referral, chat, linkedin, cold call")
DISQUALIFIED_REASONS = words(
    """
    No budget, No need, Already a customer of a competitor, Wrong contact person, Unreachable, Too small,
    Student or private person, Duplicate
    """
)
LOST_REASONS = words(
    """
    Price too high, Chose a competitor, No decision, Project postponed, Budget cut, Missing feature,
    Champion left the company
    """
)
DEAL_ROLES = words("Decision maker, Champion, Influencer, Technical buyer, Economic buyer")

# What a deal is about, by pipeline: "<company> – <offering>".
DEAL_OFFERINGS = words_by_key(
    {
        "New business": """
            Office equipment, IT hardware refresh, Workplace rollout, Service contract, Consulting project,
            Software licences, Pilot project, Framework agreement
        """,
        "Renewals": "Annual renewal, Service contract renewal, Licence renewal, Support renewal",
        "Partners": "Reseller agreement, Referral partnership, Distribution deal, Co-marketing agreement",
    }
)

INTERACTION_SUBJECTS = words_by_key(
    {
        "call": "Intro call, Follow-up call, Pricing question, Check-in, Support callback, Renewal call",
        "email": """
            Your quote, Re: delivery date, Invoice question, Meeting notes, Product information,
            Re: contract draft, Thank you for your order
        """,
        "meeting": "Kick-off meeting, Product demo, Quarterly review, Negotiation, Workshop",
        "chat": "Website chat, Question about shipping, Login problem, Price inquiry",
        "web_visit": "Visited pricing page, Visited product page, Read the case study, Downloaded brochure",
        "form": "Contact form, Demo request, Newsletter sign-up, Quote request",
        "social": "LinkedIn message, Commented on our post, Mentioned us, Direct message",
        "letter": "Contract sent by post, Catalogue mailing, Signed order form, Season's greetings card",
        "visit": "Visited their site, Showroom visit, On-site installation, Trade fair booth visit",
        "note": "Internal note, Account plan, Call preparation, Competitor intelligence",
    }
)
# One sentence a line.
INTERACTION_BODIES: tuple[str, ...] = tuple(
    line.strip()
    for line in """
    Discussed next steps; they want a revised offer by the end of the month.
    The customer is happy with the last delivery and asked about volume discounts.
    Left a voicemail and will try again on Thursday.
    They are comparing us with two competitors and price is the main concern.
    Agreed on a pilot with ten seats.
    Sent the brochure and the price list as requested.
    The decision is expected after their board meeting.
    Asked for references from their industry.
    """.strip().splitlines()
)
# Outcomes by interaction kind; kinds without an entry have none.
INTERACTION_OUTCOMES = words_by_key(
    {
        "call": "connected, voicemail, no answer, interested, not interested, call back later",
        "meeting": "interested, follow-up scheduled, proposal requested, no fit",
        "visit": "interested, follow-up scheduled",
        "chat": "resolved, forwarded to sales",
    }
)

# Task titles by what the task is about; "{name}" is that record's name.
TASK_TITLES = words_by_key(
    {
        "contact": """
            Call {name} back, Send {name} the price list, Book a demo with {name}, Check in with {name},
            Send a thank-you note to {name}
        """,
        "company": """
            Update the account plan for {name}, Prepare the quarterly review with {name},
            Check open invoices of {name}, Plan a visit to {name}
        """,
        "deal": """
            Send the proposal for {name}, Follow up on {name}, Prepare the contract for {name},
            Clarify the budget for {name}
        """,
        "lead": "Qualify {name}, First call with {name}, Research {name}",
    }
)
