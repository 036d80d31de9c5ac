"""landlords."""
