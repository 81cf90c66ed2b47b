"""Entity word lists, name folding and identity: pure functions and tables.

A canonical name and its label give an `entity_id` that is the same in any article,
run or worker: `id_for('PERSON', 'Sergey Shoigu')` and `id_for('PERSON', 'Sergei
Shoigu')` are both `24551e146064907b`, the first 16 hex digits of
blake2b(`person:sergeishoigu`); `id_for('GPE', 'U.S.')` and `id_for('LOC', 'United
States')` are both the place `unitedstates`. The word lists (titles, honorifics,
descriptors, head nouns, ...) are what mention cleanup (`transforms.entity_spans`)
recognises.

Labels
- Countable labels (`COUNTABLE_LABELS`) make entities. DATE, TIME, PERCENT,
  MONEY, QUANTITY, ORDINAL and CARDINAL mentions are kept (whitespace
  trimmed) with `entity_id` None and no entity.
- The id's *kind* groups labels that spaCy confuses for the same thing:
  `person` (PERSON), `place` (GPE, LOC, FAC: `Syria` tagged GPE here and LOC
  there is one place), `name` (ORG, PRODUCT, WORK_OF_ART, LAW, EVENT: the INF
  treaty comes out ORG in one article and WORK_OF_ART in another), `group`
  (NORP), `language` (LANGUAGE).

Identity (`entity_id`): the first 16 hex digits of blake2b(`kind:key`). The key
folds the name to ASCII (anyascii), lower case, drops `.` and apostrophes and
every non-alphanumeric character including spaces (`Kim Jong-un` = `Kim Jong
Un`) and then:
- person: the first token of a multi-token name is a given name and is mapped
  to one spelling: a table of Russian given names (Sergei/Sergey/Serguei,
  Yuri/Yury/Iouri, Dmitry/Dmitri/Dmitriy, ...), and suffix rules (`-ey` ->
  `-ei`, `-iy`/`-ii` -> `-i` always; `-y` -> `-i`, `-ay` -> `-ai` only when the
  result is in the table, so `Terry` and `Terri` stay apart). Surnames are
  never rewritten.
- place: a small alias table (US/U.S./USA/United States/America, UK/Britain/
  Great Britain/United Kingdom, Russia/Russian Federation, ...).
- name: a small acronym table (INF/INF Treaty/Intermediate-Range Nuclear
  Forces Treaty, START/Strategic Arms Reduction Treaty, NATO, UN, EU, ...).
Same canonical name => same id, in any article. Names that must stay apart
do: `Kim Jong-un` / `Kim Jong-il`; `George Bush` / `George W. Bush` (a middle
initial distinguishes father and son, so forms with and without one are
never joined); `Bill Clinton` / `Hillary Clinton`.

Limits: an acronym nobody defines and that is not in the table keeps its own
id; the alias and given-name tables are small and English-centric; the kind is
part of the id, so one name tagged ORG in one article and GPE in another (a
football club) gets two ids.
"""

from __future__ import annotations

import hashlib
import re

from anyascii import anyascii

NON_COUNTABLE_LABELS = frozenset(
    {"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"}
)
COUNTABLE_LABELS = frozenset(
    {
        "PERSON",
        "ORG",
        "GPE",
        "LOC",
        "NORP",
        "FAC",
        "EVENT",
        "PRODUCT",
        "WORK_OF_ART",
        "LAW",
        "LANGUAGE",
    }
)
KIND_OF_LABEL = {
    "PERSON": "person",
    "GPE": "place",
    "LOC": "place",
    "FAC": "place",
    "ORG": "name",
    "PRODUCT": "name",
    "WORK_OF_ART": "name",
    "LAW": "name",
    "EVENT": "name",
    "NORP": "group",
    "LANGUAGE": "language",
}
# Breaks label ties inside an entity when its fullest form does not decide.

# --- word lists (folded: lower case ASCII letters only) ---------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


