"""The outcome statements of ``participant_report_outcomes.csv`` (reference data, stored in English), marked
for translation so that the Polish catalogue carries them: pages show ``gettext(statement.statement)``."""

from django.utils.translation import gettext_noop

STATEMENTS = (
    # learner
    gettext_noop("My learning performance improved"),
    gettext_noop("My employability and career prospects improved"),
    gettext_noop("I have a stronger sense of initiative and entrepreneurship"),
    gettext_noop("I feel more self-confident and self-reliant"),
    gettext_noop("My foreign language and digital competences improved"),
    gettext_noop("I am more aware of other cultures"),
    gettext_noop("I take a more active part in society"),
    gettext_noop("I get on better with people from different backgrounds"),
    gettext_noop("I understand the European project and EU values better"),
    gettext_noop("I am more motivated to continue education or training"),
    # staff
    gettext_noop("My competences linked to my occupational profile improved"),
    gettext_noop("I understand practices, policies and systems in other countries better"),
    gettext_noop("I can better bring change and international opening to my organisation"),
    gettext_noop(
        "I understand the links between formal and non-formal education, training and the labour market better"
    ),
    gettext_noop("The quality of my work with learners improved"),
    gettext_noop("I respond better to all kinds of diversity"),
    gettext_noop("I can better address the needs of people with fewer opportunities"),
    gettext_noop("I am more able to support and promote learner mobility"),
    gettext_noop("I have more opportunities for professional and career development"),
    gettext_noop("I am more motivated and satisfied in my daily work"),
)
