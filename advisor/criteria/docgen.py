"""Generate ``docs/criteria.md`` from the catalog.

    python -m advisor.criteria.docgen > docs/criteria.md

The document is never edited by hand: a test regenerates it and fails when the
committed file differs, so the docs always state the weights the code uses.
"""

from __future__ import annotations

import sys

from advisor.criteria.catalog import AnswerValue, Catalog, Condition, Text, load_catalog

COMMAND = "python -m advisor.criteria.docgen > docs/criteria.md"


def _value(value: AnswerValue) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def describe(cond: Condition) -> str:
    """A condition in plain English."""
    if cond.question is not None:
        q = f"`{cond.question}`"
        if cond.is_ is not None:
            return f"{q} is {_value(cond.is_)}"
        if cond.in_ is not None:
            return f"{q} is one of " + ", ".join(_value(v) for v in cond.in_)
        if cond.at_least is not None and cond.below is not None:
            return f"{cond.at_least} ≤ {q} < {cond.below}"
        if cond.at_least is not None:
            return f"{q} ≥ {cond.at_least}"
        return f"{q} < {cond.below}"
    if cond.all_ is not None:
        return "all of (" + "; ".join(describe(c) for c in cond.all_) + ")"
    if cond.any_ is not None:
        return "any of (" + "; ".join(describe(c) for c in cond.any_) + ")"
    if cond.not_ is not None:
        return "not (" + describe(cond.not_) + ")"
    if cond.count is not None:
        inner = "; ".join(describe(c) for c in cond.count)
        return f"at least {cond.at_least} of ({inner})"
    if cond.primary_in is not None:
        return "the primary route is one of " + ", ".join(f"`{r}`" for r in cond.primary_in)
    return f"`{cond.eligible}` is eligible"


def _both(text: Text, indent: str = "") -> list[str]:
    return [f"{indent}- EN: {text.en}", f"{indent}- JA: {text.ja}"]


def _source(catalog: Catalog, source_id: str) -> str:
    source = catalog.source(source_id)
    return f"*Source* (`{source.id}`, {source.origin}): {source.text.en}"


def _points(value: float) -> str:
    return f"{value:+g}"


def _intro(catalog: Catalog) -> list[str]:
    """The title, how to run the advisor and what the checks do."""
    out: list[str] = [
        "# Selection criteria",
        "",
        "<!-- Generated from advisor/criteria/catalog.yaml. Do not edit by hand: run",
        f"     `{COMMAND}`",
        "     (tests/unit/test_criteria_docs.py fails when this file is out of date). -->",
        "",
        f"Catalog version {catalog.version}. This is what the advisor knows, in full: every",
        "interview question, every scoring rule with its weight and the reasoning behind the",
        "weight, every hard gate, combination, warning and next step, each with the source",
        "statement it rests on. All texts exist in English and Japanese.",
        "",
        "## Using it",
        "",
        "```sh",
        "advisor questions --lang ja                      # the interview",
        "advisor questions --template > answers.yaml      # a file to fill in",
        "advisor assess --answers examples/answers/all_fine_tuning.yaml",
        "advisor assess -a answers.yaml --format json     # the stable JSON shape",
        "advisor assess -a answers.yaml --format md --lang ja -o brief.md  # client brief",
        "advisor assess -a answers.yaml --set example_count=200   # what if?",
        "advisor assess --evidence scenarios/ja-support          # checked against the files",
        "advisor assess -a answers.yaml --evidence ./my-data      # stated vs measured",
        "advisor assess --results results.json                   # checked against a bench",
        "advisor prices show                                      # dated prices, lifecycles",
        "```",
        "",
        "**Checked against the files** (`--evidence DIR|scenario`): the training examples",
        "are validated and cleansed (`advisor data validate`, `advisor data clean`) and",
        "counted; preference pairs are validated; the grader is run on the reference",
        "answers (the test set's `reference`, else the examples' answers) and counts only if",
        "it passes at least 90% of them; documents (.md, .txt, .rst, .html) are counted and",
        "their tokens estimated (characters / 4, one per CJK character): none without",
        "documents, small up to 10 files and 8,000 tokens (what fits into instructions or a",
        "custom assistant's knowledge files), large beyond; the examples' language is",
        "reported. A stated answer that differs is shown next to the measured value, with",
        "a warning, and the measured value is scored (`evidence` in the JSON output, with",
        "the question ids and values). The text, the decision report and the wizard name",
        "each question as the brief does and word the answers as the interview does, in",
        'the output\'s language ("Automatic grader: yes → no", "自動採点: はい → いいえ").',
        "",
        "**Checked against measurement** (`--results results.json`): the recommended route",
        "(or its combination, when the bench ran it) is *confirmed* when it is significantly",
        "better than every other route, *refuted* when another route is significantly better",
        "(the winner and the difference with its 95% interval are named), *inconclusive*",
        "otherwise, with the test prompts per route that would detect the observed",
        "difference at alpha 0.05 and 80% power (two-proportion sample size), or *not run*",
        "(`measured` in the JSON output). Without answers, the benchmarked scenario's are used.",
        "",
        "From Python: `from advisor.criteria import load_answers, assess, render_markdown`;",
        '`assess(load_answers(path), lang="ja")` returns the same `Assessment` the JSON',
        "output prints. Example answer files, one per canonical profile, are in",
        "`examples/answers/`.",
        "",
    ]
    return out


