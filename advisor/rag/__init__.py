"""Retrieval: loaders, chunking, embeddings and knowledge bases on Chroma.

Chroma and sentence-transformers are imported inside functions only, so
importing this package is cheap.
"""

from advisor.rag.knowledge_base import KnowledgeBase
from advisor.rag.models import Hit, IndexReport, KnowledgeBaseInfo, QueryResult, Skipped

__all__ = ["Hit", "IndexReport", "KnowledgeBase", "KnowledgeBaseInfo", "QueryResult", "Skipped"]
