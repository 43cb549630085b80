"""Exports of local models to the formats serving stacks load (safetensors, GGUF, Ollama).

The pieces, each importable without torch: :mod:`.manifest` (what an export
records), :mod:`.tensors` (HF -> GGUF tensor names and the llama Q/K
permutation), :mod:`.modelfile` (Ollama Modelfiles, written and parsed),
:mod:`.gguf_file` (the GGUF writer, numpy only) and :mod:`.merge` (base +
LoRA adapter merged in float32; imports torch, transformers and PEFT when
called).  The use case that ties them together is :mod:`advisor.app.export`.
"""
