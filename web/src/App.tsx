import {
  Masthead, MastheadBrand, MastheadContent, MastheadLogo, MastheadMain, MastheadToggle, Nav, NavItem, NavList, Page,
  PageContext, PageSidebar, PageSidebarBody, PageToggleButton, SkipToContent, Toolbar, ToolbarContent, ToolbarItem, Button,
} from '@patternfly/react-core';
import { useContext } from 'react';
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

/** The portal's navigation; on a phone the sidebar covers the page, so picking a page closes it. */
function PortalNav() {
  const location = useLocation();
  const { isMobile, isSidebarOpen, onSidebarToggle } = useContext(PageContext);
  return (
    <Nav aria-label="Portal">
      <NavList>
        {NAV.map((n) => (
          // NavItem replaces its child's onClick with its own, so the handler goes here
          <NavItem key={n.to} isActive={n.end ? location.pathname === n.to : location.pathname.startsWith(n.to)}
            onClick={() => { if (isMobile && isSidebarOpen) onSidebarToggle(); }}>
            <NavLink to={n.to} end={n.end}>{n.label}</NavLink>
          </NavItem>
        ))}
      </NavList>
    </Nav>
  );
}

function Shell() {
  const masthead = (
    <Masthead>
      <MastheadMain>
        <MastheadToggle>
          <PageToggleButton isHamburgerButton aria-label="Main navigation" />
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
    <PageSidebar>
      <PageSidebarBody>
        <PortalNav />
      </PageSidebarBody>
    </PageSidebar>
  );
  return (
    // a managed sidebar starts closed on a phone-width window and open on a wide one; the hamburger toggles it
    <Page masthead={masthead} sidebar={sidebar} isManagedSidebar mainContainerId="main"
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
