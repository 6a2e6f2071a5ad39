"""Every party outside KOTRA in one place, sharing one clock: the people, their phones and
cards, the 간편인증 apps, the four SNS providers, 국세청 and the certificate authorities."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from .ca import CertificateAuthorities
from .card import CardVerification
from .nts import NtsBusinessRegistry
from .people import PersonRegistry
from .phone import PassVerification, SmsInbox
from .simple_auth import SimpleAuth
from .sns import FacebookProvider, GoogleProvider, KakaoProvider, NaverProvider, SnsProvider

SITE_CODE = "KOTRA-TI24"
SITE_SECRET = "ti24-site-secret"  # sent as ``Authorization: Bearer …`` on server-to-server calls
NTS_SERVICE_KEY = "ti24-test-service-key"
REDIRECT_BASE = "http://127.0.0.1/oauth"


@dataclass
class ProviderWorld:
    now: Callable[[], datetime]
    seed: int | None = None
    site_code: str = SITE_CODE
    site_secret: str = SITE_SECRET
    people: PersonRegistry = field(init=False)
    inbox: SmsInbox = field(init=False)
    phone: PassVerification = field(init=False)
    card: CardVerification = field(init=False)
    simple: SimpleAuth = field(init=False)
    sns: dict[str, SnsProvider] = field(init=False)
    sns_clients: dict[str, tuple[str, str, str]] = field(init=False)
    nts: NtsBusinessRegistry = field(init=False)
    cas: CertificateAuthorities = field(init=False)

    def __post_init__(self) -> None:
        self.people = PersonRegistry(self.seed)
        self.inbox = SmsInbox()
        self.phone = PassVerification(self.people, self.now, self.inbox)
        self.card = CardVerification(self.people, self.now)
        self.simple = SimpleAuth(self.people, self.now)
        self.sns = {
            "kakao": KakaoProvider(self.now, self.seed),
            "naver": NaverProvider(self.now, self.seed),
            "google": GoogleProvider(self.now, self.seed),
            "facebook": FacebookProvider(self.now, self.seed),
        }
        self.sns_clients = {}
        for channel, provider in self.sns.items():
            client = (f"ti24-{channel}-client", f"ti24-{channel}-secret", f"{REDIRECT_BASE}/{channel}/callback")
            provider.register_client(client[0], client[1], [client[2]])
            self.sns_clients[channel] = client
        self.nts = NtsBusinessRegistry(NTS_SERVICE_KEY)
        self.cas = CertificateAuthorities(self.now)

    def register_redirect(self, channel: str, uri: str) -> None:
        """Add ``uri`` to the redirect URIs of the simulator's client at SNS provider ``channel``."""
        if channel not in self.sns_clients:
            raise KeyError(f"unknown SNS channel: {channel}")
        self.sns[channel].add_redirect_uri(self.sns_clients[channel][0], uri)
