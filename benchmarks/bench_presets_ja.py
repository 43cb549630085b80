"""Japanese output of the local model presets, side by side (issue 14).

Each preset answers the first N prompts of scenarios/ja-support through the
system-prompt route (the scenario's system prompt, greedy decoding, one
prompt at a time) and is scored with the scenario's own style checks: the
fixed opener, the fixed closing, polite endings, and the share of Japanese
characters in the answer (0 for a model that cannot write Japanese).  The
figure of speed is completion tokens per second of wall time, after a warm-up.

    ADVISOR_LOCAL__THREADS=1 .venv/bin/python benchmarks/bench_presets_ja.py \\
        [--prompts 8] [--max-tokens 80]

Needs ADVISOR_LOCAL__ACCEPT_MODEL_TERMS=true (or the notice is printed once).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import tomllib
from pathlib import Path

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "ja-support"
JA_CHAR = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\uff01-\uff5e]")
OPENER = re.compile(r"^\s*お問い合わせいただき、?ありがとうございます。")
CLOSING = re.compile(r"今後ともみどり家電オンラインをよろしくお願いいたします。\s*$")
POLITE = re.compile(r"(です|ます|ません|でした|ました|ください|ございます)。")


def _repetition(text: str) -> float:
    """Share of repeated 4-character windows: near 1 for a model stuck in a loop."""
    grams = [text[i : i + 4] for i in range(len(text) - 3)]
    return 1 - len(set(grams)) / len(grams) if grams else 0.0


def _ja_share(text: str) -> float:
    visible = [c for c in text if not c.isspace()]
    return sum(bool(JA_CHAR.match(c)) for c in visible) / len(visible) if visible else 0.0


def run_preset(preset: str, prompts: list[str], system: str, max_tokens: int) -> dict[str, object]:
    from advisor.settings import load_settings
    from backends.local import LocalBackend
    from backends.types import ChatMessage, GenerationParams

    settings = load_settings(local={"model": preset})
    backend = LocalBackend(settings)
    params = GenerationParams(max_tokens=max_tokens, temperature=0.0)
    backend.chat([ChatMessage(role="user", content="こんにちは")], params=params)  # warm-up
    answers, tokens, started = [], 0, time.perf_counter()
    for prompt in prompts:
        messages = [
            ChatMessage(role="system", content=system),
            ChatMessage(role="user", content=prompt),
        ]
        result = backend.chat(messages, params=params)
        answers.append(result.text)
        print(f"{preset}: {len(answers)}/{len(prompts)}", file=sys.stderr, flush=True)
        tokens += result.usage.completion_tokens
    seconds = time.perf_counter() - started
    n = len(answers)
    return {
        "preset": preset,
        "prompts": n,
        "japanese_share": round(sum(map(_ja_share, answers)) / n, 2),
        "opener": sum(bool(OPENER.search(a)) for a in answers),
        "closing": sum(bool(CLOSING.search(a)) for a in answers),
        "polite_endings": sum(bool(POLITE.search(a)) for a in answers),
        "repetition": round(sum(map(_repetition, answers)) / n, 2),
        "tokens_per_s": round(tokens / seconds, 1),
        "answers": answers,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=8)
    parser.add_argument("--max-tokens", type=int, default=80)
    parser.add_argument("--presets", default="smollm2-135m-instruct,gemma-3-270m")
    parser.add_argument("--answers", help="append every answer to this JSONL file")
    args = parser.parse_args()
    scenario = tomllib.loads((SCENARIO / "scenario.toml").read_text(encoding="utf-8"))
    lines = (SCENARIO / "test.jsonl").read_text(encoding="utf-8").splitlines()
    prompts = [json.loads(line)["prompt"] for line in lines[: args.prompts]]
    for preset in args.presets.split(","):
        row = run_preset(preset, prompts, scenario["system_prompt"], args.max_tokens)
        answers = row.pop("answers")
        print(json.dumps(row, ensure_ascii=False), flush=True)
        if args.answers:
            with open(args.answers, "a", encoding="utf-8") as out:
                for prompt, answer in zip(prompts, answers, strict=True):
                    line = {"preset": preset, "prompt": prompt, "answer": answer}
                    out.write(json.dumps(line, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
