"""Adapters: storage, hashing and the clients of providers outside KOTRA."""
