"""HTTP surfaces: the JSON API, health and metrics (staff pages come later)."""
