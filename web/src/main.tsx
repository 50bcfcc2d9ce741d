import '@patternfly/react-core/dist/styles/base.css';
import './portal.css';
import { StrictMode } from 'react';
import { createRoot, hydrateRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { App } from './App.tsx';
import { fetchHomeDataEarly, type HomeData, InitialHomeData, takeServerHomeData } from './pages/home-data.ts';

const root = document.getElementById('root')!;

function tree(initial?: HomeData) {
  return (
    <StrictMode>
      <BrowserRouter>
        <InitialHomeData.Provider value={initial}>
          <App />
        </InitialHomeData.Provider>
      </BrowserRouter>
    </StrictMode>
  );
}

// `/` normally comes server-rendered with the data it was rendered from (src/api/home-render.ts): hydrate
// that, asking nothing. Without it (a server that could not render), ask for the home page's answers, which
// were preloaded with the page and are usually in by now: waiting for them (never long) lets the first render
// show the catalogue at once. A promise, not a top-level await: with one, the bundler splits the first
// bundle into a chunk per shared module.
const served = window.location.pathname === '/' && root.firstElementChild ? takeServerHomeData(document) : undefined;
if (served) {
  // after the first frame: the server's HTML is painted at once, and hydrating (a few hundred ms of script
  // on a slow machine) does not hold that first paint back
  requestAnimationFrame(() => setTimeout(() => hydrateRoot(root, tree(served)), 0));
} else {
  root.replaceChildren();
  const ready = window.location.pathname === '/' ? Promise.race([fetchHomeDataEarly(), new Promise((resolve) => setTimeout(resolve, 400))]) : undefined;
  const render = () => createRoot(root).render(tree());
  if (ready) void ready.then(render);
  else render();
}
