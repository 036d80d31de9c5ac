"""Kartlegging: what the service did and what came of it (issue 15).

The peer review's most praised practice (seeds/004: "utvikle system for, og
kartlegge alle innkomne begjæringer") made into figures a district lead, an
administrator or an analyst can read: ``figures`` computes them in the
database, ``tables`` is the shape every figure takes on its way to a page, a
chart, a CSV file or the printable quarterly report.
"""
