"""Step definitions, written once against the Driver and Seeder ports."""
