import type { BootCheck } from '../check.ts';
import { evaluateKnownResult } from './known-result.ts';

// 4a - 2b = 2 and a + b = 3 give a = 4/3, b = 5/3; a least-squares line through (1,5) (2,7) (3,9) is 2x + 3
const OCTAVE = 'x = [4 -2; 1 1] \\ [2; 3]; p = polyfit([1 2 3], [5 7 9], 1); printf("solve %.4f %.4f polyfit %.4f %.4f\\n", x(1), x(2), p(1), p(2));';
export const OCTAVE_WANT = 'solve 1.3333 1.6667 polyfit 2.0000 3.0000';

export const octave: BootCheck = {
  id: 'D2',
  title: 'Octave solves a linear system and fits a polynomial with the known result',
  async run({ sh }) {
    const r = await sh(`octave-cli --no-window-system --norc --quiet --eval '${OCTAVE}' 2>&1`, 300_000);
    return evaluateKnownResult('octave-cli', OCTAVE_WANT, { code: r.code, output: r.stdout });
  },
};
