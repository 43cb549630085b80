"""The application layer: every use case the CLI and the wizard share, written once.

The shells (``advisor.cli``, ``advisor.tui``) parse input and draw output; the
modules here decide what happens in between: which route to build, where a
benchmark writes its reports, which service follows a job, what makes an
assistant valid, how a conversation keeps its history.  Nothing here imports a
UI library (an import-linter contract in pyproject.toml keeps it so), and heavy
libraries load inside the functions that need them, so the CLI starts fast.

Modules, one per use case:

* :mod:`advisor.app.routes` - build a route (system prompt, RAG, custom assistant),
* :mod:`advisor.app.ask` - ask a route one question; sources for display,
* :mod:`advisor.app.conversation` - a multi-turn conversation through a route,
* :mod:`advisor.app.chat` - what the wizard's chat can talk to,
* :mod:`advisor.app.bench` - run a benchmark with the one default route list and report folder,
* :mod:`advisor.app.jobs` - submit and follow a fine-tuning job through its own backend,
* :mod:`advisor.app.metrics` - the typed metric points of a job's events,
* :mod:`advisor.app.assistants` - create a custom assistant, validated,
* :mod:`advisor.app.assess` - assess with the files (evidence) and judge the advice by a bench,
* :mod:`advisor.app.cost` - cost over time per route, per correct answer, and the crossovers,
* :mod:`advisor.app.calibration` - measure this machine for training, answering and indexing times,
* :mod:`advisor.app.grow` - draft training examples with a teacher (``grow_sources``,
  ``grow_teacher``),
* :mod:`advisor.app.review` - the review queue of a training, test or drafts file,
* :mod:`advisor.app.arena` - two targets side by side, blind votes as DPO pairs (``arena_votes``,
  ``arena_tally``),
* :mod:`advisor.app.export` - a tuned model as safetensors, GGUF or an Ollama folder,
* :mod:`advisor.app.deploy` - deploy a fine-tuned model where the provider needs it (Azure),
* :mod:`advisor.app.warm` - start, stop and report the warm local model process,
* :mod:`advisor.app.backends` and :mod:`advisor.app.text` - backend choices and shared wording.
"""
