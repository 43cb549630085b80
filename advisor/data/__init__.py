"""The training data toolkit: validate, measure and estimate, cleanse, convert, split.

Headless: nothing here imports the CLI or the TUI.  Entry points:

* :func:`advisor.data.validate.validate_file` - streaming checks with stable codes;
* :func:`advisor.data.stats.compute_stats` - tokens, epochs, billed tokens, cost, time;
* :func:`advisor.data.clean.clean_file` - cleansing with a report of every change;
* :func:`advisor.data.convert.convert_file` - other formats to OpenAI SFT/DPO;
* :func:`advisor.data.split.split_file` - deterministic train/validation split.
"""
