import type { BootCheck } from '../check.ts';
import { evaluateKnownResult } from './known-result.ts';

// pandas holds y = 3x + 2 for x = 1..10 (sum 185), SciPy fits it back, NumPy solves the Octave system
const PY = `import numpy as np, pandas as pd
from scipy import stats
df = pd.DataFrame({"x": range(1, 11)})
df["y"] = 3 * df.x + 2
fit = stats.linregress(df.x, df.y)
sol = np.linalg.solve(np.array([[4.0, -2.0], [1.0, 1.0]]), np.array([2.0, 3.0]))
print(f"linregress {fit.slope:.4f} {fit.intercept:.4f} sum {int(df.y.sum())} solve {sol[0]:.4f} {sol[1]:.4f}")`;
export const PY_WANT = 'linregress 3.0000 2.0000 sum 185 solve 1.3333 1.6667';

export const pythonData: BootCheck = {
  id: 'D3',
  title: 'Python with NumPy, pandas and SciPy computes a known regression and sum',
  async run({ sh }) {
    const r = await sh(`python3 - <<'PY' 2>&1\n${PY}\nPY`, 300_000);
    return evaluateKnownResult('python3 (numpy, pandas, scipy)', PY_WANT, { code: r.code, output: r.stdout });
  },
};