def _how_the_score_works(catalog: Catalog) -> list[str]:
    """The scoring method in prose, with the catalog's confidence bands."""
    out: list[str] = [
        "## How the score works",
        "",
        "- A route's **score** is the plain sum of the points of every scoring rule whose",
        "  condition holds. Each point is shown as an itemized reason (rule id, points, text).",
        "- Weights: 1 = a mild argument, 2 = a clear one, 3 = a main purpose of the route,",
        "  4 = the route exists for exactly this. Negative points are arguments against.",
        "- **Hard gates** make a route ineligible whatever it scores; its score is still shown,",
        "  so a client sees what, for example, fine-tuning would score with enough data.",
        "- The **primary** route is the best eligible one; ties go to the route listed first",
        "  below (the cheaper one).",
        f"- **Confidence** is the margin to the eligible runner-up divided by "
        f"{catalog.confidence.full_margin:g} points, capped at 1;",
        f"  low below {catalog.confidence.medium_from:g}, medium below "
        f"{catalog.confidence.high_from:g}, high from there. A low confidence adds a warning",
        "  to benchmark both routes.",
        "- **Confidence caps** hold the confidence below a band when their condition holds",
        "  (listed under Warnings below, with their source); each adds its text as a warning.",
        "- Every reason shown for a route belongs to that route: a rule's text names the",
        "  routes (or families) it speaks for, and every other route it moves has its own",
        "  text; the catalog check refuses a rule that breaks this.",
        "- **Combinations** add partner routes to the primary when their rule fires and every",
        "  route in it is eligible (`best_fine_tuning` / `best_prompting` stand for the",
        "  best-scoring eligible route of that family).",
        "- **What would change the answer**: for each question, the nearest other answer",
        "  (the other yes/no value, the neighbouring choice, the nearest count threshold a rule",
        "  uses) that changes the primary route.",
        "- Texts may contain placeholders such as `{example_count}` or `{ft_count}` (how many",
        "  of the five fine-tuning criteria hold); they are filled in from the answers.",
        "- The fine-tuning score grows with every one of the five fine-tuning criteria that",
        "  holds (each adds points to SFT, DPO and RFT, and three or more add a bonus);",
        "  property tests check this.",
        "",
    ]
    return out


def _routes(catalog: Catalog) -> list[str]:
    """The route table."""
    out: list[str] = [
        "## Routes",
        "",
        "| Route id | Name | Family | Summary |",
        "|---|---|---|---|",
    ]
    for route in catalog.routes:
        out.append(
            f"| `{route.id}` | {route.name.en} / {route.name.ja} | {route.family} | "
            f"{route.summary.en} |"
        )
    return out


