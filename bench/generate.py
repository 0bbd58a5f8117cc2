#!/usr/bin/env python3
"""Deterministic benchmark data for the OGP API, one table at a time, as PostgreSQL COPY CSV.

    bench/generate.py --scale realistic|large --seed N --table TABLE   > rows.csv
    bench/generate.py --scale large --table milestones --count          # expected row count
    bench/generate.py --table irm_findings --columns                    # the CSV's column list

The CSV has a header line, NULL is an empty unquoted field (COPY's CSV default), and rows get
ids 1..N in file order (written explicitly), so a child's parent id is the parent's position in
its own file. Every table's generator recomputes the shared structure (countries -> plans ->
commitments, cheap, from random.Random(seed)) and then draws its own rows from
random.Random(seed + table offset), so a table's output depends only on (scale, seed) and never
on the other tables' rows.

OGP Local (issue 17): about 150 local members for the countries (about 40 % of countries none,
at most 8 each), and their plans after the national ones (ids continue): 1-3 per member by
cohort, 3-7 commitments each (mode 5), IRM findings only on the 2017 pilot plans (an end-of-term
report, as the API stores the pilot's "Final Report") and the 2018-2021 plans (design reports).
A local plan's number counts within its member; its commitments' references are "L<member>
<seq>". The national rows of a seed are those it gave before local members existed.

The rows satisfy every constraint of migrations/*/up.sql: enums, the one-assessment-per
(commitment, report) and one-process/summary-per-(plan, report) indexes, recommendation
positions, the composite (commitment_id, action_plan_id) key, and the IRM's eras
(docs/irm-method.md, migration ..._irm_eras):

- each plan gets the report types of its period (`report_names`): progress reports for plans
  of 2011-2015, mid-term and end-of-term reports for 2014-2017, design, implementation,
  transitional results and results reports for 2017-2020, co-creation briefs, action plan
  reviews and results reports from 2020;
- each report type rates only its era's indicators (src/resources/irm_findings/eras.rs
  INDICATORS): a co-creation brief has no assessments, a commitment found not verifiable has no
  further ratings, results reports rate early results for plans from 2021 and "did it open
  government?" before;
- every well_designed / starred verdict is what the server gives (ogp_report_year,
  ogp_well_designed_applies, ogp_starred_applies, ogp_derive_*): 'not_applicable' where the
  IRM gave none, else derived (NULL with a NULL basis when the ratings do not decide it), a few
  recorded as published with the value the rules give; potentially_starred and promising are
  published values only (their bases are generated columns);
- process findings carry their era's criteria (eras::criteria) with the verdict derived by
  ogp_derive_contrary, or only the verdict as published;
- withdrawn commitments are the commitments' `withdrawn` flag (about 2 %), not a completion.

bench/check.sql verifies a loaded database against these rules.
"""

import argparse
import csv
import datetime
import io
import random
import sys

# ---------------------------------------------------------------------------------------------
# Scales

SCALES = {
    # countries, plans, commitments, milestones per commitment (mean), and the spreads (+-) of
    # plans per country and commitments per plan around their means.
    "realistic": dict(countries=80, plans=400, commitments=5_000, milestones_per=4,
                      plan_spread=2, commitment_spread=8),
    "large": dict(countries=80, plans=20_000, commitments=1_000_000, milestones_per=4,
                  plan_spread=150, commitment_spread=35),
}

TABLES = ["countries", "local_members", "action_plans", "commitments", "milestones",
          "irm_findings"]
# Fixed per table (local members came later, issue 17): a table's rows for a seed never change
# because another table was added.
TABLE_OFFSETS = {"countries": 1000, "action_plans": 2000, "commitments": 3000,
                 "milestones": 4000, "irm_findings": 5000, "local_members": 7000}

COLUMNS = {
    "countries": ["code", "name", "region", "member_since", "membership_status",
                  "created_at", "updated_at"],
    "local_members": ["slug", "name", "country_code", "kind", "member_since",
                      "membership_status", "population", "created_at", "updated_at"],
    "action_plans": ["id", "country_code", "number", "title", "start_year", "end_year", "status",
                     "submitted_on", "public_influence", "multistakeholder_forum", "source_url",
                     "created_at", "updated_at", "local_member_slug"],
    "commitments": ["id", "action_plan_id", "number", "reference", "title", "description", "theme",
                    "lead_institution", "ogp_values", "start_date", "end_date", "withdrawn",
                    "created_at", "updated_at"],
    "milestones": ["id", "commitment_id", "position", "title", "description", "due_date", "status",
                   "completed_on", "created_at", "updated_at"],
    # potentially_starred_basis and promising_basis are generated columns: never written.
    "irm_findings": ["id", "action_plan_id", "commitment_id", "report", "kind", "title", "body",
                     "position", "published_on", "source_url",
                     # assessment indicators
                     "specificity", "relevance", "potential_impact", "potential_for_results",
                     "completion", "did_it_open_government", "verifiable", "open_government_lens",
                     "early_results",
                     # assessment verdicts
                     "well_designed", "well_designed_basis", "starred", "starred_basis",
                     "potentially_starred", "promising",
                     # process criteria and verdict
                     "no_public_engagement", "irm_not_engaged", "late_action_plan",
                     "iap2_minimum_not_met", "no_online_repository", "co_creation_minimum_not_met",
                     "no_progress_on_any_commitment", "acted_contrary_to_process",
                     "acted_contrary_to_process_basis",
                     "created_at", "updated_at"],
}

FIRST_YEAR, LAST_YEAR = 2011, 2024  # plan start years
STARRED_MODERATE_BEFORE = 2015

# ---------------------------------------------------------------------------------------------
# Vocabulary

