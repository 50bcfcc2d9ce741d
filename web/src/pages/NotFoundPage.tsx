import { Button, EmptyState, EmptyStateActions, EmptyStateBody, EmptyStateFooter, PageSection } from '@patternfly/react-core';
import { SearchIcon } from '@patternfly/react-icons';
import { Link, useLocation } from 'react-router';

/** No route, or a route whose image, use case or release the API does not know. */
export function NotFoundPage({ what }: { what?: string }) {
  const { pathname } = useLocation();
  return (
    <PageSection>
      <EmptyState titleText="Not found" headingLevel="h1" icon={SearchIcon} data-testid="not-found">
        <EmptyStateBody>{what ? `There is no ${what}.` : <>Nothing here at <code>{pathname}</code>.</>}</EmptyStateBody>
        <EmptyStateFooter>
          <EmptyStateActions>
            <Button variant="primary" component={(p: object) => <Link {...p} to="/" />}>Browse the images</Button>
          </EmptyStateActions>
        </EmptyStateFooter>
      </EmptyState>
    </PageSection>
  );
}