def _questions(catalog: Catalog) -> list[str]:
    """Every interview question with its facts, texts and source."""
    out: list[str] = ["", "## Interview questions", ""]
    out.append("Answer files map these ids to values (YAML, JSON or TOML; a file with an `answers`")
    out.append("table, such as a benchmark `scenario.toml`, works too). Unanswered questions")
    out.append("take the default.")
    for question in catalog.questions:
        out += ["", f"### `{question.id}`: {question.label.en} / {question.label.ja}", ""]
        kind = question.type.replace("_", "/")
        facts = [f"type {kind}", f"default `{_value(question.default)}`", f"group {question.group}"]
        if question.choices:
            facts.append("choices " + ", ".join(f"`{c.value}`" for c in question.choices))
        if question.type == "scale":
            facts.append(f"range {question.min} to {question.max}")
        if question.fine_tuning_criterion:
            facts.append("**one of the five fine-tuning criteria**")
        out.append("- " + "; ".join(facts))
        out += _both(question.text)
        out.append(f"- Help: {question.help.en}")
        out.append(f"- ヘルプ: {question.help.ja}")
        out.append(f"- {_source(catalog, question.source)}")
    return out


def _weights(catalog: Catalog) -> list[str]:
    """One row per scoring rule, one column per route."""
    routes = catalog.route_ids()
    out: list[str] = ["", "## Weights at a glance", ""]
    out.append("| Rule | " + " | ".join(f"`{r}`" for r in routes) + " |")
    out.append("|---|" + "---:|" * len(routes))
    for crit in catalog.criteria:
        cells = [_points(crit.effects[r]) if crit.effects.get(r) else "" for r in routes]
        out.append(f"| `{crit.id}` | " + " | ".join(cells) + " |")
    return out


def _rules(catalog: Catalog) -> list[str]:
    """Every scoring rule with its weights, their rationale and its texts."""
    out: list[str] = ["", "## Scoring rules and the reasoning behind each weight"]
    for crit in catalog.criteria:
        out += ["", f"### `{crit.id}`", ""]
        out.append(f"- When: {describe(crit.when) if crit.when else 'always'}")
        effects = ", ".join(f"`{r}` {_points(p)}" for r, p in crit.effects.items())
        out.append(f"- Points: {effects}")
        out.append(f"- Why these weights: {crit.rationale.en}")
        out.append(f"- 重みの理由: {crit.rationale.ja}")
        out.append("- Reason shown to the client:")
        out += _both(crit.text, "  ")
        if crit.covers:
            out.append("  - shown for: " + ", ".join(f"`{c}`" for c in crit.covers))
        for route_id, text in crit.route_texts.items():
            out.append(f"- Reason shown for `{route_id}`:")
            out += _both(text, "  ")
        out.append(f"- {_source(catalog, crit.source)}")
    return out


def _gates_and_combinations(catalog: Catalog) -> list[str]:
    """Hard gates, then combinations."""
    out: list[str] = ["", "## Hard gates", ""]
    for gate in catalog.gates:
        routes_text = ", ".join(f"`{r}`" for r in gate.routes)
        out.append(f"- `{gate.id}`: when {describe(gate.when)}, {routes_text} ineligible.")
        out += _both(gate.text, "  ")
        out.append(f"  - {_source(catalog, gate.source)}")

    out += ["", "## Combinations", ""]
    for combo in catalog.combinations:
        routes_text = " + ".join(f"`{r}`" for r in combo.routes)
        out.append(f"- `{combo.id}`: {routes_text}, when {describe(combo.when)}.")
        out += _both(combo.text, "  ")
        if combo.step is not None:
            where = f" (before step {combo.step_before})" if combo.step_before else ""
            out.append(f"  - Step{where}: {combo.step.en} / {combo.step.ja}")
        out.append(f"  - {_source(catalog, combo.source)}")
    return out


