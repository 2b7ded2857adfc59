"""A queue's policy: how many labels per item, gold and audit rates, order, leases."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class QueuePolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    overlap: int = Field(default=1, ge=1, le=50, description="submitted labels wanted per item")
    blind: bool = Field(default=True, description="hide model names and versions from raters")
    gold_rate: float = Field(default=0.0, ge=0.0, le=1.0,
                             description="share of claims answered with a hidden gold item")
    audit_rate: float = Field(default=0.0, ge=0.0, le=1.0,
                              description="share of submitted labels sent to review")
    qualification_min_score: float | None = Field(
        default=None, ge=0.0, le=1.0,
        description="accuracy a rater needs on the qualification pack before live items")
    order: Literal["random", "stratified", "priority", "dataset"] = "random"
    stratify_by: str | None = Field(default=None, description="metadata field for 'stratified'")
    priority_field: str | None = Field(
        default=None, description="numeric metadata field for 'priority' (higher first)")
    lease_seconds: int = Field(default=900, ge=1, le=7 * 86400)
    per_rater_cap: int | None = Field(default=None, ge=1, description="live labels per rater")
    turnaround_hours: float | None = Field(
        default=None, gt=0, le=365 * 24,
        description="hours from when an item enters the queue until all its labels are due "
                    "(the on-time rate of the quality report is measured against it)")
    # None by default: metadata can carry what biases a rater (the model, a customer tier,
    # an answer key), so a lead names each field raters may see.
    show_metadata: list[str] = Field(
        default_factory=list,
        description="metadata fields raters may see (none unless listed; gold markers must "
                    "never be listed)")
    seed: int = 0

    @model_validator(mode="after")
    def _order_needs_field(self) -> QueuePolicy:
        if self.order == "stratified" and not self.stratify_by:
            raise ValueError("order 'stratified' needs 'stratify_by' (a metadata field)")
        if self.order == "priority" and not self.priority_field:
            raise ValueError("order 'priority' needs 'priority_field' (a numeric metadata field)")
        return self
