import type { Suite } from '../suite.ts';
import { rLanguage } from '../checks/d01-r.ts';
import { octave } from '../checks/d02-octave.ts';
import { pythonData } from '../checks/d03-python-data.ts';
import { java } from '../checks/d04-java.ts';
import { jupyter } from '../checks/d05-jupyter.ts';

/** Data science: each language computes a known result; Jupyter serves on localhost with a token. */
export const dataScience = {
  description: 'R, Octave and Python (NumPy, pandas, SciPy) compute known results, the JVM starts, Jupyter answers on localhost',
  checks: [rLanguage, octave, pythonData, java, jupyter],
} satisfies Suite;
