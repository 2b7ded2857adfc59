"""Domain models shared by every capability (Pydantic, no I/O)."""

from honing.domain._item import (
    ContextDocument,
    FunctionCall,
    ImagePart,
    Item,
    Message,
    Response,
    TextPart,
    TokenUsage,
    ToolCall,
    ToolDefinition,
    ToolFunction,
)

__all__ = [
    "ContextDocument",
    "FunctionCall",
    "ImagePart",
    "Item",
    "Message",
    "Response",
    "TextPart",
    "TokenUsage",
    "ToolCall",
    "ToolDefinition",
    "ToolFunction",
]
