"""What a model's tokens cost: a price table users keep in a YAML file
(`model: {input_per_mtok: 0.15, output_per_mtok: 0.60}`, US dollars per million tokens),
looked up by the target's model name, then by its spec string. No entry, no cost: an
unknown price is reported as missing, not as free."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from honing._errors import InvalidInput
from honing.evaluate._model import Output


class Price(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    input_per_mtok: float = Field(ge=0)
    output_per_mtok: float = Field(ge=0)


@dataclass(frozen=True)
class Prices:
    table: dict[str, Price] = field(default_factory=dict)

    def cost(self, target: Any, output: Output) -> float | None:
        price = self.table.get(str(target.params.get("model", ""))) or self.table.get(target.spec)
        if price is None or output.prompt_tokens is None or output.completion_tokens is None:
            return None
        return (output.prompt_tokens * price.input_per_mtok + output.completion_tokens * price.output_per_mtok) / 1e6

    def as_dict(self) -> dict[str, Any]:
        return {name: price.model_dump() for name, price in self.table.items()}


def load_prices(path: Path) -> Prices:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise InvalidInput(f"cannot read the price table {path}: {error}") from None
    if not isinstance(data, dict):
        raise InvalidInput(f"{path}: a price table maps model names to prices",
                           hint="gpt-4o-mini: {input_per_mtok: 0.15, output_per_mtok: 0.60}")
    try:
        return Prices({str(name): Price.model_validate(value) for name, value in data.items()})
    except ValidationError as error:
        raise InvalidInput(f"{path}: a price is not valid: {error.errors()[0]['msg']}",
                           hint="each model needs input_per_mtok and output_per_mtok (USD per million tokens)") from None
