"""The RFT reward function hands completions and dataset lines to the grader."""

from __future__ import annotations

import json

from backends.local.trainer import make_reward_function


def test_rewards_come_from_the_grader_with_the_line_as_item(settings):
    grader = {
        "type": "string_check",
        "name": "label",
        "input": "{{ sample.output_text }}",
        "reference": "{{ item.label }}",
        "operation": "ilike",
    }
    reward = make_reward_function(grader, settings)
    items = [json.dumps({"label": "LOGIN"}), json.dumps({"label": "BILLING"})]
    completions = [
        [{"role": "assistant", "content": "CATEGORY: LOGIN"}],
        [{"role": "assistant", "content": "CATEGORY: SHIPPING"}],
    ]
    assert reward(prompts=[[], []], completions=completions, advisor_item=items) == [1.0, 0.0]
    assert reward.__name__ == "grader_label"


def test_python_grader_rewards_run_in_one_sandboxed_batch(settings):
    grader = {
        "type": "python",
        "name": "length",
        "source": (
            "def grade(sample, item):\n"
            "    return min(1.0, len(sample['output_text']) / item['n'])\n"
        ),
    }
    reward = make_reward_function(grader, settings)
    scores = reward(
        prompts=["a", "b"], completions=["xx", "xxxx"], advisor_item=[json.dumps({"n": 4})] * 2
    )
    assert scores == [0.5, 1.0]
