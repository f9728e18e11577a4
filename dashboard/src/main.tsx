/** Entry point: mounts the app and starts counting throughput from live events. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { live } from './api/live.js';
import { App } from './app.js';
import { throughput } from './lib/throughput.js';
import './styles.css';

live.onEvent(throughput.addEvent);

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
