"""North Korean names the project knows: provinces, cities, counties, institutions and leaders.

Written for topicwatch from public administrative geography. Each entry has one canonical name
(lower-case letters and spaces, the McCune-Reischauer spelling without diacritics for places, the
state media's spelling for people) and the spellings it is written in: McCune-Reischauer with and
without diacritics and apostrophes, North Korea's own "ph/th/kh" for aspirates (Phyongan, Nampho),
Revised Romanization, hyphenated, spaced and joined forms, and suffixed forms (-do, -si, -gun).
Every entry also carries its Korean names (North and South spellings, the North's first), so one
name is one name in both scripts (``names.py``).

The alias table (``aliases.py``) is built from these entries; the places of an article are found
with them (``topicwatch.model.places``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PLACE_KINDS = ("province", "special city", "city", "county")
KINDS = (*PLACE_KINDS, "institution", "person")


@dataclass(frozen=True)
class Entry:
    """One name: its canonical form, what it is, the province it lies in, and how else it is written."""

    name: str
    kind: str
    province: str | None = None
    variants: frozenset[str] = frozenset()
    hangul: tuple[str, ...] = ()


_PLAIN = str.maketrans({"ŏ": "o", "ŭ": "u", "ö": "o", "ü": "u", "é": "e", "'": "", "\u2019": ""})


def spellings(*forms: str) -> frozenset[str]:
    """Every way the given romanizations are commonly written.

    Each form lower-cased; with diacritics and apostrophes, without them, and with North Korea's
    "ph/th/kh" for the aspirated p' t' k' (ch' becomes ch); hyphens kept, made spaces, or dropped.
    """
    out: set[str] = set()
    for form in forms:
        form = form.lower().replace("\u2019", "'")
        aspirated = re.sub(r"([ptk])'", r"\1h", form.replace("ch'", "ch"))
        for base in {form, form.translate(_PLAIN), aspirated.translate(_PLAIN)}:
            out.update({base, base.replace("-", " "), base.replace("-", "")})
    return frozenset(out)


_SUFFIX = {"province": ("-do",), "special city": ("-si", "-shi"), "city": ("-si", "-shi"),
           "county": ("-gun", "-kun")}


def _place(name: str, kind: str, province: str | None, forms: tuple[str, ...], hangul: tuple[str, ...]) -> Entry:
    """A place with its spellings, and each one-word spelling again with its Korean suffix (Musan-gun)."""
    words = spellings(*(f for f in (name, *forms) if " " not in f and "-" not in f))
    suffixed = {f"{word}{suffix}" for word in words for suffix in _SUFFIX[kind]}
    return Entry(name, kind, province, frozenset((spellings(name, *forms) | suffixed) - {name}), hangul)


def _named(name: str, kind: str, forms: tuple[str, ...], hangul: tuple[str, ...]) -> Entry:
    return Entry(name, kind, None, spellings(name, *forms) - {name}, hangul)


# (canonical, kind, spellings, Korean names). Provinces and the special (province-level) cities.
_PROVINCES: list[tuple[str, str, tuple[str, ...], tuple[str, ...]]] = [
    ("north pyongan", "province", ("p'yŏngan-pukto", "pyongan-bukto", "pyeonganbuk-do", "north p'yŏngan",
                                   "north pyeongan", "n. pyongan"), ("평안북도",)),
    ("south pyongan", "province", ("p'yŏngan-namdo", "pyeongannam-do", "south p'yŏngan", "south pyeongan",
                                   "s. pyongan"), ("평안남도",)),
    ("chagang", "province", ("chagang-do", "jagang", "jagang-do"), ("자강도",)),
    ("ryanggang", "province", ("yanggang", "ryangkang", "ryanggang-do", "yanggang-do"), ("량강도", "양강도")),
    ("north hamgyong", "province", ("hamgyŏng-pukto", "hamgyong-bukto", "hamgyeongbuk-do", "north hamgyŏng",
                                    "north hamgyeong", "north hamkyong", "n. hamgyong"), ("함경북도",)),
    ("south hamgyong", "province", ("hamgyŏng-namdo", "hamgyeongnam-do", "south hamgyŏng", "south hamgyeong",
                                    "south hamkyong", "s. hamgyong"), ("함경남도",)),
    ("kangwon", "province", ("kangwŏn", "kangwon-do", "gangwon", "gangwon-do"), ("강원도",)),
    ("north hwanghae", "province", ("hwanghae-pukto", "hwanghae-bukto", "hwanghaebuk-do", "n. hwanghae"),
     ("황해북도",)),
    ("south hwanghae", "province", ("hwanghae-namdo", "hwanghaenam-do", "s. hwanghae"), ("황해남도",)),
    ("pyongyang", "special city", ("p'yŏngyang", "pyeongyang"), ("평양",)),
    ("rason", "special city", ("rasŏn", "raseon", "rajin-sŏnbong", "rajin-sonbong", "najin-seonbong"),
     ("라선", "라선시", "나선시")),  # not bare "나선": also "stepped forward" ("투쟁에 나선")
    ("nampo", "special city", ("namp'o",), ("남포",)),
    ("kaesong", "special city", ("kaesŏng", "gaeseong"), ("개성시", "개성공업지구")),
]

# Cities and counties by province: (canonical, kind, spellings, Korean names).
_LOCAL: dict[str, list[tuple[str, str, tuple[str, ...], tuple[str, ...]]]] = {
    "north pyongan": [
        ("sinuiju", "city", ("sinŭiju", "shinuiju", "sin-uiju", "sin-ŭiju"), ("신의주",)),
        ("kusong", "city", ("kusŏng", "guseong"), ("구성시",)),
        ("chongju", "city", ("chŏngju", "jongju"), ("정주시",)),
        ("sakju", "county", ("sakchu", "sakju"), ("삭주",)),
        ("uiju", "county", ("ŭiju",), ("의주",)),
        ("ryongchon", "county", ("ryongch'ŏn",), ("룡천", "용천군")),
        ("yongbyon", "county", ("yŏngbyŏn", "nyongbyon", "nyŏngbyŏn", "yeongbyeon"), ("녕변", "영변")),
        ("changsong", "county", ("ch'angsŏng",), ("창성군",)),
        ("pyoktong", "county", ("pyŏktong", "byeokdong"), ("벽동",)),
        ("cholsan", "county", ("ch'ŏlsan",), ("철산군",)),
        ("pakchon", "county", ("pakch'ŏn",), ("박천군",)),
        ("taegwan", "county", ("taegwan",), ("대관군",)),
        ("unsan", "county", ("unsan",), ("운산군",)),
        ("pihyon", "county", ("p'ihyŏn",), ("피현군",)),
        ("sonchon", "county", ("sŏnch'ŏn",), ("선천군",)),
        ("yomju", "county", ("yŏmju",), ("염주군",)),
    ],
    "south pyongan": [
        ("pyongsong", "city", ("p'yŏngsŏng", "pyeongseong"), ("평성",)),
        ("anju", "city", ("anju",), ("안주시",)),
        ("kaechon", "city", ("kaech'ŏn",), ("개천시",)),
        ("sunchon", "city", ("sunch'ŏn",), ("순천시",)),
        ("tokchon", "city", ("tŏkch'ŏn",), ("덕천시",)),
        ("sukchon", "county", ("sukch'ŏn",), ("숙천군",)),
        ("mundok", "county", ("mundŏk",), ("문덕군",)),
        ("pyongwon", "county", ("p'yŏngwŏn",), ("평원군",)),
        ("onchon", "county", ("onch'ŏn",), ("온천군",)),
        ("hoechang", "county", ("hoech'ang",), ("회창군",)),
        ("yangdok", "county", ("yangdŏk",), ("양덕군",)),
        ("songchon", "county", ("sŏngch'ŏn",), ("성천군",)),
    ],
    "chagang": [
        ("kanggye", "city", ("kanggye", "ganggye"), ("강계",)),
        ("manpo", "city", ("manp'o",), ("만포",)),
        ("huichon", "city", ("hŭich'ŏn", "huicheon"), ("희천",)),
        ("chasong", "county", ("chasŏng", "jaseong"), ("자성군",)),
        ("junggang", "county", ("chunggang",), ("중강군",)),
        ("wiwon", "county", ("wiwŏn",), ("위원군",)),
        ("chosan", "county", ("ch'osan",), ("초산군",)),
        ("hwapyong", "county", ("hwap'yŏng",), ("화평군",)),
        ("rangnim", "county", ("rangrim", "nangnim"), ("랑림군",)),
        ("songgan", "county", ("sŏnggan",), ("성간군",)),
        ("kopung", "county", ("kop'ung",), ("고풍군",)),
        ("chonchon", "county", ("chŏnch'ŏn",), ("전천군",)),
    ],
    "ryanggang": [
        ("hyesan", "city", ("hyesan",), ("혜산",)),
        ("samjiyon", "city", ("samjiyŏn", "samjiyeon"), ("삼지연",)),
        ("pochon", "county", ("poch'ŏn",), ("보천군",)),
        ("unhung", "county", ("unhŭng",), ("운흥군",)),
        ("kapsan", "county", ("kapsan", "gapsan"), ("갑산",)),
        ("paegam", "county", ("paekam", "baegam"), ("백암군",)),
        ("taehongdan", "county", ("taehongdan", "daehongdan"), ("대홍단",)),
        ("kimjongsuk", "county", ("kimjŏngsuk", "sinpa", "sinp'a"), ("김정숙군",)),
        ("kimhyonggwon", "county", ("kimhyŏnggwŏn", "pungsan", "p'ungsan"), ("김형권군",)),
        ("kimhyongjik", "county", ("kimhyŏngjik", "huchang", "huch'ang"), ("김형직군",)),
        ("samsu", "county", ("samsu",), ("삼수군",)),
        ("pungso", "county", ("p'ungsŏ",), ("풍서군",)),
    ],
    "north hamgyong": [
        ("chongjin", "city", ("ch'ŏngjin", "cheongjin"), ("청진",)),
        ("kimchaek", "city", ("kimch'aek", "songjin"), ("김책시",)),
        ("hoeryong", "city", ("hoeryŏng", "hoeryeong"), ("회령",)),
        ("musan", "county", ("musan",), ("무산군",)),
        ("onsong", "county", ("onsŏng", "onseong"), ("온성",)),
        ("kyongwon", "county", ("kyŏngwŏn", "gyeongwon", "saeppyol", "saepyol", "saebyol"), ("경원군", "새별군")),
        ("kilju", "county", ("kilju", "gilju"), ("길주",)),
        ("myongchon", "county", ("myŏngch'ŏn",), ("명천군",)),
        ("orang", "county", ("ŏrang",), ("어랑군",)),
        ("kyongsong", "county", ("kyŏngsŏng",), ("경성군",)),
        ("puryong", "county", ("puryŏng",), ("부령군",)),
        ("yonsa", "county", ("yŏnsa",), ("연사군",)),
        ("hwadae", "county", ("hwadae",), ("화대군",)),
    ],
    "south hamgyong": [
        ("hamhung", "city", ("hamhŭng", "hamheung"), ("함흥",)),
        ("tanchon", "city", ("tanch'ŏn", "dancheon"), ("단천",)),
        ("sinpo", "city", ("sinp'o",), ("신포",)),
        ("pukchong", "county", ("pukch'ŏng", "bukcheong"), ("북청",)),
        ("hamju", "county", ("hamju",), ("함주군",)),
        ("yonggwang", "county", ("yŏnggwang",), ("영광군",)),
        ("riwon", "county", ("riwŏn",), ("리원군",)),
        ("hochon", "county", ("hŏch'ŏn",), ("허천군",)),
        ("kowon", "county", ("kowŏn",), ("고원군",)),
        ("jangjin", "county", ("changjin",), ("장진군",)),
        ("pujon", "county", ("pujŏn", "bujeon"), ("부전군",)),
        ("hongwon", "county", ("hongwŏn",), ("홍원군",)),
        ("kumya", "county", ("kŭmya",), ("금야군",)),
        ("toksong", "county", ("tŏksŏng",), ("덕성군",)),
        ("sinhung", "county", ("sinhŭng",), ("신흥군",)),
    ],
    "kangwon": [
        ("wonsan", "city", ("wŏnsan",), ("원산시",)),
        ("munchon", "city", ("munch'ŏn",), ("문천시",)),
        ("anbyon", "county", ("anbyŏn",), ("안변군",)),
        ("tongchon", "county", ("t'ongch'ŏn",), ("통천군",)),
        ("pyonggang", "county", ("p'yŏnggang",), ("평강군",)),
        ("sepo", "county", ("sep'o",), ("세포군",)),
        ("kumgang", "county", ("kŭmgang", "geumgang"), ("금강군",)),
    ],
    "north hwanghae": [
        ("sariwon", "city", ("sariwŏn",), ("사리원",)),
        ("songnim", "city", ("songrim",), ("송림시",)),
        ("hwangju", "county", ("hwangju",), ("황주군",)),
        ("pongsan", "county", ("bongsan",), ("봉산군",)),
        ("sinpyong", "county", ("sinp'yŏng",), ("신평군",)),
        ("koksan", "county", ("koksan",), ("곡산군",)),
        ("yonsan", "county", ("yŏnsan",), ("연산군",)),
        ("pyongsan", "county", ("p'yŏngsan",), ("평산군",)),
        ("kumchon", "county", ("kŭmch'ŏn",), ("금천군",)),
        ("changpung", "county", ("changp'ung", "jangp'ung"), ("장풍군",)),
        ("yontan", "county", ("yŏnt'an",), ("연탄군",)),
        ("unpa", "county", ("ŭnp'a",), ("은파군",)),
        ("sohung", "county", ("sŏhŭng",), ("서흥군",)),
    ],
    "south hwanghae": [
        ("haeju", "city", ("haeju",), ("해주",)),
        ("sinchon", "county", ("sinch'ŏn",), ("신천군",)),
        ("anak", "county", ("anak",), ("안악군",)),
        ("chaeryong", "county", ("chaeryŏng", "jaeryong", "jaeryŏng", "jaeryeong"), ("재령군",)),
        ("yonan", "county", ("yŏnan", "yeonan"), ("연안군",)),
        ("kwail", "county", ("kwail",), ("과일군",)),
        ("pyoksong", "county", ("pyŏksŏng",), ("벽성군",)),
        ("unryul", "county", ("ŭnnyul", "unnyul"), ("은률군",)),
        ("samchon", "county", ("samch'ŏn",), ("삼천군",)),
        ("jangyon", "county", ("changyŏn",), ("장연군",)),
        ("ryongyon", "county", ("ryongyŏn",), ("룡연군",)),
        ("taetan", "county", ("t'aet'an",), ("태탄군",)),
        ("chongdan", "county", ("ch'ŏngdan",), ("청단군",)),
        ("songhwa", "county", ("songhwa",), ("송화군",)),
    ],
}

# (canonical, spellings, Korean names: the North's spelling first, where the South writes it otherwise).
_INSTITUTIONS: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
    ("ministry of state security", ("bowibu", "mss", "state security department", "ministry of state protection",
                                    "state security ministry", "kukka bowisong", "kukka bowibu"),
     ("국가보위성", "국가보위부", "국가안전보위부", "보위부")),
    ("ministry of social security", ("ministry of people's security", "ministry of peoples security",
                                     "people's security ministry", "ministry of people's safety",
                                     "ministry of peoples safety", "social security ministry", "anjŏnbu",
                                     "anjeonbu", "inmin boanbu"),
     ("사회안전성", "인민보안성", "인민보안부", "사회안전부")),
    ("workers party of korea", ("workers' party of korea", "worker's party of korea", "wpk",
                                "korean workers party", "korean workers' party", "kwp"),
     ("조선로동당", "조선노동당", "로동당", "노동당")),
    ("kpa", ("korean people's army", "korean peoples army", "korean people army"), ("조선인민군", "인민군")),
    ("organization and guidance department", ("organisation and guidance department",
                                              "organizational guidance department",
                                              "organization guidance department", "ogd"), ("조직지도부",)),
    ("propaganda and agitation department", ("agitation and propaganda department",), ("선전선동부",)),
    ("state affairs commission", ("state affairs committee",), ("국무위원회",)),
    ("supreme peoples assembly", ("supreme people's assembly", "supreme people assembly"), ("최고인민회의",)),
    ("national defence commission", ("national defense commission", "ndc"), ("국방위원회",)),
    ("general political bureau", ("gpb",), ("총정치국",)),
    ("reconnaissance general bureau", ("rgb", "general reconnaissance bureau"), ("정찰총국",)),
    ("united front department", ("ufd", "united front work department"), ("통일전선부",)),
    ("kcna", ("korean central news agency",), ("조선중앙통신",)),
    ("rodong sinmun", ("rodong shinmun", "nodong sinmun", "nodong shinmun"), ("로동신문", "노동신문")),
]

_PEOPLE: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
    ("kim il sung", ("kim il-sung", "kim il-sŏng", "kim il song", "kim ilsung"), ("김일성",)),
    ("kim jong il", ("kim jong-il", "kim chŏng-il", "kim jeong-il", "kim jung il", "kim jung-il"), ("김정일",)),
    ("kim jong un", ("kim jong-un", "kim chŏng-ŭn", "kim jeong-eun", "kim jung un", "kim jung-un", "kim jong eun"),
     ("김정은",)),
    ("kim yo jong", ("kim yo-jong", "kim yŏ-jŏng", "kim yeo-jeong", "kim yo jung"), ("김여정",)),
    ("choe son hui", ("choe son-hui", "ch'oe sŏn-hŭi", "choe seon-hui", "choi son-hui", "choe sun-hui",
                      "choi sun-hui", "choi sun-hee"), ("최선희",)),
    ("pak pong ju", ("pak pong-ju", "pak pŏng-ju", "park pong-ju", "pak bong-ju", "park bong-ju"), ("박봉주",)),
    ("ri sol ju", ("ri sol-ju", "ri sŏl-chu", "lee sol-ju", "ri seol-ju"), ("리설주", "이설주")),
    ("choe ryong hae", ("choe ryong-hae", "ch'oe ryong-hae", "choi ryong-hae", "choe ryonghae"), ("최룡해", "최용해")),
    ("kim yong nam", ("kim yong-nam", "kim yŏng-nam", "kim yeong-nam"), ("김영남",)),
    ("jang song thaek", ("jang song-thaek", "chang sŏng-t'aek", "jang sung-taek", "jang song-taek"), ("장성택",)),
    ("hyon song wol", ("hyon song-wol", "hyŏn song-wŏl", "hyun song-wol"), ("현송월",)),
    ("kim yong chol", ("kim yong-chol", "kim yŏng-ch'ŏl", "kim yong-choi"), ("김영철",)),
    ("jo yong won", ("jo yong-won", "cho yong-won", "cho yŏng-wŏn"), ("조용원",)),
    ("ri pyong chol", ("ri pyong-chol", "ri pyŏng-ch'ŏl", "lee pyong-chol"), ("리병철", "이병철")),
    ("pak thae song", ("pak thae-song", "pak t'ae-sŏng", "park thae-song"), ("박태성",)),
    ("kim tok hun", ("kim tok-hun", "kim tŏk-hun", "kim deok-hun"), ("김덕훈",)),
    ("ri son gwon", ("ri son-gwon", "ri sŏn-gwŏn", "ri son kwon"), ("리선권", "이선권")),
    ("hwang pyong so", ("hwang pyong-so", "hwang pyŏng-sŏ", "hwang byong-so"), ("황병서",)),
    ("kim kyong hui", ("kim kyong-hui", "kim kyŏng-hŭi", "kim kyung-hee"), ("김경희",)),
    ("kim jong nam", ("kim jong-nam", "kim chŏng-nam"), ("김정남",)),
]


def _build() -> dict[str, Entry]:
    entries: dict[str, Entry] = {}
    for name, kind, forms, hangul in _PROVINCES:
        entries[name] = _place(name, kind, name, forms, hangul)
    for province, places in _LOCAL.items():
        for name, kind, forms, hangul in places:
            entries[name] = _place(name, kind, province, forms, hangul)
    for name, forms, hangul in _INSTITUTIONS:
        entries[name] = _named(name, "institution", forms, hangul)
    for name, forms, hangul in _PEOPLE:
        entries[name] = _named(name, "person", forms, hangul)
    return entries


GAZETTEER: dict[str, Entry] = _build()

# Counties named after people: "Kim Jong Suk County" is the county, not the woman.
COUNTY_PHRASES: dict[str, tuple[str, ...]] = {
    "kimjongsuk county": ("kim jong suk county", "kim jong-suk county"),
    "kimhyonggwon county": ("kim hyong gwon county", "kim hyong-gwon county"),
    "kimhyongjik county": ("kim hyong jik county", "kim hyong-jik county"),
    "kimchaek city": ("kim chaek city",),
}


def alias_mapping() -> dict[str, tuple[str, ...]]:
    """canonical -> its variants, for every entry (what ``AliasTable.builtin`` is built from)."""
    mapping = {name: tuple(sorted(entry.variants)) for name, entry in GAZETTEER.items() if entry.variants}
    mapping.update(COUNTY_PHRASES)
    return mapping


def places() -> list[Entry]:
    """The entries that are places (provinces, special cities, cities, counties)."""
    return [entry for entry in GAZETTEER.values() if entry.kind in PLACE_KINDS]