def _warnings(catalog: Catalog) -> list[str]:
    """Warnings, then confidence caps."""
    out: list[str] = ["", "## Warnings", ""]
    for notice in catalog.warnings:
        out.append(f"- `{notice.id}`: when {describe(notice.when)}.")
        out += _both(notice.text, "  ")
        out.append(f"  - {_source(catalog, notice.source)}")

    for cap in catalog.confidence.caps:
        out.append(f"- `{cap.id}` (confidence at most {cap.at_most}): when {describe(cap.when)}.")
        out += _both(cap.text, "  ")
        out.append(f"  - {_source(catalog, cap.source)}")
    return out


def _lifecycle(catalog: Catalog) -> list[str]:
    """The provider-lifecycle rule, when the catalog has one."""
    out: list[str] = []
    rule = catalog.lifecycle
    if rule is not None:
        out += ["", "## Provider lifecycle", ""]
        out.append("The `provider` and `horizon_months` answers are checked against the dated")
        out.append(
            "lifecycle table (`advisor/criteria/lifecycle.yaml`, shown by `advisor prices show`,"
        )
        out.append("replaced by `advisor prices refresh FILE`). A route whose path on the chosen")
        out.append("provider stops taking new jobs or is retired before today + `horizon_months`")
        out.append(f"gets `{rule.id}` {_points(rule.points)} with the reason below and a warning")
        out.append("naming the alternatives; with `provider: undecided` there are no points, only")
        out.append("a warning when the primary route's path closes.")
        out.append(
            f"- Why {_points(rule.points)}: a model trained before the cutoff keeps serving until"
        )
        out.append(
            "  its base model retires, but can no longer be retrained there: one main-purpose"
        )
        out.append(
            "  argument against (4), enough to lose close calls, not to overturn a clear case."
        )
        out.append("- Reason shown to the client:")
        out += _both(rule.text, "  ")
        out.append("- Warning:")
        out += _both(rule.warning, "  ")
        out += _both(rule.undecided_warning, "  ")
        out.append(f"- Step: {rule.step.en} / {rule.step.ja}")
        out.append(f"- {_source(catalog, rule.source)}")
    return out


def _next_steps(catalog: Catalog) -> list[str]:
    """Each route's steps, then the conditional extra steps."""
    out: list[str] = ["", "## Next steps", ""]
    out.append("The recommended route's steps come first, then one step per combination")
    out.append("partner, then the extra steps below whose condition holds.")
    for route in catalog.routes:
        out += ["", f"### `{route.id}`", ""]
        out += [f"{i}. {step.en} / {step.ja}" for i, step in enumerate(route.next_steps, 1)]
        out += ["", f"As a partner: {route.combine_step.en} / {route.combine_step.ja}"]
    out += ["", "### Extra steps", ""]
    for notice in catalog.extra_steps:
        out.append(f"- `{notice.id}`: when {describe(notice.when)}.")
        out += _both(notice.text, "  ")
        out.append(f"  - {_source(catalog, notice.source)}")
    return out


def _sources(catalog: Catalog) -> list[str]:
    """The source statements every rule rests on."""
    out: list[str] = ["", "## Sources", ""]
    for source in catalog.sources:
        out.append(f"- `{source.id}` ({source.origin}):")
        out += _both(source.text, "  ")
    return out


SECTIONS = (
    _intro,
    _how_the_score_works,
    _routes,
    _questions,
    _weights,
    _rules,
    _gates_and_combinations,
    _warnings,
    _lifecycle,
    _next_steps,
    _sources,
)


def generate(catalog: Catalog | None = None) -> str:
    """The whole document: the sections in order, one trailing newline."""
    catalog = catalog or load_catalog()
    out = [line for section in SECTIONS for line in section(catalog)]
    out.append("")
    return "\n".join(out)


def main() -> None:
    sys.stdout.write(generate())


if __name__ == "__main__":
    main()
