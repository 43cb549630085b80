"""Interchangeable model backends behind one contract (:mod:`backends.base`).

Built-in backends: ``local`` (transformers and sentence-transformers on this
machine), ``openai`` (the OpenAI API or any OpenAI-compatible server),
``azure`` (Azure OpenAI) and ``fake`` (deterministic, for tests and docs).
Third-party backends register in the ``advisor.backends`` entry-point group.
"""
