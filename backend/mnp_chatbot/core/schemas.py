from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class Schema(BaseModel):
    """An HTTP body: camelCase on the wire (every field's alias); the Python name is accepted on input too."""

    model_config = ConfigDict(from_attributes=True, alias_generator=to_camel, populate_by_name=True)