TITLE_WORDS = _words(
    """
    advisor advisors adviser advisers spokesman spokesmen spokeswoman spokesperson
    minister ministers secretary secretaries secretarygeneral aide aides president
    vicepresident chairman chairwoman chairperson director ambassador envoy governor
    senator premier chancellor commissioner commander general deputy official officials
    representative prosecutor mayor lawmaker congressman congresswoman negotiator ceo
    leader chief
    """
)
TITLE_MODIFIERS = _words(
    """
    national security defense defence foreign presidential prime vice deputy assistant
    acting interim chief senior principal press finance financial interior home economy
    economic trade energy health justice education culture agriculture environment
    transport transportation labour labor attorney executive affairs intelligence
    military cabinet first state treasury communications information industry emergency
    emergencies sport sports development commerce housing immigration welfare pensions
    science technology homeland
    """
)
HONORIFICS = _words(
    """
    mr mrs ms miss mx dr prof professor rev reverend sir dame lord mme mlle gen col lt capt
    cpt sgt maj adm gov sen rep pres supt insp cllr det brig cmdr cdr archbishop bishop
    cardinal
    """
)
# Words that open a PERSON span but are no part of the name: `Briton Tim Henman`.
PERSON_DESCRIPTORS = _words(
    """
    briton britons scotsman welshman welshwoman irishman englishman englishwoman frenchman
    frenchwoman dutchman spaniard american australian canadian german russian swede
    norwegian italian brazilian argentine argentinian belgian swiss croat serb czech
    kenyan ethiopian jamaican nigerian ghanaian chinese japanese korean indian pakistani
    israeli palestinian iraqi iranian ukrainian georgian beatle rapper singer actor
    finn dane romanian bulgarian hungarian pole austrian portuguese mexican chilean
    colombian peruvian zimbabwean egyptian turk greek cuban slovak slovenian dutch
    unseeded seeded outspoken fullback flanker lock prop hooker scrumhalf flyhalf
    quarterback pitcher actress star veteran striker midfielder defender goalkeeper keeper
    winger captain
    skipper coach manager boss presenter dj producer writer author playwright poet
    comedian tycoon billionaire musician broadcaster journalist photographer designer
    artist novelist entrepreneur businessman businesswoman lawyer model dancer guitarist
    drummer bassist frontman vocalist chef host filmmaker composer conductor pianist
    sculptor painter architect economist analyst scientist historian critic editor
    columnist commentator pundit champion athlete sprinter jockey trainer boxer golfer
    cyclist swimmer batsman bowler referee umpire
    """
)
ORG_HEADS = _words(
    """
    council ministry department committee commission party agency office service
    services bank fund union court parliament assembly congress senate house
    administration government army navy police force forces corporation corp company co
    group association organization organisation institute university college school
    board authority bureau league club federation foundation network inc ltd plc centre
    center watch
    """
)
DEPARTMENTS = _words(
    """
    state defense defence treasury energy commerce labor labour agriculture interior
    health education transportation transport justice homeland security foreign affairs
    home war finance economy culture trade environment and the
    """
)
# Abbreviations whose trailing `.` is part of the mention: `Corp.`, `Jr.`, `St.`.
DOT_ABBREVIATIONS = _words("inc jr sr corp ltd co bros st mt ft")
FUNCTION_WORDS = _words("of the and for to in on at a an")
# Head nouns that follow an acronym definition: `Intermediate-Range Nuclear Forces (INF) Treaty`.
HEAD_NOUNS = _words(
    """
    treaty treaties agreement accord accords pact act convention protocol
    """
)
# Folded id keys of news agencies that spaCy tags PERSON (`told Sputnik that ...`).
NEWS_AGENCIES = _words(
    """
    reuters ap associatedpress afp agencefrancepresse tass itartass sputnik rianovosti
    ria interfax xinhua bloomberg dpa efe ansa kyodo yonhap anadolu irna upi
    pressassociation bbc cnn aljazeera
    """
)

# Lower-case words that belong inside a name: `Ludwig van Beethoven`, `Osama bin Laden`.
NAME_PARTICLES = _words(
    "van von de der den da di du del della dos das le la al el bin ibn ben y ter ten zu"
)

# Russian given names: every variant spelling -> the one used in the key.
_GIVEN_NAME_VARIANTS = {
    "sergei": "sergey serguei sergej sergii sergiy",
    "yuri": "yury yuriy yurii iouri iuri youri jurij",
    "dmitri": "dmitry dmitriy dmitrii dmitrij",
    "nikolai": "nikolay nikolaj",
    "alexei": "alexey aleksei aleksey alexej aleksej alexii",
    "andrei": "andrey andrej",
    "mikhail": "michail mihail mikhael",
    "yevgeni": "yevgeny yevgeniy yevgenii evgeny evgeni evgeniy evgenii jevgenij",
    "vladimir": "wladimir",
    "arkadi": "arkady arkadiy arkadii",
    "anatoli": "anatoly anatoliy anatolii",
    "vitali": "vitaly vitaliy vitalii",
    "vasili": "vasily vasiliy vasilii vassily wassily",
    "grigori": "grigory grigoriy grigorii",
    "valeri": "valery valeriy valerii",
    "gennadi": "gennady gennadiy gennadii",
    "georgi": "georgy georgiy georgii",
    "aleksandr": "alexander alexandr aleksander",
    "maksim": "maxim",
    "pyotr": "petr",
    "fyodor": "fedor feodor",
    "yegor": "egor",
    "ilya": "ilia ilja",
    "matvei": "matvey",
    "timofei": "timofey",
    "vyacheslav": "viacheslav",
    "yelena": "elena",
    "tatiana": "tatyana tatjana",
    "natalia": "natalya nataliya",
    "yulia": "yuliya iulia",
}
GIVEN_NAMES = {
    variant: canon
    for canon, variants in _GIVEN_NAME_VARIANTS.items()
    for variant in [canon, *variants.split()]
}
# Always applied to a given name: no English name is changed into another one by these.
_GIVEN_SUFFIX_ALWAYS = [("iy", "i"), ("ii", "i"), ("ey", "ei"), ("ej", "ei"), ("ij", "i")]
# Applied only when the result is a known given name (`Terry` must not become `Terri`).
_GIVEN_SUFFIX_IF_KNOWN = [("y", "i"), ("ay", "ai"), ("aj", "ai")]

