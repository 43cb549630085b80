"""Graders: OpenAI-shaped definitions that score a model output against a dataset item.

One module serves benchmark evaluation and RFT rewards::

    from advisor.graders import Sample, load_grader

    grader = load_grader({"type": "string_check", "name": "exact",
                          "input": "{{ sample.output_text }}",
                          "reference": "{{ item.answer }}", "operation": "eq"})
    grader.grade(Sample(output_text="42"), {"answer": "42"})  # GradeResult(score=1.0, ...)
"""

from advisor.graders.base import Grader, GradeResult, GraderSpec, Sample, render
from advisor.graders.loader import GRADER_TYPES, load_grader, parse_spec, read_grader_file
from advisor.graders.python_grader import check_runnable

__all__ = [
    "GRADER_TYPES",
    "GradeResult",
    "Grader",
    "GraderSpec",
    "Sample",
    "check_runnable",
    "load_grader",
    "parse_spec",
    "read_grader_file",
    "render",
]
