import {
  Masthead, MastheadBrand, MastheadContent, MastheadLogo, MastheadMain, MastheadToggle, Nav, NavItem, NavList, Page,
  PageSidebar, PageSidebarBody, PageToggleButton, SkipToContent, Toolbar, ToolbarContent, ToolbarItem, Button,
} from '@patternfly/react-core';
import { useState } from 'react';
import { Link, NavLink, Route, Routes, useLocation } from 'react-router';
import { SessionProvider, useSession } from './session.tsx';
import { HomePage } from './pages/HomePage.tsx';
import { UseCasePage } from './pages/UseCasePage.tsx';
import { ImagePage } from './pages/ImagePage.tsx';
import { ReleaseNotesPage } from './pages/ReleaseNotesPage.tsx';
import { UserDataPage } from './pages/UserDataPage.tsx';
import { DocsPage } from './pages/DocsPage.tsx';
import { LibraryPage } from './pages/LibraryPage.tsx';
import { TemplatePage } from './pages/TemplatePage.tsx';
import { SubmitTemplatePage } from './pages/SubmitTemplatePage.tsx';
import { BuildsPage } from './pages/BuildsPage.tsx';
import { BuildPage } from './pages/BuildPage.tsx';
import { SignInPage } from './pages/SignInPage.tsx';
import { NotFoundPage } from './pages/NotFoundPage.tsx';

/** Client-side routes. None may start with a prefix the service owns (/api, /artifacts, /feeds, /releases, /streams, /coreos, /keys). */
const NAV = [
  { to: '/', label: 'Images', end: true },
  { to: '/user-data', label: 'User-data helper' },
  { to: '/library', label: 'Template library' },
  { to: '/builds', label: 'Builds' },
  { to: '/docs', label: 'Documentation' },
];

function AccountArea() {
  const { account, signOut } = useSession();
  const here = useLocation();
  // back to this page after signing in (the sign-in page accepts only portal paths)
  const next = here.pathname === '/sign-in' ? here.search : `?next=${encodeURIComponent(here.pathname + here.search)}`;
  if (!account) return <Link to={`/sign-in${next}`}>Sign in</Link>;
  return (
    <span>
      <span data-testid="signed-in-as">{account.name} ({account.role})</span>{' '}
      <Button variant="link" isInline onClick={() => void signOut()}>Sign out</Button>
    </span>
  );
}

function Shell() {
  const [open, setOpen] = useState(true);
  const location = useLocation();
  const masthead = (
    <Masthead>
      <MastheadMain>
        <MastheadToggle>
          <PageToggleButton variant="plain" aria-label="Main navigation" isSidebarOpen={open} onSidebarToggle={() => setOpen(!open)} />
        </MastheadToggle>
        <MastheadBrand>
          <MastheadLogo component={(p: object) => <Link {...p} to="/" />}>
            <strong>Herd</strong>&nbsp;cloud images
          </MastheadLogo>
        </MastheadBrand>
      </MastheadMain>
      <MastheadContent>
        <Toolbar isFullHeight isStatic>
          <ToolbarContent>
            <ToolbarItem align={{ default: 'alignEnd' }}><AccountArea /></ToolbarItem>
          </ToolbarContent>
        </Toolbar>
      </MastheadContent>
    </Masthead>
  );
  const sidebar = (
    <PageSidebar isSidebarOpen={open}>
      <PageSidebarBody>
        <Nav aria-label="Portal">
          <NavList>
            {NAV.map((n) => (
              <NavItem key={n.to} isActive={n.end ? location.pathname === n.to : location.pathname.startsWith(n.to)}>
                <NavLink to={n.to} end={n.end}>{n.label}</NavLink>
              </NavItem>
            ))}
          </NavList>
        </Nav>
      </PageSidebarBody>
    </PageSidebar>
  );
  return (
    <Page masthead={masthead} sidebar={sidebar} isManagedSidebar={false} mainContainerId="main"
      skipToContent={<SkipToContent href="#main">Skip to content</SkipToContent>}>
      <Routes>
        <Route path="/" element={<HomePage />} />
        <Route path="/use-cases/:id" element={<UseCasePage />} />
        <Route path="/images/:id" element={<ImagePage />} />
        <Route path="/images/:id/notes/:release" element={<ReleaseNotesPage />} />
        <Route path="/user-data" element={<UserDataPage />} />
        <Route path="/docs/*" element={<DocsPage />} />
        <Route path="/library" element={<LibraryPage />} />
        <Route path="/library/submit" element={<SubmitTemplatePage />} />
        <Route path="/library/:id" element={<TemplatePage />} />
        <Route path="/builds" element={<BuildsPage />} />
        <Route path="/builds/:id" element={<BuildPage />} />
        <Route path="/sign-in" element={<SignInPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Routes>
    </Page>
  );
}

export function App() {
  return (
    <SessionProvider>
      <Shell />
    </SessionProvider>
  );
}