_PLACE_ALIASES = {
    "unitedstates": "us usa unitedstatesofamerica america",
    "unitedkingdom": "uk britain greatbritain gb unitedkingdomofgreatbritainandnorthernireland",
    "russia": "russianfederation",
    "northkorea": "dprk democraticpeoplesrepublicofkorea",
    "southkorea": "republicofkorea",
    "china": "prc peoplesrepublicofchina",
    "unitedarabemirates": "uae",
    "czechrepublic": "czechia",
    "ivorycoast": "cotedivoire",
}
_NAME_ALIASES = {
    "intermediaterangenuclearforcestreaty": (
        "inf inftreaty intermediaterangenuclearforces infnucleartreaty"
    ),
    "strategicarmsreductiontreaty": "start starttreaty",
    "northatlantictreatyorganization": "nato northatlantictreatyorganisation",
    "unitednations": "un",
    "europeanunion": "eu",
    "internationalmonetaryfund": "imf",
    "internationalatomicenergyagency": "iaea",
    "worldhealthorganization": "who worldhealthorganisation",
    "federalbureauofinvestigation": "fbi",
    "centralintelligenceagency": "cia",
}


def _alias_table(table: dict[str, str]) -> dict[str, str]:
    return {
        variant: canon
        for canon, variants in table.items()
        for variant in [canon, *variants.split()]
    }


PLACE_ALIASES = _alias_table(_PLACE_ALIASES)
NAME_ALIASES = _alias_table(_NAME_ALIASES)

# --- folding and identity ---------------------------------------------------------------


def fold_tokens(text: str) -> list[str]:
    """Whitespace tokens as folded alphanumerics: `Jong-un` -> `jongun`, `U.S.` -> `us`."""
    text = re.sub(r"[.'’‘`´]", "", anyascii(text))
    tokens = (re.sub(r"[^0-9a-z]", "", token) for token in text.casefold().split())
    return [token for token in tokens if token]


def surface_key(text: str) -> str:
    """The folded text, before any alias or transliteration: `the U.S.` and `US` differ."""
    return " ".join(fold_tokens(text))


def canonical_given_name(token: str) -> str:
    """One spelling for a folded given name: `sergey` -> `sergei`, `dmitriy` -> `dmitri`."""
    if token in GIVEN_NAMES:
        return GIVEN_NAMES[token]
    for suffix, replacement in _GIVEN_SUFFIX_ALWAYS:
        if token.endswith(suffix) and len(token) > len(suffix) + 2:
            token = token[: -len(suffix)] + replacement
            break
    if token in GIVEN_NAMES:
        return GIVEN_NAMES[token]
    for suffix, replacement in _GIVEN_SUFFIX_IF_KNOWN:
        if token.endswith(suffix):
            candidate = token[: -len(suffix)] + replacement
            if candidate in GIVEN_NAMES:
                return GIVEN_NAMES[candidate]
    return token


def identity_key(kind: str, name: str) -> str:
    """The folded key the id is made from: ('person', 'Sergey Shoigu') -> 'sergeishoigu'."""
    tokens = fold_tokens(name)
    if kind == "person" and len(tokens) >= 2 and len(tokens[0]) > 1:
        tokens[0] = canonical_given_name(tokens[0])
    key = "".join(tokens)
    if kind == "place":
        return PLACE_ALIASES.get(key, key)
    if kind == "name":
        return NAME_ALIASES.get(key, key)
    return key


def entity_id(kind: str, key: str) -> str:
    """16 hex digits of blake2b(`kind:key`): stable across runs, workers and machines."""
    return hashlib.blake2b(f"{kind}:{key}".encode(), digest_size=8).hexdigest()


def kind_of(label: str) -> str:
    return KIND_OF_LABEL.get(label, "name")


def id_for(label: str, name: str) -> str:
    """The entity_id a canonical name of this label gets: `id_for('GPE', 'U.S.')`."""
    kind = kind_of(label)
    return entity_id(kind, identity_key(kind, name))