# (code, name, region, language): 80 OGP members, past and present.
COUNTRIES = [
    ("ARG", "Argentina", "americas", "es"), ("BRA", "Brazil", "americas", "en"),
    ("CAN", "Canada", "americas", "en"), ("CHL", "Chile", "americas", "es"),
    ("COL", "Colombia", "americas", "es"), ("CRI", "Costa Rica", "americas", "es"),
    ("DOM", "República Dominicana", "americas", "es"), ("ECU", "Ecuador", "americas", "es"),
    ("SLV", "El Salvador", "americas", "es"), ("GTM", "Guatemala", "americas", "es"),
    ("HND", "Honduras", "americas", "es"), ("JAM", "Jamaica", "americas", "en"),
    ("MEX", "Mexico", "americas", "es"), ("PAN", "Panamá", "americas", "es"),
    ("PRY", "Paraguay", "americas", "es"), ("PER", "Perú", "americas", "es"),
    ("TTO", "Trinidad and Tobago", "americas", "en"), ("URY", "Uruguay", "americas", "es"),
    ("USA", "United States", "americas", "en"),
    ("ALB", "Albania", "europe", "en"), ("ARM", "Armenia", "europe", "en"),
    ("AZE", "Azerbaijan", "europe", "en"), ("BIH", "Bosnia and Herzegovina", "europe", "en"),
    ("BGR", "Bulgaria", "europe", "en"), ("HRV", "Croatia", "europe", "en"),
    ("CZE", "Czech Republic", "europe", "en"), ("DNK", "Denmark", "europe", "en"),
    ("EST", "Estonia", "europe", "en"), ("FIN", "Finland", "europe", "en"),
    ("FRA", "France", "europe", "en"), ("GEO", "Georgia", "europe", "en"),
    ("DEU", "Germany", "europe", "en"), ("GRC", "Greece", "europe", "en"),
    ("HUN", "Hungary", "europe", "en"), ("IRL", "Ireland", "europe", "en"),
    ("ITA", "Italy", "europe", "en"), ("LVA", "Latvia", "europe", "en"),
    ("LTU", "Lithuania", "europe", "en"),
    ("MDA", "Moldova", "europe", "en"), ("MNE", "Montenegro", "europe", "en"),
    ("NLD", "Netherlands", "europe", "en"), ("MKD", "North Macedonia", "europe", "en"),
    ("NOR", "Norway", "europe", "en"), ("POL", "Poland", "europe", "en"),
    ("PRT", "Portugal", "europe", "en"), ("ROU", "Romania", "europe", "en"),
    ("SRB", "Serbia", "europe", "en"), ("SVK", "Slovak Republic", "europe", "en"),
    ("ESP", "España", "europe", "es"), ("SWE", "Sweden", "europe", "en"),
    ("TUR", "Türkiye", "europe", "en"), ("UKR", "Ukraine", "europe", "en"),
    ("GBR", "United Kingdom", "europe", "en"),
    ("BFA", "Burkina Faso", "africa_middle_east", "en"),
    ("CPV", "Cabo Verde", "africa_middle_east", "en"),
    ("CIV", "Côte d'Ivoire", "africa_middle_east", "en"),
    ("GHA", "Ghana", "africa_middle_east", "en"), ("ISR", "Israel", "africa_middle_east", "en"),
    ("JOR", "Jordan", "africa_middle_east", "en"), ("KEN", "Kenya", "africa_middle_east", "en"),
    ("LBR", "Liberia", "africa_middle_east", "en"), ("MWI", "Malawi", "africa_middle_east", "en"),
    ("MAR", "Morocco", "africa_middle_east", "en"),
    ("NGA", "Nigeria", "africa_middle_east", "en"),
    ("SEN", "Senegal", "africa_middle_east", "en"),
    ("SYC", "Seychelles", "africa_middle_east", "en"),
    ("SLE", "Sierra Leone", "africa_middle_east", "en"),
    ("ZAF", "South Africa", "africa_middle_east", "en"),
    ("TZA", "Tanzania", "africa_middle_east", "en"),
    ("TUN", "Tunisia", "africa_middle_east", "en"),
    ("AFG", "Afghanistan", "asia_pacific", "en"), ("AUS", "Australia", "asia_pacific", "en"),
    ("IDN", "Indonesia", "asia_pacific", "en"), ("KOR", "Republic of Korea", "asia_pacific", "en"),
    ("KGZ", "Kyrgyz Republic", "asia_pacific", "en"), ("MNG", "Mongolia", "asia_pacific", "en"),
    ("NZL", "New Zealand", "asia_pacific", "en"), ("PAK", "Pakistan", "asia_pacific", "en"),
    ("PHL", "Philippines", "asia_pacific", "en"),
    ("PNG", "Papua New Guinea", "asia_pacific", "en"),
]
assert len(COUNTRIES) == 80 and len({c[0] for c in COUNTRIES}) == 80
# Countries that are not (or no longer) active members.
MEMBERSHIP = {"AFG": "inactive", "AZE": "inactive", "TUR": "withdrawn", "HUN": "withdrawn",
              "TZA": "withdrawn", "PAK": "under_review",
              "KGZ": "under_review", "MWI": "inactive"}

ORDINALS_EN = ["First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth",
               "Ninth", "Tenth"]
ORDINALS_ES = ["Primer", "Segundo", "Tercer", "Cuarto", "Quinto", "Sexto", "Séptimo", "Octavo",
               "Noveno", "Décimo"]

OGP_VALUES = ["access_to_information", "civic_participation", "public_accountability",
              "technology_and_innovation"]

