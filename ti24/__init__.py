"""ti24: the executable specification and reference simulator of KOTRA 무역투자24 통합회원."""

__version__ = "0.1.0"
