"""The fake population every identity provider agrees on.

A ``Person`` is what 통신사, 카드사 and 간편인증 apps know about a human being. CI is derived
one-way from the (fake) resident registration number under a fixed fake-KISA key, so the same
person has the same CI at every provider and site; DI additionally depends on the site code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from dataclasses import replace as dataclass_replace
from datetime import UTC, date, datetime

from fake_providers.seeded import SeededFaker

CARRIERS = ("SKT", "KT", "LG U+", "알뜰폰(SKT)", "알뜰폰(KT)", "알뜰폰(LG U+)")

# The seven card companies designated as 본인확인기관 (also re-exported by fake_providers.card).
CARD_COMPANIES = ("국민", "롯데", "비씨", "삼성", "신한", "하나", "현대")

# 간편인증 (민간인증서) apps (also re-exported by fake_providers.simple_auth).
SIMPLE_AUTH_APPS = ("카카오", "네이버", "PASS", "토스", "KB국민인증서", "삼성패스", "PAYCO", "금융인증서")

# Fixed fake keys standing in for KISA's CI/DI derivation secrets. Not the real algorithm.
_FAKE_KISA_CI_KEY = b"ti24-simulator/fake-KISA/CI-key/v1"
_FAKE_KISA_DI_KEY = b"ti24-simulator/fake-KISA/DI-key/v1"

_PHONE_DIGITS = re.compile(r"^01[016789]\d{7,8}$")


class ProviderError(Exception):
    """A provider refused a request: what its error page or error response says.

    ``code`` is a stable English identifier; ``message`` is the Korean text the provider shows.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return f"ProviderError({self.code!r}, {self.message!r})"


def phone_digits(phone: str) -> str:
    """``"010-1234-5678"`` / ``"01012345678"`` / ``"010 1234 5678"`` → ``"01012345678"``."""
    return re.sub(r"[\s-]", "", phone)


def format_phone(phone: str) -> str:
    """Any spelling of a Korean mobile number → ``"010-1234-5678"`` (unchanged if not a mobile number)."""
    digits = phone_digits(phone)
    if not _PHONE_DIGITS.match(digits):
        return phone
    return f"{digits[:3]}-{digits[3:-4]}-{digits[-4:]}"