TEXT = {
    "en": dict(
        verbs=["Strengthen", "Establish", "Publish", "Implement", "Develop", "Improve", "Create",
               "Expand", "Promote", "Open up", "Institutionalise", "Co-create", "Monitor",
               "Reform"],
        objects=["open data on public procurement", "a public register of beneficial ownership",
                 "citizen participation in the budget process",
                 "access to information for indigenous communities",
                 "gender-responsive public services", "transparency of public works contracts",
                 "the Open Contracting Data Standard", "the freedom of information law",
                 "whistleblower protection", "transparency of lobbying",
                 "the fiscal transparency portal", "open data on extractive industries",
                 "open justice and court data", "digital public services",
                 "the national anti-corruption strategy", "open climate and environmental data",
                 "accountability in the health sector", "open data on education spending",
                 "a national care system", "participatory local government",
                 "asset declarations of public officials", "open parliament",
                 "civic space and freedom of association", "open data on public procurement and gender"],
        quals=["at subnational level", "through a multistakeholder forum", "for women and girls",
               "in the extractive sector", "using open data standards", "with civil society",
               "in all ministries", "for persons with disabilities", "in rural municipalities",
               "before the next elections", "in line with international standards", ""],
        problem=["Information on {o} is scattered across agencies and rarely published.",
                 "Citizens and civil society have few channels to take part in decisions on {o}.",
                 "Weak oversight of {o} has been linked to corruption risks and waste.",
                 "Women and marginalised groups are under-represented in decisions on {o}.",
                 "Existing rules on {o} are not applied consistently across government."],
        action=["The commitment will {v} {o} {q}.",
                "The government will {v} {o} and publish progress reports every six months.",
                "A working group of officials and civil society will {v} {o}.",
                "The lead institution will {v} {o}, with training for public officials."],
        outcome=["This is expected to improve transparency and public trust.",
                 "Open data will let journalists and watchdogs follow public spending.",
                 "It will make procurement more competitive and reduce corruption.",
                 "Citizens will be able to hold officials accountable for results.",
                 "The gender perspective will be mainstreamed in the policy cycle."],
        themes=["Open Data", "Public Procurement", "Gender", "Access to Information",
                "Fiscal Openness", "Anti-Corruption", "Beneficial Ownership", "Civic Space",
                "Justice", "Health", "Education", "Environment and Climate",
                "Digital Governance", "Local Government", "Extractive Industries",
                "Public Service Delivery"],
        institutions=["Ministry of Finance", "Ministry of Justice", "Office of the Prime Minister",
                      "National Statistics Office", "Public Procurement Agency",
                      "Information Commissioner", "Ministry of Health", "Ministry of Education",
                      "Anti-Corruption Commission", "Ministry of Environment",
                      "Digital Government Agency", "Supreme Audit Institution",
                      "Ministry of Local Government", "Open Government Unit"],
        ms_titles=["Publish the procurement dataset in open format",
                   "Hold public consultations on the draft law",
                   "Approve the regulation on access to information",
                   "Train public officials on open data", "Launch the online portal for citizen feedback",
                   "Evaluate the results of the pilot", "Draft a methodology for gender budgeting",
                   "Set up the beneficial ownership register",
                   "Sign an action protocol with civil society", "Publish quarterly progress reports",
                   "Map the datasets held by ministries", "Create the monitoring committee"],
        ms_desc=["Completed with the participation of civil society organisations.",
                 "Evidence of completion will be published on the open government portal.",
                 "Includes at least three regional workshops.",
                 "Coordinated by the open government unit with the lead institution."],
        report_summary=["The action plan is ambitious on {o} but many commitments lack measurable milestones.",
                        "Implementation of the plan was uneven; commitments on {o} made the most progress.",
                        "The co-creation process improved, and the plan includes strong commitments on {o}."],
        recommendations=["Raise the ambition of commitments on {o}",
                         "Strengthen the multistakeholder forum",
                         "Include measurable and verifiable milestones",
                         "Publish regular progress updates on {o}",
                         "Involve subnational governments in {o}",
                         "Ensure a reasoned response to civil society proposals"],
    ),
    "es": dict(
        verbs=["Fortalecer", "Establecer", "Publicar", "Implementar", "Desarrollar", "Mejorar",
               "Crear", "Ampliar", "Promover", "Abrir", "Institucionalizar", "Cocrear",
               "Monitorear", "Reformar"],
        objects=["la transparencia en las compras públicas", "los datos abiertos de contrataciones",
                 "la participación ciudadana en el presupuesto", "el acceso a la información pública",
                 "un registro de beneficiarios finales",
                 "la rendición de cuentas de los gobiernos locales",
                 "la igualdad de género en los servicios públicos", "un sistema nacional de cuidados",
                 "la justicia abierta", "la protección de denunciantes", "el gobierno digital",
                 "la transparencia fiscal", "la gestión de los recursos naturales",
                 "la participación de los pueblos indígenas",
                 "el monitoreo ciudadano de obras públicas",
                 "la política nacional contra la desaparición forzada",
                 "los datos abiertos de salud", "la transparencia legislativa",
                 "la participación de la juventud", "la contratación abierta"],
        quals=["a nivel municipal", "con la sociedad civil", "mediante datos abiertos",
               "para mujeres y niñas", "en el sector extractivo", "con enfoque de género",
               "en todo el territorio nacional", "con participación ciudadana",
               "de acuerdo con estándares internacionales", ""],
        problem=["La información sobre {o} está dispersa y rara vez se publica.",
                 "La ciudadanía tiene pocos espacios de participación en las decisiones sobre {o}.",
                 "La débil supervisión de {o} genera riesgos de corrupción.",
                 "Las mujeres y los grupos en situación de vulnerabilidad están subrepresentados en {o}.",
                 "Las normas vigentes sobre {o} no se aplican de forma homogénea."],
        action=["El compromiso busca {v} {o} {q}.",
                "El gobierno se propone {v} {o} y publicar informes de avance semestrales.",
                "Una mesa de trabajo con la sociedad civil permitirá {v} {o}.",
                "La institución responsable va a {v} {o}, con capacitación a funcionarios."],
        outcome=["Se espera mejorar la transparencia y la confianza pública.",
                 "Los datos abiertos permitirán a periodistas y organizaciones seguir el gasto público.",
                 "La contratación será más competitiva y se reducirá la corrupción.",
                 "La ciudadanía podrá exigir rendición de cuentas sobre los resultados.",
                 "Se incorporará la perspectiva de género en todo el ciclo de la política."],
        themes=["Transparencia", "Participación ciudadana", "Datos abiertos",
                "Contrataciones públicas", "Igualdad de género", "Rendición de cuentas",
                "Justicia abierta", "Medio ambiente", "Gobierno digital", "Salud", "Educación",
                "Derechos humanos", "Integridad y anticorrupción", "Gobierno local"],
        institutions=["Secretaría de la Función Pública", "Ministerio de Hacienda",
                      "Ministerio de Justicia", "Instituto Nacional de Transparencia",
                      "Dirección de Compras Públicas", "Ministerio de Salud",
                      "Ministerio de Educación", "Contraloría General de la República",
                      "Instituto Nacional de las Mujeres", "Agencia de Gobierno Digital",
                      "Secretaría de Gobernación", "Defensoría del Pueblo"],
        ms_titles=["Publicar el conjunto de datos de contrataciones en formato abierto",
                   "Realizar consultas públicas sobre el anteproyecto de ley",
                   "Aprobar el reglamento de acceso a la información",
                   "Capacitar a funcionarios públicos en datos abiertos",
                   "Lanzar el portal de participación ciudadana", "Evaluar los resultados del piloto",
                   "Elaborar una metodología de presupuesto con enfoque de género",
                   "Poner en marcha el registro de beneficiarios finales",
                   "Firmar un protocolo de actuación con la sociedad civil",
                   "Publicar informes trimestrales de avance",
                   "Mapear los datos en poder de los ministerios", "Crear el comité de seguimiento"],
        ms_desc=["Con la participación de organizaciones de la sociedad civil.",
                 "La evidencia de cumplimiento se publicará en el portal de gobierno abierto.",
                 "Incluye al menos tres talleres regionales.",
                 "Coordinado por la unidad de gobierno abierto y la institución responsable."],
        report_summary=["El plan de acción es ambicioso en {o}, pero muchos compromisos carecen de hitos medibles.",
                        "La implementación fue desigual; los compromisos sobre {o} lograron más avances.",
                        "El proceso de cocreación mejoró y el plan incluye compromisos sólidos sobre {o}."],
        recommendations=["Elevar la ambición de los compromisos sobre {o}",
                         "Fortalecer el foro multiactor",
                         "Incluir hitos medibles y verificables",
                         "Publicar avances periódicos sobre {o}",
                         "Involucrar a los gobiernos subnacionales en {o}",
                         "Dar respuesta razonada a las propuestas de la sociedad civil"],
    ),
}

PROCESS_BODY = {
    "en": ["The government held an open consultation and a series of co-creation workshops.",
           "The multistakeholder forum met regularly but civil society reported limited influence.",
           "Consultation was limited to an online survey with few responses."],
    "es": ["El gobierno realizó una consulta abierta y mesas de cocreación con la sociedad civil.",
           "El foro multiactor sesionó con regularidad, aunque la sociedad civil reportó poca incidencia.",
           "La consulta se limitó a una encuesta en línea con escasa participación."],
}
PERFORMANCE_BODY = {
    "en": "Of the plan's commitments, several achieved substantial or complete implementation; "
          "the IRM highlights early results in {o}.",
    "es": "De los compromisos del plan, varios lograron un avance sustancial o completo; "
          "el IRM destaca resultados tempranos en {o}.",
}

REPORTS = ["progress_report", "mid_term_report", "end_of_term_report", "design_report",
           "implementation_report", "transitional_results_report", "co_creation_brief",
           "action_plan_review", "results_report"]
REPORT_SLUG = {r: r.replace("_", "-") for r in REPORTS}

ASCII = str.maketrans("áéíóúüñçô'", "aeiouunco-")


def slug(name):
    return name.lower().translate(ASCII).replace(" ", "-")


# ---------------------------------------------------------------------------------------------
# Shared structure (cheap; every table recomputes it)

