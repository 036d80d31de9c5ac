"""Local stand-ins for the providers, for tests only: 127.0.0.1, no network."""
