"""Route advisor: choose between system prompts, RAG, custom assistants and fine-tuning.

The package is a headless core (criteria, scoring, data tools, routes, jobs,
graders, benchmarks) with two thin shells over it: the CLI (`advisor.cli`) and
the Textual wizard (`advisor.tui`).  Importing this package is cheap: nothing
heavy (torch, transformers, chromadb, textual) is imported until it is used.
"""

__version__ = "0.1.0"
