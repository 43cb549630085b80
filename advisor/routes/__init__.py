"""Routes that make a model behave a team's way without training it.

See :mod:`advisor.routes.base` for the contract.  Heavy libraries (torch,
chromadb) load only when a route is prepared.
"""

from advisor.routes.assistant import AssistantProfile, AssistantStore, CustomAssistantRoute
from advisor.routes.base import PrepareReport, Route, RouteAnswer, SourceRef
from advisor.routes.rag import RagRoute
from advisor.routes.system_prompt import SystemPromptRoute

__all__ = [
    "AssistantProfile",
    "AssistantStore",
    "CustomAssistantRoute",
    "PrepareReport",
    "RagRoute",
    "Route",
    "RouteAnswer",
    "SourceRef",
    "SystemPromptRoute",
]
