// Peer driver (dev only): node run.js DEBTS.json EXTRA STRATEGY [RUNS] [same-rules]
// Prints node-debt-snowball's plan as JSON; with RUNS, also the median CPU time of one run
// measured inside this process with process.cpuUsage (node start-up is not counted).
//
// "same-rules" patches the peer to the roll-over rules xieshang uses, so both sides do the
// same work (documented in bench/README.md):
//   1. freed minimums stay in the budget: each month the extra money is the extra amount
//      plus the minimums of the accounts already repaid, and what an account repaid this
//      month leaves is carried to the next one on top of what was carried to it (the
//      peer's makePaymentsForMonth starts every month from the bare extra amount and its
//      makePaymentForAccount resets the carry to additionalPayment + min - paid, losing
//      every minimum freed in earlier months);
//   2. the payoff month pays that month's interest too (the peer's Account.makePayment
//      counts it but pays only the opening balance).
// Everything else is the peer's own code: its interest (balance × APR ÷ 1200, toFixed(2)),
// its order and its loop.
const peer = require('node-debt-snowball');
const { snowball, Snowball, Account } = peer;
// the peer's own helpers.toCurrency (its dist/helpers.js, not exported by the package)
const helpers = { toCurrency: (value) => Number(parseFloat(`${value}`).toFixed(2)) };
const [file, extra, strategy, runs, mode] = process.argv.slice(2);

if (mode === 'same-rules') {
  Snowball.prototype.makePaymentsForMonth = function () {
    const freed = this.accounts.filter((a) => a.balance <= 0)
      .reduce((sum, a) => sum + a.minPayment, 0);
    this.snowballAmount = helpers.toCurrency(this.additionalPayment + freed);
    const accounts = this.accounts.map((account) => this.makePaymentForAccount(account));
    this.currentBalance = this.getCurrentBalance();
    return { balance: this.currentBalance, accounts };
  };
  Snowball.prototype.makePaymentForAccount = function (account) {
    const carried = this.snowballAmount;
    if (account.balance <= 0) { // repaid earlier: its minimum is already in the month's money
      return { ...account.makePayment(0) };
    }
    const payment = account.makePayment(carried);
    if (payment.balanceEnd > 0) {
      this.snowballAmount = 0;
    } else if (this.balanceStart > 0) {
      this.snowballAmount = helpers.toCurrency(carried + account.minPayment - payment.paymentAmount);
    }
    return { ...payment };
  };
  const makePayment = Account.prototype.makePayment;
  Account.prototype.makePayment = function (additionalPayment = 0) {
    const opening = this.balance;
    const result = makePayment.call(this, additionalPayment);
    if (opening > 0 && this.balance <= 0) {
      result.paymentAmount = helpers.toCurrency(opening + result.accruedInterest);
    }
    return result;
  };
}

const accounts = () => JSON.parse(require('fs').readFileSync(file, 'utf8'));
const plan = () => snowball(accounts(), Number(extra || 0), strategy || 'avalanche');
const r = plan();
const times = [];
for (let i = 0; i < Number(runs || 0); i++) {
  const data = accounts();
  const t = process.cpuUsage();
  snowball(data, Number(extra || 0), strategy || 'avalanche');
  const d = process.cpuUsage(t);
  times.push((d.user + d.system) / 1e6);
}
times.sort((a, b) => a - b);
const interest = r.payments.reduce((sum, month) =>
  sum + month.accounts.reduce((s, a) => s + a.accruedInterest, 0), 0);
console.log(JSON.stringify({ months: r.totalPayments, totalInterestPaid: r.totalInterestPaid,
  interestCharged: interest, payments: r.payments,
  medianSeconds: times.length ? times[times.length >> 1] : null }));
