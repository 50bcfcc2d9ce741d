import {
  Masthead, MastheadBrand, MastheadContent, MastheadLogo, MastheadMain, MastheadToggle, Nav, NavItem, NavList, Page,
  PageContext, PageSidebar, PageSidebarBody, PageToggleButton, SkipToContent, Toolbar, ToolbarContent, ToolbarItem, Button,
} from '@patternfly/react-core';
import { lazy, Suspense, useContext } from 'react';
import { Link, NavLink, Route, Routes, useLocation } from 'react-router';
import { SessionProvider, useSession } from './session.tsx';
import { Loading } from './components/LoadState.tsx';
import { HomePage } from './pages/HomePage.tsx';

// The home page is in the first bundle; every other page is its own chunk, fetched when first shown, so the
// download page's first render waits for none of their code or CSS (bench/first-render.ts).
const UseCasePage = lazy(() => import('./pages/UseCasePage.tsx').then((m) => ({ default: m.UseCasePage })));
const ImagePage = lazy(() => import('./pages/ImagePage.tsx').then((m) => ({ default: m.ImagePage })));
const ReleaseNotesPage = lazy(() => import('./pages/ReleaseNotesPage.tsx').then((m) => ({ default: m.ReleaseNotesPage })));
const UserDataPage = lazy(() => import('./pages/UserDataPage.tsx').then((m) => ({ default: m.UserDataPage })));
const DocsPage = lazy(() => import('./pages/DocsPage.tsx').then((m) => ({ default: m.DocsPage })));
const LibraryPage = lazy(() => import('./pages/LibraryPage.tsx').then((m) => ({ default: m.LibraryPage })));
const TemplatePage = lazy(() => import('./pages/TemplatePage.tsx').then((m) => ({ default: m.TemplatePage })));
const SubmitTemplatePage = lazy(() => import('./pages/SubmitTemplatePage.tsx').then((m) => ({ default: m.SubmitTemplatePage })));
const BuildsPage = lazy(() => import('./pages/BuildsPage.tsx').then((m) => ({ default: m.BuildsPage })));
const BuildPage = lazy(() => import('./pages/BuildPage.tsx').then((m) => ({ default: m.BuildPage })));
const SignInPage = lazy(() => import('./pages/SignInPage.tsx').then((m) => ({ default: m.SignInPage })));
const NotFoundPage = lazy(() => import('./pages/NotFoundPage.tsx').then((m) => ({ default: m.NotFoundPage })));

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
      <Suspense fallback={<Loading what="the page" />}>
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
      </Suspense>
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
