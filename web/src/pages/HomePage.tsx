import { PageSection, Title } from '@patternfly/react-core';

// Placeholder until this page is written (issue #10).
export function HomePage() {
  return <PageSection><Title headingLevel="h1">HomePage</Title></PageSection>;
}
