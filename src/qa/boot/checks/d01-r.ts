import type { BootCheck } from '../check.ts';
import { evaluateKnownResult } from './known-result.ts';

// R's own `cars` data set: the stopping-distance regression every R manual shows (-17.5791 + 3.9324 speed)
const R_SCRIPT = 'f <- coef(lm(dist ~ speed, data = cars)); cat(sprintf("lm %.4f %.4f sum %d\\n", f[1], f[2], sum(1:100)))';
export const R_WANT = 'lm -17.5791 3.9324 sum 5050';

export const rLanguage: BootCheck = {
  id: 'D1',
  title: 'R fits a linear regression (lm on the cars data set) with the known coefficients',
  async run({ sh }) {
    const r = await sh(`Rscript --vanilla -e '${R_SCRIPT}' 2>&1`, 300_000);
    return evaluateKnownResult('Rscript', R_WANT, { code: r.code, output: r.stdout });
  },
};