def spread(total, n, dev, rng):
    """n positive counts summing exactly to total, each within +-dev of the mean."""
    counts = [total * (i + 1) // n - total * i // n for i in range(n)]
    for i in range(0, n - 1, 2):
        room = min(dev, counts[i] - 1, counts[i + 1] - 1)
        d = rng.randint(-room, room)
        counts[i] += d
        counts[i + 1] -= d
    return counts


class Plan:
    __slots__ = ("id", "country", "number", "start_year", "end_year", "status", "reports", "topic",
                 "n_commitments", "first_commitment", "country_seq", "first_milestone",
                 "n_findings", "first_finding", "seed", "member")


# ---------------------------------------------------------------------------------------------
# OGP Local (issue 17; docs/irm-method.md "OGP Local", /work/wt/research/local.md section 3):
# about 150 local members for about 75 countries, skewed (about 40 % of countries have none, a
# tail has 5-8), joining in the OGP cohorts; 1-3 plans each (pioneers of 2016 have three, the
# 2024 cohort one); 3-7 commitments per local plan, mode 5. The IRM assessed the 2017 pilot
# plans (a one-year plan, its "Final Report" stored as an end-of-term report) and the 2018-2021
# plans (design reports); later plans are assessed by Local Monitoring Bodies, not the IRM, so
# they have no IRM findings. The local structure draws from its own generator, so the national
# plans of a seed are the same as before local members existed.

LOCAL_MEMBERS = 150
LOCAL_MAX_PER_COUNTRY = 8
# Cohort (year joined) and its weight: 15 pioneers in 2016, 5 in 2018, 56 in 2020, 30 in 2022,
# 55 in 2024.
LOCAL_COHORTS = [(2016, 15), (2018, 5), (2020, 56), (2022, 30), (2024, 55)]
LOCAL_KINDS = [("municipality", 70), ("state_or_province", 15), ("region", 12), ("other", 3)]
LOCAL_KIND_NAMES = {"municipality": "City", "state_or_province": "Province",
                    "region": "Region", "other": "District"}
COMMITMENTS_PER_LOCAL_PLAN = [(3, 1), (4, 2), (5, 4), (6, 2), (7, 1)]


class Member:
    __slots__ = ("slug", "name", "country", "kind", "since", "index")


def weighted(rng, pairs):
    total = sum(w for _, w in pairs)
    r = rng.randrange(total)
    for value, w in pairs:
        if r < w:
            return value
        r -= w
    return pairs[-1][0]


def url_slug(text):
    out = "".join(c if c.isalnum() else "-" for c in text.lower().translate(ASCII))
    return "-".join(part for part in out.split("-") if part)


def build_members(countries, seed):
    """The local members: [Member], by country then number; about 40 % of countries have none."""
    rng = random.Random(seed + TABLE_OFFSETS["local_members"])
    n = len(countries)
    hosts = [ci for ci in range(n) if rng.random() >= 0.4] or [0]
    # Skewed: a Zipf-like weight per hosting country, shuffled so the tail is not the list's head.
    # (Brazil and Kenya have 6 local members, the Philippines 5: a tail of 5-8.)
    weights = [1.0 / (rank + 1) ** 0.7 for rank in range(len(hosts))]
    rng.shuffle(weights)
    counts = [1] * len(hosts)  # every host has one
    while sum(counts) < LOCAL_MEMBERS:
        open_ = [i for i in range(len(hosts)) if counts[i] < LOCAL_MAX_PER_COUNTRY]
        r, acc = rng.random() * sum(weights[i] for i in open_), 0.0
        for i in open_:
            acc += weights[i]
            if r < acc:
                break
        counts[i] += 1
    members = []
    for ci, k in zip(hosts, counts):
        country_name = countries[ci][1]
        for j in range(1, k + 1):
            m = Member()
            m.country = ci
            m.kind = weighted(rng, LOCAL_KINDS)
            m.name = "%s %s %d" % (country_name, LOCAL_KIND_NAMES[m.kind], j)
            m.slug = url_slug(m.name)
            m.since = weighted(rng, LOCAL_COHORTS)
            m.index = len(members)
            members.append(m)
    return members


def local_plan_years(member, rng):
    """The (start, end) years of a member's plans, by cohort, within the generator's years."""
    if member.since == 2016:
        plans = [(2017, 2017), (2018, 2020), (2022, 2024)]
    elif member.since == 2018:
        start = rng.choice([2018, 2019])
        plans = [(start, start + 2)] + ([(2022, 2024)] if rng.random() < 0.5 else [])
    elif member.since == 2020:
        plans = [(2021, 2022 + rng.randrange(2))] + ([(2024, 2026)] if rng.random() < 0.4 else [])
    else:
        start = member.since + rng.randrange(2)
        plans = [(start, start + 2)]
    return [(s, e) for s, e in plans if s <= LAST_YEAR]


def local_reports(start_year, status):
    """The IRM's reports on a local plan: the 2017 pilot's Final Report (an end-of-term report),
    the 2018-2021 design reports; none later (Local Monitoring Bodies)."""
    if status in ("draft", "submitted"):
        return []
    if start_year == 2017 and status == "completed":
        return [("end_of_term_report", False, 1, True)]
    if start_year in (2018, 2019):
        return [("design_report", False, 0, True)]
    return []


# The IRM's products by plan period (docs/irm-method.md), in the order of a plan's cycle. The
# transitions are mixed where the IRM's were: 2015 plans got a "progress" or a "mid-term"
# report, some 2017 plans still the mid-term / end-of-term pair, some 2019 plans a transitional
# results report, some 2020 plans still a design report; co-creation briefs cover about half
# of the plans from 2021.
def report_names(start_year, status, rng):
    """The report types the IRM published on a plan (no results report before the plan ends)."""
    if status == "draft":
        return []
    ccb = start_year >= 2021 and rng.random() < 0.5
    if status == "submitted":  # co-created, not yet reviewed
        return ["co_creation_brief"] if ccb else []
    ended = status == "completed"
    final = []
    if start_year <= 2013:
        names = ["progress_report"]  # end-of-term reports came only from 2016
    elif start_year == 2014:
        names = ["progress_report"]
        final = ["end_of_term_report"]
    elif start_year == 2015:
        names = [rng.choice(["progress_report", "mid_term_report"])]
        final = ["end_of_term_report"]
    elif start_year == 2016 or (start_year == 2017 and rng.random() < 0.3):
        names = ["mid_term_report"]
        final = ["end_of_term_report"]
    elif start_year == 2017:
        names = ["design_report"]
        final = ["implementation_report"]
    elif start_year == 2018:
        names = ["design_report"]
        final = ["transitional_results_report"]
    elif start_year == 2019:
        names = ["design_report"]
        final = ["transitional_results_report" if rng.random() < 0.3 else "results_report"]
    elif start_year == 2020:
        names = ["action_plan_review" if rng.random() < 0.8 else "design_report"]
        final = ["results_report"]
    else:
        names = (["co_creation_brief"] if ccb else []) + ["action_plan_review"]
        final = ["results_report"]
    return names + (final if ended else [])


# Report types that look back at implementation (a performance narrative), and the ones that
# hold no commitment assessments.
IMPLEMENTATION_REPORTS = {"progress_report", "mid_term_report", "end_of_term_report",
                          "implementation_report", "transitional_results_report",
                          "results_report"}
NOT_ASSESSED = {"co_creation_brief"}


def plan_reports(start_year, status, rng):
    """The IRM reports published on a plan: [(report, has_performance, n_recommendations,
    assessed)]. The first report, and an action plan review, carry 3-5 recommendations."""
    out = []
    for i, name in enumerate(report_names(start_year, status, rng)):
        perf = name in IMPLEMENTATION_REPORTS and rng.random() < 0.5
        recs = rng.randint(3, 5) if i == 0 or name == "action_plan_review" else 0
        out.append((name, perf, recs, name not in NOT_ASSESSED))
    return out


def build_structure(scale, seed):
    cfg = SCALES[scale]
    rng = random.Random(seed)
    countries = COUNTRIES[:cfg["countries"]]
    per_country = spread(cfg["plans"], len(countries), cfg["plan_spread"], rng)
    per_plan = spread(cfg["commitments"], cfg["plans"], cfg["commitment_spread"], rng)
    milestones_per = cfg["milestones_per"]
    plans = []
    first_years = []
    next_commitment = next_finding = 0
    for ci, k in enumerate(per_country):
        span = max(1, (LAST_YEAR - FIRST_YEAR + 1) - 2 * (k - 1))
        first = FIRST_YEAR + rng.randrange(span)
        first_years.append(first)
        country_seq = 0
        for n in range(1, k + 1):
            p = Plan()
            p.id = len(plans) + 1
            p.country = ci
            p.number = n
            p.start_year = FIRST_YEAR + (first - FIRST_YEAR + 2 * (n - 1)) % (LAST_YEAR - FIRST_YEAR + 1)
            p.end_year = p.start_year + 2
            if p.end_year <= LAST_YEAR:
                p.status = "completed"
            elif p.start_year < LAST_YEAR:
                p.status = "implementing"
            else:
                p.status = rng.choice(["implementing", "implementing", "submitted", "draft"])
            p.reports = plan_reports(p.start_year, p.status, rng)
            p.topic = rng.randrange(1000)
            p.seed = seed
            p.n_commitments = per_plan[len(plans)]
            p.first_commitment = next_commitment + 1
            p.country_seq = country_seq  # the country's commitments before this plan
            p.first_milestone = next_commitment * milestones_per + 1
            next_commitment += p.n_commitments
            country_seq += p.n_commitments
            p.n_findings = sum(2 + has_perf + n_recs + (p.n_commitments if assessed else 0)
                               for (_, has_perf, n_recs, assessed) in p.reports)
            p.first_finding = next_finding + 1
            next_finding += p.n_findings
            p.member = None
            plans.append(p)
    # The local plans follow the national ones (ids continue), member by member.
    lrng = random.Random(seed + TABLE_OFFSETS["local_members"] + 1)
    for m in build_members(countries, seed):
        member_seq = 0
        for n, (start, end) in enumerate(local_plan_years(m, lrng), 1):
            p = Plan()
            p.id = len(plans) + 1
            p.country = m.country
            p.member = m
            p.number = n
            p.start_year, p.end_year = start, end
            if end <= LAST_YEAR:
                p.status = "completed"
            elif start < LAST_YEAR:
                p.status = "implementing"
            else:
                p.status = lrng.choice(["implementing", "submitted"])
            p.reports = local_reports(start, p.status)
            p.topic = lrng.randrange(1000)
            p.seed = seed
            p.n_commitments = weighted(lrng, COMMITMENTS_PER_LOCAL_PLAN)
            p.first_commitment = next_commitment + 1
            p.country_seq = member_seq  # the member's commitments before this plan
            p.first_milestone = next_commitment * milestones_per + 1
            next_commitment += p.n_commitments
            member_seq += p.n_commitments
            p.n_findings = sum(2 + has_perf + n_recs + (p.n_commitments if assessed else 0)
                               for (_, has_perf, n_recs, assessed) in p.reports)
            p.first_finding = next_finding + 1
            next_finding += p.n_findings
            plans.append(p)
    return countries, first_years, plans


def plan_rows(scale, table, p):
    """How many rows of `table` a plan has, and the id of the first."""
    if table == "action_plans":
        return 1, p.id
    if table == "commitments":
        return p.n_commitments, p.first_commitment
    if table == "milestones":
        return p.n_commitments * SCALES[scale]["milestones_per"], p.first_milestone
    return p.n_findings, p.first_finding


def part_plans(scale, table, plans, part, parts):
    """Part `part` (1-based) of `parts`: a run of consecutive plans holding about 1/parts of the
    table's rows, so parts can be generated and loaded independently."""
    total = sum(plan_rows(scale, table, p)[0] for p in plans)
    out, before = [], 0
    for p in plans:
        if min(parts, 1 + before * parts // max(total, 1)) == part:
            out.append(p)
        before += plan_rows(scale, table, p)[0]
    return out


def part_range(scale, seed, table, part, parts):
    """(rows, first id, last id) of a part; ids are (0, -1) when the part is empty."""
    countries, _, plans = build_structure(scale, seed)
    if table == "countries":
        n = len(countries) if part == 1 else 0
        return n, None, None
    if table == "local_members":
        n = len(build_members(countries, seed)) if part == 1 else 0
        return n, None, None
    rows = [plan_rows(scale, table, p) for p in part_plans(scale, table, plans, part, parts)]
    n = sum(r[0] for r in rows)
    return (n, rows[0][1], rows[0][1] + n - 1) if n else (0, 0, -1)


# ---------------------------------------------------------------------------------------------
# Row helpers

EPOCH = datetime.date(1970, 1, 1).toordinal()
DAY_CACHE = {}


def day(ordinal):
    s = DAY_CACHE.get(ordinal)
    if s is None:
        s = DAY_CACHE[ordinal] = datetime.date.fromordinal(ordinal).isoformat()
    return s


def ordinal(y, m=1, d=1):
    return datetime.date(y, m, d).toordinal()


STAMP_FROM = ordinal(2024, 1, 1)
STAMP_DAYS = ordinal(2025, 12, 31) - STAMP_FROM


def stamps(rng):
    """(created_at, updated_at) between 2024 and mid-2026, updated_at >= created_at."""
    c = rng.randrange(STAMP_DAYS * 86400)
    u = c if rng.random() < 0.6 else c + rng.randrange(180 * 86400)
    return stamp(c), stamp(u)


def stamp(sec):
    d, s = divmod(sec, 86400)
    return "%s %02d:%02d:%02d+00" % (day(STAMP_FROM + d), s // 3600, s // 60 % 60, s % 60)


def array(values):
    return "{" + ",".join(values) + "}"


def tf(b):
    return None if b is None else ("t" if b else "f")


class FastRandom(random.Random):
    """random.Random with choice/randrange/randint drawn from one random() call each: several
    times faster than the exact (rejection-sampling) originals, with a negligible bias."""

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]

    def randrange(self, start, stop=None):
        if stop is None:
            return int(self.random() * start)
        return start + int(self.random() * (stop - start))

    def randint(self, a, b):
        return a + int(self.random() * (b - a + 1))


def table(choices, weights):
    """A list to rng.choice() from: each choice repeated by its (integer) weight."""
    return [c for c, w in zip(choices, weights) for _ in range(w)]


def text_title(rng, t):
    q = rng.choice(t["quals"])
    s = "%s %s" % (rng.choice(t["verbs"]), rng.choice(t["objects"]))
    return s + " " + q if q else s


def text_description(rng, t):
    o = rng.choice(t["objects"])
    return " ".join([rng.choice(t["problem"]).format(o=o),
                     rng.choice(t["action"]).format(v=rng.choice(t["verbs"]).lower(), o=o,
                                                    q=rng.choice(t["quals"])).replace(" .", "."),
                     rng.choice(t["outcome"])])


def lang_of(countries, plan):
    return countries[plan.country][3]


# ---------------------------------------------------------------------------------------------
# Tables

def gen_local_members(countries, seed, rng):
    for m in build_members(countries, seed):
        population = None if rng.random() < 0.1 else int(10 ** rng.uniform(4.3, 7.0))
        status = "active" if rng.random() < 0.93 else rng.choice(["inactive", "withdrawn"])
        yield ((m.slug, m.name, countries[m.country][0], m.kind, m.since, status, population)
               + stamps(rng))


def gen_countries(countries, first_years, rng):
    for (code, name, region, _), first in zip(countries, first_years):
        member_since = None if rng.random() < 0.05 else first
        status = MEMBERSHIP.get(code, "active")
        yield (code, name, region, member_since, status) + stamps(rng)


PUBLIC_INFLUENCE = ["no_consultation", "inform", "consult", "involve", "collaborate", "empower", None]
PUBLIC_INFLUENCE_T = table(PUBLIC_INFLUENCE, [3, 15, 35, 25, 12, 2, 8])


def gen_action_plans(scale, countries, p, rng):
    code, name, _, lang = countries[p.country]
    years = "%d-%d" % (p.start_year, p.end_year)
    if p.member is not None:
        name = p.member.name
        title = "%s Action Plan %s" % (name, years)
    elif lang == "es":
        title = ("%s Plan de Acción Nacional de Gobierno Abierto %s" % (ORDINALS_ES[p.number - 1], years)
                 if p.number <= 10 else "Plan de Acción de Gobierno Abierto %d (%s)" % (p.number, years))
    else:
        title = ("%s National Action Plan %s" % (ORDINALS_EN[p.number - 1], years)
                 if p.number <= 10 else "National Action Plan %d (%s)" % (p.number, years))
    if p.status == "draft":
        submitted = None
    else:
        submitted = day(ordinal(p.start_year, 1, 1) + rng.randrange(-120, 240))
    influence = rng.choice(PUBLIC_INFLUENCE_T)
    forum = rng.choice([True, True, True, False, None])
    url = (None if rng.random() < 0.1 else
           "https://www.opengovpartnership.org/documents/%s-action-plan-%s-%d/"
           % (slug(name), years, p.number))
    member = None if p.member is None else p.member.slug
    yield ((code, p.number, title, p.start_year, p.end_year, p.status, submitted, influence,
            tf(forum), url) + stamps(rng) + (member,))


VALUE_SETS = [tuple(v for i, v in enumerate(OGP_VALUES) if mask >> i & 1) for mask in range(16)]
VALUE_SET_T = table(VALUE_SETS, [4, 12, 10, 9, 6, 4, 4, 3, 6, 5, 3, 2, 3, 2, 2, 2])


WITHDRAWN_PER_1000 = 20


def withdrawn(seed, commitment_id):
    """Whether a commitment was withdrawn from its plan (about 2 %): a hash of the seed and the
    id, not a draw, so that the IRM findings (another table's generator) know it too."""
    h = ((commitment_id + seed * 1_000_003) * 2_654_435_761) & 0xFFFFFFFF
    return (h >> 12) % 1000 < WITHDRAWN_PER_1000


def gen_commitments(scale, countries, p, rng):
    # A local plan's references are the member's own ("L" + member index + sequence), unique
    # apart from the national ones (three letters + sequence).
    code = countries[p.country][0] if p.member is None else "L%04d" % p.member.index
    seq = p.country_seq
    t = TEXT[lang_of(countries, p)]
    plan_from = ordinal(p.start_year, 7, 1)
    plan_days = ordinal(p.end_year, 6, 30) - plan_from
    for number in range(1, p.n_commitments + 1):
        seq += 1
        reference = None if rng.random() < 0.12 else "%s%04d" % (code, seq)
        title = text_title(rng, t)
        description = None if rng.random() < 0.1 else text_description(rng, t)
        theme = None if rng.random() < 0.15 else rng.choice(t["themes"])
        lead = None if rng.random() < 0.08 else rng.choice(t["institutions"])
        values = array(rng.choice(VALUE_SET_T))
        r = rng.random()
        if r < 0.1:
            start = end = None
        else:
            s = plan_from + rng.randrange(plan_days // 2)
            start = day(s)
            end = None if r < 0.15 else day(s + rng.randrange(60, plan_days - (s - plan_from) + 60))
        yield ((p.id, number, reference, title, description, theme, lead, values, start, end,
                tf(withdrawn(p.seed, p.first_commitment + number - 1))) + stamps(rng))


MS_STATUS = ["not_started", "in_progress", "completed"]
MS_STATUS_T = {status: table(MS_STATUS, w) for status, w in [
    ("completed", [12, 23, 65]), ("implementing", [30, 50, 20]), ("submitted", [90, 10, 0]),
    ("draft", [100, 0, 0])]}


def gen_milestones(scale, countries, p, rng):
    mean = SCALES[scale]["milestones_per"]
    last = p.first_commitment + p.n_commitments - 1
    pending = None  # milestones of the second commitment of a pair
    t = TEXT[lang_of(countries, p)]
    plan_from = ordinal(p.start_year, 9, 1)
    plan_days = ordinal(p.end_year, 8, 31) - plan_from
    statuses = MS_STATUS_T[p.status]
    for cid in range(p.first_commitment, p.first_commitment + p.n_commitments):
        # Pairs of commitments share 2*mean milestones, so a plan has exactly mean per
        # commitment.
        if pending is not None:
            k, pending = pending, None
        elif cid == last:
            k = mean  # the unpaired last of an odd number of commitments
        else:
            d = rng.randint(-(mean - 1), mean - 1)
            k, pending = mean + d, mean - d
        for position in range(1, k + 1):
            q = rng.choice(t["quals"])
            title = rng.choice(t["ms_titles"]) + (" " + q if q else "")
            description = rng.choice(t["ms_desc"]) if rng.random() < 0.6 else None
            due = plan_from + rng.randrange(plan_days)
            status = rng.choice(statuses)
            completed = day(due + rng.randrange(-90, 120)) if status == "completed" else None
            yield ((cid, position, title, description,
                    None if rng.random() < 0.08 else day(due), status, completed)
                   + stamps(rng))


SPECIFICITY = ["none", "low", "medium", "high", None]
SPECIFICITY_T = table(SPECIFICITY, [5, 25, 45, 20, 5])
IMPACT = ["none", "minor", "moderate", "transformative", None]
IMPACT_T = table(IMPACT, [10, 38, 34, 13, 5])
FOR_RESULTS = ["unclear", "modest", "substantial", None]
FOR_RESULTS_T = table(FOR_RESULTS, [35, 45, 15, 5])
# The IRM's five-point completion scale (no "withdrawn": that is the commitment's flag).
COMPLETION = ["no_evidence", "not_started", "limited", "substantial", "complete", None]
COMPLETION_MID_T = table(COMPLETION, [5, 15, 45, 22, 8, 5])      # year one
COMPLETION_FINAL_T = table(COMPLETION, [4, 6, 25, 33, 27, 5])    # end of term
COMPLETION_WITHDRAWN_T = table(COMPLETION, [0, 3, 5, 0, 0, 2])   # end of term, withdrawn
OPENED = ["worsened", "did_not_change", "marginal", "major", "outstanding", None]
OPENED_T = table(OPENED, [1, 35, 40, 15, 4, 5])
# Early results: the levels the schema accepts; NULL for "no notable early results" / unrated.
EARLY = ["moderate", "significant", "outstanding", None]
EARLY_T = table(EARLY, [40, 15, 5, 40])
RELEVANCE_NULL = 0.04
VERIFIABLE_NULL = 0.02
# Share of commitments the plan's design report / action plan review found not verifiable.
NOT_VERIFIABLE = {"design_report": 0.04, "action_plan_review": 0.07}
OPEN_GOV_LENS_T = table([True, False, None], [88, 10, 2])

# src/resources/irm_findings/eras.rs and migrations/*_irm_eras: where each verdict applies.
WELL_DESIGNED_REPORTS = {"progress_report", "mid_term_report", "end_of_term_report"}
STARRED_REPORTS = WELL_DESIGNED_REPORTS | {"implementation_report", "transitional_results_report"}
EARLY_RESULTS_FROM_PLAN_YEAR = 2021
# Share of the final reports of 2016-2021 whose stars / asterisks are recorded as published
# (with the value the rules give) rather than derived.
PUBLISHED_VERDICTS = {"end_of_term_report": 0.05, "implementation_report": 0.05}

# Process criteria, in COLUMNS order, and each era's (eras::criteria).
CRITERIA = ["no_public_engagement", "irm_not_engaged", "late_action_plan", "iap2_minimum_not_met",
            "no_online_repository", "co_creation_minimum_not_met", "no_progress_on_any_commitment"]
NO_PROGRESS = CRITERIA.index("no_progress_on_any_commitment")
ERA_CRITERIA = {}
for _reports, _names in [
        (("progress_report", "mid_term_report", "end_of_term_report"),
         ["no_public_engagement", "irm_not_engaged", "no_progress_on_any_commitment"]),
        (("design_report", "implementation_report", "transitional_results_report"),
         ["late_action_plan", "iap2_minimum_not_met", "no_online_repository",
          "no_progress_on_any_commitment"]),
        (("co_creation_brief", "action_plan_review", "results_report"),
         ["late_action_plan", "co_creation_minimum_not_met", "no_progress_on_any_commitment"])]:
    for _r in _reports:
        ERA_CRITERIA[_r] = [CRITERIA.index(n) for n in _names]
# How often each criterion is met, and unknown.
CRITERION_TRUE = [0.04, 0.03, 0.06, 0.06, 0.04, 0.05, 0.02]
CRITERION_NULL = 0.04
# Reports written before implementation cannot tell whether any commitment progressed.
BEFORE_IMPLEMENTATION = {"design_report", "co_creation_brief", "action_plan_review"}
# Share of process findings that record only the report's printed verdict (no criteria): the
# 2019-2021 reports print "Acted contrary to OGP process: yes/no", action plan reviews "Acted
# according to the OGP process"; the older reports list the criteria.
PUBLISHED_ONLY = {r: 0.08 for r in ("progress_report", "mid_term_report", "end_of_term_report")}
PUBLISHED_ONLY.update({r: 0.6 for r in ("design_report", "implementation_report",
                                          "transitional_results_report")})
PUBLISHED_ONLY.update({r: 0.4 for r in ("co_creation_brief", "action_plan_review",
                                          "results_report")})
CORE_VALUES = {"access_to_information", "civic_participation", "public_accountability"}


def relevant(relevance):
    """Relevant for the verdicts: a core OGP value (technology and innovation alone is not)."""
    return any(v in CORE_VALUES for v in relevance)


# The hot path's lookups.
RELEVANT = {values: relevant(values) for values in VALUE_SETS}
ARRAYS = {values: array(values) for values in VALUE_SETS}


def report_year(report, published_on, start_year, end_year):
    """ogp_report_year() of migrations/..._irm_eras (eras::report_year)."""
    if published_on is not None:
        return int(published_on[:4])
    if report in ("co_creation_brief", "action_plan_review"):
        return start_year
    if report in ("progress_report", "mid_term_report", "design_report"):
        return start_year + 1
    return end_year + 1


def derive_well_designed(specificity, relevance, potential_impact):
    """ogp_derive_well_designed() of migrations/..._irm_eras, three-valued."""
    if specificity in ("none", "low"):
        return False
    if relevance is not None and not RELEVANT[relevance]:
        return False
    if potential_impact is not None and potential_impact != "transformative":
        return False
    if specificity is None or relevance is None or potential_impact is None:
        return None
    return True


def derive_starred(specificity, relevance, potential_impact, completion, year):
    """ogp_derive_starred() of migrations/..._irm_eras (verdicts::starred): moderate impact
    qualifies only in reports of 2014 and before."""
    if specificity in ("none", "low"):
        return False
    if relevance is not None and not RELEVANT[relevance]:
        return False
    if potential_impact is not None and not (
            potential_impact == "transformative"
            or (potential_impact == "moderate" and year < STARRED_MODERATE_BEFORE)):
        return False
    if completion is not None and completion not in ("substantial", "complete"):
        return False
    if specificity is None or relevance is None or potential_impact is None or completion is None:
        return None
    return True


def well_designed_applies(report, year):
    """ogp_well_designed_applies(): progress, mid-term and end-of-term reports of 2016-2019."""
    return report in WELL_DESIGNED_REPORTS and 2016 <= year <= 2019


def starred_applies(report, year):
    """ogp_starred_applies(): the reports that carried stars, 2014-2021."""
    return report in STARRED_REPORTS and 2014 <= year <= 2021


def derive_contrary(report, criteria):
    """ogp_derive_contrary(): over the era's criteria, any true -> true, all false -> false,
    else unknown."""
    era = [criteria[i] for i in ERA_CRITERIA[report]]
    if True in era:
        return True
    if None in era:
        return None
    return False


def verdict(applies, value, published):
    """(value, basis) of a verdict the rules derive: not applicable, or derived (unknown when
    the ratings do not decide it), or published with the value the rules give."""
    if not applies:
        return None, "not_applicable"
    if value is None:
        return None, None
    return tf(value), "published" if published else "derived"


def process_verdict(rng, report):
    """The process criteria (COLUMNS order) and verdict (value, basis) of a report."""
    criteria = [None] * len(CRITERIA)
    if rng.random() < PUBLISHED_ONLY[report]:
        return criteria, tf(rng.random() < 0.1), "published"
    for i in ERA_CRITERIA[report]:
        if i == NO_PROGRESS and report in BEFORE_IMPLEMENTATION:
            continue
        x = rng.random()
        criteria[i] = None if x < CRITERION_NULL else x < CRITERION_NULL + CRITERION_TRUE[i]
    derived = derive_contrary(report, criteria)
    criteria = [tf(c) for c in criteria]
    if rng.random() < 0.1:  # the printed verdict beside the criteria (never contradicting them)
        return criteria, tf(derived if derived is not None else rng.random() < 0.2), "published"
    return criteria, tf(derived), None if derived is None else "derived"


def publication(rng, report, start_year, end_year):
    """published_on: within the report type's usual year, a sixth of them slipping into the
    next year (which can change the star rule's era); 3 % unknown."""
    if rng.random() < 0.03:
        return None
    year = report_year(report, None, start_year, end_year)
    if report == "co_creation_brief":
        return day(ordinal(year, 1, 10) + rng.randrange(150))
    return day(ordinal(year, 2, 1) + rng.randrange(400))


def gen_irm_findings(scale, countries, p, rng):
    lang = lang_of(countries, p)
    t = TEXT[lang]
    name = countries[p.country][1]
    topic = t["objects"][p.topic % len(t["objects"])]
    names = [r[0] for r in p.reports]
    review = ("design_report" if "design_report" in names else
              "action_plan_review" if "action_plan_review" in names else None)
    not_verifiable = NOT_VERIFIABLE.get(review, 0)
    # What the IRM found about each commitment once (the later reports carry the design
    # ratings over); completion and results are per report.
    base = []
    for i in range(p.n_commitments):
        rel = None if rng.random() < RELEVANCE_NULL else rng.choice(VALUE_SET_T)
        v = rng.random()
        verifiable = (None if v < VERIFIABLE_NULL else
                      v >= VERIFIABLE_NULL + not_verifiable) if review else None
        base.append((rng.choice(SPECIFICITY_T), rel, rng.choice(IMPACT_T), verifiable,
                     withdrawn(p.seed, p.first_commitment + i)))
    no_ratings = (None,) * 15  # indicators and verdicts
    no_criteria = (None,) * 9  # criteria and the process verdict
    for report, has_perf, n_recs, assessed in p.reports:
        published = publication(rng, report, p.start_year, p.end_year)
        year = report_year(report, published, p.start_year, p.end_year)
        url = "https://www.opengovpartnership.org/documents/%s-%s-%d-%d/" % (
            slug(name), REPORT_SLUG[report], p.start_year, p.end_year)
        created, updated = stamps(rng)
        yield ((p.id, None, report, "summary", None,
                rng.choice(t["report_summary"]).format(o=topic), None, published, url)
               + no_ratings + no_criteria + (created, updated))
        criteria, contrary, contrary_basis = process_verdict(rng, report)
        yield ((p.id, None, report, "process", None,
                rng.choice(PROCESS_BODY[lang]) if rng.random() < 0.85 else None, None,
                published, url) + no_ratings + tuple(criteria)
               + (contrary, contrary_basis, created, updated))
        if has_perf:
            yield ((p.id, None, report, "performance", None,
                    PERFORMANCE_BODY[lang].format(o=topic), None, published, url)
                   + no_ratings + no_criteria + (created, updated))
        for position in range(1, n_recs + 1):
            o = rng.choice(t["objects"])
            yield ((p.id, None, report, "recommendation",
                    rng.choice(t["recommendations"]).format(o=o), text_description(rng, t),
                    position, published, url) + no_ratings + no_criteria + (created, updated))
        if not assessed:
            continue
        wd_applies = well_designed_applies(report, year)
        star_applies = starred_applies(report, year)
        mid = report in ("progress_report", "mid_term_report")
        opens = report in ("end_of_term_report", "implementation_report",
                           "transitional_results_report")
        carried = report in STARRED_REPORTS and report != "transitional_results_report"
        early = report == "results_report" and p.start_year >= EARLY_RESULTS_FROM_PLAN_YEAR
        if report == "results_report" and not early:
            opens = True
        published_share = PUBLISHED_VERDICTS.get(report, 0)
        design, review_report = report == "design_report", report == "action_plan_review"
        rates_completion = not (design or review_report)
        completion_t = COMPLETION_MID_T if mid else COMPLETION_FINAL_T
        gone_t = COMPLETION_MID_T if mid else COMPLETION_WITHDRAWN_T
        random, choice = rng.random, rng.choice
        for i, (spec, rel, impact, verifiable, gone) in enumerate(base):
            s = r = m = for_results = completion = opened = ver = lens = early_results = None
            potentially_starred = promising = None
            if carried:  # the 2012-2021 reports: specificity, relevance and potential impact
                if verifiable is not False:
                    s, r, m = spec, rel, impact
            elif design:
                ver = verifiable
                if ver is not False:
                    r, m = rel, impact
                potentially_starred = (ver is True and impact == "transformative"
                                       and rel is not None and RELEVANT[rel]
                                       and random() < 0.8)
            elif review_report:
                ver = verifiable
                if ver is not False:
                    lens = choice(OPEN_GOV_LENS_T)
                    for_results = "unclear" if lens is False else choice(FOR_RESULTS_T)
                    promising = random() < (0.6 if for_results == "substantial" else
                                            0.12 if for_results == "modest" else 0.0)
            elif report == "results_report" and verifiable is False:
                ver = False  # not verifiable in the plan's review: not assessed further
            # A commitment the plan's review found not verifiable is not assessed further.
            if rates_completion and verifiable is not False:
                completion = choice(gone_t if gone else completion_t)
                if opens:
                    opened = choice(OPENED_T)
                elif early:
                    early_results = choice(EARLY_T)
            pub = published_share and random() < published_share
            wd, wd_basis = verdict(wd_applies, wd_applies and derive_well_designed(s, r, m), pub)
            st, st_basis = verdict(star_applies,
                                   star_applies and derive_starred(s, r, m, completion, year), pub)
            x = random()
            title = ("%d. %s" % (i + 1, text_title(rng, t))) if x < 0.3 else None
            body = text_description(rng, t) if x < 0.5 else None
            yield ((p.id, p.first_commitment + i, report, "assessment", title, body, None,
                    published, url if x < 0.7 else None, s,
                    None if r is None else ARRAYS[r], m, for_results, completion, opened,
                    tf(ver), tf(lens), early_results, wd, wd_basis, st, st_basis,
                    tf(potentially_starred), tf(promising)) + no_criteria + (created, updated))


PLAN_GENERATORS = {"action_plans": gen_action_plans, "commitments": gen_commitments,
                   "milestones": gen_milestones, "irm_findings": gen_irm_findings}


def plan_seed(seed, table, plan_id):
    """Each plan's rows come from their own generator, so that any run of plans (a part) can
    be generated alone and give the same rows as in the whole table."""
    return ((seed + TABLE_OFFSETS[table]) << 32) + plan_id


def rows(scale, seed, table, part, parts):
    countries, first_years, plans = build_structure(scale, seed)
    if table == "countries":
        if part == 1:
            yield from gen_countries(countries, first_years,
                                     FastRandom(seed + TABLE_OFFSETS[table]))
        return
    if table == "local_members":
        if part == 1:
            yield from gen_local_members(countries, seed,
                                         FastRandom(seed + TABLE_OFFSETS[table] + 2))
        return
    gen = PLAN_GENERATORS[table]
    for p in part_plans(scale, table, plans, part, parts):
        n, next_id = plan_rows(scale, table, p)
        last = next_id + n
        for row in gen(scale, countries, p, FastRandom(plan_seed(seed, table, p.id))):
            yield (next_id,) + row
            next_id += 1
        assert next_id == last, (table, p.id, next_id, last)


def part_arg(text):
    try:
        part, parts = (int(x) for x in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError("expected K/N") from None
    if not 1 <= part <= parts:
        raise argparse.ArgumentTypeError("expected 1 <= K <= N")
    return part, parts


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", choices=sorted(SCALES), default="realistic")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--table", choices=TABLES, required=True)
    ap.add_argument("--part", type=part_arg, default=(1, 1), metavar="K/N",
                    help="only the K-th of N parts (runs of whole plans, ids ascending)")
    ap.add_argument("--columns", action="store_true", help="print the column list and exit")
    ap.add_argument("--count", action="store_true",
                    help="print the part's row count, first id and last id, and exit")
    args = ap.parse_args()
    part, parts = args.part
    if args.columns:
        print(",".join(COLUMNS[args.table]))
        return
    if args.count:
        n, first, last = part_range(args.scale, args.seed, args.table, part, parts)
        print(n, "" if first is None else first, "" if last is None else last)
        return
    out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="",
                           write_through=False)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS[args.table])
    batch = []
    for row in rows(args.scale, args.seed, args.table, part, parts):
        batch.append(row)
        if len(batch) >= 10_000:
            writer.writerows(batch)
            batch.clear()
    writer.writerows(batch)
    out.flush()


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:
        sys.exit(1)
