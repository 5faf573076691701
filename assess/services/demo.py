"""Demo data: the Kazakhstan profile of the seed page, published through the real workflow."""

from sqlalchemy import select

from ..database import write_transaction
from ..extensions import db
from ..models import Country, Fact, Indicator, Member, Resource, User
from . import accounts, assessments
from .content import CitationInput, VersionContent
from .errors import ValidationError

DEMO_USERS = [
    # email, password, role, countries, name
    ("reviewer@example.org", "reviewer-demo-pass", "reviewer", ["KZ"], "Aigerim Reviewer"),
    ("supervisor@example.org", "supervisor-demo-pass", "supervisor", ["KZ"], "Dana Supervisor"),
    ("supervisor2@example.org", "supervisor2-demo-pass", "supervisor", [], "Marc Supervisor"),
    ("admin@example.org", "admin-demo-pass-1", "admin", [], "Ada Admin"),
    ("translator@example.org", "translator-demo-pass", "translator", [], "Tomás Translator"),
]

MEMBERS = [
    (
        "The Crisis Center «Zabota»",
        "The Crisis Center «Zabota» was founded in 1999 to stem the issues of household and sexual "
        "violence against women and girls. Since 2003, the organisation— through trainings, "
        "artistic work, and theatrical methods—has been actively working with adolescents and "
        "youth, to raise awareness on health and prevention of sexual violence and exploitation, as "
        "well as the issues of online sexual exploitation.",
    ),
    (
        "Sana Sezim",
        "Sana Sezim, the Legal Center for Women’s Initiatives, is an NGO founded in 2001. They work "
        "on four main areas: access to justice for women, trafficking of women and children, labour "
        "migration and running a volunteer club.\u00a0Sana Sezim conducts awareness-raising events and "
        "provides legal assistance and psychological support to victims of trafficking. Sana Sezim "
        "has lawyers based across 11 cities in Kazakhstan, one in each region of the country. The "
        "organisation also operates a hotline for victims of trafficking, which was established in "
        "March 2007.",
    ),
]

FACTS = [
    "An Action Plan for the Prevention, Control and Combating of Crimes connected with Trafficking "
    "in Human Beings (2015-2017) was adopted by the Government of the Republic of Kazakhstan. The "
    "plan provides special measures for the prevention and investigation of cases of child "
    "exploitation.",
    "On 1 January 2015, the Kazakh Criminal Code and the Code of Administrative Offence were "
    "amended to strengthen the liability for sexual exploitation of children. The amendments "
    "provided also an increasing liability for not or improperly fulfilling parental "
    "responsibilities.",
    "From 2010 to 2015, reported incidents of sexual violence against minors in Kazakhstan have "
    "doubled.",
]

RESOURCES = [
    ("ECPAT International", "Kazakhstan – Country Monitoring Report", 2013),
    (
        "ECPAT International",
        "Regional Overview: The Commercial Sexual Exploitation of Children in the Commonwealth of "
        "Independent States",
        2014,
    ),
]

ASSESSMENTS = {
    "age-of-consent": VersionContent(
        status="partial",
        analysis="Age of sexual consent is 16 years. The national legislation does not provide for "
        "a close-in-age exception.",
        analysis_source_title="Analysis of country legislation on age of sexual consent",
        analysis_source_year=2024,
    ),
    "extraterritoriality-extradition": VersionContent(
        status="partial",
        analysis="Kazakhstani legislation provides for active extraterritoriality over offenses "
        "committed outside the Kazakhstani territory, but does not provide for passive "
        "extraterritoriality. Double criminality is generally required for proceeding with active "
        "extraterritorial jurisdiction over offenses committed outside the Kazakhstani territory by "
        "Kazakhstan nationals and residents.\n\n"
        "Extraditable offences are those punishable by imprisonment for a term not less than one "
        "year. When extradition is requested to serve a sentence, the unexpired term should be of "
        "not less than six months. There is no specific provision on the extradition of SEC related "
        "offences. Some SEC related offences are punishable under the Kazakhstani Criminal Code "
        "without setting a minimum term (i.e. Article 123 of the Criminal Code) and therefore could "
        "be not considered as extraditable offences. Double criminality is required for "
        "extradition. Extradition is permitted if the offence is punishable by at least one year of "
        "imprisonment under Kazakhstani laws.",
        citations=[
            CitationInput("Constitution", 1995, status_as_of=2023, language="ru"),
            CitationInput("Criminal Code", 2014, status_as_of=2023, language="ru"),
            CitationInput("Code of Criminal Procedure", 2014, status_as_of=2023, language="ru"),
        ],
    ),
}


def load_demo_data() -> list[tuple[str, str, str]]:
    """Create the demo users and the Kazakhstan profile; return (email, password, role) rows.

    Refuses to run twice: the demo data are meant for an empty database."""
    with write_transaction() as session:
        if session.scalar(select(User.id).where(User.email == DEMO_USERS[0][0])):
            raise ValidationError("The demo data are already loaded.")
        kz = session.scalar(select(Country).where(Country.iso2 == "KZ"))
        if kz is None:
            raise ValidationError("Run `assess seed` first: there are no countries.")
        for position, (name, description) in enumerate(MEMBERS):
            session.add(
                Member(country_id=kz.id, position=position, name=name, description=description)
            )
        for position, text in enumerate(FACTS):
            session.add(Fact(country_id=kz.id, position=position, text=text))
        for position, (publisher, title, year) in enumerate(RESOURCES):
            session.add(
                Resource(
                    country_id=kz.id, position=position, publisher=publisher, title=title, year=year
                )
            )
    users = {
        email: accounts.create_user(None, email, password, role, countries, name=name)
        for email, password, role, countries, name in DEMO_USERS
    }
    reviewer, supervisor = users["reviewer@example.org"], users["supervisor@example.org"]
    for slug, content in ASSESSMENTS.items():
        indicator = _indicator(slug)
        draft = assessments.start_draft(reviewer, kz.id, indicator.id)
        draft = assessments.save(reviewer, draft.id, content, draft.row_version)
        assessments.submit(reviewer, draft.id)
        assessments.approve(supervisor, draft.id)
    return [(email, password, role) for email, password, role, _, _ in DEMO_USERS]


def _indicator(slug: str) -> Indicator:
    return db.session.scalars(select(Indicator).where(Indicator.slug == slug)).one()
