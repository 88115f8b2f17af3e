"""The pure computation core of xieshang.

Nothing here does I/O, reads the clock or imports a front: every function takes values
and returns values (today's date comes in as an argument). Money is ``Decimal`` built
through :func:`xieshang.engine.money.D` / :func:`~xieshang.engine.money.money`.

Modules, by concern:

* ``money`` — the money constructor, parsing, formatting, capitals, fen conversion;
* ``parsing`` — rates, dates and counts as people type them;
* ``preset`` — lender/product rules as data (files in ``presets/``);
* ``bill`` — what is owed on a date, by component;
* ``accrual`` — overdue charges to the fen, including credit-card interest;
* ``schedules`` — annuity, equal principal, interest-only, fixed-fee and daily-rate loans;
* ``rates`` — IRR/XIRR annualised rates and the legal rate checks;
* ``timeline`` — dated milestones ahead of an overdue debt;
* ``arrangements`` — what each proposal would cost;
* ``budget`` — the income and spending statement, reasonableness, affordability, the split;
* ``reconcile`` — our figures against the lender's, and the parameters that explain them;
* ``identity`` — ID, card and phone numbers: validation and masking;
* ``strategy`` — the repayment plan across all debts (avalanche … optimal with HiGHS);
* ``negotiation`` — the proposal ladder, counter-offer check and refusal moves.
"""
