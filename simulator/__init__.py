"""ti24 reference simulator of the KOTRA 무역투자24 integrated membership system."""
