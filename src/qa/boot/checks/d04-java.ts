import type { BootCheck } from '../check.ts';
import { evaluateKnownResult } from './known-result.ts';

// A headless JRE has no javac (and so no source-file mode): the check is that the JVM starts and is the
// Java release Debian 13's default-jre-headless names (OpenJDK 21).
export const JAVA_WANT = 'java.specification.version = 21';

export const java: BootCheck = {
  id: 'D4',
  title: 'the OpenJDK 21 runtime starts (java -XshowSettings:properties -version)',
  async run({ sh }) {
    const r = await sh('java -XshowSettings:properties -version 2>&1', 300_000);
    return evaluateKnownResult('java', JAVA_WANT, { code: r.code, output: r.stdout });
  },
};