def rfc3339(moment: datetime) -> str:
    """``2024-05-01T03:04:05.000Z`` (UTC, millisecond precision) as PortOne-style APIs print it."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def parse_birth_date(value: date | str) -> date:
    """Accept a ``date`` or ``"yyyymmdd"`` / ``"yyyy-mm-dd"``."""
    if isinstance(value, date):
        return value
    digits = value.replace("-", "").strip()
    if len(digits) != 8 or not digits.isdigit():
        raise ValueError(f"not a birth date: {value!r}")
    return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))


class AlreadyRegistered(ValueError):
    """The person, or another person with that phone number, is already known."""


@dataclass(frozen=True)
class Person:
    name: str
    birth_date: date
    gender: str  # "M" or "F"
    foreigner: bool
    phone: str  # "010-1234-5678"
    carrier: str  # one of CARRIERS
    email: str
    resident_secret: str  # fake 주민등록번호/외국인등록번호; never leaves the providers
    cards: tuple[str, ...] = ()  # card companies (CARD_COMPANIES) holding a card of this person
    apps: tuple[str, ...] = ()  # 간편인증 apps (SIMPLE_AUTH_APPS) with a certificate issued

    @property
    def ci(self) -> str:
        """연계정보: 88-char base64 of a 64-byte HMAC-SHA512; identical at every provider and site."""
        digest = hmac.new(_FAKE_KISA_CI_KEY, self.resident_secret.encode(), hashlib.sha512).digest()
        return base64.b64encode(digest).decode("ascii")

    def di(self, site_code: str) -> str:
        """중복가입확인정보: 64-char base64 of a 48-byte HMAC-SHA384, different for every site."""
        message = f"{site_code}\x00{self.resident_secret}".encode()
        digest = hmac.new(_FAKE_KISA_DI_KEY, message, hashlib.sha384).digest()
        return base64.b64encode(digest).decode("ascii")

    @property
    def gender_digit(self) -> str:
        """7th digit of the registration number (1/2 1900s, 3/4 2000s; 5-8 for foreigners)."""
        century_2000 = self.birth_date.year >= 2000
        base = 3 if century_2000 else 1
        if self.foreigner:
            base += 4
        return str(base if self.gender == "M" else base + 1)


class PersonRegistry(SeededFaker):
    """Everyone the fake providers know, with unique phone numbers."""

    def __init__(self, seed: int | None = None) -> None:
        self._faker_seed = seed
        self._people: dict[str, Person] = {}  # keyed by resident_secret
        self._phones: dict[str, str] = {}  # phone digits -> resident_secret

    # --- creation -------------------------------------------------------------------------

    def new_person(self, **overrides: object) -> Person:
        """Create, register and return a new person; any ``Person`` field may be overridden."""
        unknown = set(overrides) - set(Person.__dataclass_fields__)
        if unknown:
            raise TypeError(f"unknown Person fields: {sorted(unknown)}")
        rnd = self._random
        gender = str(overrides.get("gender") or rnd.choice(("M", "F")))
        first = self._faker.first_name_male() if gender == "M" else self._faker.first_name_female()
        birth_date = overrides.get("birth_date")
        if birth_date is None:
            birth_date = self._faker.date_between_dates(date(1950, 1, 1), date(2005, 12, 31))
        birth_date = parse_birth_date(birth_date)  # type: ignore[arg-type]
        phone = overrides.get("phone")
        phone = format_phone(str(phone)) if phone is not None else self._unused_phone()
        cards = tuple(rnd.sample(CARD_COMPANIES, rnd.randint(1, 2)))
        values: dict[str, object] = {
            "name": self._faker.last_name() + first,
            "birth_date": birth_date,
            "gender": gender,
            "foreigner": False,
            "phone": phone,
            "carrier": rnd.choice(CARRIERS),
            "email": self._faker.free_email(),
            "cards": cards,
            "apps": SIMPLE_AUTH_APPS,
        }
        values.update(overrides)
        values["birth_date"] = birth_date
        values["phone"] = phone
        if "resident_secret" not in overrides:
            values["resident_secret"] = self._resident_secret(values)
        person = Person(**values)  # type: ignore[arg-type]
        return self.add(person)

    def _unused_phone(self) -> str:
        while True:
            digits = "010" + "".join(str(self._random.randint(0, 9)) for _ in range(8))
            if digits not in self._phones and digits[3] != "0":
                return format_phone(digits)

    def _resident_secret(self, values: dict[str, object]) -> str:
        while True:
            probe = Person(**{**values, "resident_secret": ""})  # type: ignore[arg-type]
            serial = "".join(str(self._random.randint(0, 9)) for _ in range(6))
            secret = f"{probe.birth_date:%y%m%d}-{probe.gender_digit}{serial}"
            if secret not in self._people:
                return secret

    # --- registry -------------------------------------------------------------------------

    def add(self, person: Person) -> Person:
        self._validate(person)
        person = dataclass_replace(person, phone=format_phone(person.phone))
        if person.resident_secret in self._people:
            raise AlreadyRegistered("person already registered")
        digits = phone_digits(person.phone)
        if digits in self._phones:
            raise AlreadyRegistered(f"phone number already in use: {person.phone}")
        self._people[person.resident_secret] = person
        self._phones[digits] = person.resident_secret
        return person

    def replace(self, person: Person) -> Person:
        """Store a changed person (same resident_secret), e.g. after a phone or carrier change."""
        self._validate(person)
        person = dataclass_replace(person, phone=format_phone(person.phone))
        old = self._people.get(person.resident_secret)
        if old is None:
            raise KeyError("person not registered")
        digits = phone_digits(person.phone)
        owner = self._phones.get(digits)
        if owner is not None and owner != person.resident_secret:
            raise AlreadyRegistered(f"phone number already in use: {person.phone}")
        del self._phones[phone_digits(old.phone)]
        self._phones[digits] = person.resident_secret
        self._people[person.resident_secret] = person
        return person

    def change(self, person: Person, **changes: object) -> Person:
        """Convenience: ``replace(dataclasses.replace(person, **changes))``."""
        return self.replace(dataclass_replace(person, **changes))  # type: ignore[arg-type]

    def by_phone(self, phone: str) -> Person | None:
        secret = self._phones.get(phone_digits(phone))
        return self._people[secret] if secret is not None else None

    def find(self, name: str, birth_date: date | str, phone: str) -> Person | None:
        """The person with exactly this name, birth date and phone number, if any."""
        person = self.by_phone(phone)
        if person is None:
            return None
        try:
            born = parse_birth_date(birth_date)
        except ValueError:
            return None
        if person.name != name.strip() or person.birth_date != born:
            return None
        return person

    def current(self, person: Person) -> Person | None:
        """The registry's present version of ``person`` (None if unknown)."""
        return self._people.get(person.resident_secret)

    def all(self) -> list[Person]:
        return list(self._people.values())

    def __len__(self) -> int:
        return len(self._people)

    @staticmethod
    def _validate(person: Person) -> None:
        if person.gender not in ("M", "F"):
            raise ValueError("gender must be 'M' or 'F'")
        if person.carrier not in CARRIERS:
            raise ValueError(f"unknown carrier: {person.carrier}")
        if not _PHONE_DIGITS.match(phone_digits(person.phone)):
            raise ValueError(f"not a mobile number: {person.phone}")
        if unknown_cards := set(person.cards) - set(CARD_COMPANIES):
            raise ValueError(f"unknown card companies: {sorted(unknown_cards)}")
        if unknown_apps := set(person.apps) - set(SIMPLE_AUTH_APPS):
            raise ValueError(f"unknown 간편인증 apps: {sorted(unknown_apps)}")
