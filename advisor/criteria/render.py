"""Turn an :class:`Assessment` into text: a one-page Markdown brief, or terminal text.

Every word comes from the assessment (already in its language) or from the
catalog's ``messages``, so ``lang="ja"`` output holds no English prose.
"""

from __future__ import annotations

from advisor.criteria.catalog import Catalog, load_catalog
from advisor.criteria.result import Assessment, RouteScore

_MAX_WHY = 6
_MAX_FLIPS = 6


def _pts(value: float, *, signed: bool = False) -> str:
    text = f"{value:+g}" if signed else f"{value:g}"
    return text


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _main_reason(score: RouteScore) -> str:
    """The gate that blocks the route, else its weightiest reason (for or against)."""
    if score.gates:
        return score.gates[0].text
    if not score.reasons:
        return "-"
    top = max(score.reasons, key=lambda r: abs(r.contribution))
    return f"{_pts(top.contribution, signed=True)}: {top.text}"


def _route_line(assessment: Assessment, catalog: Catalog) -> str:
    lang = assessment.lang
    names = [catalog.route(r).name.get(lang) for r in assessment.recommendation.combination]
    return " + ".join(names)


def _answer_lines(assessment: Assessment, catalog: Catalog) -> tuple[list[str], list[str]]:
    lang = assessment.lang
    given: list[str] = []
    defaulted: list[str] = []
    for question in catalog.questions:
        value = assessment.answers.get(question.id, question.default)
        item = f"{question.label.get(lang)}: {question.label_of(value, lang, catalog.messages)}"
        (defaulted if question.id in assessment.defaulted else given).append(item)
    return given, defaulted


def render_markdown(assessment: Assessment, *, catalog: Catalog | None = None) -> str:
    """A one-page brief a consultant can hand to a client."""
    catalog = catalog or load_catalog()
    lang = assessment.lang
    rec = assessment.recommendation
    primary = assessment.route(rec.primary)

    def m(key: str) -> str:
        return catalog.msg(key, lang)

    out = [f"# {m('brief_title')}: {_route_line(assessment, catalog)}", "", m("brief_intro"), ""]
    out.append(f"**{m('recommendation')}:** {_route_line(assessment, catalog)}  ")
    out.append(
        f"**{m('confidence')}:** {rec.confidence_label} ({rec.confidence:.2f}; "
        f"{m('margin')}: {catalog.points(rec.margin, lang)})"
    )
    out += ["", rec.summary]
    if rec.combination_reason:
        out += ["", rec.combination_reason]

    out += ["", f"## {m('why')}", ""]
    positive = sorted(
        (r for r in primary.reasons if r.contribution > 0), key=lambda r: -r.contribution
    )
    # One reason more than the cap is shown in full; more are summed in one line.
    shown, rest = positive, []
    if len(positive) > _MAX_WHY + 1:
        shown, rest = positive[:_MAX_WHY], positive[_MAX_WHY:]
    for reason in shown:
        out.append(f"- **{_pts(reason.contribution, signed=True)}** {reason.text}")
    # The rest of the score, so that the points listed here add up to it.
    if rest:
        total = sum(r.contribution for r in rest)
        more = m("more_reasons").format(count=len(rest))
        out.append(f"- **{_pts(total, signed=True)}** {more}")
    for reason in (r for r in primary.reasons if r.contribution < 0):
        out.append(f"- **{_pts(reason.contribution, signed=True)}** {reason.text}")
    # Routes that outscore the primary but are blocked are part of "why" too.
    for score in assessment.routes:
        if not score.eligible and score.score > max(primary.score, 0):
            why_not = catalog.msg(
                "why_not",
                lang,
                route=score.name,
                score=catalog.points(score.score, lang),
                reason=score.gates[0].text,
            )
            out.append(f"- {why_not}")

    out += ["", f"## {m('routes')}", ""]
    out.append(f"| {m('route')} | {m('score')} | {m('status')} | {m('main_reason')} |")
    out.append("|---|---:|---|---|")
    for score in assessment.routes:
        status = m("eligible") if score.eligible else m("not_eligible")
        name = f"**{score.name}**" if score.route == rec.primary else score.name
        out.append(f"| {name} | {_pts(score.score)} | {status} | {_cell(_main_reason(score))} |")

    out += ["", f"## {m('flips')}", ""]
    if assessment.flips:
        out += [f"- {flip.text}" for flip in assessment.flips[:_MAX_FLIPS]]
    else:
        out.append(m("no_flips"))

    out += ["", f"## {m('next_steps')}", ""]
    out += [f"{i}. {step}" for i, step in enumerate(rec.next_steps, start=1)]

    if assessment.warnings:
        out += ["", f"## {m('warnings')}", ""]
        out += [f"- {w}" for w in assessment.warnings]

    given, defaulted = _answer_lines(assessment, catalog)
    out += ["", f"## {m('answers')}", ""]
    if given:
        out.append(f"**{m('answered')}:** " + " · ".join(given))
    if defaulted:
        if given:
            out.append("")
        out.append(f"**{m('defaults_used')}:** " + " · ".join(defaulted))
    out += ["", "---", "", catalog.msg("footer", lang, version=assessment.catalog_version), ""]
    return "\n".join(out)


