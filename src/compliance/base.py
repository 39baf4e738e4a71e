"""The one strict base every model of the package derives from."""

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    """Frozen, and unknown fields are errors: a typo in a YAML key must not pass silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)
