"""The taxonomy in the user's language: labels and explanations of every code.

``matching.records`` keeps the code lists in English and free of Flask; this
module marks the same wording for translation (tests check that every code
has an entry here and that the English text is identical). Article references
("Arts. 7-11") are the Convention's own numbering and are not translated.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Term:
    label: LazyString
    explanation: LazyString | None = None
    articles: str = ""  # the Convention's article numbers, the same in every language


THEMES: dict[str, Term] = {
    'legislation': Term(
        _l('Legislation'),
        _l('Drafting or reforming criminal law, procedure and jurisdiction to align with the Convention'),
        'Chapters II-IV; Art. 54(3)(b)',
    ),
    'cyber_dependent_crime': Term(
        _l('Cyber-dependent crime'),
        _l('Illegal access, interception, interference with data or systems, misuse of devices'),
        'Arts. 7-11',
    ),
    'online_fraud': Term(
        _l('Online fraud'),
        _l('ICT-related forgery, theft and fraud, including scams and business e-mail compromise'),
        'Arts. 12-13',
    ),
    'child_protection': Term(
        _l('Child protection online'),
        _l('Online child sexual abuse or exploitation material, grooming'),
        'Arts. 14-15',
    ),
    'intimate_images': Term(
        _l('Intimate images'),
        _l('Non-consensual dissemination of intimate images'),
        'Art. 16',
    ),
    'proceeds_of_crime': Term(
        _l('Proceeds of crime'),
        _l('Laundering, tracing, freezing, seizure, confiscation and return of proceeds, crypto-assets'),
        'Arts. 17, 31, 49-52; Art. 54(3)(f)-(g)',
    ),
    'electronic_evidence': Term(
        _l('Electronic evidence'),
        _l('Preservation, production orders, search and seizure, traffic and content data'),
        'Arts. 23-30',
    ),
    'digital_forensics': Term(
        _l('Digital forensics'),
        _l('Forensic laboratories, tools, acquisition and analysis, chain of custody, law-enforcement equipment'),
        'Art. 54(3)(c)-(d)',
    ),
    'safeguards': Term(
        _l('Safeguards and human rights'),
        _l('Human rights, conditions and safeguards, protection of personal data'),
        'Arts. 6, 24, 36',
    ),
    'international_cooperation': Term(
        _l('International cooperation'),
        _l('Mutual legal assistance, extradition, central authorities, cross-border access to electronic evidence, drafting requests'),
        'Arts. 35-46; Art. 54(3)(e)',
    ),
    'network_24_7': Term(
        _l('24/7 network'),
        _l('The 24/7 network point of contact'),
        'Art. 41',
    ),
    'law_enforcement_cooperation': Term(
        _l('Law-enforcement cooperation'),
        _l('Police-to-police cooperation, joint investigations'),
        'Arts. 47-48',
    ),
    'victims': Term(
        _l('Victims and witnesses'),
        _l('Assistance to and protection of victims and witnesses'),
        'Arts. 33-34; Art. 54(3)(h)',
    ),
    'prevention': Term(
        _l('Prevention'),
        _l('Awareness, education, public-private partnership, prevention strategies'),
        'Art. 53; Art. 54(3)(a)',
    ),
    'institutional_capacity': Term(
        _l('Institutional capacity'),
        _l('National strategies and policies, specialised units, statistics and information exchange'),
        'Arts. 54(3)(b), 55',
    ),
}

MODALITIES: dict[str, Term] = {
    'training': Term(_l('Training')),
    'legislative_advice': Term(_l('Legislative advice')),
    'policy_advice': Term(_l('Policy advice')),
    'equipment': Term(_l('Equipment')),
    'software': Term(_l('Software')),
    'mentoring': Term(_l('Mentoring')),
    'study_visit': Term(_l('Study visit')),
    'assessment': Term(_l('Assessment')),
    'infrastructure': Term(_l('Infrastructure')),
    'funding': Term(_l('Funding')),
    'secondment': Term(_l('Secondment')),
    'language_training': Term(_l('Language training')),
    'research': Term(_l('Research')),
    'technology_transfer': Term(_l('Technology transfer')),
}

BENEFICIARIES: dict[str, Term] = {
    'law_enforcement': Term(_l('Law enforcement')),
    'prosecution': Term(_l('Prosecution')),
    'judiciary': Term(_l('Judiciary')),
    'central_authority': Term(_l('Central authority')),
    'ministry': Term(_l('Ministry')),
    'legislature': Term(_l('Legislature')),
    'csirt': Term(_l('CSIRT / CERT')),
    'private_sector': Term(_l('Private sector')),
    'civil_society': Term(_l('Civil society')),
    'victim_services': Term(_l('Victim services')),
    'academia': Term(_l('Academia')),
    'service_providers': Term(_l('Service providers')),
}

REGIONS: dict[str, Term] = {
    'africa': Term(_l('Africa')),
    'americas': Term(_l('Americas')),
    'asia': Term(_l('Asia')),
    'europe': Term(_l('Europe')),
    'oceania': Term(_l('Oceania')),
}

DELIVERY_MODES: dict[str, Term] = {
    'in_person': Term(_l('In person')),
    'remote': Term(_l('Remote')),
}

CODE_LISTS = {"theme": THEMES, "modality": MODALITIES, "beneficiary": BENEFICIARIES,
              "region": REGIONS, "delivery": DELIVERY_MODES}
