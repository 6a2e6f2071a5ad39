"""Application services: one per flow, each applying domain rules in one transaction."""
