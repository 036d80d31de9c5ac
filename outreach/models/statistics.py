"""Figures kept from outside the service: inhabitants per district, the bailiff's counts.

Issue 15's "per 1,000 inhabitants" needs each district's population with its
source and year (Statistics Norway / Oslo kommune's statistics bank), and the
reconciliation needs the bailiff's (namsmannen's) quarterly overview. Both come
as files and an import replaces what a file covers (a year, a quarter), so the
tables hold exactly one figure per key and a re-import is harmless
(``outreach.reports.population``, ``outreach.reports.bailiff``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from outreach.db import Base, UTCDateTime


class Population(Base):
    """Inhabitants of one district (or area) on 1 January of ``year``."""

    __tablename__ = "district_population"
    __table_args__ = (UniqueConstraint("district_code", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # A code of districts.AREA_NAMES: the 15 districts, Sentrum and Marka (they
    # have inhabitants, and the city's total counts them). No foreign key: the
    # district table holds only the 15 that run an office.
    district_code: Mapped[str] = mapped_column(String(6))
    year: Mapped[int] = mapped_column(Integer)
    population: Mapped[int] = mapped_column(Integer)
    # Where the figure was published, e.g. "SSB, tabell 07459, 1.1.2024".
    source: Mapped[str] = mapped_column(String(300))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)


class BailiffCount(Base):
    """The bailiff's petitions and evictions for one quarter, district and plaintiff type."""

    __tablename__ = "bailiff_counts"
    __table_args__ = (UniqueConstraint("quarter", "district_code", "plaintiff_type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # "2026-Q1": sorts as text in time order, so a range of quarters is a text range.
    quarter: Mapped[str] = mapped_column(String(7))
    district_code: Mapped[str] = mapped_column(String(6))
    plaintiff_type: Mapped[str] = mapped_column(String(24))  # vocabulary.PLAINTIFF_TYPES
    petitions: Mapped[int] = mapped_column(Integer)
    evictions: Mapped[int] = mapped_column(Integer)
    # The file it came from and who imported it: a figure someone questions can be traced.
    source_name: Mapped[str] = mapped_column(String(200), default="")
    imported_by: Mapped[str] = mapped_column(String(80), default="")
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)
