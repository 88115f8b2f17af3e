// Peer driver (dev only): node run.js DEBTS.json EXTRA STRATEGY [RUNS]
// Prints node-debt-snowball's plan as JSON; with RUNS, also the median time of one run
// measured inside this process with process.hrtime (so node start-up is not counted).
const { snowball } = require('node-debt-snowball');
const [file, extra, strategy, runs] = process.argv.slice(2);
const accounts = () => JSON.parse(require('fs').readFileSync(file, 'utf8'));
const plan = () => snowball(accounts(), Number(extra || 0), strategy || 'avalanche');
const r = plan();
const times = [];
for (let i = 0; i < Number(runs || 0); i++) {
  const data = accounts(); const t = process.hrtime.bigint();
  snowball(data, Number(extra || 0), strategy || 'avalanche');
  times.push(Number(process.hrtime.bigint() - t) / 1e9);
}
times.sort((a, b) => a - b);
console.log(JSON.stringify({ months: r.totalPayments, totalInterestPaid: r.totalInterestPaid,
  payments: r.payments, medianSeconds: times.length ? times[times.length >> 1] : null }));
