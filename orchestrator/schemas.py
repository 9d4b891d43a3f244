"""Pydantic schemas shared by tasks, providers, services and pages.

``JobPosting`` is what extraction returns, whichever engine served it; the
JSON schema sent to models for structured output is written by hand in
the extraction task's module so it stays strict-mode compatible for every vendor,
and the model's answer is validated back into this class.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

RemoteMode = Literal["onsite", "hybrid", "remote", "unknown"]
EmploymentType = Literal["full_time", "part_time", "contract", "internship", "temporary", "unknown"]
Seniority = Literal["intern", "junior", "mid", "senior", "lead", "principal", "executive", "unknown"]
SalaryPeriod = Literal["hour", "day", "week", "month", "year"]

REMOTE_MODES: tuple[str, ...] = RemoteMode.__args__  # type: ignore[attr-defined]
EMPLOYMENT_TYPES: tuple[str, ...] = EmploymentType.__args__  # type: ignore[attr-defined]
SENIORITIES: tuple[str, ...] = Seniority.__args__  # type: ignore[attr-defined]
SALARY_PERIODS: tuple[str, ...] = SalaryPeriod.__args__  # type: ignore[attr-defined]


class SalaryRange(BaseModel):
    """A pay range as the posting states it. Amounts are exact decimals."""

    model_config = ConfigDict(extra="ignore")

    min: Decimal | None = None
    max: Decimal | None = None
    currency: str | None = Field(default=None, description="ISO 4217 code, e.g. USD, EUR, GBP")
    period: SalaryPeriod | None = None

    @field_validator("currency")
    @classmethod
    def _upper(cls, v: str | None) -> str | None:
        return v.strip().upper() if v else v


class JobPosting(BaseModel):
    """A job posting, extracted into fields a CV and a cover letter can use."""

    model_config = ConfigDict(extra="ignore")

    title: str = Field(min_length=1)
    company: str | None = None
    location: str | None = None
    remote_mode: RemoteMode = "unknown"
    employment_type: EmploymentType = "unknown"
    seniority: Seniority = "unknown"
    salary: SalaryRange | None = None
    skills: list[str] = Field(default_factory=list)
    requirements: list[str] = Field(default_factory=list)
    responsibilities: list[str] = Field(default_factory=list)
    benefits: list[str] = Field(default_factory=list)
    summary: str | None = None
    contact: str | None = None  # the person to address, as the posting names them ("Ms Jane Smith")

    @field_validator("title")
    @classmethod
    def _strip_title(cls, v: str) -> str:
        v = v.strip()
        if not v:
            raise ValueError("title must not be empty")
        return v


class Experience(BaseModel):
    model_config = ConfigDict(extra="ignore")

    role: str = ""
    company: str = ""
    location: str | None = None
    start: str | None = None
    end: str | None = None
    bullets: list[str] = Field(default_factory=list)


class Education(BaseModel):
    model_config = ConfigDict(extra="ignore")

    degree: str = ""
    institution: str = ""
    start: str | None = None
    end: str | None = None
    details: str | None = None


class Profile(BaseModel):
    """The user's master CV: everything a tailored CV or letter may draw on."""

    model_config = ConfigDict(extra="ignore")

    name: str = ""
    headline: str | None = None
    email: str | None = None
    phone: str | None = None
    location: str | None = None
    links: list[str] = Field(default_factory=list)
    summary: str | None = None
    experience: list[Experience] = Field(default_factory=list)
    education: list[Education] = Field(default_factory=list)
    skills: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)

    def is_empty(self) -> bool:
        return not (self.name or self.summary or self.experience or self.skills)


Length = Literal["short", "standard", "detailed"]
Tone = Literal["formal", "friendly", "confident", "enthusiastic"]


class DraftOptions(BaseModel):
    """Options for CV drafting and cover letters."""

    model_config = ConfigDict(extra="forbid")

    length: Length = "standard"
    tone: Tone = "formal"
    language: str = "English"
    emphasis: str | None = Field(default=None, max_length=500)
