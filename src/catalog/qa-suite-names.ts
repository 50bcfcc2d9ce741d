/**
 * The names of the QA suites a recipe may ask for (`qa.suites`). The suites themselves (boot checks run
 * in the guest) live in src/qa/boot/suites/; this list is here so the recipe schema can refuse an unknown
 * name at lint time without importing QA. A test keeps the two in step.
 */
export const QA_SUITE_NAMES = ['base', 'stack', 'container-host', 'paas-node', 'server', 'hpc', 'data-science'] as const;
