import { StrictMode } from 'react';
import { renderToString } from 'react-dom/server';
import { StaticRouter } from 'react-router';
import { App } from './App.tsx';
import { type HomeData, InitialHomeData, SERVER_HOME_DATA_ID } from './pages/home-data.ts';

/**
 * The home page rendered to HTML on the server (built by `npm run build:web` into dist/.server, loaded by
 * src/api/home-render.ts): the browser paints the catalogue from the first bytes of the page, without
 * waiting for the scripts or the API (the budget of bench/first-render.ts), and the client hydrates the
 * same tree from the same data (main.tsx). Renders what a signed-out visitor sees; the account area is
 * filled in once the client has asked who is signed in, as it is for every page.
 */
export function renderHome(data: HomeData): string {
  return renderToString(
    <StrictMode>
      <StaticRouter location="/">
        <InitialHomeData.Provider value={data}>
          <App />
        </InitialHomeData.Provider>
      </StaticRouter>
    </StrictMode>,
  );
}

export { SERVER_HOME_DATA_ID };
