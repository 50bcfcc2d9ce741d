import type { BootCheck, SuiteExpectations } from './check.ts';

/** A named set of boot checks plus what they should expect of the image. Image suites add to 'base'. */
export interface Suite {
  description: string;
  checks: BootCheck[];
  expect?: Partial<SuiteExpectations>;
  /**
   * cloud-config the suite's checks need in every test instance (e.g. the paas-node suite's swarm settings),
   * merged into the harness's test user-data: lists append, scalars replace.
   */
  userData?: Record<string, unknown>;
}
