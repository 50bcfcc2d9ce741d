import '@patternfly/react-core/dist/styles/base.css';
import './portal.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { App } from './App.tsx';
import { fetchHomeDataEarly } from './pages/home-data.ts';

// The home page's answers were preloaded with the page and are usually in by now: waiting for them (never
// long) lets the first render show the catalogue at once (bench/first-render.ts). A promise, not a top-level
// await: with one, the bundler splits the first bundle into a chunk per shared module.
const ready = window.location.pathname === '/' ? Promise.race([fetchHomeDataEarly(), new Promise((resolve) => setTimeout(resolve, 400))]) : undefined;

function render() {
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <BrowserRouter>
        <App />
      </BrowserRouter>
    </StrictMode>,
  );
}

if (ready) void ready.then(render);
else render();