def render_text(assessment: Assessment, *, catalog: Catalog | None = None) -> str:
    """The assessment for a terminal: the recommendation first, every reason itemized."""
    catalog = catalog or load_catalog()
    lang = assessment.lang
    rec = assessment.recommendation

    def m(key: str) -> str:
        return catalog.msg(key, lang)

    out = [
        f"{m('recommendation')}: {_route_line(assessment, catalog)}",
        f"{m('confidence')}: {rec.confidence_label} ({rec.confidence:.2f}; "
        f"{m('margin')}: {catalog.points(rec.margin, lang)})",
        rec.summary,
    ]
    if rec.combination_reason:
        out.append(rec.combination_reason)
    out += ["", f"{m('routes')}:"]
    for score in assessment.routes:
        status = m("eligible") if score.eligible else m("not_eligible")
        marker = "*" if score.route == rec.primary else " "
        out.append(f"{marker} {score.name} [{score.route}]: {_pts(score.score)} ({status})")
        for reason in score.reasons:
            out.append(
                f"    {_pts(reason.contribution, signed=True):>3}  {reason.criterion}: "
                f"{reason.text}"
            )
        for gate in score.gates:
            out.append(f"    {m('blocked')}: {gate.text} [{gate.gate}]")
    out += ["", f"{m('flips')}:"]
    out += [f"  - {flip.text}" for flip in assessment.flips] or [f"  {m('no_flips')}"]
    out += ["", f"{m('next_steps')}:"]
    out += [f"  {i}. {step}" for i, step in enumerate(rec.next_steps, start=1)]
    if assessment.warnings:
        out += ["", f"{m('warnings')}:"]
        out += [f"  ! {w}" for w in assessment.warnings]
    return "\n".join(out) + "\n"


def answers_template(lang: str = "en", *, catalog: Catalog | None = None) -> str:
    """A YAML answers file with every question as a comment and its default as value.

    A consultant fills it in with the client; it loads as it is (all defaults).
    """
    catalog = catalog or load_catalog()
    out = [f"# {catalog.msg('questions_title', lang)}: advisor assess --answers <file>", ""]
    for question in catalog.questions:
        out.append(f"# {question.text.get(lang)}")
        for line in _wrap(question.help.get(lang)):
            out.append(f"#   {line}")
        if question.choices:
            labels = ", ".join(f"{c.value} = {c.label.get(lang)}" for c in question.choices)
            out.append(f"#   {catalog.msg('choices', lang)}: {labels}")
        elif question.type == "scale":
            out.append(f"#   {catalog.msg('range', lang)}: {question.min}-{question.max}")
        default = question.default
        value = ("yes" if default else "no") if isinstance(default, bool) else default
        out += [f"{question.id}: {value}", ""]
    return "\n".join(out)


def _wrap(text: str, width: int = 88) -> list[str]:
    # Japanese has no spaces to break at; only wrap text that has them.
    if " " not in text:
        return [text]
    lines: list[str] = []
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    return [*lines, current] if current else lines
