import { PageSection, Title } from '@patternfly/react-core';

// Placeholder until this page is written (issue #10).
export function ImagePage() {
  return <PageSection><Title headingLevel="h1">ImagePage</Title></PageSection>;
}
