import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { getStudioApi } from './transport';
import { ApiProvider } from './api/ApiContext';
import { App } from './app/App';
import './styles.css';

const api = getStudioApi();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ApiProvider api={api}>
      <App api={api} />
    </ApiProvider>
  </StrictMode>,
);
