import type { BootCheck, ShellCheck, SuiteExpectations } from './check.ts';

/** A named set of boot checks plus what they should expect of the image. Image suites add to 'base'. */
export interface Suite {
  description: string;
  checks: BootCheck[];
  /**
   * The checks that also hold for the suite's OCI container image (same recipe, `format: oci`): they need
   * only a shell, and run in a container of that image without network. Absent: the suite needs a VM.
   */
  containerChecks?: ShellCheck[];
  expect?: Partial<SuiteExpectations>;
  /**
   * cloud-config the suite's checks need in every test instance (e.g. the paas-node suite's swarm settings),
   * merged into the harness's test user-data: lists append, scalars replace.
   */
  userData?: Record<string, unknown>;
}
